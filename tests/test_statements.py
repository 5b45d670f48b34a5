"""Querysets built once per process (``catalog.statements.Prebuilt``) read what the
queryset built each time would, for other ids and other moments; forms rendered once
(``catalog.widgets.RenderedOnce``) render what Django would."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from catalog.statements import Prebuilt
from clientbook.forms import BirthDateForm, FollowUpForm
from customers.models import Note
from floor.forms import NoteForm
from floor.models import Visit
from tests.factories import CustomerFactory, NoteFactory, StoreFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _notes(customer_id, now):
    return (
        Note.objects.filter(customer_id=customer_id, created_at__gte=now - timedelta(days=1))
        .select_related("author", "store")
        .order_by("-created_at", "-pk")
    )


def test_a_prebuilt_queryset_reads_what_the_built_one_reads_for_each_id():
    first, second = CustomerFactory(), CustomerFactory()
    store = StoreFactory()
    NoteFactory.create_batch(2, customer=first, store=store)
    NoteFactory(customer=second, author=None)
    prebuilt = Prebuilt("test notes", _notes)
    now = timezone.now()

    for customer in (first, second, first):
        got = list(prebuilt(customer.pk))
        assert got == list(_notes(customer.pk, now))
        assert [(n.author and n.author.email, n.store) for n in got] == [
            (n.author and n.author.email, n.store) for n in _notes(customer.pk, now)
        ]


def test_its_moments_are_the_moment_it_is_given():
    customer = CustomerFactory()
    note = NoteFactory(customer=customer)
    prebuilt = Prebuilt("test recent notes", _notes)
    now = timezone.now()

    assert list(prebuilt(customer.pk, now=now)) == [note]
    assert list(prebuilt(customer.pk, now=now + timedelta(days=2))) == []
    assert list(prebuilt(customer.pk, now=now)) == [note]


def test_lists_of_ids_values_and_an_empty_list():
    customers = CustomerFactory.create_batch(3)
    for customer in customers:
        NoteFactory.create_batch(2, customer=customer)

    def counts(*args):
        *ids, _now = args
        return (
            Note.objects.filter(customer_id__in=ids)
            .values_list("customer_id")
            .annotate(n=Count("pk"))
            .order_by("customer_id")
        )

    prebuilt = Prebuilt("test counts", counts)
    ids = [c.pk for c in customers]
    assert list(prebuilt(*ids)) == [(pk, 2) for pk in ids]
    assert list(prebuilt(*ids[:2])) == [(pk, 2) for pk in ids[:2]]
    assert list(prebuilt(ids[2], ids[0])) == [(ids[0], 2), (ids[2], 2)]
    with CaptureQueriesContext(connection) as none:
        assert list(prebuilt()) == []
    assert len(none) == 0


def test_a_statement_that_would_keep_a_value_is_refused():
    customer = CustomerFactory()

    def ignores_its_id(customer_id, now):
        return Note.objects.filter(customer_id=customer.pk)

    def keeps_a_moment(customer_id, now):
        return Note.objects.filter(customer_id=customer_id, created_at__gte=timezone.now())

    with pytest.raises(AssertionError, match="ids missing"):
        list(Prebuilt("test ignores", ignores_its_id)(customer.pk))
    with pytest.raises(AssertionError, match="moment"):
        list(Prebuilt("test keeps", keeps_a_moment)(customer.pk))


def test_it_is_read_whole_and_never_narrowed():
    customer = CustomerFactory()
    NoteFactory.create_batch(2, customer=customer)
    notes = Prebuilt("test whole", _notes)(customer.pk)

    for narrowed in (lambda: notes.filter(pk=0), lambda: notes[:1], lambda: notes.count()):
        with pytest.raises(TypeError, match="read whole"):
            narrowed()
    assert len(list(notes)) == 2


def test_a_setting_it_reads_is_followed(settings):
    store = StoreFactory()
    seen = timezone.now() - timedelta(minutes=15)
    visit = VisitFactory(store=store, arrived_at=seen, last_seen_at=seen)

    def present(store_id, now):
        idle = timedelta(minutes=settings.VISIT_IDLE_MINUTES)
        return Visit.objects.filter(store_id=store_id, last_seen_at__gt=now - idle)

    prebuilt = Prebuilt("test present", present, vary=lambda: settings.VISIT_IDLE_MINUTES)
    settings.VISIT_IDLE_MINUTES = 20
    assert list(prebuilt(store.pk)) == [visit]
    settings.VISIT_IDLE_MINUTES = 10
    assert list(prebuilt(store.pk)) == []


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("form_class", [NoteForm, FollowUpForm, BirthDateForm])
def test_an_empty_form_rendered_once_renders_as_django_does(form_class, language):
    plain = type("Plain", (form_class,), {"bound_field_class": None})
    with translation.override(language):
        for _ in range(2):  # the second time from what was kept
            form, expected = form_class(), plain()
            for name in form.fields:
                assert str(form[name]) == str(expected[name])


def test_a_form_sent_back_renders_its_answer_and_errors():
    with translation.override("fr"):
        str(FollowUpForm()["note"])  # an empty one kept
        sent = FollowUpForm({"due_on": "2020-01-01", "note": "Rappeler <vite>"})
        assert not sent.is_valid()
        note, due_on = str(sent["note"]), str(sent["due_on"])
    assert 'value="Rappeler &lt;vite&gt;"' in note
    assert 'value="2020-01-01"' in due_on and 'aria-invalid="true"' in due_on
