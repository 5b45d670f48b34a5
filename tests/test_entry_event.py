"""The entry event's path: few statements, the card pushed from what the request holds,
sources and stores kept per process yet changed at once everywhere."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from customers.models import Interaction
from floor.push import FLOOR_PARTIALS
from floor.selectors import floor_cards
from integrations.models import WebhookSource
from integrations.push import render_by_language
from integrations.webhooks import known
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    PurchaseFactory,
    StockLevelFactory,
    StoreFactory,
    VisitFactory,
    WebhookSourceFactory,
    WishlistItemFactory,
)
from tests.floor_helpers import GroupListener, post_signed, presence_payload

URL = "/api/presence/"


@pytest.fixture
def beacons(store):
    return WebhookSourceFactory(key="opera-beacons", kind=WebhookSource.Kind.BEACON)


@pytest.fixture
def tablet(store):
    listener = GroupListener(store)
    yield listener
    listener.close()


def consenting(**fields):
    customer = CustomerFactory(**fields)
    ConsentFactory(customer=customer)
    return customer


def test_an_entry_is_recorded_and_its_card_pushed_in_seven_statements(
    client,
    beacons,
    store,
    tablet,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """The source and the store come from the process's copy (after the first event);
    then one insert of the event id, the client found and locked, their consent, their
    visit read and written, the card's figures, the presence log: 7, and the test's
    savepoint around the view's transaction."""
    first, second = consenting(first_name="Lou"), consenting(first_name="Inès")
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, URL, beacons, presence_payload(store, first.loyalty_number))
    tablet.all()

    with django_assert_max_num_queries(7 + 2), django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, URL, beacons, presence_payload(store, second.loyalty_number))

    assert response.status_code == 202
    message = tablet.receive()
    assert "Inès" in message["html"]["fr"]


def test_the_pushed_card_is_the_card_the_list_shows(
    client, beacons, store, tablet, django_capture_on_commit_callbacks
):
    """Pushed from the visit in hand, the card says what the floor list says of it: spend,
    visits, last visit, wishlist in stock here, strongest online interest."""
    shopper = consenting(first_name="Camille", last_name="Roux")
    PurchaseFactory(customer=shopper, total="120.00")
    PurchaseFactory(customer=shopper, total="30.50")
    earlier = timezone.now() - timedelta(days=20)
    VisitFactory(customer=shopper, store=StoreFactory(), arrived_at=earlier, departed_at=earlier)
    level = StockLevelFactory(store=store, on_hand=3)
    WishlistItemFactory(customer=shopper, variant=level.variant)
    InteractionFactory(
        customer=shopper, product=level.variant.product, kind=Interaction.Kind.CART_ABANDONED
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(
            client, URL, beacons, presence_payload(store, shopper.loyalty_number)
        )

    assert response.status_code == 202
    pushed = tablet.receive()["html"]
    listed = render_by_language(
        f"{FLOOR_PARTIALS}#push_arrive", {"visit": floor_cards(store.pk)[0]}
    )
    assert pushed == listed
    assert "150.50" in pushed["en"]  # the figures are there, not zeros
    assert "1 wishlist item in stock here" in pushed["en"]
    assert "Most wanted online" in pushed["en"]


# --- sources and stores kept per process, changed at once in every process --------------


def change_elsewhere(change, meanwhile) -> None:
    """Another process's write, in its own connection and transaction; ``meanwhile`` runs
    here after the write and before its commit."""
    written, committing = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                change()
                written.set()
                committing.wait(10)
        finally:
            written.set()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    written.wait(10)
    meanwhile()
    committing.set()
    thread.join()


def rotate_secret(source):
    source.secret = "a-new-secret-" + "x" * 30
    source.save()


def deactivate(source):
    source.is_active = False
    source.save()


def restrict_to_another_store(source):
    source.stores.add(StoreFactory())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        (rotate_secret, 401, "bad_signature"),
        (deactivate, 403, "unknown_source"),
        (restrict_to_another_store, 403, "store_not_allowed"),
    ],
)
def test_a_source_changed_by_another_process_is_refused_at_once(store, change, status, error):
    source = WebhookSourceFactory(key="opera-wifi", kind=WebhookSource.Kind.WIFI)
    old = WebhookSource.objects.get(pk=source.pk)  # the secret as senders knew it
    first, meanwhile, after = consenting(), consenting(), consenting()
    client = Client()

    def enter(customer):
        return post_signed(client, URL, old, presence_payload(store, customer.loyalty_number))

    assert enter(first).status_code == 202
    assert known.sources["opera-wifi"].secret == old.secret  # this process keeps it

    def before_the_commit():
        # Not committed yet: the old source still holds, and this process keeps it again.
        assert enter(meanwhile).status_code == 202
        assert known.sources["opera-wifi"].secret == old.secret

    change_elsewhere(lambda: change(WebhookSource.objects.get(pk=source.pk)), before_the_commit)

    # This process's copy was not touched: the version shared in Redis, set anew when the
    # other transaction committed, makes it read the source again.
    assert known.sources["opera-wifi"].secret == old.secret
    response = enter(after)
    assert (response.status_code, response.json()["error"]) == (status, error)


@pytest.mark.django_db(transaction=True)
def test_a_store_closed_by_another_process_is_refused_at_once(store):
    source = WebhookSourceFactory(key="opera-app", kind=WebhookSource.Kind.APP)
    first, second = consenting(), consenting()
    client = Client()
    post_signed(client, URL, source, presence_payload(store, first.loyalty_number))
    assert known.stores[store.code].is_active

    def close():
        closing = type(store).objects.get(pk=store.pk)
        closing.is_active = False
        closing.save()

    change_elsewhere(close, lambda: None)

    response = post_signed(client, URL, source, presence_payload(store, second.loyalty_number))
    assert (response.status_code, response.json()["error"]) == (422, "unknown_store")
