"""Right to erasure: one person anonymised in one transaction, nothing left that names them,
their orders and figures still true, never recognised again."""

import hashlib
from decimal import Decimal
from uuid import uuid4

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, models
from django.db.models.functions import Cast
from django.utils import timezone

from customers.models import Consent, Customer, Interaction, Note, Purchase
from customers.selectors import customer_search
from floor.models import PresenceEvent, Visit
from floor.services import FloorError, presence_record, visit_check_in, visitor_key
from offers.models import OfferMention
from offers.selectors import offer_reach
from orders.models import Order, OrderLine
from orders.services import DeliveryAddress, LineRequest, order_place
from privacy.models import ErasureRecord
from privacy.services import PrivacyError, customer_erase
from tests.factories import (
    AppDeviceFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    NoteFactory,
    OfferFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    StockLevelFactory,
    VariantFactory,
    VisitFactory,
    WishlistItemFactory,
    mfa_login,
)
from tests.floor_helpers import GroupListener

FIRST, LAST = "Zéphyrine", "Quintal-Brossard"
EMAIL = "zephyrine.qb@exemple.fr"
PHONE = "+33 7 98 76 54 32"
LOYALTY = "FID777000111"
DEVICE = "iphone-zqb-4242"
EMAIL_HASH = hashlib.sha256(EMAIL.encode()).hexdigest()


def _order(person, store, associate, *, status=Order.Status.DELIVERED):
    variant = VariantFactory(product__list_price=Decimal("250.00"))
    StockLevelFactory(store=store, variant=variant, on_hand=3)
    order = order_place(
        key=uuid4().hex,
        customer=person,
        store=store,
        by=associate,
        lines=[LineRequest(variant=variant, quantity=1, source=store)],
        mode=Order.Mode.DELIVERY,
        address=DeliveryAddress(
            recipient=f"{FIRST} {LAST}",
            street="7 impasse des Glycines",
            postcode="69003",
            city="Lyon",
            phone=PHONE,
        ),
    )
    Order.objects.filter(pk=order.pk).update(status=status)
    order.events.update(note=f"Remis à {FIRST} {LAST}")
    return order


@pytest.fixture
def person(store, associate, head_office):
    """A client with a row in every table that can hold something about them."""
    person = CustomerFactory(
        first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE, loyalty_number=LOYALTY
    )
    ConsentFactory(customer=person)
    AppDeviceFactory(customer=person, device_id=DEVICE, label=f"iPhone de {FIRST}")
    NoteFactory(customer=person, text=f"{FIRST} cherche un cadeau, tél. {PHONE}")
    WishlistItemFactory(customer=person)
    InteractionFactory(customer=person, event_id=f"web-{LOYALTY}")
    PurchaseLineFactory(purchase=PurchaseFactory(customer=person, total=Decimal("99.90")))
    _order(person, store, associate)
    OfferMention.objects.create(
        offer=OfferFactory(),
        customer=person,
        mentioned_by=associate,
        store=store,
        mentioned_at=timezone.now(),
        mentioned_on=timezone.localdate(),
    )
    VisitFactory(store=store, customer=person)
    # Before they consented, their card was counted as an anonymous visitor.
    VisitFactory(
        store=store,
        customer=None,
        visitor_key=visitor_key("loyalty_number", LOYALTY),
        arrived_at=timezone.now() - timezone.timedelta(days=40),
        departed_at=timezone.now() - timezone.timedelta(days=40),
    )
    LogEntry.objects.log_actions(
        head_office.pk, Customer.objects.filter(pk=person.pk), CHANGE, "Changed email."
    )
    return person


NEEDLES = [FIRST, LAST, EMAIL, PHONE, "0798765432", LOYALTY, EMAIL_HASH, DEVICE]
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _hits(needle: str) -> list[str]:
    """Every (table.column) whose text contains ``needle``, over every model installed."""
    hits = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            output = (
                getattr(field, "output_field", None)
                if isinstance(field, models.GeneratedField)
                else field
            )
            if not isinstance(output, TEXT_FIELDS):
                continue
            rows = model._default_manager.annotate(_t=Cast(field.name, models.TextField()))
            if rows.filter(_t__icontains=needle).exists():
                hits.append(f"{model._meta.db_table}.{field.column}")
    return hits


def test_after_erasure_no_column_of_any_table_names_the_person(person, head_office):
    before = {needle: _hits(needle) for needle in NEEDLES}
    assert before[LAST] and before[EMAIL_HASH] and before[DEVICE]  # the scan does see them

    customer_erase(customer_id=person.pk, by=head_office)

    assert {needle: _hits(needle) for needle in NEEDLES} == {needle: [] for needle in NEEDLES}


def test_orders_purchases_and_figures_stay_true_under_the_anonymous_id(person, head_office, store):
    orders_total = Order.objects.filter(store=store).aggregate(t=models.Sum("total"))["t"]
    counts = {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "purchases": Purchase.objects.count(),
        "visits": Visit.objects.count(),
        "consents": Consent.objects.count(),
        "mentions": OfferMention.objects.count(),
        "interactions": Interaction.objects.count(),
    }

    record = customer_erase(customer_id=person.pk, by=head_office)

    assert Order.objects.filter(store=store).aggregate(t=models.Sum("total"))["t"] == orders_total
    assert {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "purchases": Purchase.objects.count(),
        "visits": Visit.objects.count(),
        "consents": Consent.objects.count(),
        "mentions": OfferMention.objects.count(),
        "interactions": Interaction.objects.count(),
    } == counts
    assert Order.objects.get().customer_id == person.pk
    assert Order.objects.get().postcode == "69003"  # figures by area still work
    assert Note.objects.filter(customer=person).count() == 0
    person.refresh_from_db()
    assert person.is_erased and person.email_sha256 is None
    assert str(person) == f"Client effacé n° {person.pk}"
    assert record.erased_by == head_office and record.removed["notes"] == 1
    assert record.removed["anonymous_visits_unlinked"] == 1


def test_erasing_twice_returns_the_first_record(person, head_office):
    first = customer_erase(customer_id=person.pk, by=head_office)
    assert customer_erase(customer_id=person.pk) == first
    assert ErasureRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "identifier"),
    [("loyalty_number", LOYALTY), ("app_device", DEVICE), ("email_sha256", EMAIL_HASH)],
)
def test_an_erased_shopper_is_never_recognised_again(person, store, kind, identifier):
    customer_erase(customer_id=person.pk)

    event = presence_record(
        store=store,
        identifier_kind=kind,
        identifier=identifier,
        event="enter",
        occurred_at=timezone.now(),
        source="beacon",
    )

    assert event.outcome == PresenceEvent.Outcome.ANONYMOUS and event.customer is None


def test_an_erased_client_is_out_of_search_and_check_in(person, store, associate):
    customer_erase(customer_id=person.pk)
    person.refresh_from_db()

    assert list(customer_search(LAST)) == []
    assert list(customer_search(f"ANON{person.loyalty_number[4:8]}")) == []
    with pytest.raises(FloorError):
        visit_check_in(store=store, customer=person, source="scan", by=associate)


def test_an_erased_client_is_out_of_every_offers_reach(person):
    offer = OfferFactory(audience="everyone")
    before = offer_reach(offer).customers

    customer_erase(customer_id=person.pk)

    assert offer_reach(offer).customers == before - 1


def test_a_present_client_leaves_every_tablet_when_erased(
    person, store, django_capture_on_commit_callbacks
):
    tablet = GroupListener(store)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            customer_erase(customer_id=person.pk)
        visit = Visit.objects.get(customer=person)
        messages = tablet.all()
    finally:
        tablet.close()
    assert visit.departed_at is not None
    assert any(f'id="visit-{visit.pk}" hx-swap-oob="delete"' in m.get("html", "") for m in messages)


def test_a_client_with_an_open_order_is_not_erased(person, store, associate):
    _order(person, store, associate, status=Order.Status.CONFIRMED)

    with pytest.raises(PrivacyError, match="commandes en cours"):
        customer_erase(customer_id=person.pk)

    person.refresh_from_db()
    assert not person.is_erased and person.last_name == LAST


# --- Head office, in admin ---------------------------------------------------------------


def test_head_office_confirms_then_erases_from_admin(
    client, head_office, person, django_assert_max_num_queries
):
    mfa_login(client, head_office)
    url = "/admin/customers/customer/"

    with django_assert_max_num_queries(21):
        page = client.post(url, {"action": "erase_data", "_selected_action": [person.pk]})

    assert page.status_code == 200
    text = page.content.decode()
    assert LAST in text and "notes: 1" in text.lower()
    person.refresh_from_db()
    assert not person.is_erased  # nothing happens before the confirmation

    done = client.post(
        url, {"action": "erase_data", "_selected_action": [person.pk], "confirmed": "yes"}
    )

    assert done.status_code == 302
    record = ErasureRecord.objects.get(customer=person)
    assert record.erased_by == head_office
    person.refresh_from_db()
    assert person.is_erased and person.last_name == ""


def test_admin_offers_no_delete_for_clients(client, head_office, person):
    mfa_login(client, head_office)
    page = client.get("/admin/customers/customer/")
    assert b"delete_selected" not in page.content
    assert b"erase_data" in page.content


def test_an_erasure_that_fails_half_way_changes_nothing(person):
    # A record already there makes the last step fail: everything before it must roll back.
    ErasureRecord.objects.create(customer=person, erased_at=timezone.now(), reason="request")

    with pytest.raises(IntegrityError):
        customer_erase(customer_id=person.pk)

    person.refresh_from_db()
    assert (person.last_name, person.loyalty_number, person.is_erased) == (LAST, LOYALTY, False)
    assert Note.objects.filter(customer=person).count() == 1
    assert Order.objects.get().recipient == f"{FIRST} {LAST}"
