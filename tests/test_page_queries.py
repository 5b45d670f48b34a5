"""What every signed-in page reads before its own work: the session, the user with their
staff profile, and the store they work in, once each."""

import pytest

from catalog.models import Complement
from staff.access import stores_for
from staff.models import StaffProfile
from tests.factories import ProductFactory, StockLevelFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_a_simple_signed_in_page_reads_session_user_and_store_once(
    associate_client, store, django_assert_max_num_queries
):
    associate_client.get("/stock/")
    with django_assert_max_num_queries(3):
        response = associate_client.get("/stock/")
    assert response.status_code == 200
    page = response.content.decode()
    assert store.name in page  # the header's store
    assert "Léa Moreau" in page  # the header's user menu


def test_a_managers_page_adds_only_the_list_of_their_stores(
    client, manager, store, other_store, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get("/stock/")
    with django_assert_max_num_queries(4):
        response = client.get("/stock/")
    assert response.status_code == 200
    page = response.content.decode()
    assert store.name in page and other_store.name in page  # the store switch


def test_the_floor_page_reads_its_store_and_session_once(
    associate_client, store, django_assert_max_num_queries
):
    url = f"/stores/{store.code}/floor/"
    associate_client.get(url)
    with django_assert_max_num_queries(4):  # session, user, store, the clients present
        response = associate_client.get(url)
    assert response.status_code == 200
    assert b"&amp;ticket=" in response.content  # its socket's ticket, with the expiry


def test_a_change_of_role_or_store_counts_from_the_next_page(
    associate_client, associate, store, other_store
):
    profile = associate.staff_profile
    profile.stores.set([other_store])
    response = associate_client.get("/stock/")
    assert other_store.name.encode() in response.content
    assert associate_client.get(f"/stores/{store.code}/floor/").status_code == 403

    profile.role = StaffProfile.Role.MANAGER
    profile.save()
    # A manager without MFA set up is sent to set it up.
    assert associate_client.get("/stock/").status_code == 302


def test_a_floor_socket_is_let_in_on_one_read_of_session_user_and_access(
    associate_client, associate, store, django_assert_max_num_queries
):
    """A socket (re)connecting is checked in one trip to a database thread: its session
    (with its expiry), its user with their profile, their access to the store."""
    from integrations.live import _admission, _session_store

    key = associate_client.cookies["sessionid"].value
    with django_assert_max_num_queries(3):
        user, granted, seconds = _admission(
            _session_store(key),
            lambda user: (
                stores_for(user).filter(code=store.code).values_list("pk", flat=True).first()
            ),
        )
    assert user == associate and granted == store.pk and seconds > 0


def test_sessions_signed_in_before_the_staff_backends_stay_signed_in(client, associate, store):
    """A deploy does not sign anybody out: sessions naming the backends used before get the
    staff backends' names."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore

    renaming = import_module("staff.migrations.0003_sessions_name_the_staff_backends")
    session = SessionStore()
    session.update(
        {
            "_auth_user_id": str(associate.pk),
            "_auth_user_backend": "allauth.account.auth_backends.AuthenticationBackend",
            "_auth_user_hash": associate.get_session_auth_hash(),
        }
    )
    session.create()
    client.cookies["sessionid"] = session.session_key
    assert client.get("/stock/").status_code == 302  # the old name: signed out

    renaming.forwards(apps, None)
    assert client.get("/stock/").status_code == 200


@pytest.mark.parametrize("complements", [1, 6])
def test_the_product_page_reads_as_much_whatever_its_complements(
    associate_client, store, complements, django_assert_max_num_queries
):
    tv = ProductFactory()
    StockLevelFactory(store=store, variant=VariantFactory(product=tv), on_hand=3)
    for position in range(complements):
        extra = ProductFactory()
        StockLevelFactory(store=store, variant=VariantFactory(product=extra), on_hand=1)
        Complement.objects.create(product=tv, complement=extra, position=position)
    associate_client.get(f"/products/{tv.pk}/")
    # session, user, store; product, variants with their stock here, characteristics,
    # trail, reviews; complements (links, products with their stock, their variants); photos of
    # all; offers (token, categories)
    with django_assert_max_num_queries(14):
        response = associate_client.get(f"/products/{tv.pk}/")
    assert response.status_code == 200
    assert len(response.context["complements"]) == complements
