"""How amounts and days read, in the active language: one definition each.

- ``money(amount)``: euros as CLDR writes them, ``1 519,99 €`` in French (a narrow
  no-break space between thousands, a no-break space before the sign) and ``€1,519.99`` in
  English. Always two decimals, rounded half up like the prices themselves.
- ``day(value)``: ``24 nov. 2026`` in French, ``24 Nov 2026`` in English.
- ``day_time(value)``: the same day and the local time, ``24 nov. 2026, 18:05``.
- ``possessive(name)``: ``Olivier's`` in English, ``d'Olivier`` / ``de Camille`` in French.

The conventions come from Babel (CLDR data). Pricing writes several amounts for every
variant it prices, so the money pattern is read once per language and applied here; a test
checks that it gives exactly what ``babel.numbers.format_currency`` gives.

The template filters of the same names are in ``catalog/templatetags/formats.py``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import (
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
)
from django.conf import settings
from django.utils import timezone, translation

CURRENCY = "EUR"
CENT = Decimal("0.01")
# CLDR patterns (https://unicode.org/reports/tr35/tr35-dates.html): one for all languages,
# the month abbreviations and their dots come from each language.
DAY_PATTERN = "d MMM y"
DAY_TIME_PATTERN = "d MMM y, HH:mm"


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def current_locale() -> Locale:
    """The Babel locale of the active Django language (the site's when none is active)."""
    return _locale(translation.get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=16)
def _money_parts(locale: Locale) -> tuple[str, str, str, str, str, str]:
    """(positive prefix, positive suffix, negative prefix, negative suffix, group, decimal)
    of the locale's standard currency pattern, with the currency and minus signs put in."""
    pattern = locale.currency_formats["standard"]
    symbol = get_currency_symbol(CURRENCY, locale)
    minus = get_minus_sign_symbol(locale)

    def fill(text: str) -> str:
        return text.replace("¤", symbol).replace("-", minus)

    return (
        fill(pattern.prefix[0]),
        fill(pattern.suffix[0]),
        fill(pattern.prefix[1]),
        fill(pattern.suffix[1]),
        get_group_symbol(locale),
        get_decimal_symbol(locale),
    )


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return amount if amount.is_finite() else None


def money(value, locale: Locale | None = None) -> str:
    """An amount in euros as the active language writes it; "" for None or a non-number."""
    amount = _decimal(value)
    if amount is None:
        return ""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    plus_prefix, plus_suffix, minus_prefix, minus_suffix, group, decimal = _money_parts(
        locale or current_locale()
    )
    digits = f"{abs(amount):,.2f}".replace(",", "\0").replace(".", decimal).replace("\0", group)
    if amount < 0:
        return f"{minus_prefix}{digits}{minus_suffix}"
    return f"{plus_prefix}{digits}{plus_suffix}"


def _local(value) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return None


def day(value) -> str:
    """The day of a date or a moment (in the local time zone): "24 nov. 2026"."""
    local = _local(value)
    if local is None:
        return ""
    if isinstance(local, dt.datetime):
        local = local.date()
    return _day(local, current_locale())


@lru_cache(maxsize=4096)
def _day(date: dt.date, locale: Locale) -> str:
    """Babel takes a tenth of a millisecond to write a day: each is written once."""
    return format_date(date, DAY_PATTERN, locale=locale)


def day_time(value) -> str:
    """A moment, in the local time zone: "24 nov. 2026, 18:05"; a bare date gives its day."""
    local = _local(value)
    if local is None:
        return ""
    if not isinstance(local, dt.datetime):
        return day(local)
    naive = local.replace(tzinfo=None)  # already local: Babel must not shift it again
    return _day_time(naive.replace(second=0, microsecond=0), current_locale())


@lru_cache(maxsize=4096)
def _day_time(minute: dt.datetime, locale: Locale) -> str:
    return format_datetime(minute, DAY_TIME_PATTERN, locale=locale)


def money_column(model, field_name: str):
    """A Django admin list column showing a money field of ``model`` in the money format,
    titled and sorted like the field: ``list_display = [money_column(Order, "total")]``."""

    def column(obj) -> str:
        return money(getattr(obj, field_name))

    column.__name__ = f"{field_name}_money"
    column.short_description = model._meta.get_field(field_name).verbose_name
    column.admin_order_field = field_name
    return column


def possessive(name) -> str:
    """Whose, in the active language, to go before the thing owned in a sentence written
    for it: "Olivier's" in English; "d'Olivier", "d'Hélène", "de Camille" in French (the
    elision of "de" before a vowel or a mute h, which gettext cannot choose)."""
    name = str(name or "").strip()
    if not name:
        return ""
    if (translation.get_language() or settings.LANGUAGE_CODE).startswith("fr"):
        first = unicodedata.normalize("NFD", name[0].lower())[0]
        return f"d'{name}" if first in "aeiouh" else f"de {name}"
    return f"{name}'s"
