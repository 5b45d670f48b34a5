import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from inventory.models import StockLevel
from tests.factories import PASSWORD, StockLevelFactory, VariantFactory, mfa_login

ROOT = Path(__file__).resolve().parents[1]


# --- Stock constraints are enforced by the database itself -------------------------


@pytest.mark.parametrize(
    ("on_hand", "reserved"),
    [(-1, 0), (3, -1), (2, 3)],
    ids=["negative on hand", "negative reserved", "reserved above on hand"],
)
def test_database_refuses_impossible_stock_rows(store, on_hand, reserved):
    variant = VariantFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(store=store, variant=variant, on_hand=on_hand, reserved=reserved)
    assert not StockLevel.objects.exists()


def test_database_refuses_an_update_that_oversells(store):
    row = StockLevelFactory(store=store, on_hand=2, reserved=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=row.pk).update(on_hand=1)
    row.refresh_from_db()
    assert (row.on_hand, row.reserved) == (2, 2)


def test_one_stock_row_per_store_and_variant(store):
    row = StockLevelFactory(store=store)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(store=store, variant=row.variant, on_hand=1)


# --- Roles and stores -----------------------------------------------------------------


def test_associate_lands_on_own_store_floor(associate_client, store):
    response = associate_client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "floor:page", kwargs={"store_code": store.code}
    )
    assert store.name in response.text


def test_associate_of_store_a_gets_403_on_store_b(associate_client, other_store):
    response = associate_client.get(reverse("floor:page", kwargs={"store_code": other_store.code}))
    assert response.status_code == 403
    assert "pas destinée à votre rôle" in response.text


def test_unknown_store_is_403_not_a_crash(associate_client):
    response = associate_client.get(reverse("floor:page", kwargs={"store_code": "nowhere"}))
    assert response.status_code == 403


def test_anonymous_is_sent_to_sign_in(client, store):
    response = client.get(reverse("floor:page", kwargs={"store_code": store.code}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_manager_sees_each_overseen_store_and_can_switch(client, manager, store, other_store):
    client.force_login(manager)
    for s in (store, other_store):
        assert client.get(reverse("floor:page", kwargs={"store_code": s.code})).status_code == 200
    response = client.post(reverse("store_switch"), {"store": other_store.code, "next": "/"})
    assert response.status_code == 302
    assert client.get("/").url == reverse("floor:page", kwargs={"store_code": other_store.code})


@pytest.mark.parametrize("page", ["floor:page", "dashboard:board"])
def test_store_switch_keeps_the_page(client, manager, store, other_store, page):
    client.force_login(manager)
    here = client.get(reverse(page, kwargs={"store_code": store.code}) + "?from=switch")
    next_value = re.search(r'class="store-switch">.*?name="next" value="([^"]+)"', here.text, re.S)

    response = client.post(
        reverse("store_switch"), {"store": other_store.code, "next": next_value.group(1)}
    )

    there = reverse(page, kwargs={"store_code": other_store.code})
    assert response.url == there + "?from=switch"
    landed = client.get(response.url)
    assert landed.status_code == 200
    assert re.search(rf'<option value="{other_store.code}" selected>', landed.text)
    assert client.get("/").url == reverse("floor:page", kwargs={"store_code": other_store.code})


def test_store_switch_from_a_page_of_no_store_stays_there(client, manager, store, other_store):
    client.force_login(manager)
    response = client.post(
        reverse("store_switch"), {"store": other_store.code, "next": "/customers/"}
    )
    assert response.url == "/customers/"


def test_associate_cannot_switch_store(associate_client, other_store):
    response = associate_client.post(reverse("store_switch"), {"store": other_store.code})
    assert response.status_code == 403


def test_manager_cannot_switch_to_a_store_they_do_not_oversee(client, store):
    from tests.factories import StoreFactory, make_staff

    elsewhere = StoreFactory(code="nice-etoile")
    client.force_login(make_staff("manager", store))
    response = client.post(reverse("store_switch"), {"store": elsewhere.code})
    assert response.status_code == 403


def test_admin_is_for_head_office_only(client, associate, manager, head_office, store):
    for user in (associate, manager):
        client.force_login(user)
        response = client.get("/admin/", follow=True)
        landed = response.redirect_chain[-1][0]
        assert re.fullmatch(r"/stores/[\w-]+/floor/", landed)  # not admin's username form
        assert "réservée au siège" in response.text
        assert 'name="username"' not in response.text
    mfa_login(client, head_office)
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_is_the_app_sign_in(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert 'name="login"' in response.text


def test_head_office_lands_in_admin_and_admin_leads_to_the_floor(client, head_office, store):
    mfa_login(client, head_office)
    assert client.get("/").url == reverse("admin:index")
    assert 'href="/floor/"' in client.get("/admin/").text  # "View site"
    response = client.get("/floor/")
    assert response.url == reverse("floor:page", kwargs={"store_code": store.code})


@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/product/",
        "/admin/catalog/variant/",
        "/admin/inventory/stocklevel/",
        "/admin/customers/customer/",
        "/admin/customers/purchase/",
        "/admin/offers/offer/",
        "/admin/floor/visit/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
    ],
)
def test_head_office_admin_screens_open(client, head_office, url):
    mfa_login(client, head_office)
    assert client.get(url).status_code == 200


def test_staff_created_in_admin_must_have_a_unique_email(client, head_office, associate):
    mfa_login(client, head_office)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newbie",
            "email": associate.email,
            "password1": "Un-mot-de-passe-solide-42",
            "password2": "Un-mot-de-passe-solide-42",
            "usable_password": "true",
            "staff_profile-TOTAL_FORMS": "0",
            "staff_profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "newbie" not in {u.username for u in type(associate).objects.all()}


def test_staff_created_in_admin_need_a_name_a_role_and_stores(client, head_office, store):
    mfa_login(client, head_office)
    page = client.get("/admin/auth/user/add/").text
    for field in ("first_name", "last_name", "role", "stores"):
        assert f'name="{field}"' in page
    new = {
        "username": "newbie",
        "email": "newbie@example.fr",
        "password1": "Un-mot-de-passe-solide-42",
        "password2": "Un-mot-de-passe-solide-42",
        "usable_password": "true",
    }
    response = client.post("/admin/auth/user/add/", new)
    assert response.status_code == 200  # the form again, saying what is missing
    assert response.text.count("Ce champ est obligatoire") >= 3  # first, last name, role
    response = client.post(
        "/admin/auth/user/add/",
        {**new, "first_name": "Noé", "last_name": "Blanc", "role": "associate"},
    )
    assert "Un vendeur travaille dans un seul magasin." in response.text
    assert not User.objects.filter(username="newbie").exists()

    response = client.post(
        "/admin/auth/user/add/",
        {**new, "first_name": "Noé", "last_name": "Blanc", "role": "associate", "stores": store.pk},
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert (user.get_full_name(), user.staff_profile.role) == ("Noé Blanc", "associate")
    assert list(user.staff_profile.stores.all()) == [store]
    client.force_login(user)
    assert client.get("/").url == reverse("floor:page", kwargs={"store_code": store.code})


# --- Sign-in ------------------------------------------------------------------------------


def test_sign_in_with_email_and_password(client, associate, store):
    response = client.post(
        reverse("account_login"), {"login": associate.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_there_is_no_public_sign_up(client, db):
    response = client.get(reverse("account_signup"))
    assert "les inscriptions sont actuellement fermées" in response.text
    client.post(reverse("account_signup"), {"email": "intruder@example.com", "password1": "x" * 12})
    from django.contrib.auth.models import User

    assert not User.objects.filter(email="intruder@example.com").exists()


def test_password_reset_sends_an_email(client, associate):
    response = client.post(reverse("account_reset_password"), {"email": associate.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert associate.email in mail.outbox[0].to


def test_repeated_failed_sign_ins_are_rate_limited(client, associate):
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": associate.email, "password": "nope"}
        )
        assert "Trop de tentatives" not in response.text
    # Even the right password is refused while limited, with a clear message.
    response = client.post(
        reverse("account_login"), {"login": associate.email, "password": PASSWORD}
    )
    assert "Trop de tentatives de connexion échouées" in response.text
    assert "_auth_user_id" not in client.session


def test_friendly_404(associate_client):
    response = associate_client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Nous ne trouvons pas cette page" in response.text


def test_pages_load_nothing_from_elsewhere(associate_client, store):
    response = associate_client.get(reverse("floor:page", kwargs={"store_code": store.code}))
    assert "http://" not in response.text and "https://" not in response.text
    assert "django_htmx/htmx-2.min.js" in response.text
    assert "django_htmx/ext/hx-ws-2.min.js" in response.text
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    # WebAssembly (the vendored barcode decoder) may compile; JavaScript eval may not.
    assert "'wasm-unsafe-eval'" in csp and "'unsafe-eval'" not in csp


# --- Settings from the environment --------------------------------------------------------


def _settings_in_subprocess(expr: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "clienteling.settings", **env})
    code = f"import django; django.setup(); from django.conf import settings as s; print({expr})"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_without_redis_url_the_demo_defaults_are_embedded():
    out = _settings_in_subprocess(
        "s.CHANNEL_LAYERS['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND']",
        DEBUG="1",
    )
    assert "channels.layers.InMemoryChannelLayer" in out
    assert "True" in out
    assert "sqlite3" in out
    assert "LocMemCache" in out


def test_with_redis_url_redis_carries_layer_cache_and_tasks():
    out = _settings_in_subprocess(
        "s.CHANNEL_LAYERS['default']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER, "
        "s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.DATABASES['default']['OPTIONS']",
        DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/clienteling",
    )
    assert "integrations.layers.ResyncingPubSubChannelLayer" in out
    assert "False" in out
    assert "redis://127.0.0.1:6379/3" in out
    assert "RedisCache" in out
    assert "'pool'" in out


def test_production_keeps_the_strong_default_password_hashers(settings):
    production = _settings_in_subprocess("s.PASSWORD_HASHERS[0]", DEBUG="1")
    assert production == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    # Only the test settings hash fast (the browser tests' server loads them as well).
    assert settings.SETTINGS_MODULE == "tests.settings"
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.MD5PasswordHasher"


def test_production_settings_pass_check_deploy():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment["DJANGO_SETTINGS_MODULE"] = "clienteling.settings"  # not the test settings
    environment.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-" + "x" * 30,
        ALLOWED_HOSTS="clienteling.example.com",
        CSRF_TRUSTED_ORIGINS="https://clienteling.example.com",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment["DJANGO_SETTINGS_MODULE"] = "clienteling.settings"  # not the test settings
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_code_only_commands_need_no_configuration():
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment["DJANGO_SETTINGS_MODULE"] = "clienteling.settings"  # not the test settings
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
