"""The stock lookup page: this store, the others by distance, then the warehouse."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.geo import distance_km
from inventory.selectors import stock_lookup
from tests.factories import StockLevelFactory, StoreFactory, VariantFactory


def url(variant, **query):
    base = reverse("products:stock", kwargs={"variant_id": variant.pk})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def lyon_tv(other_store, tv, stock):
    return stock(other_store, tv, on_hand=4)


def test_here_first_then_stores_by_distance_then_the_warehouse(
    store, near_store, other_store, warehouse, tv, stock
):
    stock(other_store, tv, on_hand=4)
    stock(near_store, tv, on_hand=2, reserved=1)
    stock(warehouse, tv, on_hand=40)
    StoreFactory(code="closed", name="Fermé", is_active=False, latitude=48.87, longitude=2.33)

    places = stock_lookup(variant_id=tv.pk, origin=store)

    assert [p.store.name for p in places] == [
        "Paris Opéra",
        "Paris Bastille",
        "Lyon Part-Dieu",
        "Entrepôt Saint-Priest",
    ]
    here, bastille, lyon, wh = places
    assert (here.on_hand, here.available, here.state, here.is_origin) == (0, 0, "none", True)
    assert (bastille.available, bastille.state) == (1, "last")
    assert 3 < bastille.distance_km < 4
    assert 390 < lyon.distance_km < 400  # Paris — Lyon as the crow flies
    assert (wh.available, wh.state) == (40, "in_stock")


def test_the_radius_keeps_near_stores_and_always_the_warehouse(
    store, near_store, other_store, warehouse, tv, stock
):
    stock(near_store, tv, on_hand=1)
    stock(other_store, tv, on_hand=1)
    places = stock_lookup(variant_id=tv.pk, origin=store, radius_km=50)
    assert [p.store.pk for p in places] == [store.pk, near_store.pk, warehouse.pk]


def test_a_lapsed_pickup_hold_counts_as_available_again(store, tv, stock, place):
    stock(store, tv, on_hand=3)
    now = timezone.now()
    place([(tv, 2, store)], mode="pickup", pickup_store=store, now=now - timedelta(days=3))
    place([(tv, 1, store)])  # a delivery: held until it ships

    (here, *_rest) = stock_lookup(variant_id=tv.pk, origin=store, now=now)

    assert (here.on_hand, here.reserved, here.available) == (3, 1, 2)


def test_the_lookup_is_two_queries_whatever_the_number_of_stores(
    store, tv, django_assert_num_queries
):
    for i in range(30):
        s = StoreFactory(latitude=45 + i / 10, longitude=2 + i / 10)
        StockLevelFactory(store=s, variant=tv, on_hand=i + 1)
    with django_assert_num_queries(2):  # stock rows (lapsed holds subtracted in SQL), stores
        places = stock_lookup(variant_id=tv.pk, origin=store)
    assert len(places) == 31
    distances = [p.distance_km for p in places[1:]]
    assert distances == sorted(distances)


def test_nearest_first_and_the_radius_as_the_crow_flies(store, tv, stock):
    """Stores listed in the order and within the radius the haversine distance gives,
    whatever order they were created in; stores without units and closed ones left out;
    a warehouse after every store, however near."""
    cities = {  # name: (latitude, longitude, on hand)
        "Marseille": (43.2965, 5.3698, 2),
        "Versailles": (48.8049, 2.1204, 1),
        "Rouen": (49.4432, 1.0999, 5),
        "Saint-Denis": (48.9362, 2.3574, 3),
        "Reims": (49.2583, 4.0317, 1),
        "Meaux": (48.9601, 2.8788, 0),  # none on hand: not listed
        "Lille": (50.6292, 3.0573, 7),
    }
    for name, (lat, lng, on_hand) in cities.items():
        stock(StoreFactory(name=name, latitude=lat, longitude=lng), tv, on_hand=on_hand)
    closed = StoreFactory(name="Fermé", latitude=48.87, longitude=2.33, is_active=False)
    stock(closed, tv, on_hand=9)
    depot = StoreFactory(name="Dépôt", is_warehouse=True, latitude=48.86, longitude=2.34)

    def expected(radius=None):
        near = sorted(
            (distance_km(store.latitude, store.longitude, lat, lng), name)
            for name, (lat, lng, on_hand) in cities.items()
            if on_hand
        )
        return [name for km, name in near if radius is None or km <= radius]

    everywhere = stock_lookup(variant_id=tv.pk, origin=store)
    assert [p.store.name for p in everywhere] == [store.name, *expected(), "Dépôt"]
    assert expected() == ["Saint-Denis", "Versailles", "Rouen", "Reims", "Lille", "Marseille"]
    for place in everywhere[1:-1]:
        lat, lng, _ = cities[place.store.name]
        assert place.distance_km == pytest.approx(
            distance_km(store.latitude, store.longitude, lat, lng), rel=1e-6
        )
    assert everywhere[0].distance_km == pytest.approx(0)

    within = stock_lookup(variant_id=tv.pk, origin=store, radius_km=100)
    assert [p.store.name for p in within] == [store.name, *expected(100), "Dépôt"]
    assert expected(100) == ["Saint-Denis", "Versailles"]
    assert [p.store.pk for p in within][-1] == depot.pk


def test_haversine_matches_known_distances():
    assert distance_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(392, abs=1)  # Paris–Lyon
    assert distance_km(48.8566, 2.3522, 48.8566, 2.3522) == 0


# --- The page --------------------------------------------------------------------------


def test_page_shows_this_store_then_others_with_km_and_an_order_link(
    associate_client, store, near_store, other_store, warehouse, tv, stock
):
    stock(near_store, tv, on_hand=2)
    stock(other_store, tv, on_hand=9)
    stock(warehouse, tv, on_hand=30)

    response = associate_client.get(url(tv))

    assert response.status_code == 200
    page = response.text
    assert "Ici — Paris Opéra" in page
    assert "Aucun disponible" in page  # this store has none
    assert page.index("Paris Bastille") < page.index("Lyon Part-Dieu") < page.index("Saint-Priest")
    assert "3,4 km" in page
    assert page.count("Derniers exemplaires") == 1  # Bastille's two
    assert f"/orders/new/?variant={tv.pk}&amp;source={near_store.pk}" in page


def test_last_units_here_are_flagged(associate_client, store, tv, stock):
    stock(store, tv, on_hand=3, reserved=1)
    response = associate_client.get(url(tv))
    assert 'class="card here state-last"' in response.text
    assert "Derniers exemplaires" in response.text


def test_radius_filter_and_variant_switch_keep_the_view(
    associate_client, store, near_store, other_store, tv, stock
):
    blue = VariantFactory(product=tv.product, size='55"', colour="bleu")
    stock(other_store, tv, on_hand=1)
    stock(near_store, blue, on_hand=1)

    response = associate_client.get(url(tv, radius=25))
    assert "Lyon Part-Dieu" not in response.text
    assert "Aucun autre magasin à moins de 25 km" in response.text
    assert f'{url(blue)}?radius=25"' in response.text  # the switch keeps the radius

    partial = associate_client.get(url(blue, radius=25), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'id="stock-view"' in partial.text and "Paris Bastille" in partial.text


def test_page_queries_do_not_grow_with_stores_or_variants(
    associate_client, store, tv, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            StockLevelFactory(
                store=StoreFactory(latitude=44 + i / 10, longitude=1 + i / 10),
                variant=VariantFactory(product=tv.product),
                on_hand=3,
            )
            StockLevelFactory(store=StoreFactory(latitude=46, longitude=3), variant=tv, on_hand=1)

    grow(2)
    with django_assert_max_num_queries(12) as few:
        associate_client.get(url(tv))
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = associate_client.get(url(tv))
    assert response.text.count('data-testid="stock-row"') == 22


def test_scan_goes_straight_to_the_variant(associate_client, tv):
    scan = reverse("products:stock_scan")
    assert associate_client.get(scan, {"code": tv.ean}).url == url(tv)
    assert associate_client.get(scan, {"code": tv.sku.lower()}).url == url(tv)
    missing = associate_client.get(scan, {"code": "0000000000000"})
    assert missing.status_code == 404
    assert "Aucun produit n’a le code" in missing.text


def test_unknown_variant_is_404(associate_client, db):
    assert associate_client.get("/stock/variants/999999/").status_code == 404


def test_sign_in_required(client, tv):
    assert client.get(url(tv)).status_code == 302


def test_the_nearest_stores_first_then_all_on_request(associate_client, store, tv):
    for i in range(30):
        s = StoreFactory(name=f"Magasin {i:02d}", latitude=48.9 + i / 100, longitude=2.4)
        StockLevelFactory(store=s, variant=tv, on_hand=3)

    page = associate_client.get(url(tv)).text
    assert page.count('data-testid="stock-row"') == 25
    assert "Magasin 24" in page and "Magasin 25" not in page
    assert "Afficher 5 magasins de plus" in page

    page = associate_client.get(url(tv, all=1)).text
    assert page.count('data-testid="stock-row"') == 30
