"""The client an associate is serving, remembered in their session so every page
(product page, comparison, order) can act for them."""

from .models import Customer

SESSION_CLIENT_KEY = "selected_customer_id"
# The last customer card opened (each opening is logged): not the client served, only what
# lets staff of another store read that customer's order from the card.
SESSION_CARD_KEY = "card_customer_id"


def selected_customer_id(request) -> int | None:
    return request.session.get(SESSION_CLIENT_KEY)


def select_customer(request, customer_id: int | None) -> None:
    if customer_id is None:
        request.session.pop(SESSION_CLIENT_KEY, None)
    else:
        request.session[SESSION_CLIENT_KEY] = customer_id


def selected_customer(request) -> Customer | None:
    customer_id = selected_customer_id(request)
    return Customer.objects.active().filter(pk=customer_id).first() if customer_id else None


def card_opened(request, customer_id: int) -> None:
    if request.session.get(SESSION_CARD_KEY) != customer_id:  # reopened: no session write
        request.session[SESSION_CARD_KEY] = customer_id


def card_customer_id(request) -> int | None:
    return request.session.get(SESSION_CARD_KEY)
