"""The stock page's rows, written here rather than by the template engine: a page lists
up to 25 stores (every store with "show all"), and a row drawn by the engine cost about
75 µs of CPU, ten times this."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

register = template.Library()

_STATES = {
    "last": ("badge-warn", _("Last units")),
    "in_stock": ("badge-ok", _("In stock")),
    "none": ("badge-danger", _("None available")),
}
_ROW = (
    '<tr class="state-{}" data-testid="stock-row">\n'
    '  <td><strong>{}</strong><br><span class="muted">{}</span></td>\n'
    '  <td class="num">{} km</td>\n'
    '  <td class="num">{}</td>\n'
    '  <td class="num">{}</td>\n'
    '  <td class="num"><strong>{}</strong> {}</td>\n'
    "  <td>{}</td>\n"
    "</tr>\n"
)


@register.simple_tag
def stock_state(place):
    """The badge saying whether a place has it: in stock, last units or none."""
    css, text = _STATES.get(place.state, _STATES["none"])
    return format_html('<span class="badge {}" data-testid="state">{}</span>', css, text)


@register.simple_tag
def stock_rows(places, order_url: str):
    """A table row per place, each with its "order from here" link when it has units."""
    order = _("Order from here")
    return format_html_join(
        "",
        _ROW,
        (
            (
                place.state,
                place.store.name,
                place.store.city,
                floatformat(place.distance_km, 1),
                localize(place.on_hand),
                localize(place.reserved),
                localize(place.available),
                stock_state(place),
                format_html(
                    '<a class="button" href="{}&amp;source={}">{}</a>',
                    order_url,
                    localize(place.store.pk),
                    order,
                )
                if place.available
                else "",
            )
            for place in places
        ),
    )
