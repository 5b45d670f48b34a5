"""The client book listens to the apps below it, which may not call up here:

- ``inventory.signals.stock_back`` (after commit): wishlist items back in stock here;
- an order's event (``OrderEvent`` saved): the order's taker keeps the client, a pickup
  ready or a delivery delivered raises a follow-up;
- a visit served (``Visit`` saved with someone serving): the associate keeps the client.

Each listener only calls a service or a rule; all of them are idempotent."""

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _stock_back(sender, store_id, variant_ids, **kwargs):
    from .rules import back_in_stock

    back_in_stock(store_id=store_id, variant_ids=variant_ids)


def _order_event(sender, instance, created, **kwargs):
    if not created:
        return
    from orders.models import OrderEvent

    from .models import BookEntry
    from .rules import order_news
    from .services import book_entry_claim

    order = instance.order
    if instance.kind == OrderEvent.Kind.CREATED and instance.by_id is not None:
        book_entry_claim(
            customer=order.customer,
            associate=instance.by,
            store=order.store,
            source=BookEntry.Source.ORDER,
        )
    elif instance.kind in (OrderEvent.Kind.READY, OrderEvent.Kind.DELIVERED):
        order_news(order=order, kind=instance.kind)


def _visit_served(sender, instance, created, update_fields=None, **kwargs):
    if instance.customer_id is None or instance.attended_by_id is None:
        return
    if not created and (update_fields is None or "attended_by" not in update_fields):
        return
    from .models import BookEntry
    from .services import book_entry_claim

    book_entry_claim(
        customer=instance.customer,
        associate=instance.attended_by,
        store=instance.store,
        source=BookEntry.Source.VISIT,
    )


class ClientbookConfig(AppConfig):
    name = "clientbook"
    verbose_name = _("Client books")

    def ready(self):
        from floor.models import Visit
        from inventory.signals import stock_back
        from orders.models import OrderEvent

        stock_back.connect(_stock_back, dispatch_uid="clientbook-stock-back")
        post_save.connect(_order_event, sender=OrderEvent, dispatch_uid="clientbook-order-event")
        post_save.connect(_visit_served, sender=Visit, dispatch_uid="clientbook-visit-served")
