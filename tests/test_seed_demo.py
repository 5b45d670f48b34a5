"""manage.py seed_demo: a believable retailer, safe to run twice; --scale for benchmarks."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from catalog.models import (
    Category,
    Characteristic,
    Complement,
    Product,
    ProductCharacteristic,
    ProductImage,
    Store,
    Variant,
    validate_ean13,
)
from clienteling.demo.accounts import DEMO_STAFF
from clienteling.demo.build import DEMO, FIELDS, scale_plan
from clienteling.demo.images import ACCESSORIES
from clienteling.demo.load import DEMO_APPS
from customers.models import Consent, Customer, Interaction, Purchase, PurchaseLine
from inventory.models import StockLevel
from offers.models import Offer
from offers.pricing import price_for
from staff.models import StaffProfile
from tests.clock import frozen, frozen_still

# The demo's dates are relative to now ("viewed today"): no day may end during a test.
pytestmark = [pytest.mark.django_db, frozen]
ROOT = Path(__file__).resolve().parent.parent


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def row_counts() -> dict[str, int]:
    labels = ("auth", "account", *DEMO_APPS)
    return {
        model._meta.label: model._default_manager.count()
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def assert_catalog_sound() -> None:
    for ean in Variant.objects.values_list("ean", flat=True):
        validate_ean13(ean)
    for category in Category.objects.select_related("parent"):
        prefix = category.parent.path if category.parent else "/"
        assert category.path == f"{prefix}{category.pk}/"
    stock = StockLevel.objects
    assert not stock.filter(Q(on_hand__lt=0) | Q(reserved__lt=0) | Q(reserved__gt=F("on_hand")))
    warehouse = Store.objects.get(is_warehouse=True)
    assert stock.filter(store=warehouse).count() == Variant.objects.count()
    assert not stock.filter(store=warehouse, on_hand__lt=20).exists()
    shelves = stock.filter(store__is_warehouse=False)
    assert shelves.filter(on_hand=0).exists() and shelves.filter(on_hand__in=(1, 2)).exists()
    totals = Purchase.objects.annotate(lines_total=Sum("lines__line_total"))
    assert not totals.exclude(total=F("lines_total")).exists()
    assert not Purchase.objects.filter(channel="store", store=None).exists()


def test_seed_twice_keeps_the_counts_and_prints_the_logins():
    first = seed()
    counts = row_counts()
    second = seed()

    assert row_counts() == counts
    assert "already present" in second
    for out in (first, second):
        for staff in DEMO_STAFF:
            assert f"{staff.email} / {staff.password}" in out
    assert Store.objects.filter(is_warehouse=False).count() == DEMO.stores == 12
    assert Store.objects.filter(is_warehouse=True).count() == 1
    assert Product.objects.count() == DEMO.products + len(ACCESSORIES)
    assert Customer.objects.count() == DEMO.customers + 1  # and Jean Martin, scripted


def test_printed_associate_login_signs_in_to_the_first_store():
    out = seed()
    email, password = re.search(r"Associate\s+(\S+) / (\S+)\s+\(store Paris Opéra\)", out).groups()

    user = authenticate(None, email=email, password=password)  # allauth's email backend

    assert user is not None and user.username == "lea.associate"
    assert user.emailaddress_set.filter(email=email, verified=True, primary=True).exists()
    assert user.staff_profile.role == StaffProfile.Role.ASSOCIATE
    assert list(user.staff_profile.stores.values_list("code", flat=True)) == ["paris-opera"]
    manager = StaffProfile.objects.get(role=StaffProfile.Role.MANAGER)
    assert manager.stores.count() == 2
    head = StaffProfile.objects.get(role=StaffProfile.Role.HEAD_OFFICE).user
    assert head.is_staff and head.is_superuser


def test_demo_data_is_believable_and_consistent():
    seed()

    assert_catalog_sound()
    assert Store.objects.exclude(opening_hours__has_key="sun").count() == 0
    assert Category.objects.filter(path__regex=r"^/\d+/\d+/\d+/$", products__isnull=False).exists()
    # Values are typed by the characteristic's kind, hence comparable within a category.
    for value in ProductCharacteristic.objects.select_related("characteristic"):
        value.clean()
    screen = Characteristic.objects.get(code="screen_size")
    assert (screen.kind, screen.unit) == ("number", "in")
    tvs = ProductCharacteristic.objects.filter(
        characteristic=screen, product__category__slug="televiseurs"
    )
    assert tvs.count() == Product.objects.filter(category__slug="televiseurs").count()
    assert Product.objects.filter(name__contains="Téléviseur OLED").exists()
    fashion = Variant.objects.filter(product__category__slug="jeans-femme")
    assert fashion.exclude(size="").count() == fashion.count() > 0
    # Tiers: mostly members, a few platinum; mostly French speakers.
    tiers = dict(Customer.objects.values_list("tier").annotate(n=Count("id")))
    assert tiers["member"] > tiers["silver"] > tiers["gold"] > tiers["platinum"] > 0
    assert 0 < Customer.objects.filter(preferred_language="en").count() < DEMO.customers // 4
    # Consent: the latest row wins, and some shoppers withdrew recognition.
    withdrawn = Consent.objects.filter(purpose="recognition", granted=False)
    assert withdrawn.exists()
    for consent in withdrawn[:20]:
        latest = Consent.objects.filter(customer=consent.customer, purpose="recognition").first()
        assert latest == consent and latest.granted is False
    assert set(Purchase.objects.values_list("channel", flat=True)) == {"web", "app", "store"}
    assert Interaction.objects.filter(occurred_at__date=timezone.localdate()).exists()
    assert not Interaction.objects.filter(occurred_at__gt=timezone.now()).exists()
    now = timezone.now()
    running = Offer.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now)
    assert running.count() >= 5
    assert running.filter(target_tiers__contains=["platinum"]).exists()
    assert {"percent", "amount"} <= set(running.values_list("kind", flat=True))
    assert {"brand", "category", "product"} <= set(running.values_list("scope", flat=True))
    # Photos: one per product, one per colour of a product in several, distinct files.
    assert not Product.objects.filter(images__isnull=True).exists()
    mains = ProductImage.objects.filter(colour="")
    assert mains.values("image").distinct().count() == mains.count() == Product.objects.count()
    shoe = Variant.objects.filter(product__category__slug="baskets-femme").first()
    assert ProductImage.objects.filter(product=shoe.product_id, colour=shoe.colour).exists()
    # TVs come with wall mounts, cables and soundbars, and high-tech with 4x interest-free.
    tvs = Complement.objects.filter(category__slug="televiseurs")
    assert {"supports-muraux", "cables", "barres-de-son"} == set(
        tvs.values_list("complement__category__slug", flat=True)
    )
    tv = Variant.objects.filter(product__category__slug="televiseurs", product__list_price__gte=300)
    price = price_for(tv.first())
    assert price.financing is not None and price.financing.count == 4


@frozen_still  # the data is drawn from the minute of the day: the same minute both times
def test_reset_rebuilds_the_same_data():
    seed()
    counts = row_counts()
    names = list(Product.objects.order_by("pk").values_list("name", "list_price"))
    people = list(Customer.objects.order_by("pk").values_list("loyalty_number", "email", "tier"))

    out = seed("--reset")

    assert "Emptied" in out
    assert row_counts() == counts
    assert list(Product.objects.order_by("pk").values_list("name", "list_price")) == names
    assert (
        list(Customer.objects.order_by("pk").values_list("loyalty_number", "email", "tier"))
        == people
    )


def _constraints_and_indexes() -> tuple[int, int]:
    tables = [model._meta.db_table for model in FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])", [tables]
        )
        constraints = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_index WHERE indrelid = ANY(%s::regclass[])", [tables]
        )
        return constraints, cursor.fetchone()[0]


def test_scale_loads_proportional_counts_with_copy():
    before = _constraints_and_indexes()
    plan = scale_plan(0.001)

    out = seed("--scale", "--factor", "0.001")

    assert "lea@demo.clienteling.fr" in out
    assert _constraints_and_indexes() == before  # keys and indexes rebuilt after the load
    assert Store.objects.filter(is_warehouse=False).count() == plan.stores
    assert Product.objects.count() == plan.products == 50
    assert Customer.objects.count() == plan.customers == 500
    assert 2 * plan.products <= Variant.objects.count() <= 10 * plan.products
    lines = PurchaseLine.objects.count()
    assert 7 * plan.customers <= lines <= 16 * plan.customers  # ≈ 11 per customer
    assert_catalog_sound()
    # Every variant is stocked in a handful of stores, plus the warehouse.
    per_variant = StockLevel.objects.values("variant").annotate(n=Count("id"))
    assert {row["n"] for row in per_variant} == {min(plan.stock_stores, plan.stores) + 1}
    # The sequences moved past the ids set in Python: the ORM can insert again.
    top = Product.objects.aggregate(top=Max("pk"))["top"]
    product = Product.objects.first()
    product.pk = None
    product.save()
    assert product.pk > top
    assert "already present" in seed("--scale", "--factor", "0.001")


def _manage(*args: str, database: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_scale_is_refused_on_sqlite(tmp_path):
    result = _manage("seed_demo", "--scale", database=tmp_path / "demo.sqlite3")

    assert result.returncode != 0
    assert "--scale loads millions of rows with PostgreSQL COPY" in result.stderr


def test_demo_runs_on_sqlite_twice(tmp_path):
    database = tmp_path / "demo.sqlite3"
    assert _manage("migrate", "-v0", database=database).returncode == 0

    first = _manage("seed_demo", database=database)
    second = _manage("seed_demo", database=database)

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    counts = re.compile(r"^\d[\d,]* stores, .*$", re.MULTILINE)
    assert counts.search(first.stdout).group() == counts.search(second.stdout).group()
    assert "lea@demo.clienteling.fr / " in second.stdout


def test_demo_manager_and_head_office_sign_in_with_the_printed_authenticator(client):
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import User

    out = seed()
    for staff in DEMO_STAFF:
        if staff.role == StaffProfile.Role.ASSOCIATE:
            continue
        assert staff.totp_secret in out
        user = User.objects.get(email=staff.email)
        secret = Authenticator.objects.get(user=user, type="totp").data["secret"]
        assert secret == staff.totp_secret
        printed = StringIO()
        call_command("demo_totp", staff.email, stdout=printed)
        client.post("/accounts/login/", {"login": staff.email, "password": staff.password})
        client.post("/accounts/2fa/authenticate/", {"code": printed.getvalue().strip()})
        assert client.session["_auth_user_id"] == str(user.pk)
        client.post("/accounts/logout/")


def test_jean_martins_tv_leads_his_card(client):
    """README's headline moment: the scripted client's strongest interest (an OLED TV seen
    three times this morning and saved) comes first on his card, before the jeans he
    glanced at more recently."""
    out = seed()
    assert "Jean Martin" in out
    email, password = re.search(r"Associate\s+(\S+) / (\S+)\s+\(store Paris Opéra\)", out).groups()
    martin = Customer.objects.get(first_name="Jean", last_name="Martin")
    client.login(email=email, password=password)

    card = client.get(f"/customers/{martin.pk}/").text

    products = re.findall(r'data-testid="interest-product"><strong>(.*?)</strong>', card)
    summaries = re.findall(r'data-testid="interest-summary">(.*?)</p>', card)
    assert "OLED" in products[0] and summaries[0].startswith("Vu 3 fois")
    assert any(name.startswith("Jean ") for name in products[1:])  # the jeans, after
