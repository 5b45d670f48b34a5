"""Retention: what outlived its period goes, in batches, counted; twice removes nothing more."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from customers.models import CardView, Customer, Interaction
from floor.models import PresenceEvent
from integrations.models import WebhookEvent
from privacy import tasks
from privacy.models import ErasureRecord, RetentionRun
from privacy.services import retention_apply
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    PurchaseFactory,
    VisitFactory,
    WebhookSourceFactory,
    mfa_login,
)

NOW = datetime(2026, 6, 15, 3, 30, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _presence_event(store, days):
    event = PresenceEvent.objects.create(
        store=store, event="enter", source="beacon", occurred_at=_ago(days), outcome="anonymous"
    )
    PresenceEvent.objects.filter(pk=event.pk).update(received_at=_ago(days))


def _webhook_event(source, days, n):
    event = WebhookEvent.objects.create(source=source, event_id=f"evt-{days}-{n}")
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=_ago(days))


def _card_view(viewer, customer, days):
    view = CardView.objects.create(viewer=viewer, customer=customer)
    CardView.objects.filter(pk=view.pk).update(viewed_at=_ago(days))


@pytest.fixture
def history(frozen, store, associate):
    """Rows either side of each default period."""
    source = WebhookSourceFactory()
    regular = CustomerFactory(last_name="Fidèle")
    for days in (91, 200, 10):
        _presence_event(store, days)
    for n, days in enumerate((91, 95, 89)):
        _webhook_event(source, days, n)
    for days in (366, 300):
        _card_view(associate, regular, days)
    for days in (731, 700):
        InteractionFactory(customer=regular, occurred_at=_ago(days))
    Customer.objects.filter(pk=regular.pk).update(created_at=_ago(2000))
    PurchaseFactory(customer=regular, purchased_at=_ago(400))  # seen last year: kept

    gone = CustomerFactory(last_name="Disparu")
    Customer.objects.filter(pk=gone.pk).update(created_at=_ago(1500))
    VisitFactory(store=store, customer=gone, arrived_at=_ago(1200), departed_at=_ago(1200))
    newcomer = CustomerFactory(last_name="Nouveau")  # created today, never seen since
    return {"regular": regular, "gone": gone, "newcomer": newcomer}


def test_a_run_removes_what_outlived_its_period_and_counts_it(history):
    run = retention_apply()

    assert (
        run.presence_events,
        run.webhook_events,
        run.card_views,
        run.interactions,
        run.customers_erased,
    ) == (2, 2, 1, 1, 1)
    assert PresenceEvent.objects.count() == 1
    assert WebhookEvent.objects.count() == 1
    assert CardView.objects.count() == 1
    assert Interaction.objects.count() == 1
    gone = Customer.objects.get(pk=history["gone"].pk)
    assert gone.is_erased and gone.last_name == ""
    assert ErasureRecord.objects.get(customer=gone).reason == ErasureRecord.Reason.RETENTION
    assert not Customer.objects.get(pk=history["regular"].pk).is_erased
    assert not Customer.objects.get(pk=history["newcomer"].pk).is_erased
    assert run.finished_at is not None


def test_a_second_run_removes_nothing_more(history):
    retention_apply()
    second = retention_apply()

    assert (
        second.presence_events,
        second.webhook_events,
        second.card_views,
        second.interactions,
        second.customers_erased,
    ) == (0, 0, 0, 0, 0)
    assert RetentionRun.objects.count() == 2


def test_deletes_in_batches_until_nothing_is_left(frozen, store):
    for _ in range(7):
        _presence_event(store, 120)

    run = retention_apply(batch_size=3)

    assert run.presence_events == 7 and PresenceEvent.objects.count() == 0


def test_periods_come_from_settings(history, settings):
    settings.PRIVACY_RETENTION_DAYS = {**settings.PRIVACY_RETENTION_DAYS, "presence_events": 5}

    assert retention_apply().presence_events == 3


def test_the_command_runs_it_on_demand_and_prints_the_counts(history):
    out = StringIO()
    call_command("apply_retention", stdout=out)

    assert RetentionRun.objects.count() == 1
    assert "2" in out.getvalue() and len(out.getvalue().splitlines()) == 6


def test_beat_runs_it_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == tasks.retention_apply_task.name


def test_head_office_sees_the_runs_in_admin(client, head_office, history):
    retention_apply()
    mfa_login(client, head_office)

    page = client.get("/admin/privacy/retentionrun/")

    assert page.status_code == 200
    assert b"field-presence_events" in page.content
