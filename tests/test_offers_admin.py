"""Head office edits offers in admin: validation, reach preview, activation, history."""

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent, Customer, Preference
from offers.models import Offer, OfferChange
from offers.selectors import Reach, offer_reach
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    OfferFactory,
    ProductFactory,
    VariantFactory,
    WishlistItemFactory,
    mfa_login,
)

ADD = reverse("admin:offers_offer_add")


@pytest.fixture
def admin_client(client, head_office):
    mfa_login(client, head_office)
    return client


@pytest.fixture
def sony(db):
    return BrandFactory(name="Sony", slug="sony")


def form_data(**overrides) -> dict:
    now = timezone.localtime()
    end = now + timedelta(days=14)
    data = {
        "name": "Semaine Sony",
        "description": "",
        "is_active": "on",
        "kind": "percent",
        "value": "10",
        "scope": "brand",
        "audience": "everyone",
        "uses_per_customer": "",
        "channel_reason": "",
        "starts_at_0": now.strftime("%d/%m/%Y"),
        "starts_at_1": now.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%d/%m/%Y"),
        "ends_at_1": end.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> str:
    assert response.status_code == 200, "the form should come back with its errors"
    return text(response)


def text(response) -> str:
    return unescape(response.text)


def test_the_add_page_asks_for_everything_and_offers_a_reach_preview(admin_client):
    html = text(admin_client.get(ADD))
    for label in ("Cumulable", "Public visé", "Niveaux ciblés", "Canaux", "Motif de la"):
        assert label in html
    assert "Aperçu de la portée" in html
    assert 'src="/static/js/offer_reach.js"' in html
    assert "Historique" not in html


PREVIEW = reverse("admin:offers_offer_reach_preview")


def test_the_reach_is_previewed_from_the_unsaved_form(admin_client, sony):
    for tier in ("gold", "gold", "platinum", "member"):
        CustomerFactory(tier=tier)
    for _ in range(3):
        ProductFactory(brand=sony)
    ProductFactory()

    response = admin_client.post(
        PREVIEW, form_data(name="", brands=[sony.pk], target_tiers=["gold", "platinum"])
    )

    assert response.status_code == 200
    html = text(response)
    assert "3 clients" in html and "3 produits" in html
    assert "pas encore enregistré" in html
    assert not Offer.objects.exists()  # nothing saved, even with the name still missing
    refused = admin_client.post(PREVIEW, form_data(scope=""))
    assert refused.status_code == 422
    assert "Choisissez d'abord" in text(refused)


def test_store_staff_cannot_preview_a_reach(client, associate):
    client.force_login(associate)
    assert client.post(PREVIEW, form_data()).status_code == 302  # back to the app


def test_a_valid_offer_is_created_with_its_history(admin_client, head_office, sony):
    response = admin_client.post(
        ADD, form_data(brands=[sony.pk], target_tiers=["gold", "silver"], stackable="on")
    )
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert list(offer.brands.all()) == [sony]
    assert offer.target_tiers == ["silver", "gold"]
    assert offer.stackable
    assert offer.channels == []
    [change] = offer.changes.all()
    assert change.action == OfferChange.Action.CREATED
    assert change.changed_by == head_office
    assert change.changes["brands"] == [None, ["Sony"]]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"value": "150"}, "Un pourcentage est compris entre 0 et 100."),
        ({"value": "0"}, "Assurez-vous que cette valeur est supérieure ou égale à"),
        ({"ends_at_0": "01/01/2020"}, "La fin doit être postérieure au début."),
        ({"brands": None}, "Choisissez-en au moins un"),
        ({"channels": ["store"]}, "Dites pourquoi cette offre n'est pas disponible"),
    ],
    ids=["percent above 100", "zero", "end before start", "empty scope", "no reason"],
)
def test_invalid_offers_are_refused_with_a_clear_message(admin_client, sony, overrides, message):
    data = form_data(brands=[sony.pk])
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    html = errors_of(admin_client.post(ADD, data))
    assert message in html
    assert not Offer.objects.exists()


def test_a_list_other_than_the_scope_must_stay_empty(admin_client, sony):
    category = CategoryFactory(name="Téléviseurs")
    html = errors_of(admin_client.post(ADD, form_data(brands=[sony.pk], categories=[category.pk])))
    assert "Cette offre s'applique à marques : laissez cette liste vide." in html
    assert not Offer.objects.exists()


def test_ticking_every_channel_means_no_restriction(admin_client, sony):
    response = admin_client.post(ADD, form_data(brands=[sony.pk], channels=["web", "app", "store"]))
    assert response.status_code == 302
    assert Offer.objects.get().channels == []


def test_a_channel_restriction_is_listed_with_its_reason(admin_client, sony):
    admin_client.post(
        ADD,
        form_data(brands=[sony.pk], channels=["store"], channel_reason="Démonstration en rayon"),
    )
    html = text(admin_client.get(reverse("admin:offers_offer_changelist")))
    assert "magasin — Démonstration en rayon" in html


def test_the_change_page_previews_reach_and_shows_who_changed_what(admin_client, head_office, sony):
    for tier in ("gold", "gold", "platinum", "member"):
        CustomerFactory(tier=tier)
    for _ in range(3):
        ProductFactory(brand=sony)
    ProductFactory(brand=sony, is_active=False)
    ProductFactory()
    data = form_data(brands=[sony.pk], target_tiers=["gold", "platinum"])
    admin_client.post(ADD, data)
    offer = Offer.objects.get()
    url = reverse("admin:offers_offer_change", args=[offer.pk])

    html = text(admin_client.get(url))
    assert "3 clients" in html
    assert "3 produits" in html

    lg = BrandFactory(name="LG", slug="lg")
    response = admin_client.post(url, data | {"brands": [sony.pk, lg.pk], "value": "20"})
    assert response.status_code == 302
    changed = offer.changes.first()
    assert changed.action == OfferChange.Action.CHANGED
    assert changed.changed_by == head_office
    assert changed.changes == {"value": ["10.00", "20.00"], "brands": [["Sony"], ["LG", "Sony"]]}

    html = text(admin_client.get(url))
    assert "modifiée" in html
    assert "10.00 → 20.00" in html
    assert "Sony → LG, Sony" in html
    assert "Hélène Bernard" in html
    assert "3 produits" in html  # LG has no product yet

    # Saving without a change writes no history entry.
    admin_client.post(url, data | {"brands": [sony.pk, lg.pk], "value": "20.00"})
    assert offer.changes.count() == 2


def test_activate_and_deactivate_actions_switch_offers_and_record_it(admin_client, sony):
    on = OfferFactory(name="Allumée")
    off = OfferFactory(name="Éteinte", is_active=False)
    changelist = reverse("admin:offers_offer_changelist")
    response = admin_client.post(
        changelist,
        {"action": "deactivate", "_selected_action": [on.pk, off.pk]},
        follow=True,
    )
    assert "1 offre désactivée." in text(response)
    on.refresh_from_db()
    assert not on.is_active
    assert [c.action for c in on.changes.all()] == ["deactivated"]
    assert not off.changes.exists()

    response = admin_client.post(
        changelist, {"action": "activate", "_selected_action": [on.pk, off.pk]}, follow=True
    )
    assert "2 offres activées." in text(response)
    assert Offer.objects.filter(is_active=True).count() == 2
    html = text(admin_client.get(reverse("admin:offers_offer_change", args=[on.pk])))
    assert "activée" in html
    assert "désactivée" in html


def test_store_staff_cannot_reach_offers_admin(client, associate):
    client.force_login(associate)
    response = client.get(ADD)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


# --- How far an offer reaches -------------------------------------------------------------


def test_reach_counts_consenting_customers_by_wishlist_and_preferences(db):
    root = CategoryFactory(name="Électronique")
    tvs = CategoryFactory(name="Téléviseurs", parent=root)
    oled = CategoryFactory(name="OLED", parent=tvs)
    sony = BrandFactory(name="Sony", slug="sony")
    tv = VariantFactory(product=ProductFactory(brand=sony, category=oled))
    ProductFactory(category=CategoryFactory(name="Jardin"))

    def consenting(granted=True, **fields):
        customer = CustomerFactory(**fields)
        ConsentFactory(
            customer=customer, purpose=Consent.Purpose.PERSONALISED_OFFERS, granted=granted
        )
        return customer

    wisher = consenting()
    WishlistItemFactory(customer=wisher, variant=tv)
    refuser = consenting(granted=False)
    WishlistItemFactory(customer=refuser, variant=tv)
    brand_fan = consenting(tier=Customer.Tier.GOLD)
    Preference.objects.create(customer=brand_fan).brands.add(sony)
    category_fan = consenting()
    Preference.objects.create(customer=category_fan).categories.add(root)
    gardener = consenting()
    Preference.objects.create(customer=gardener).categories.add(CategoryFactory(name="Outils"))

    wishlist = OfferFactory(scope="category", audience="wishlist")
    wishlist.categories.add(tvs)
    assert offer_reach(wishlist) == Reach(1, 1)

    preferences = OfferFactory(scope="category", audience="preferences")
    preferences.categories.add(tvs)
    assert offer_reach(preferences) == Reach(2, 1)
    preferences.target_tiers = ["gold"]
    assert offer_reach(preferences) == Reach(1, 1)

    everyone = OfferFactory(scope="brand")
    everyone.brands.add(sony)
    assert offer_reach(everyone) == Reach(Customer.objects.count(), 1)

    nothing = OfferFactory(scope="product")
    assert offer_reach(nothing) == Reach(Customer.objects.count(), 0)


def test_reach_ignores_timing_and_says_when_the_offer_is_off(admin_client, sony):
    offer = OfferFactory(
        is_active=False, value=Decimal("5"), ends_at=timezone.now() + timedelta(days=2)
    )
    offer.brands.add(sony)
    html = text(admin_client.get(reverse("admin:offers_offer_change", args=[offer.pk])))
    assert "L'offre est désactivée" in html
