"""Every email to a shopper carries the way to their privacy page."""

from django.core import mail

from integrations.models import OutboundMessage
from integrations.outbox import message_deliver
from orders.models import confirmation_key


def test_the_confirmation_email_links_to_the_privacy_page(place, store, tv, stock, settings):
    settings.SITE_URL = "https://clienteling.example.com"
    stock(store, tv, on_hand=1)
    order = place([(tv, 1, store)], mode="pickup", pickup_store=store)

    message = OutboundMessage.objects.get(key=confirmation_key(order.reference))
    message_deliver(message_id=message.pk)

    (email,) = mail.outbox
    assert "Vos données et vos choix : https://clienteling.example.com/privacy/" in email.body
