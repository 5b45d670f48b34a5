"""The one money format and the one day format, in each language (catalog.formats)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

import pytest
from babel.numbers import format_currency
from django.template import Context, Template
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from catalog.formats import day, day_time, money, money_column, possessive
from orders.models import Order

NNBSP, NBSP = "\u202f", "\xa0"  # CLDR's French thousands separator, and before "€"


@pytest.mark.parametrize(
    ("amount", "french", "english"),
    [
        (Decimal("1519.99"), f"1{NNBSP}519,99{NBSP}€", "€1,519.99"),
        (Decimal("0"), f"0,00{NBSP}€", "€0.00"),
        (0, f"0,00{NBSP}€", "€0.00"),
        (Decimal("-0.00"), f"0,00{NBSP}€", "€0.00"),
        (Decimal("-20"), f"-20,00{NBSP}€", "-€20.00"),
        (Decimal("-1519.99"), f"-1{NNBSP}519,99{NBSP}€", "-€1,519.99"),
        (
            Decimal("1234567890.5"),
            f"1{NNBSP}234{NNBSP}567{NNBSP}890,50{NBSP}€",
            "€1,234,567,890.50",
        ),
        (Decimal("999.995"), f"1{NNBSP}000,00{NBSP}€", "€1,000.00"),  # half up, like prices
        (Decimal("0.004"), f"0,00{NBSP}€", "€0.00"),
        (12.1, f"12,10{NBSP}€", "€12.10"),
        ("849.5", f"849,50{NBSP}€", "€849.50"),
        (None, "", ""),
        ("", "", ""),
        ("abc", "", ""),
        (True, "", ""),
        (Decimal("NaN"), "", ""),
        (float("inf"), "", ""),
    ],
)
def test_money_in_french_and_english(amount, french, english):
    with override("fr"):
        assert money(amount) == french
    with override("en"):
        assert money(amount) == english


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    st.sampled_from(["fr", "en"]),
)
def test_money_is_what_babel_writes(amount, language):
    """The pattern read once per language gives what CLDR's own formatter gives."""
    if amount == 0:
        amount = abs(amount)  # no "-0,00 €"
    with override(language):
        assert money(amount) == format_currency(amount, "EUR", locale=language)


def test_money_follows_the_active_language_and_falls_back_to_french():
    with override(None):
        assert money(Decimal("10")) == f"10,00{NBSP}€"
    with override("en-gb"):
        assert money(Decimal("10")) == "€10.00"


def test_days_in_french_and_english():
    late_evening_utc = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 00:30 the 25th in Paris
    with override("fr"):
        assert day(date(2026, 11, 24)) == "24 nov. 2026"
        assert day(date(2026, 5, 1)) == "1 mai 2026"
        assert day(late_evening_utc) == "25 nov. 2026"
        assert day_time(late_evening_utc) == "25 nov. 2026, 00:30"
        naive = datetime(2026, 7, 14, 9, 5)  # noqa: DTZ001 - a naive moment is shown as is
        assert day_time(naive) == "14 juil. 2026, 09:05"
        assert day_time(date(2026, 11, 24)) == "24 nov. 2026"
    with override("en"):
        assert day(date(2026, 11, 24)) == "24 Nov 2026"
        assert day(late_evening_utc) == "25 Nov 2026"
        assert day_time(late_evening_utc) == "25 Nov 2026, 00:30"
    for nothing in (None, "", "2026-11-24", 0):
        assert day(nothing) == "" and day_time(nothing) == ""


def test_template_filters_are_on_every_page_and_loadable_by_name():
    context = Context(
        {"price": Decimal("1519.99"), "when": datetime(2026, 11, 24, 17, 5, tzinfo=UTC)}
    )
    builtin = Template("{{ price|money }} · {{ when|day }} · {{ when|day_time }}")
    loaded = Template("{% load formats %}{{ price|money }}")
    with override("fr"):
        assert (
            builtin.render(context) == f"1{NNBSP}519,99{NBSP}€ · 24 nov. 2026 · 24 nov. 2026, 18:05"
        )
        assert loaded.render(context) == f"1{NNBSP}519,99{NBSP}€"
    with override("en"):
        assert builtin.render(context) == "€1,519.99 · 24 Nov 2026 · 24 Nov 2026, 18:05"
        assert Template("[{{ missing|money }}]").render(Context()) == "[]"


def test_admin_money_column_is_titled_and_sorted_like_its_field():
    column = money_column(Order, "total")
    assert column.admin_order_field == "total"
    assert str(column.short_description) == str(Order._meta.get_field("total").verbose_name)
    with override("fr"):
        assert column(Order(total=Decimal("2500"))) == f"2{NNBSP}500,00{NBSP}€"


def test_whose_wishlist_elides_in_french():
    with override("fr"):
        assert possessive("Olivier") == "d'Olivier"
        assert possessive("Émilie") == "d'Émilie"
        assert possessive("Hugo") == "d'Hugo"
        assert possessive("Camille") == "de Camille"
        assert possessive("") == "" and possessive(None) == ""
        text = Template(
            "{% blocktranslate with whose=name|possessive %}Add to {{ whose }} wishlist"
            "{% endblocktranslate %}"
        ).render(Context({"name": "Olivier"}))
        assert unescape(text) == "Ajouter à la liste d'envies d'Olivier"
    with override("en"):
        assert possessive("Olivier") == "Olivier's"
