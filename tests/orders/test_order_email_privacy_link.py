"""Every email to a shopper carries the way to their privacy page."""

from django.core import mail

from orders.services import order_confirmation_send


def test_the_confirmation_email_links_to_the_privacy_page(place, store, tv, stock, settings):
    settings.SITE_URL = "https://clienteling.example.com"
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)], mode="pickup", pickup_store=store)

    order_confirmation_send(order_id=order.pk)

    (email,) = mail.outbox
    assert "Vos données et vos choix : https://clienteling.example.com/privacy/" in email.body
