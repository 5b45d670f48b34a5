"""The card's client-book section, for the card page of the floor (which may not import
this app: its template loads this library)."""

from django import template

from ..views import card_section_context

register = template.Library()


@register.inclusion_tag("clientbook/card_section.html", takes_context=True)
def client_book_section(context, customer):
    request = context["request"]
    return {
        **card_section_context(request, customer),
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }
