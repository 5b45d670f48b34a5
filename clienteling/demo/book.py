"""The demo associate's book and this morning's "to contact today", made by the real
rules (``clientbook.rules``) from the demo's own wishlists, stock and purchases."""

from datetime import timedelta

from django.utils import timezone

from catalog.models import Category, Store
from clientbook.models import BookEntry, FollowUp, PurchaseFollowUpDelay
from clientbook.rules import back_in_stock, follow_ups_generate
from clientbook.services import follow_up_personal
from customers.models import Customer, WishlistItem

BOOK_SIZE = 24
RESTOCKED = 4


def books_seed(*, associate, store_code: str) -> int:
    """Put ``BOOK_SIZE`` of the store's clients in ``associate``'s book, set the TV delay
    head office would set, and raise today's follow-ups. Returns how many are due."""
    store = Store.objects.get(code=store_code)
    now = timezone.now()
    tvs = Category.objects.filter(slug="televiseurs").first()
    if tvs is not None:
        PurchaseFollowUpDelay.objects.get_or_create(category=tvs, defaults={"days": 14})
    clients = list(
        Customer.objects.active().filter(home_store=store).order_by("-tier", "pk")[:BOOK_SIZE]
    )
    BookEntry.objects.bulk_create(
        [
            BookEntry(customer=c, associate=associate, store=store, source="visit", since=now)
            for c in clients
        ],
        ignore_conflicts=True,
    )
    if clients:
        BookEntry.objects.filter(customer=clients[0]).update(
            birth_date=(now + timedelta(days=3)).date().replace(year=1984)
        )
        follow_up_personal(
            customer=clients[-1],
            store=store,
            by=associate,
            due_on=timezone.localdate(),
            note="Rappeler pour le téléviseur commandé",
        )
    # A delivery this morning brought back a few of what they wished for.
    wished = (
        WishlistItem.objects.filter(customer__in=clients)
        .order_by("pk")
        .values_list("variant_id", flat=True)[:RESTOCKED]
    )
    back_in_stock(store_id=store.pk, variant_ids=list(wished))
    follow_ups_generate(now=now)
    return FollowUp.objects.for_associate(associate, store).due(timezone.localdate()).count()
