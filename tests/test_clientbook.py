"""The client book and "to contact today" (issue "The associate's day", points 1 and 2):
who keeps which client, the rules that raise follow-ups (each once, at the right moment),
what an associate does with them, the manager's figures and reassignments, access."""

import html
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils import timezone

from clientbook.models import BookEntry, FollowUp, PurchaseFollowUpDelay, TouchPoint
from clientbook.rules import follow_ups_generate, order_news
from clientbook.selectors import book_figures
from clientbook.services import BookError, book_entry_set, follow_up_outcome
from clientbook.tasks import follow_ups_daily
from customers.models import Customer
from floor.services import visit_claim
from integrations.models import WebhookSource
from integrations.webhooks import signed_headers
from inventory.models import StockLevel
from inventory.services import SnapshotRow, stock_deltas_apply, stock_snapshot_apply
from orders.models import Order
from orders.services import LineRequest, order_deliver, order_mark_ready, order_place
from orders.services import order_confirm as order_confirm_service
from privacy.services import customer_erase
from staff.models import StaffProfile
from tests.clock import NOW, TODAY, frozen
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    ProductFactory,
    PurchaseFactory,
    PurchaseLineFactory,
    StockLevelFactory,
    VariantFactory,
    VisitFactory,
    WishlistItemFactory,
    make_staff,
)

pytestmark = [pytest.mark.django_db, frozen]
Role = StaffProfile.Role
Reason = FollowUp.Reason


@pytest.fixture
def colleague(store):
    return make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Lambert")


@pytest.fixture
def lyon_associate(other_store):
    return make_staff(Role.ASSOCIATE, other_store, first_name="Jade", last_name="Roux")


@pytest.fixture
def store_manager(store):
    return make_staff(Role.MANAGER, store, first_name="Marc", last_name="Petit")


def follow_ups(**filters):
    return list(FollowUp.objects.filter(**filters).order_by("pk"))


def keep(customer, associate, store):
    return BookEntry.objects.create(
        customer=customer, associate=associate, store=store, source="card", since=timezone.now()
    )


# --- Wishlist back in stock --------------------------------------------------------------


@pytest.fixture
def till(store):
    source = WebhookSource.objects.create(key="till-opera", name="Caisses Opéra", kind="stock")
    source.stores.add(store)
    return source


def send_delta(client, source, store, variant, delta):
    body = json.dumps(
        {
            "event_id": uuid4().hex,
            "store": store.code,
            "changes": [{"sku": variant.sku, "delta": delta}],
        }
    ).encode()
    return client.post(
        "/api/stock/", body, content_type="application/json", headers=signed_headers(source, body)
    )


def test_a_wishlist_item_back_in_stock_raises_one_follow_up_the_moment_it_lands(
    client, till, store, associate, django_capture_on_commit_callbacks
):
    variant = VariantFactory()
    StockLevelFactory(store=store, variant=variant, on_hand=0)
    wisher = CustomerFactory(first_name="Inès")
    keep(wisher, associate, store)
    WishlistItemFactory(customer=wisher, variant=variant)
    stranger = CustomerFactory()  # wished for it, but in nobody's book and another home store
    WishlistItemFactory(customer=stranger, variant=variant)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_delta(client, till, store, variant, 2).status_code == 200

    (follow_up,) = follow_ups()
    assert (follow_up.customer, follow_up.reason, follow_up.associate, follow_up.due_on) == (
        wisher,
        Reason.BACK_IN_STOCK,
        associate,
        TODAY,
    )
    assert follow_up.variant == variant

    # More units of what is already in stock, and a till sale: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        send_delta(client, till, store, variant, 3)
        send_delta(client, till, store, variant, -5)
    assert len(follow_ups()) == 1
    # Sold out, then back again while the first follow-up is still open: still one.
    with django_capture_on_commit_callbacks(execute=True):
        send_delta(client, till, store, variant, 1)
    assert len(follow_ups()) == 1


def test_stock_already_there_or_in_another_store_raises_nothing(
    store, other_store, associate, django_capture_on_commit_callbacks
):
    variant = VariantFactory()
    StockLevelFactory(store=store, variant=variant, on_hand=2)
    wisher = CustomerFactory(home_store=store)
    WishlistItemFactory(customer=wisher, variant=variant)

    with django_capture_on_commit_callbacks(execute=True):
        stock_deltas_apply(store=store, deltas={variant.pk: 3})  # was in stock already
        stock_deltas_apply(store=other_store, deltas={variant.pk: 3})  # not their store
    assert follow_ups() == []


def test_a_snapshot_that_brings_it_back_raises_it_for_the_home_store(
    store, django_capture_on_commit_callbacks
):
    variant, held = VariantFactory(), VariantFactory()
    StockLevelFactory(store=store, variant=held, on_hand=2, reserved=2)  # none available
    wisher = CustomerFactory(home_store=store)  # in no book: anyone in the store
    WishlistItemFactory(customer=wisher, variant=variant)
    WishlistItemFactory(customer=wisher, variant=held)

    with django_capture_on_commit_callbacks(execute=True):
        report = stock_snapshot_apply(
            store=store,
            rows=[SnapshotRow(1, variant.sku, variant.pk, 4), SnapshotRow(2, held.sku, held.pk, 3)],
        )
    assert not report.rejected
    raised = follow_ups()
    assert {f.variant for f in raised} == {variant, held}
    assert {f.associate for f in raised} == {None}


def test_nothing_is_raised_before_the_stock_change_commits(
    store, django_capture_on_commit_callbacks
):
    variant = VariantFactory()
    WishlistItemFactory(customer=CustomerFactory(home_store=store), variant=variant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stock_deltas_apply(store=store, deltas={variant.pk: 1})
    assert follow_ups() == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(follow_ups()) == 1


# --- Orders ------------------------------------------------------------------------------


def place(customer, store, by, *, mode="pickup"):
    variant = VariantFactory()
    StockLevelFactory(store=store, variant=variant, on_hand=3)
    address = None
    if mode == "delivery":
        from orders.services import DeliveryAddress

        address = DeliveryAddress(
            recipient="Inès",
            street="1 rue de la Paix",
            street_extra="",
            postcode="75002",
            city="Paris",
            phone="",
        )
    return order_place(
        key=uuid4().hex,
        customer=customer,
        store=store,
        by=by,
        lines=[LineRequest(variant, 1, store)],
        mode=mode,
        pickup_store=store if mode == "pickup" else None,
        address=address,
    )


def test_an_order_puts_the_client_in_the_takers_book_and_ready_raises_a_follow_up(
    store, associate, colleague
):
    client_ = CustomerFactory()
    order = place(client_, store, associate)
    entry = BookEntry.objects.get(customer=client_)
    assert (entry.associate, entry.store, entry.source) == (associate, store, "order")

    place(client_, store, colleague)  # a second order by a colleague: the book stays
    assert BookEntry.objects.get(customer=client_).associate == associate

    order_confirm_service(order_id=order.pk, by=associate)
    assert follow_ups() == []
    order_mark_ready(order_id=order.pk, by=associate)
    (ready,) = follow_ups()
    assert (ready.reason, ready.order, ready.associate, ready.store) == (
        Reason.PICKUP_READY,
        order,
        associate,
        store,
    )
    assert order_news(order=order, kind=Order.Status.READY) is False  # delivered twice: one
    assert len(follow_ups()) == 1


def test_a_delivered_order_raises_a_follow_up(store, associate):
    order = place(CustomerFactory(), store, associate, mode="delivery")
    from orders.services import order_ship

    order_confirm_service(order_id=order.pk, by=associate)
    order_ship(order_id=order.pk, by=associate)
    assert follow_ups() == []
    order_deliver(order_id=order.pk, by=associate)
    assert [f.reason for f in follow_ups()] == [Reason.ORDER_ARRIVED]


def test_a_pickup_hold_lapsing_tomorrow_is_raised_once_the_day_before(store, associate):
    order = place(CustomerFactory(), store, associate)
    order_confirm_service(order_id=order.pk, by=associate)
    order_mark_ready(order_id=order.pk, by=associate, now=NOW)  # held 48 h: the 26th, 15:00

    follow_ups_generate(now=NOW)  # the 24th: lapses the day after tomorrow
    assert Reason.HOLD_LAPSES not in {f.reason for f in follow_ups()}
    morning = NOW + timedelta(days=1) - timedelta(hours=8)  # the 25th, 07:00
    follow_ups_generate(now=morning)
    follow_ups_generate(now=morning + timedelta(hours=1))
    lapsing = follow_ups(reason=Reason.HOLD_LAPSES)
    assert [(f.order, f.due_on) for f in lapsing] == [(order, TODAY + timedelta(days=1))]


# --- After a purchase, birthdays, lapsing VIPs --------------------------------------------


def test_n_days_after_a_purchase_in_a_category_and_its_sub_categories(store, associate):
    tv = CategoryFactory(name="TV")
    oled = CategoryFactory(name="OLED", parent=tv)
    PurchaseFollowUpDelay.objects.create(category=tv, days=14)
    buyer, later, other = CustomerFactory(), CustomerFactory(), CustomerFactory()
    keep(buyer, associate, store)

    def bought(customer, days_ago, category):
        purchase = PurchaseFactory(
            customer=customer, purchased_at=NOW - timedelta(days=days_ago), channel="web"
        )
        variant = VariantFactory(product=ProductFactory(category=category))
        PurchaseLineFactory(purchase=purchase, variant=variant, product_name="TV OLED 55")
        return purchase

    purchase = bought(buyer, 14, oled)
    bought(later, 13, oled)  # tomorrow
    bought(other, 14, CategoryFactory(name="Câbles"))  # no delay for cables
    later.home_store = other.home_store = store
    later.save()
    other.save()

    follow_ups_generate(now=NOW)
    follow_ups_generate(now=NOW)
    (due,) = follow_ups(reason=Reason.AFTER_PURCHASE)
    assert (due.customer, due.purchase, due.associate, due.detail) == (
        buyer,
        purchase,
        associate,
        "TV OLED 55",
    )
    follow_ups_generate(now=NOW + timedelta(days=1))
    assert {f.customer for f in follow_ups(reason=Reason.AFTER_PURCHASE)} == {buyer, later}


def test_a_birthday_within_the_week_is_raised_once_a_year(store, associate):
    soon, later = CustomerFactory(), CustomerFactory()
    keep(soon, associate, store).__class__.objects.filter(customer=soon).update(
        birth_date=date(1980, 11, 27)
    )
    keep(later, associate, store).__class__.objects.filter(customer=later).update(
        birth_date=date(1980, 12, 5)
    )
    assert follow_ups_daily()["birthday"] == 1  # the beat's task, this morning
    assert follow_ups_generate(now=NOW + timedelta(days=1))["birthday"] == 0
    (birthday,) = follow_ups(reason=Reason.BIRTHDAY)
    assert (birthday.customer, birthday.key, birthday.detail_date) == (
        soon,
        "birthday:2026",
        date(2026, 11, 27),
    )


def test_a_vip_not_seen_for_90_days_is_raised_once(store):
    lapsed = CustomerFactory(tier=Customer.Tier.GOLD, home_store=store)
    recent = CustomerFactory(tier=Customer.Tier.PLATINUM, home_store=store)
    member = CustomerFactory(tier=Customer.Tier.MEMBER, home_store=store)
    VisitFactory(store=store, customer=lapsed, arrived_at=NOW - timedelta(days=91))
    VisitFactory(store=store, customer=recent, arrived_at=NOW - timedelta(days=120))
    PurchaseFactory(customer=recent, purchased_at=NOW - timedelta(days=88))
    VisitFactory(store=store, customer=member, arrived_at=NOW - timedelta(days=200))

    follow_ups_generate(now=NOW)
    follow_ups_generate(now=NOW + timedelta(days=1))
    assert [f.customer for f in follow_ups(reason=Reason.LAPSING_VIP)] == [lapsed]
    follow_ups_generate(now=NOW + timedelta(days=2))
    assert {f.customer for f in follow_ups(reason=Reason.LAPSING_VIP)} == {lapsed, recent}


# --- The associate's page and the card ------------------------------------------------------


def test_a_follow_up_planned_from_the_card_shows_on_its_day(client, store, associate):
    customer = CustomerFactory(first_name="Inès", last_name="Garnier")
    client.force_login(associate)
    url = reverse("clientbook:follow_up_add", kwargs={"customer_id": customer.pk})
    tomorrow = TODAY + timedelta(days=1)

    bad = client.post(url, {"due_on": "2020-01-01", "note": "x"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert "Choisissez aujourd’hui ou un jour suivant." in bad.text
    response = client.post(
        url, {"due_on": tomorrow.isoformat(), "note": "Appeler quand la TV arrive"}
    )
    assert response.status_code == 302

    (planned,) = follow_ups()
    assert (planned.reason, planned.associate, planned.due_on) == (
        Reason.PERSONAL,
        associate,
        tomorrow,
    )
    assert "Garnier" not in client.get(reverse("clientbook:today")).text
    card = client.get(reverse("floor:card", kwargs={"customer_id": customer.pk})).text
    assert "Appeler quand la TV arrive" in card
    FollowUp.objects.update(due_on=TODAY)
    page = client.get(reverse("clientbook:today")).text
    assert "Inès Garnier" in page and "Appeler quand la TV arrive" in page


def follow_up_for(customer, store, associate=None, reason=Reason.PERSONAL, due_on=TODAY):
    return FollowUp.objects.create(
        customer=customer,
        store=store,
        associate=associate,
        reason=reason,
        key=uuid4().hex,
        due_on=due_on,
        created_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("outcome", "status", "due_on"),
    [
        ("done", FollowUp.Status.DONE, TODAY),
        ("unreachable", FollowUp.Status.UNREACHABLE, TODAY),
        ("snoozed", FollowUp.Status.OPEN, TODAY + timedelta(days=3)),
    ],
)
def test_each_outcome_in_one_tap_is_a_touch_point(
    client, store, associate, outcome, status, due_on
):
    customer = CustomerFactory(first_name="Inès", last_name="Garnier")
    follow_up = follow_up_for(customer, store)  # anyone's: whoever acts takes it
    client.force_login(associate)
    url = reverse("clientbook:outcome", kwargs={"follow_up_id": follow_up.pk, "outcome": outcome})

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'data-testid="follow-up-closed"' in response.text
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_on, follow_up.associate) == (status, due_on, associate)
    (touch,) = TouchPoint.objects.all()
    assert (touch.customer, touch.outcome, touch.by, touch.store) == (
        customer,
        outcome,
        associate,
        store,
    )
    assert "Inès Garnier" not in client.get(reverse("clientbook:today")).text
    card = client.get(reverse("floor:card", kwargs={"customer_id": customer.pk})).text
    assert 'data-testid="touch-point"' in card


def test_send_a_message_opens_the_clients_messages_about_the_follow_up(client, store, associate):
    customer = CustomerFactory(first_name="Inès", last_name="Garnier")
    follow_up_for(customer, store, associate, reason=Reason.BACK_IN_STOCK)
    client.force_login(associate)
    today = client.get(reverse("clientbook:today")).text

    link = re.search(r'href="([^"]+)" data-testid="follow-up-message"', today)[1]
    messages = client.get(html.unescape(link)).text

    assert "<h1>Messages à Inès Garnier</h1>" in messages
    assert re.search(r'<option value="back_in_stock" selected>', messages)


def test_a_closed_follow_up_is_not_closed_twice(client, store, associate):
    follow_up = follow_up_for(CustomerFactory(), store, associate)
    client.force_login(associate)
    url = reverse("clientbook:outcome", kwargs={"follow_up_id": follow_up.pk, "outcome": "done"})
    client.post(url, headers={"HX-Request": "true"})
    again = client.post(url, headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert TouchPoint.objects.count() == 1
    bogus = reverse("clientbook:outcome", kwargs={"follow_up_id": follow_up.pk, "outcome": "x"})
    assert client.post(bogus).status_code == 404


def test_a_colleagues_or_another_stores_follow_up_is_refused(
    client, store, other_store, associate, colleague, lyon_associate
):
    customer = CustomerFactory()
    mine = follow_up_for(customer, store, colleague)
    lyon = follow_up_for(customer, other_store, lyon_associate)
    client.force_login(associate)
    for f in (mine, lyon):
        url = reverse("clientbook:outcome", kwargs={"follow_up_id": f.pk, "outcome": "done"})
        assert client.post(url).status_code == 403
    assert TouchPoint.objects.count() == 0
    page = client.get(reverse("clientbook:today")).text
    assert 'data-testid="follow-up"' not in page


def test_the_floor_when_quiet_leads_to_whom_to_contact(client, store, associate):
    client.force_login(associate)
    page = client.get(reverse("floor:page", kwargs={"store_code": store.code})).text
    assert reverse("clientbook:today") in page
    assert "Un moment calme ? Voyez qui contacter aujourd’hui" in page
    assert ">À contacter</a>" in page  # and in the header, on every page


# --- Served visits and the card ----------------------------------------------------------


def test_serving_a_client_puts_them_in_the_book_once(store, associate, colleague):
    customer = CustomerFactory()
    visit = VisitFactory(store=store, customer=customer)
    visit_claim(visit_id=visit.pk, store=store, by=associate)
    assert BookEntry.objects.get(customer=customer).associate == associate
    visit.refresh_from_db()
    visit.done_at = timezone.now()
    visit.save(update_fields=["done_at"])
    visit_claim(visit_id=visit.pk, store=store, by=colleague)
    entry = BookEntry.objects.get(customer=customer)
    assert (entry.associate, entry.source) == (associate, "visit")


def test_an_associate_takes_a_client_from_the_card_but_not_from_a_colleague(
    client, store, associate, colleague
):
    free, kept = CustomerFactory(), CustomerFactory()
    keep(kept, colleague, store)
    client.force_login(associate)
    for customer in (free, kept):
        client.post(
            reverse("clientbook:assign", kwargs={"customer_id": customer.pk}),
            headers={"HX-Request": "true"},
        )
    assert BookEntry.objects.get(customer=free).associate == associate
    assert BookEntry.objects.get(customer=kept).associate == colleague
    forced = client.post(
        reverse("clientbook:assign", kwargs={"customer_id": free.pk}),
        {"associate": colleague.pk},
    )
    assert forced.status_code == 403
    assert BookEntry.objects.get(customer=free).associate == associate


def test_a_birth_date_needs_the_clients_agreement(client, store, associate):
    customer = CustomerFactory()
    client.force_login(associate)
    url = reverse("clientbook:birth_date", kwargs={"customer_id": customer.pk})
    refused = client.post(url, {"birth_date": "1980-11-27"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert not BookEntry.objects.filter(customer=customer).exists()
    client.post(url, {"birth_date": "1980-11-27", "agreed": "on"}, headers={"HX-Request": "true"})
    assert BookEntry.objects.get(customer=customer).birth_date == date(1980, 11, 27)


# --- Managers: reassign, figures ----------------------------------------------------------


def test_a_manager_reassigns_a_leaving_associates_whole_book(
    client, store, store_manager, associate, colleague
):
    clients = [CustomerFactory() for _ in range(3)]
    for c in clients:
        keep(c, associate, store)
    open_one = follow_up_for(clients[0], store, associate)
    client.force_login(store_manager)

    page = client.get(reverse("clientbook:team")).text
    assert "Réattribuer tout le carnet" in page
    response = client.post(
        reverse("clientbook:reassign_all", kwargs={"user_id": associate.pk}),
        {"to": colleague.pk},
    )

    assert response.status_code == 302
    assert set(BookEntry.objects.values_list("associate", flat=True)) == {colleague.pk}
    open_one.refresh_from_db()
    assert open_one.associate == colleague
    assert (
        "3 clients sont maintenant dans le carnet de Hugo Lambert" in client.get(response.url).text
    )


def test_the_book_of_an_associate_who_left_is_still_handed_over(
    client, store, store_manager, associate, colleague
):
    keep(CustomerFactory(), associate, store)
    associate.is_active = False
    associate.save()
    client.force_login(store_manager)

    page = client.get(reverse("clientbook:team")).text
    assert "n’est plus dans ce magasin" in page
    # The one who left is offered as a source, never as a target.
    assert page.count('data-testid="reassign-to"') == 2  # Hugo and Marc for Léa's book
    client.post(
        reverse("clientbook:reassign_all", kwargs={"user_id": associate.pk}), {"to": colleague.pk}
    )
    assert BookEntry.objects.get().associate == colleague
    refused = client.post(
        reverse("clientbook:reassign_all", kwargs={"user_id": colleague.pk}),
        {"to": associate.pk},
    )
    assert refused.status_code == 302
    assert BookEntry.objects.get().associate == colleague


def test_a_manager_moves_one_client(client, store, store_manager, associate, colleague):
    moved, stays = CustomerFactory(), CustomerFactory()
    keep(moved, associate, store)
    keep(stays, associate, store)
    client.force_login(store_manager)
    client.post(
        reverse("clientbook:assign", kwargs={"customer_id": moved.pk}), {"associate": colleague.pk}
    )
    assert BookEntry.objects.get(customer=moved).associate == colleague
    assert BookEntry.objects.get(customer=stays).associate == associate


def test_a_manager_cannot_reassign_another_stores_books(
    client, store, other_store, store_manager, lyon_associate, associate
):
    lyon_colleague = make_staff(Role.ASSOCIATE, other_store)
    customer = CustomerFactory()
    keep(customer, lyon_associate, other_store)
    client.force_login(store_manager)  # manages Paris only; current store: Paris

    client.post(
        reverse("clientbook:reassign_all", kwargs={"user_id": lyon_associate.pk}),
        {"to": lyon_colleague.pk},
    )
    response = client.post(
        reverse("clientbook:assign", kwargs={"customer_id": customer.pk}),
        {"associate": associate.pk},
    )
    assert response.status_code == 302  # refused with a message, back to the card
    assert BookEntry.objects.get(customer=customer).associate == lyon_associate
    with pytest.raises(BookError, match="dans un autre magasin"):
        book_entry_set(customer=customer, associate=associate, store=store, by=store_manager)


def test_associates_cannot_reassign(client, store, associate, colleague):
    keep(CustomerFactory(), colleague, store)
    client.force_login(associate)
    assert client.get(reverse("clientbook:team")).status_code == 403
    response = client.post(
        reverse("clientbook:reassign_all", kwargs={"user_id": colleague.pk}), {"to": associate.pk}
    )
    assert response.status_code == 403
    assert BookEntry.objects.get().associate == colleague


def test_an_associate_sees_only_their_book_in_their_store(
    client, store, other_store, associate, colleague, lyon_associate
):
    mine = CustomerFactory(first_name="Inès", last_name="Garnier")
    keep(mine, associate, store)
    keep(CustomerFactory(first_name="Paul", last_name="Colleague"), colleague, store)
    keep(CustomerFactory(first_name="Zoé", last_name="Lyonnaise"), lyon_associate, other_store)
    client.force_login(associate)
    page = client.get(reverse("clientbook:book") + f"?associate={colleague.pk}").text
    assert "Inès Garnier" in page
    assert "Colleague" not in page and "Lyonnaise" not in page


def test_head_office_sees_the_books_per_store(client, store, other_store, head_office, associate):
    keep(CustomerFactory(), associate, store)
    client.force_login(head_office)
    page = client.get(reverse("clientbook:stores")).text
    assert "Paris Opéra" in page and "Lyon Part-Dieu" in page
    assert "Léa Moreau — 1" in page


def test_figures_count_due_done_and_orders_within_7_days_of_a_contact(
    client, store, store_manager, associate
):
    contacted, late, silent = CustomerFactory(), CustomerFactory(), CustomerFactory()
    follow_up_for(silent, store, associate)  # due, not done
    for customer, days_ago in ((contacted, 3), (late, 10)):
        follow_up = follow_up_for(customer, store, associate)
        follow_up_outcome(
            follow_up_id=follow_up.pk,
            outcome="done",
            by=associate,
            store=store,
            now=NOW - timedelta(days=days_ago),
        )
    for customer in (contacted, late, silent):
        Order.objects.filter(pk=place(customer, store, associate).pk).update(
            created_at=NOW - timedelta(days=1)
        )

    week = book_figures(store=store, first=TODAY - timedelta(days=6), last=TODAY)
    assert (week.due, week.done, week.orders_after_contact) == (1, 1, 1)
    client.force_login(store_manager)
    board = client.get(reverse("dashboard:board", kwargs={"store_code": store.code})).text
    assert 'data-testid="follow-ups-orders-week">1<' in board
    assert 'data-testid="follow-ups-due">1<' in board


# --- Queries --------------------------------------------------------------------------------


def _book_of(n, associate, store):
    for _ in range(n):
        customer = CustomerFactory(tier=Customer.Tier.GOLD)
        keep(customer, associate, store)
        variant = VariantFactory()
        StockLevelFactory(store=store, variant=variant, on_hand=1)
        WishlistItemFactory(customer=customer, variant=variant)
        PurchaseFactory(customer=customer, total=Decimal("120.00"))
        follow_up_for(customer, store, associate, reason=Reason.BACK_IN_STOCK)


def test_book_and_today_pages_take_the_same_queries_for_a_bigger_book(
    client, store, associate, django_assert_max_num_queries
):
    client.force_login(associate)
    _book_of(2, associate, store)
    counts = {}
    for name in ("clientbook:book", "clientbook:today"):
        with django_assert_max_num_queries(20) as few:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(few.captured_queries)
    _book_of(15, associate, store)
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            page = client.get(reverse(name))
        assert page.status_code == 200
    book = client.get(reverse("clientbook:book")).text
    assert book.count('data-testid="book-row"') == 17
    assert "120,00" in book


def test_erasure_removes_the_book_entry_and_follow_ups_and_keeps_touch_points(
    store, associate, head_office
):
    customer = CustomerFactory()
    keep(customer, associate, store)
    follow_up = follow_up_for(customer, store, associate)
    follow_up_outcome(follow_up_id=follow_up.pk, outcome="done", by=associate, store=store)
    customer_erase(customer_id=customer.pk, by=head_office)
    assert not BookEntry.objects.filter(customer=customer).exists()
    assert not FollowUp.objects.filter(customer=customer).exists()
    assert TouchPoint.objects.filter(customer=customer).count() == 1


def test_stock_level_rows_untouched_by_the_listener(store, django_capture_on_commit_callbacks):
    variant = VariantFactory()
    WishlistItemFactory(customer=CustomerFactory(home_store=store), variant=variant)
    with django_capture_on_commit_callbacks(execute=True):
        stock_deltas_apply(store=store, deltas={variant.pk: 2})
    assert StockLevel.objects.get(store=store, variant=variant).on_hand == 2


def test_the_pages_speak_english_too(client, store, associate):
    customer = CustomerFactory(first_name="Inès", last_name="Garnier")
    follow_up_for(customer, store, associate, reason=Reason.BACK_IN_STOCK)
    keep(customer, associate, store)
    client.force_login(associate)
    client.cookies["django_language"] = "en"
    today = client.get(reverse("clientbook:today")).text
    assert "To contact today" in today and "Snooze 3 days" in today
    assert "Wishlist item back in stock here" in today
    assert "My clients" in client.get(reverse("clientbook:book")).text


def test_head_office_reads_the_card_with_its_client_book_section(
    client, store, associate, head_office
):
    customer = CustomerFactory()
    keep(customer, associate, store)
    client.force_login(head_office)
    card = client.get(reverse("floor:card", kwargs={"customer_id": customer.pk}))
    assert card.status_code == 200
    assert "Dans le carnet de Léa Moreau (Paris Opéra)." in card.text
