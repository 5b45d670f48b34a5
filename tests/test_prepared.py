"""Queries compiled once per process (``catalog.prepared``) give what the ORM gives."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.signals import post_init
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from catalog.models import Product, ProductImage, Review, Store, Variant
from catalog.prepared import Prepared, prefetched
from clientbook.models import FollowUp
from customers.models import Note
from floor.models import Visit
from staff.access import first_store
from staff.models import StaffProfile
from tests.factories import (
    CustomerFactory,
    NoteFactory,
    ProductFactory,
    ReviewFactory,
    StoreFactory,
    VariantFactory,
    VisitFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    product = ProductFactory()
    VariantFactory(product=product)
    VariantFactory(product=product)
    return product


def test_a_prepared_query_gives_the_orms_objects_with_their_joined_rows(
    associate, django_assert_num_queries
):
    users = Prepared(lambda pk: User.objects.select_related("staff_profile").filter(pk=pk))
    plain = User.objects.create_user("no-profile")
    users.first(plain.pk)  # compiled on first use

    with django_assert_num_queries(1):
        found = users.first(associate.pk)
    with django_assert_num_queries(0):  # the profile came with it
        assert found.staff_profile.role == associate.staff_profile.role
        assert found.staff_profile.user is found
    assert (found.pk, found.username, found.date_joined) == (
        associate.pk,
        associate.username,
        associate.date_joined,
    )
    with django_assert_num_queries(1):
        other = users.first(plain.pk)
    with django_assert_num_queries(0), pytest.raises(StaffProfile.DoesNotExist):
        other.staff_profile  # noqa: B018 (known to be absent, as with select_related)
    assert users.first(10**9) is None
    assert users.first(2**70) is None  # beyond any id: nothing, not an error


def test_a_prepared_query_is_run_at_the_moment_given(client, associate):
    live = Prepared(lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now))
    client.force_login(associate)
    key = client.session.session_key
    expires = Session.objects.get(pk=key).expire_date

    assert live.first(key, expires - timedelta(seconds=1)).session_key == key
    assert live.first(key, expires) is None
    assert live.first("no-such-session", timezone.now()) is None


def test_rows_come_converted_and_annotated_as_the_orm_gives_them(product):
    prices = Prepared(
        lambda pk: (
            Product.objects.filter(pk=pk)
            .annotate(n=Count("variants"), doubled=F("list_price") * 2)
            .values_list("list_price", "n", "doubled")
        )
    )
    expected = (
        Product.objects.filter(pk=product.pk)
        .annotate(n=Count("variants"), doubled=F("list_price") * 2)
        .values_list("list_price", "n", "doubled")
        .get()
    )
    (row,) = prices(product.pk)
    assert row == expected
    assert isinstance(row[0], Decimal)


def test_a_query_whose_values_are_not_parameters_cannot_be_prepared(product):
    transformed = Prepared(lambda text: Product.objects.filter(name__startswith=text))
    with pytest.raises(AssertionError, match="Cannot prepare"):
        transformed("Télé")  # the parameter is "Télé%", not the value
    frozen = Prepared(lambda pk: Product.objects.filter(pk=pk, created_at__lte=timezone.now()))
    with pytest.raises(AssertionError, match="Cannot prepare"):
        frozen(product.pk)


def test_the_current_store_is_the_one_chosen_among_the_users_stores_else_the_first_by_name(
    store, other_store
):
    associate = make_staff(StaffProfile.Role.ASSOCIATE, store, username="one-store")
    manager = make_staff(StaffProfile.Role.MANAGER, store, username="two-stores")
    manager.staff_profile.stores.add(other_store)
    head_office = User.objects.create_superuser("boss", "boss@example.com", "x")
    first_by_name = min(store, other_store, key=lambda s: s.name)

    assert first_store(associate, chosen=other_store.pk) == store  # not one of theirs
    assert first_store(manager, chosen=other_store.pk) == other_store
    assert first_store(manager) == first_by_name
    assert first_store(head_office, chosen=other_store.pk) == other_store
    Store.objects.filter(pk=other_store.pk).update(is_active=False)
    assert first_store(manager, chosen=other_store.pk) == store


def test_values_flat_values_and_prefetched_relations_come_as_the_orm_gives_them(
    product, django_assert_num_queries
):
    as_dicts = Prepared(lambda pk: Product.objects.filter(pk=pk).values("name", "list_price"))
    flat = Prepared(lambda pk: Product.objects.filter(pk=pk).values_list("name", flat=True))
    with_variants = Prepared(lambda pk: Product.objects.filter(pk=pk).prefetch_related("variants"))
    assert as_dicts(product.pk) == [{"name": product.name, "list_price": product.list_price}]
    assert flat(product.pk) == [product.name]
    expected = {v.pk for v in product.variants.all()}
    with django_assert_num_queries(2):  # the product, then its variants
        (found,) = with_variants(product.pk)
    with django_assert_num_queries(0):
        assert {v.pk for v in found.variants.all()} == expected


def _notes(customer_id, now):
    return (
        Note.objects.filter(customer_id=customer_id, created_at__gte=now - timedelta(days=1))
        .select_related("author", "store")
        .order_by("-created_at", "-pk")
    )


def test_it_reads_what_the_queryset_built_each_time_reads_for_each_id():
    first, second = CustomerFactory(), CustomerFactory()
    store = StoreFactory()
    NoteFactory.create_batch(2, customer=first, store=store)
    NoteFactory(customer=second, author=None)
    prepared = Prepared(_notes)
    now = timezone.now()

    for customer in (first, second, first):
        got = prepared(customer.pk, now)
        assert got == list(_notes(customer.pk, now))
        assert [(n.author and n.author.email, n.store) for n in got] == [
            (n.author and n.author.email, n.store) for n in _notes(customer.pk, now)
        ]
    note = Note.objects.filter(customer=first).first()
    assert prepared(first.pk, now + timedelta(days=2)) == []  # past the day
    assert note in prepared(first.pk, now)


def test_lists_of_ids_one_statement_per_length_and_none_for_no_id(django_assert_num_queries):
    customers = CustomerFactory.create_batch(3)
    for customer in customers:
        NoteFactory.create_batch(2, customer=customer)
    counts = Prepared(
        lambda *ids: (
            Note.objects.filter(customer_id__in=ids)
            .values_list("customer_id")
            .annotate(n=Count("pk"))
            .order_by("customer_id")
        )
    )
    ids = [c.pk for c in customers]
    assert counts(*ids) == [(pk, 2) for pk in ids]
    assert counts(*ids[:2]) == [(pk, 2) for pk in ids[:2]]
    assert counts(ids[2], ids[0]) == [(ids[0], 2), (ids[2], 2)]
    with django_assert_num_queries(0):
        assert counts() == []


def test_a_setting_the_query_reads_is_followed(settings):
    store = StoreFactory()
    seen = timezone.now() - timedelta(minutes=15)
    visit = VisitFactory(store=store, arrived_at=seen, last_seen_at=seen)

    def present(store_id, now):
        idle = timedelta(minutes=settings.VISIT_IDLE_MINUTES)
        return Visit.objects.filter(store_id=store_id, last_seen_at__gt=now - idle)

    prepared = Prepared(present, depends_on=lambda: settings.VISIT_IDLE_MINUTES)
    settings.VISIT_IDLE_MINUTES = 20
    assert prepared(store.pk, timezone.now()) == [visit]
    settings.VISIT_IDLE_MINUTES = 10
    assert prepared(store.pk, timezone.now()) == []


def test_a_query_that_ignores_its_value_cannot_be_prepared():
    customer = CustomerFactory()
    ignores = Prepared(lambda customer_id: Note.objects.filter(customer_id=customer.pk))
    with pytest.raises(AssertionError, match="Cannot prepare"):
        ignores(customer.pk)


def test_a_day_made_from_the_moment_cannot_be_prepared():
    due = Prepared(lambda pk, now: FollowUp.objects.filter(pk=pk, due_on__lte=now.date()))
    with pytest.raises(AssertionError, match="Cannot prepare"):
        due(1, timezone.now())


def test_a_value_outside_a_small_columns_range_is_asked_each_time(product):
    ReviewFactory(product=product, rating=4)
    rated = Prepared(lambda rating: Review.objects.filter(rating=rating))
    assert rated(2) == []
    assert [r.rating for r in rated(4)] == [4]  # not "never anything"


def test_relations_given_to_an_object_are_its_own_when_narrowed(product):
    other = ProductFactory()
    VariantFactory(product=other)
    with_variants = Prepared(lambda pk: Product.objects.filter(pk=pk))
    (found,) = with_variants(product.pk)
    prefetched(found, "variants", list(Variant.objects.filter(product=product)))
    assert found.variants.exclude(pk=0).count() == 2  # not every product's variants


def test_rows_keep_only_their_own_columns(product):
    # DISTINCT with an order on another column: Django selects that column too, then
    # leaves it out of the rows.
    def build(pk):
        return (
            Variant.objects.filter(product=pk).order_by("sku").values_list("product_id").distinct()
        )

    expected = list(build(product.pk))
    assert len(expected) == 2 and all(len(row) == 1 for row in expected)
    assert Prepared(build)(product.pk) == expected


def test_objects_are_made_as_the_orm_makes_them_its_signals_included(product):
    image = ProductImage.objects.create(product=product, image="products/1/a.jpg")
    images = Prepared(lambda pk: ProductImage.objects.filter(pk=pk))
    narrowed = Prepared(lambda pk: Product.objects.filter(pk=pk).only("name"))

    def state(obj):
        fields = {k: v for k, v in vars(obj).items() if k != "_state"}
        return type(obj), fields, obj._state.adding, obj._state.db

    (found,) = images(image.pk)
    assert state(found) == state(ProductImage.objects.get(pk=image.pk))
    assert found.image.url == image.image.url  # set through its descriptor
    (found,) = narrowed(product.pk)
    assert state(found) == state(Product.objects.only("name").get(pk=product.pk))
    assert found.get_deferred_fields() == {
        f.attname for f in Product._meta.concrete_fields if f.name not in ("id", "name")
    }

    made = []

    def receiver(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(receiver, sender=ProductImage)
    try:
        (found,) = images(image.pk)
    finally:
        post_init.disconnect(receiver, sender=ProductImage)
    assert made == [found]


@pytest.mark.django_db(transaction=True)
def test_a_locking_query_refuses_to_run_outside_a_transaction():
    product = ProductFactory()
    locked = Prepared(lambda pk: Product.objects.select_for_update().filter(pk=pk))
    with transaction.atomic():
        assert locked(product.pk) == [product]
    with pytest.raises(TransactionManagementError):
        locked(product.pk)


def test_postgresql_keeps_the_statement_planned_and_the_query_log_still_shows_it(
    django_assert_num_queries,
):
    names = Prepared(lambda pk: Store.objects.filter(pk=pk).values_list("code", "name"))
    store = StoreFactory()

    assert names(store.pk) == [(store.code, store.name)]
    assert names(store.pk + 1) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"catalog_store"."code" AS "code", "catalog_store"."name" AS "name" FROM%= $1 %'],
        )
        assert cursor.fetchone() == (1,)  # parsed and planned once, run with either value

    with django_assert_num_queries(1) as captured:
        assert names(store.pk) == [(store.code, store.name)]
    assert f'"catalog_store"."id" = {store.pk} ' in captured.captured_queries[0]["sql"]
