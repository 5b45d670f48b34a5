"""Store isolation, swept over every staff URL that names an object (issue "Trust on the
floor", point 7): a session of store A asking for store B's visits, orders, floor or
board gets 403 or 404, and nothing changes.

Clients are shared by every store on purpose (a shopper of Lyon walks into Paris): an
associate of A may open the card of any client, add a note, mention an offer, add to
their wishlist and see their open orders in every store. Those reads are logged (access
log) and those writes are attributed to store A, never to B. The catalog (products, stock
across stores) is not owned by a store either. Each such URL says so below."""

from dataclasses import dataclass
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clientbook.models import BookEntry, FollowUp, TouchPoint
from customers.models import CardView, Note, WishlistItem
from floor.models import Visit
from inventory.models import Reservation, StockLevel
from offers.models import OfferMention
from orders.models import Order, OrderEvent
from orders.services import LineRequest, order_place
from staff.models import StaffProfile
from tests.factories import (
    CustomerFactory,
    OfferFactory,
    StockLevelFactory,
    VariantFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db
Role = StaffProfile.Role

OWNED = "owned by store B: 403 or 404, nothing changes"
SHARED = "a shared client: allowed, logged, written as store A"
CATALOG = "the catalog, not owned by a store"
PUBLIC = "a shopper's signed one-time link: no staff session needed, nothing changes"


@dataclass(frozen=True)
class Case:
    name: str  # the URL's name
    method: str
    kwargs: object  # world -> URL kwargs
    rule: str
    data: object = None  # world -> POST data
    expect: tuple = (403, 404)
    label: str = ""

    def __str__(self):
        return self.label or self.name


def b_code(w):
    return {"store_code": w.b.code}


CASES = [
    # The floor of store B, by its URL.
    Case("floor:page", "get", b_code, OWNED, expect=(403,)),
    Case("floor:list", "get", b_code, OWNED, expect=(403,)),
    Case("floor:checkin_search", "get", b_code, OWNED, expect=(403,)),
    Case(
        "floor:checkin",
        "post",
        b_code,
        OWNED,
        data=lambda w: {"customer": w.client.pk},
        expect=(403,),
    ),
    # Store B's visits, through B's URL and through A's own URL.
    *(
        case
        for action in ("claim", "release", "done")
        for case in (
            Case(
                f"floor:{action}",
                "post",
                lambda w: {"store_code": w.b.code, "visit_id": w.visit.pk},
                OWNED,
                expect=(403,),
            ),
            Case(
                f"floor:{action}",
                "post",
                lambda w: {"store_code": w.a.code, "visit_id": w.visit.pk},
                OWNED,
                expect=(404,),
                label=f"floor:{action} (B's visit on A's floor)",
            ),
        )
    ),
    # Store B's orders.
    Case("orders:detail", "get", lambda w: {"order_id": w.order.pk}, OWNED, expect=(404,)),
    *(
        Case(
            "orders:action",
            "post",
            lambda w, action=action: {"order_id": w.order.pk, "action": action},
            OWNED,
            data=lambda w: {"reason": "test"},
            expect=(403,),
            label=f"orders:action ({action})",
        )
        for action in ("confirm", "cancel", "ready", "collect")
    ),
    Case("dashboard:board", "get", b_code, OWNED, expect=(403,)),
    Case(
        "dashboard:send_associate",
        "post",
        lambda w: {**b_code(w), "visit_id": w.visit.pk},
        OWNED,
        data=lambda w: {"associate": w.lyon.pk},
        expect=(403,),
    ),
    Case("privacy:poster", "get", b_code, OWNED, expect=(403,)),
    # Clients are shared across stores.
    Case("floor:card", "get", lambda w: {"customer_id": w.client.pk}, SHARED, expect=(200,)),
    Case(
        "floor:card_suggestions",
        "get",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        expect=(200,),
    ),
    Case(
        "floor:note_create",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        data=lambda w: {"text": "Revient samedi."},
        expect=(302,),
    ),
    Case("orders:customer", "get", lambda w: {"customer_id": w.client.pk}, SHARED, expect=(200,)),
    Case(
        "floor:consents", "get", lambda w: {"customer_id": w.client.pk}, SHARED, expect=(200, 302)
    ),
    Case(
        "floor:consent_confirm",
        "get",
        lambda w: {"customer_id": w.client.pk, "purpose": "recognition", "action": "grant"},
        SHARED,
        expect=(200,),
    ),
    Case(
        "floor:consent_change",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        expect=(302, 400, 409, 422),  # nothing is recorded without the words read
    ),
    Case(
        "offers:mention",
        "post",
        lambda w: {"customer_id": w.client.pk, "offer_id": w.offer.pk},
        SHARED,
        expect=(302, 404),  # 404 when the offer does not apply to this client now
    ),
    Case(
        "products:wishlist_add",
        "post",
        lambda w: {"variant_id": w.variant.pk},
        SHARED,
        expect=(302,),
    ),
    # Messages and the selection of a shared client (nothing is sent without a consent).
    Case("messaging:card", "get", lambda w: {"customer_id": w.client.pk}, SHARED, expect=(200,)),
    Case(
        "messaging:send",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        data=lambda w: {"channel": "email", "purpose": "follow_up", "key": "ab" * 16},
        expect=(302,),  # refused (no consent): back to the card, with the reason
    ),
    Case(
        "messaging:selection_search",
        "get",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        expect=(200,),
    ),
    Case(
        "messaging:selection_add",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        data=lambda w: {"variant": w.variant.pk},
        expect=(302,),
    ),
    Case(
        "messaging:selection_remove",
        "post",
        lambda w: {"customer_id": w.client.pk, "item_id": 999999},
        SHARED,
        expect=(404,),
    ),
    Case(
        "messaging:selection_send",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        data=lambda w: {"channel": "email", "key": "ab" * 16},
        expect=(302,),
    ),
    Case(
        "messaging:selection_public",
        "get",
        lambda w: {"token": "forged"},
        PUBLIC,
        expect=(404,),
    ),
    # The catalog.
    Case(
        "products:product",
        "get",
        lambda w: {"product_id": w.variant.product_id},
        CATALOG,
        expect=(200,),
    ),
    Case("products:stock", "get", lambda w: {"variant_id": w.variant.pk}, CATALOG, expect=(200,)),
    Case(
        "privacy:export_download", "get", lambda w: {"link_token": "forged"}, PUBLIC, expect=(410,)
    ),
    # The client book: store B's follow-ups and books; the card's section of a shared client.
    *(
        Case(
            "clientbook:outcome",
            "post",
            lambda w, outcome=outcome: {"follow_up_id": w.follow_up.pk, "outcome": outcome},
            OWNED,
            expect=(403,),
            label=f"clientbook:outcome:{outcome}",
        )
        for outcome in ("done", "snoozed", "unreachable")
    ),
    Case(
        "clientbook:reassign_all",
        "post",
        lambda w: {"user_id": w.lyon.pk},
        OWNED,
        data=lambda w: {"to": w.lyon.pk},
        expect=(403,),
    ),
    Case("clientbook:card", "get", lambda w: {"customer_id": w.client.pk}, SHARED, expect=(200,)),
    Case(
        "clientbook:assign",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        expect=(302,),  # refused: Lyon's associate keeps them (the order they took)
    ),
    Case(
        "clientbook:follow_up_add",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        data=lambda w: {"due_on": timezone.localdate().isoformat(), "note": "Rappeler"},
        expect=(302,),
    ),
    Case(
        "clientbook:birth_date",
        "post",
        lambda w: {"customer_id": w.client.pk},
        SHARED,
        data=lambda w: {"birth_date": "1980-11-27", "agreed": "on"},
        expect=(302,),
    ),
    # A client's pages: staff are sent to the staff page; a forged comparison is not found.
    Case(
        "products:public_product",
        "get",
        lambda w: {"product_id": w.variant.product_id},
        CATALOG,
        expect=(302,),
    ),
    Case("products:public_compare", "get", lambda w: {"token": "forged"}, PUBLIC, expect=(404,)),
]


def _named_patterns(resolver=None, prefix=""):
    """``namespace:name`` of every URL pattern that takes a parameter."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _named_patterns(entry, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name and entry.pattern.converters:
            yield prefix + entry.name


def test_every_staff_url_with_an_id_is_in_the_sweep():
    staff_urls = {
        name
        for name in _named_patterns()
        if not name.startswith(("admin:", "account_", "set_language", "api_")) and ":" in name
    }
    assert staff_urls == {case.name for case in CASES}


@pytest.fixture
def world(store, other_store, associate):
    lyon = make_staff(Role.ASSOCIATE, other_store, first_name="Hugo", last_name="Roux")
    client = CustomerFactory(first_name="Inès", last_name="Garnier")
    variant = VariantFactory()
    StockLevelFactory(store=other_store, variant=variant, on_hand=5)
    order = order_place(
        key=uuid4().hex,
        customer=client,
        store=other_store,
        by=lyon,
        lines=[LineRequest(variant, 1, other_store)],
        mode="pickup",
        pickup_store=other_store,
        address=None,
    )
    now = timezone.now()
    visit = Visit.objects.create(
        store=other_store,
        customer=client,
        source=Visit.Source.BEACON,
        arrived_at=now,
        last_seen_at=now,
        attended_by=lyon,
        attended_since=now,
    )
    follow_up = FollowUp.objects.create(
        customer=client,
        store=other_store,
        associate=lyon,
        reason=FollowUp.Reason.PERSONAL,
        key="lyon",
        due_on=timezone.localdate(),
        created_at=now,
    )
    return SimpleNamespace(
        follow_up=follow_up,
        a=store,
        b=other_store,
        client=client,
        variant=variant,
        order=order,
        visit=visit,
        offer=OfferFactory(),
        lyon=lyon,
    )


def state() -> dict:
    return {
        "visits": list(
            Visit.objects.order_by("pk").values_list(
                "pk", "attended_by_id", "attended_since", "done_at", "departed_at", "last_seen_at"
            )
        ),
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status")),
        "order events": OrderEvent.objects.count(),
        "stock": list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        "reservations": list(Reservation.objects.order_by("pk").values_list("pk", "quantity")),
        "notes": sorted(Note.objects.values_list("store_id", flat=True)),
        "mentions": sorted(OfferMention.objects.values_list("store_id", flat=True)),
        "wishlist": WishlistItem.objects.count(),
        "books": list(BookEntry.objects.values_list("customer_id", "associate_id", "store_id")),
        "store B follow-ups": list(
            FollowUp.objects.filter(store__code="lyon-part-dieu").values_list("pk", "status")
        ),
        "touch points": TouchPoint.objects.count(),
        "logged reads from B": CardView.objects.filter(store_id__isnull=False)
        .exclude(store__code="paris-opera")
        .count(),
    }


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_store_a_session_cannot_reach_store_b(client, associate, world, case):
    client.force_login(associate)
    if case.rule == SHARED:
        # Acting for the client, as an associate serving them would (the selected client).
        client.get(reverse("floor:card", kwargs={"customer_id": world.client.pk}))
    before = state()

    url = reverse(case.name, kwargs=case.kwargs(world))
    if case.method == "get":
        response = client.get(url)
    else:
        response = client.post(url, case.data(world) if case.data else {})

    assert response.status_code in case.expect, (case.rule, response.status_code)
    after = state()
    if case.rule in (OWNED, CATALOG, PUBLIC):
        assert after == before
        return
    # Shared client: only notes, mentions and wishlist may grow, each written as store A.
    for key in ("visits", "orders", "order events", "stock", "reservations", "touch points"):
        assert after[key] == before[key], key
    for key in ("books", "store B follow-ups"):  # Lyon's book stays theirs
        assert after[key] == before[key], key
    assert set(after["notes"]) <= {world.a.pk}
    assert set(after["mentions"]) <= {world.a.pk}
    assert after["logged reads from B"] == 0
