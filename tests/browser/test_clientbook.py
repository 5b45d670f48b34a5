"""At tablet size, in French: an associate with nobody on the floor opens "À contacter
aujourd'hui", a wishlist item lands in stock (the till's signed delta), the follow-up is
there with its reason, and one tap marks it done; a manager reassigns a leaving
associate's whole book in two taps."""

import json
import urllib.request
import uuid

from playwright.sync_api import expect

from clientbook.models import BookEntry, FollowUp, TouchPoint
from integrations.models import WebhookSource
from integrations.webhooks import signed_headers
from staff.models import StaffProfile
from tests.browser.conftest import box_of, sign_in
from tests.factories import (
    CustomerFactory,
    StockLevelFactory,
    VariantFactory,
    WishlistItemFactory,
    make_staff,
)

PORTRAIT = {"width": 768, "height": 1024}


def send_delta(base_url, source, store, variant, delta):
    body = json.dumps(
        {
            "event_id": uuid.uuid4().hex,
            "store": store.code,
            "changes": [{"sku": variant.sku, "delta": delta}],
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}/api/stock/",
        data=body,
        headers={"Content-Type": "application/json", **signed_headers(source, body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200


def assert_tappable(locator):
    box = box_of(locator)
    assert box["height"] >= 44 and box["width"] >= 44, box


def test_an_associate_contacts_a_client_whose_wish_is_back_in_stock(
    page, live_server_url, associate, store
):
    till = WebhookSource.objects.create(key="till-opera", name="Caisses Opéra", kind="stock")
    till.stores.add(store)
    lamp = VariantFactory(product__name="Lampe Arco", colour="noir")
    StockLevelFactory(store=store, variant=lamp, on_hand=0)
    client = CustomerFactory(first_name="Inès", last_name="Garnier")
    BookEntry.objects.create(
        customer=client, associate=associate, store=store, source="card", since=client.created_at
    )
    WishlistItemFactory(customer=client, variant=lamp)

    sign_in(page, live_server_url, associate.email)
    # Nobody on the floor: the floor leads to whom to contact.
    page.get_by_test_id("floor-to-contact").click()
    expect(page.locator("h1")).to_have_text("À contacter aujourd’hui")
    expect(page.get_by_test_id("follow-ups-empty")).to_contain_text(
        "Personne à contacter aujourd’hui"
    )

    send_delta(live_server_url, till, store, lamp, 2)  # the delivery lands at the till
    page.reload()

    follow_up = page.get_by_test_id("follow-up")
    expect(follow_up).to_have_count(1)
    expect(follow_up).to_contain_text("Inès Garnier")
    expect(follow_up.get_by_test_id("follow-up-reason")).to_have_text(
        "Article de sa liste d’envies de retour en stock ici"
    )
    expect(follow_up.get_by_test_id("follow-up-detail")).to_contain_text("Lampe Arco")
    expect(follow_up.get_by_test_id("follow-up-suggestion")).to_have_text(
        "Dites-lui qu’il est arrivé et proposez de le mettre de côté."
    )
    expect(follow_up.get_by_test_id("follow-up-message")).to_have_text("Envoyer un message")
    for name in ("follow-up-done", "follow-up-snoozed", "follow-up-unreachable"):
        assert_tappable(follow_up.get_by_test_id(name))
    page.set_viewport_size(PORTRAIT)
    for name in ("follow-up-done", "follow-up-message"):
        assert_tappable(follow_up.get_by_test_id(name))

    follow_up.get_by_test_id("follow-up-done").click()
    expect(page.get_by_test_id("follow-up-closed")).to_have_text("Inès Garnier : contacté. Bravo.")
    assert FollowUp.objects.get().status == "done"

    # The contact is in the client's history, on their card.
    page.goto(f"{live_server_url}/customers/{client.pk}/")
    expect(page.get_by_test_id("touch-point")).to_contain_text("contacté")
    page.goto(f"{live_server_url}/book/today/")
    expect(page.get_by_test_id("follow-ups-empty")).to_be_visible()
    assert TouchPoint.objects.get().outcome == "done"


def test_a_manager_reassigns_a_leaving_associates_book_in_two_taps(
    page, live_server_url, associate, store
):
    Role = StaffProfile.Role
    manager = make_staff(Role.MANAGER, store, first_name="Marc", last_name="Petit")
    colleague = make_staff(Role.ASSOCIATE, store, first_name="Hugo", last_name="Lambert")
    for i in range(3):
        customer = CustomerFactory(last_name=f"Client{i}")
        BookEntry.objects.create(
            customer=customer,
            associate=associate,
            store=store,
            source="card",
            since=customer.created_at,
        )

    sign_in(page, live_server_url, manager.email)
    page.goto(f"{live_server_url}/book/team/")
    lea = page.get_by_test_id("team-book").filter(has_text="Léa Moreau")
    expect(lea).to_contain_text("3 clients")

    lea.get_by_test_id("reassign-book").click()  # tap 1
    lea.get_by_role("button", name="Hugo Lambert").click()  # tap 2

    expect(page.locator(".message")).to_have_text(
        "3 clients sont maintenant dans le carnet de Hugo Lambert."
    )
    expect(page.get_by_test_id("team-book").filter(has_text="Hugo Lambert")).to_contain_text(
        "3 clients"
    )
    assert set(BookEntry.objects.values_list("associate_id", flat=True)) == {colleague.pk}
