"""A pickup hold that ran out is counted the same by every reader, the moment it lapses,
whether or not the periodic sweep has run (``StockLevel.objects.with_available``)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Complement
from customers.models import Consent
from floor.selectors import floor_cards, floor_list
from inventory.availability import availability_for
from inventory.models import Reservation, StockLevel
from inventory.selectors import fulfilment_options, stock_lookup
from inventory.services import (
    SnapshotRow,
    StockConflict,
    stock_deltas_apply,
    stock_snapshot_apply,
)
from products.selectors import ProductQuery, complements_for, product_detail, product_search
from tests.factories import ConsentFactory, ProductFactory, VisitFactory, WishlistItemFactory


@pytest.fixture
def held(store, tv, stock, place):
    """Both units of the TV in this store held for a pickup here (a local hold, which runs
    from now); ``lapse()`` makes the hold run out, as time would."""
    stock(store, tv, on_hand=2)
    order = place([(tv, 2, store)], mode="pickup", pickup_store=store)
    hold = Reservation.objects.get(line__order=order)
    assert hold.expires_at is not None

    def lapse():
        Reservation.objects.filter(pk=hold.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

    return lapse


@pytest.fixture
def present_with_wishlist(store, customer, tv):
    ConsentFactory(customer=customer, purpose=Consent.Purpose.IN_STORE_RECOGNITION, granted=True)
    WishlistItemFactory(customer=customer, variant=tv)
    now = timezone.now()
    return VisitFactory(store=store, customer=customer, arrived_at=now, last_seen_at=now)


def readings(store, tv):
    """What each reader says is available of the TV in this store."""
    stock_page = stock_lookup(variant_id=tv.pk, origin=store)[0]
    order_form = fulfilment_options([tv.pk], near=store).get(tv.pk, [])
    searched = product_search(ProductQuery(in_stock_at=store), store=store).products
    product = product_detail(product_id=tv.product_id, store=store)
    stand = ProductFactory(name="TV stand")
    Complement.objects.get_or_create(product=stand, complement_id=tv.product_id)
    stand = product_detail(product_id=stand.pk, store=store)
    return {
        "stock page": stock_page.available,
        "order form": sum(p.available for p in order_form if p.store.pk == store.pk),
        "search in stock here": sum(p.available_here for p in searched),
        "product page": sum(v.available_here for v in product.variants.all()),
        "card wishlist": availability_for([tv.pk], store=store)[tv.pk].here,
        "floor wishlist badge": (floor_cards(store.pk)[0].wishlist_here or 0) * 2,
        "floor page badge": (floor_list(store.pk)["cards"][0].wishlist_here or 0) * 2,
        "complement of a stand": complements_for([stand], store=store)[0].available_here,
        "annotation": StockLevel.objects.with_available().get(store=store, variant=tv).available,
    }


def test_every_reader_counts_a_live_hold(held, present_with_wishlist, store, tv):
    assert set(readings(store, tv).values()) == {0}


def test_every_reader_frees_a_lapsed_hold_at_once(held, present_with_wishlist, store, tv):
    held()
    assert readings(store, tv) == dict.fromkeys(readings(store, tv), 2)
    # Nothing was swept: only the readers' arithmetic changed.
    assert StockLevel.objects.get(store=store, variant=tv).reserved == 2


def test_a_till_sale_is_refused_under_a_live_hold(held, store, tv):
    with pytest.raises(StockConflict):
        stock_deltas_apply(store=store, deltas={tv.pk: -1})


def test_a_till_sale_goes_through_once_the_hold_lapsed(held, store, tv):
    held()
    (row,) = stock_deltas_apply(store=store, deltas={tv.pk: -1})
    assert (row.on_hand, row.reserved) == (1, 0)
    assert Reservation.objects.get().status == Reservation.Status.EXPIRED


def test_a_snapshot_below_a_lapsed_hold_applies(held, store, tv):
    held()
    report = stock_snapshot_apply(
        store=store, rows=[SnapshotRow(line=2, code=tv.sku, variant_id=tv.pk, on_hand=1)]
    )
    assert not report.rejected
    row = StockLevel.objects.get(store=store, variant=tv)
    assert (row.on_hand, row.reserved) == (1, 0)


def test_a_snapshot_below_a_live_hold_is_refused(held, store, tv):
    report = stock_snapshot_apply(
        store=store, rows=[SnapshotRow(line=2, code=tv.sku, variant_id=tv.pk, on_hand=1)]
    )
    assert report.rejected
    assert StockLevel.objects.get(store=store, variant=tv).on_hand == 2


def test_a_new_order_takes_the_units_of_a_lapsed_hold(held, store, tv, place):
    held()
    order = place([(tv, 2, store)])
    assert order.lines.get().quantity == 2
    row = StockLevel.objects.get(store=store, variant=tv)
    assert (row.on_hand, row.reserved) == (2, 2)
