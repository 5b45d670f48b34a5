import pytest
from django.test import override_settings

from staff.models import StaffProfile
from tests.factories import StoreFactory, make_staff

Role = StaffProfile.Role


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached values live in Redis: start every test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_live_offers():
    """The live offers a process keeps in memory: every test starts as a new process."""
    from offers.pricing import forget_live_offers

    forget_live_offers()


@pytest.fixture(autouse=True)
def _site_language():
    """A page served in English leaves English active in the test's thread (the locale
    middleware does not switch back): every test starts in the site's language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def store(db):
    return StoreFactory(
        code="paris-opera",
        name="Paris Opéra",
        city="Paris",
        latitude=48.8708,
        longitude=2.3318,
    )


@pytest.fixture
def other_store(db):
    return StoreFactory(
        code="lyon-part-dieu",
        name="Lyon Part-Dieu",
        city="Lyon",
        latitude=45.7606,
        longitude=4.8597,
    )


@pytest.fixture
def associate(store):
    return make_staff(Role.ASSOCIATE, store, first_name="Léa", last_name="Moreau")


@pytest.fixture
def manager(store, other_store):
    return make_staff(Role.MANAGER, store, other_store, first_name="Marc", last_name="Petit")


@pytest.fixture
def head_office(db):
    return make_staff(
        Role.HEAD_OFFICE, first_name="Hélène", last_name="Bernard", is_staff=True, is_superuser=True
    )


@pytest.fixture
def associate_client(client, associate):
    client.force_login(associate)
    return client


@pytest.fixture
def image_storage(settings, tmp_path):
    """Product photos written to a temporary folder, served under /media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "product_images": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    return tmp_path


@pytest.fixture
def _hosts():
    """The hosts websocket tests connect as (the origin check of live sockets)."""
    with override_settings(ALLOWED_HOSTS=["localhost", "testserver"]):
        yield
