"""Template helpers of the product pages: the comparison tray, characteristic values with
their units, country names."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from catalog.models import Characteristic, ProductCharacteristic

from ..compare import COMPARE_MAX, tray_products

register = template.Library()

# Canonical units as people read them, in their language.
UNIT_LABELS = {
    "in": pgettext_lazy("unit", "in"),
    "cm": pgettext_lazy("unit", "cm"),
    "mm": pgettext_lazy("unit", "mm"),
    "kg": pgettext_lazy("unit", "kg"),
    "g": pgettext_lazy("unit", "g"),
    "W": pgettext_lazy("unit", "W"),
    "h": pgettext_lazy("unit", "h"),
    "min": pgettext_lazy("unit", "min"),
    "L": pgettext_lazy("unit", "L"),
    "Hz": pgettext_lazy("unit", "Hz"),
    "dB": pgettext_lazy("unit", "dB"),
    "kWh": pgettext_lazy("unit", "kWh"),
    "GB": pgettext_lazy("unit", "GB"),
    "TB": pgettext_lazy("unit", "TB"),
    "mAh": pgettext_lazy("unit", "mAh"),
    "MP": pgettext_lazy("unit", "MP"),
}


@register.inclusion_tag("products/partials/tray.html", takes_context=True)
def compare_tray(context, oob=False, error=""):
    """The comparison tray of the signed-in associate (one query when it holds products)."""
    request = context.get("request")
    if request is None or getattr(request, "staff", None) is None:
        return {"tray_disabled": True}
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "tray_products": tray_products(request),
        "tray_max": COMPARE_MAX,
        "tray_error": error,
        "oob": oob,
    }


@register.simple_tag
def select_options(items, label: str, selected) -> str:
    """The ``<option>`` of each of ``items`` (its pk as value, its attribute ``label`` as
    text, escaped), the one whose pk is ``selected`` (a form field's value) marked: a long
    list of choices at the cost of one tag."""
    selected = str(selected)
    options = (
        f'<option value="{item.pk}"{" selected" if str(item.pk) == selected else ""}>'
        f"{escape(getattr(item, label))}</option>"
        for item in items
    )
    return mark_safe("".join(options))  # noqa: S308 (ids and escaped labels)


@register.filter
def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


def _plain_number(value: Decimal) -> str:
    """55.000 -> "55", 1.500 -> "1,5" (in French): the canonical value, no trailing zeros."""
    value = value.normalize()
    if value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1))
    return formats.number_format(value, use_l10n=True)


@register.filter
def characteristic_value(value: ProductCharacteristic | None) -> str:
    """A characteristic value as people read it, with its unit."""
    if value is None:
        return ""
    characteristic = value.characteristic
    if characteristic.kind == Characteristic.Kind.NUMBER:
        if value.value_number is None:
            return ""
        number = _plain_number(value.value_number)
        return f"{number} {unit_label(characteristic.unit)}".strip()
    if characteristic.kind == Characteristic.Kind.BOOLEAN:
        if value.value_bool is None:
            return ""
        return _("Yes") if value.value_bool else _("No")
    return value.value_text


@register.filter
def country_name(code: str) -> str:
    """The country's name in the current language (the code itself if unknown)."""
    return countries.name(code) or code
