"""What the floor and the customer card draw in Python where the template engine would
cost more than the markup it makes.

A client's card on the floor is rendered in each language for every arrival pushed to the
tablets (on the way from the beacon's event to the screens), and once per client on the
floor page: the engine took about 0.3 ms per card and language, this a fifth of that. A
purchase's lines on the customer card are one filter rather than a loop of tags."""

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday
from django.template.defaultfilters import time as time_of_day
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from catalog.addresses import address
from catalog.formats import money

register = template.Library()


def _text(translated: str) -> str:
    """A translation, trusted as the template's own text is (``{% translate %}`` does not
    escape it)."""
    return mark_safe(translated)  # noqa: S308


def _say(text: str, **values) -> str:
    """A translated sentence with its values escaped (as ``{% blocktranslate %}`` does)."""
    escaped = {k: conditional_escape(localize(v)) for k, v in values.items()}
    return mark_safe(text % escaped)  # noqa: S308 (a translation; the values escaped)


def _label(choices, value) -> str:
    """A choice's label, as ``get_FOO_display`` gives it (which translates every label of
    the field to find one)."""
    return dict(choices.choices).get(value, value)


def _name(user) -> str:
    """Who serves, or sent someone to, the client ("" once their account is deleted)."""
    if user is None:
        return ""
    return user.get_full_name() or user.email


def _hints(visit) -> str:
    if not (visit.wishlist_here or visit.interest_product):
        return ""
    hints = []
    if visit.wishlist_here:
        n = visit.wishlist_here
        wished = ngettext(
            "%(n)s wishlist item in stock here", "%(n)s wishlist items in stock here", n
        )
        hints.append(
            format_html('<li><span class="badge badge-ok">{}</span></li>', _say(wished, n=n))
        )
    if visit.interest_product:
        product, kind = visit.interest_product, visit.interest_kind
        wanted = (
            _say(gettext("Most wanted online: %(product)s (%(kind)s)"), product=product, kind=kind)
            if kind
            else _say(gettext("Most wanted online: %(product)s"), product=product)
        )
        hints.append(format_html('<li data-testid="floor-interest">{}</li>', wanted))
    return format_html(
        '\n  <ul class="floor-card-hints">\n    {}\n  </ul>',
        format_html_join("\n    ", "{}", ((hint,) for hint in hints)),
    )


def _service(visit, serving, store_code: str) -> tuple[str, str]:
    """What the card says of who serves the client, and its buttons."""

    def button(action: str, css: str, text: str) -> str:
        url = address(f"floor:{action}", kwargs={"store_code": store_code, "visit_id": visit.pk})
        return format_html(
            '<button type="button"{} hx-post="{}" hx-target="closest article" '
            'hx-swap="outerHTML">{}</button>',
            format_html(' class="{}"', css),
            url,
            text,
        )

    if serving and not visit.done_at:
        state = format_html(
            '<p class="serving-state" data-testid="served-by">{}</p>',
            _say(
                gettext("With %(name)s since %(time)s"),
                name=_name(serving),
                time=time_of_day(template_localtime(visit.attended_since), "H:i"),
            ),
        )
        buttons = button("done", "button-primary mine-only", _text(gettext("Done"))) + button(
            "release", "mine-only", _text(gettext("Release"))
        )
    else:
        if visit.done_at:
            state = format_html(
                '<p class="serving-state is-done" data-testid="served-by">{}</p>',
                _say(gettext("Served by %(name)s"), name=_name(serving)),
            )
        else:
            state = format_html(
                '<p class="serving-state is-waiting" data-testid="served-by">{}</p>',
                _text(gettext("Nobody with them yet")),
            )
            if visit.sent_to:
                state += format_html(
                    '<p class="badge badge-sent" role="status" data-testid="sent-to" '
                    'data-sent-to="{}">{}</p>',
                    localize(visit.sent_to_id),
                    _say(
                        gettext("%(manager)s asks %(name)s to see this client"),
                        manager=_name(visit.sent_by),
                        name=_name(visit.sent_to),
                    ),
                )
        buttons = button("claim", "button-primary", _text(gettext("I'm with this client")))
    return state, buttons


@register.simple_tag
def floor_card(visit, error=""):
    """The card of a client on the floor (``visit`` with its figures: ``floor.selectors``).
    Nothing in it depends on who looks at it: the buttons only the serving associate may
    use are shown by static/js/floor.js."""
    customer, serving = visit.customer, visit.attended_by
    served = bool(serving and not visit.done_at)
    card_url = address("floor:card", kwargs={"customer_id": customer.pk})
    state, buttons = _service(visit, serving, visit.store.code)
    return format_html(
        '<article id="visit-{pk}" class="card floor-card{vip}{served}{done}" '
        'data-testid="floor-card" data-customer="{loyalty}" data-served-by="{served_by}">\n'
        '  <header class="floor-card-head">\n'
        '    <h2><a href="{card_url}" data-testid="open-card">{name}</a></h2>\n'
        '    <span class="badge tier-{tier}">{tier_name}</span>\n'
        "  </header>\n"
        '  <p class="muted floor-card-when">{came_in}</p>\n'
        '  <dl class="figures">\n'
        "    <div><dt>{spend_label}</dt><dd>{spend}</dd></div>\n"
        "    <div><dt>{visits_label}</dt><dd>{visits}</dd></div>\n"
        "    <div><dt>{last_label}</dt><dd>{last}</dd></div>\n"
        "  </dl>{hints}\n"
        '  <div class="floor-card-service">\n'
        "    {state}\n"
        '    <div class="row">\n'
        '      <a class="button" href="{card_url}">{open_label}</a>\n'
        "      {buttons}\n"
        "    </div>\n"
        "  </div>{error}\n"
        "</article>",
        pk=localize(visit.pk),
        vip=" is-vip" if customer.is_vip else "",
        served=" is-served" if served else "",
        done=" is-done" if visit.done_at else "",
        loyalty=customer.loyalty_number,
        served_by=localize(serving.pk) if served else "",
        card_url=card_url,
        name=customer.full_name,
        tier=customer.tier,
        tier_name=_label(type(customer).Tier, customer.tier),
        came_in=_say(
            gettext("Came in at %(time)s (%(source)s)"),
            time=time_of_day(template_localtime(visit.arrived_at), "H:i"),
            source=_label(type(visit).Source, visit.source),
        ),
        spend_label=_text(gettext("Lifetime spend")),
        spend=money(visit.lifetime_spend or 0),
        visits_label=_text(gettext("Visits")),
        visits=localize(visit.visit_count or 0),
        last_label=_text(gettext("Last visit")),
        last=naturalday(template_localtime(visit.previous_visit_at), "j M Y")
        if visit.previous_visit_at
        else _text(gettext("first visit")),
        hints=_hints(visit),
        state=state,
        open_label=_text(gettext("Open the card")),
        buttons=buttons,
        error=format_html('\n  <p class="form-error" role="alert">{}</p>', error) if error else "",
    )


@register.filter(is_safe=True)
def purchase_lines(lines) -> str:
    """``1 × Name<br>2 × Other``: each line's quantity and product name (escaped), as the
    loop ``{{ line.quantity }} × {{ line.product_name }}`` with ``<br>`` between them."""
    return mark_safe(  # noqa: S308 (the names escaped, the quantities numbers)
        "<br>".join(f"{localize(line.quantity)} × {escape(line.product_name)}" for line in lines)
    )
