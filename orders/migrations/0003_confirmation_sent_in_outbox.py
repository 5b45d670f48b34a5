# Confirmations already sent become sent outbox rows, so none is sent again.

from django.db import migrations


def sent_confirmations_to_outbox(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OutboundMessage = apps.get_model("integrations", "OutboundMessage")
    sent = Order.objects.filter(confirmation_sent_at__isnull=False).select_related("customer")
    OutboundMessage.objects.bulk_create(
        [
            OutboundMessage(
                kind="order.confirmation",
                key=f"order-{order.reference}-confirmation",
                message_id=f"<order-{order.reference}-confirmation@clienteling>",
                to=[order.customer.email],
                subject=order.reference,
                body="",
                status="sent",
                attempts=1,
                sent_at=order.confirmation_sent_at,
            )
            for order in sent.iterator()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_order_address_erased'),
        ('integrations', '0002_outbound_message'),
    ]

    operations = [
        migrations.RunPython(sent_confirmations_to_outbox, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='order',
            name='confirmation_sent_at',
        ),
    ]
