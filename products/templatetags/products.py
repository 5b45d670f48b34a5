"""Template helpers of the product pages: the comparison tray and a product's comparison
button, its photo, price and availability here (one tag each, drawn in Python: lists of
products show them on every row), characteristic values with their units, country names."""

from decimal import Decimal
from functools import lru_cache
from html import escape as html_escape

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import formats
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from catalog.addresses import address
from catalog.formats import money
from catalog.models import Characteristic, ProductCharacteristic

from ..compare import COMPARE_MAX, tray_products

register = template.Library()


def _escape(value) -> str:
    """What ``django.utils.html.escape`` writes, without its check for lazy strings."""
    return html_escape(str(value))


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


@register.simple_tag(takes_context=True)
def compare_button(context, product) -> str:
    """The product's comparison toggle. The view gives ``in_tray``, ``compare_add_url``,
    ``compare_remove_url`` and ``compare_next`` (``views._compare_button_urls``); what
    every button of a page shares is escaped once per page."""
    shared = context.render_context.get(_COMPARE_BUTTON)
    if shared is None:
        shared = context.render_context[_COMPARE_BUTTON] = (
            CsrfTokenNode().render(context),
            conditional_escape(context.get("compare_next", "")),
            {
                True: (
                    _escape(context.get("compare_remove_url", "")),
                    "true",
                    _escape(_("In comparison ✓")),
                ),
                False: (
                    _escape(context.get("compare_add_url", "")),
                    "false",
                    _escape(_("Compare")),
                ),
            },
        )
    csrf, next_path, states = shared
    url, pressed, label = states[product.pk in (context.get("in_tray") or ())]
    pk = int(product.pk)
    return mark_safe(  # noqa: S308 (every part escaped above, the id a number)
        f'<form id="compare-button-{pk}" class="compare-button" method="post"\n'
        f'      action="{url}"\n      hx-post="{url}"\n'
        '      hx-target="this" hx-swap="outerHTML">\n'
        f'  {csrf}\n  <input type="hidden" name="product" value="{pk}">\n'
        f'  <input type="hidden" name="next" value="{next_path}">\n'
        f'  <button type="submit" class="button compare-toggle" aria-pressed="{pressed}"'
        f' data-testid="compare-toggle">{label}</button>\n</form>'
    )


_COMPARE_BUTTON = "products.compare_button"


@register.simple_tag(takes_context=True)
def search_results(context, products) -> str:
    """The rows of the search results (``products/search.html``), drawn at once (a page
    shows twenty), each set off as the lines of a template's loop would be."""
    rows = "".join(f"\n    {_search_result(context, product)}\n    " for product in products)
    return mark_safe(f"\n    {rows}\n  ")  # noqa: S308 (rows of escaped values)


def _search_result(context, product) -> str:
    """A row of the search results: the product's photo, its ``url``, name, brand and
    category, the code typed when it matched one of its variants (``matched_variant_id``,
    ``shown_variant``), its ``price``, units here and comparison button."""
    code = ""
    if product.matched_variant_id:
        label = _("Code %(sku)s") % {"sku": _escape(product.shown_variant.sku)}
        code = f'<span class="badge" data-testid="code-match">{label}</span>'
    return mark_safe(  # noqa: S308 (every value escaped, the tags' markup safe)
        '<li class="result card" data-testid="result">\n'
        f"      {product_photo(product.photo)}\n"
        f'      <a class="result-main" href="{_escape(product.url)}">\n'
        f'        <span class="result-name">{_escape(product.name)}</span>\n'
        f'        <span class="result-meta muted">{_escape(product.brand.name)} · '
        f"{_escape(product.category.name)}</span>\n"
        f"        {code}\n"
        "      </a>\n"
        f'      <div class="result-price">{product_price(product.price)}</div>\n'
        f'      <div class="result-stock">{availability(product.available_here)}</div>\n'
        f"      {compare_button(context, product)}\n"
        "    </li>"
    )


@register.simple_tag(takes_context=True)
def complement_row(context, product, public=False, here=None) -> str:
    """A complement's row (``products/partials/complements.html``): photo, link (to the
    client's page when ``public``, for the store ``here``), brand, compact ``price`` and
    stock, ``available_here`` or else ``stores_with_stock`` (``complements_for``)."""
    if public:
        url = _product_url(product.pk, public=True)
        if here:
            url += f"?store={_escape(here.code)}"
    else:
        url = _product_url(product.pk)
    available = product.available_here
    if available is None:
        if product.stores_with_stock:
            text = ngettext(
                "In stock in %(counter)s store",
                "In stock in %(counter)s stores",
                product.stores_with_stock,
            ) % {"counter": localize(product.stores_with_stock)}
            stock = f'<span class="badge" data-testid="complement-stock">{text}</span>'
        else:
            stock = (
                '<span class="badge badge-warn" data-testid="complement-stock">'
                f"{_('Out of stock in our stores')}</span>"
            )
        stock = f"\n            {stock}\n          "
    elif available > 0:
        stock = (
            '<span class="badge badge-ok" data-testid="complement-stock">'
            f"{_('In stock here')}</span>\n          "
        )
    else:
        stock = (
            '<span class="badge badge-warn" data-testid="complement-stock">'
            f"{_('Not in stock here')}</span>"
        )
    name = _escape(product.name)
    return mark_safe(  # noqa: S308 (every value escaped, the tags' markup safe)
        '<li class="complement" data-testid="complement">\n'
        f"      {product_photo(product.photo, product.name)}\n\n"
        "      <div>\n"
        f'        <a class="row-link" href="{url}">{name}</a>\n'
        f'        <span class="muted">{_escape(product.brand.name)}</span>\n'
        '        <div class="row">\n'
        f"          {product_price(product.price, True)}\n\n"
        f"          {stock}\n"
        "        </div>\n"
        "      </div>\n"
        "    </li>"
    )


def _product_url(product_id, public=False) -> str:
    """What ``{% url 'products:product' product_id %}`` (``products:public_product`` when
    ``public``) writes."""
    name = "products:public_product" if public else "products:product"
    return _escape(address(name, (int(product_id),)))


@register.simple_tag
def product_photo(photo, alt="", large=False) -> str:
    """A product photo's thumbnail (its whole image when ``large``), or a neutral
    placeholder; ``photo`` a ProductImage or None, ``alt`` its text."""
    size = " photo-large" if large else ""
    if not photo:
        return mark_safe(f'<span class="photo photo-none{size}" aria-hidden="true"></span>')  # noqa: S308
    src = _escape(photo.image.url if large else photo.thumbnail_url)
    return mark_safe(  # noqa: S308 (escaped)
        f'<img class="photo{size}" src="{src}" alt="{conditional_escape(alt)}" loading="lazy"'
        ' decoding="async" data-testid="photo">'
    )


@register.simple_tag
def product_price(price, compact=False) -> str:
    """A ``Price``: the final price, the list price struck out when discounted and, unless
    ``compact``, the payment facility it qualifies for; "No price" for None."""
    if not price:
        return format_html('<span class="muted">{}</span>', _("No price"))
    discounted = price.is_discounted
    html = [
        f'<span class="price{" price-discounted" if discounted else ""}" data-testid="price">\n'
        f'  <span class="price-final">{_escape(money(price.final))}</span>\n'
    ]
    if discounted:
        html.append(
            f'  <s class="price-list" aria-label="{_escape(_("instead of"))}">'
            f"{_escape(money(price.list_price))}</s>\n"
        )
    html.append("</span>")
    if price.financing and not compact:
        html.append(
            '\n<span class="badge badge-ok financing" data-testid="financing">'
            f"{_escape(price.financing.label)}"
            f'<span class="muted"> · {_escape(price.financing.terms)}</span></span>'
        )
    return mark_safe("".join(html))  # noqa: S308 (every value escaped)


@register.simple_tag
def availability(available) -> str:
    """Units available here: "3 in stock here", "Not in stock here", a dash for None."""
    if available is None:
        return mark_safe('<span class="muted">—</span>')
    if type(available) is int:  # a few values a page repeats: worded once per language
        return _availability(get_language(), available)
    return _available_badge(available)


@lru_cache(maxsize=1024)
def _availability(language: str, available: int) -> str:
    return _available_badge(available)


def _available_badge(available) -> str:
    if available > 0:
        text = ngettext("%(counter)s in stock here", "%(counter)s in stock here", available)
        return format_html(
            '<span class="badge badge-ok" data-testid="availability">{}</span>',
            text % {"counter": localize(available)},
        )
    return format_html(
        '<span class="badge badge-warn" data-testid="availability">{}</span>',
        _("Not in stock here"),
    )


@register.simple_tag
def select_options(items, label: str, selected) -> str:
    """The ``<option>`` of each of ``items`` (its pk as value, its attribute ``label`` as
    text, escaped), the one whose pk is ``selected`` (a form field's value) marked: a long
    list of choices at the cost of one tag."""
    selected = str(selected)
    options = (
        f'<option value="{item.pk}"{" selected" if str(item.pk) == selected else ""}>'
        f"{_escape(getattr(item, label))}</option>"
        for item in items
    )
    return mark_safe("".join(options))  # noqa: S308 (ids and escaped labels)


@register.filter
def stars(rating) -> str:
    """A rating out of five as five stars, that many of them filled: 4 -> "★★★★☆"."""
    try:
        filled = sum(1 for i in range(1, 6) if i <= rating)
    except TypeError:  # no rating
        filled = 0
    return "★" * filled + "☆" * (5 - filled)


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
