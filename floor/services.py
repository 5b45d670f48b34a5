"""The floor: presence signals become visits; associates check clients in, claim them
("I'm with this client"), release them and mark them done. Every change a tablet must
see is pushed after commit (``floor.push``); the database stays the truth.

Rules:
- An unknown identifier counts an anonymous visit (traffic figures), no card.
- A known shopper without recognition consent in force also counts as anonymous,
  unnamed: the log says why no card was shown, not who it was.
- A second entry while the visit is open, or within ``VISIT_DEDUP_MINUTES`` of its end,
  is the same visit: no second push (the card comes back only if it had left the list).
- A visit ends on an exit signal, or ``VISIT_IDLE_MINUTES`` after its last signal: that
  is computed from timestamps (``Visit.objects.present``); ``visits_end_expired`` only tidies up.
- A shopper who withdraws in-store recognition leaves the floor at once, whoever records
  it (``customer_visits_end``, on ``customers.signals.consent_recorded``): their visits end
  and their cards leave every tablet and board after commit. ``presence_record`` locks the
  customer row before reading the consent, as ``consent_record`` does before writing one,
  so an entry and a withdrawal never interleave (no card pushed after the withdrawal).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from catalog.models import Store
from catalog.prepared import Prepared
from customers.models import Consent, Customer
from customers.selectors import consent_in_force, customer_resolve, identifier_normalize
from integrations.models import WebhookSource
from staff.access import Role, has_role, stores_for

from . import push
from .models import PresenceEvent, Visit
from .selectors import arrival_card, dedup_window

Outcome = PresenceEvent.Outcome


class FloorError(Exception):
    """A floor action that cannot be done now; the message is for the associate."""


def visitor_key(kind: str, identifier: str) -> str:
    """A keyed hash naming an unrecognised visitor without keeping the identifier."""
    return salted_hmac("clienteling.visitor", f"{kind}:{identifier}").hexdigest()


def visit_record(
    *,
    store: Store,
    source: str,
    at: datetime,
    customer: Customer | None = None,
    visitor: str = "",
    customer_locked: bool = False,
) -> tuple[Visit, bool]:
    """Record an entry of ``customer`` (or of the anonymous ``visitor`` key) at ``at``.

    Returns the visit and whether it has just appeared on the floor (so a card is due).
    Safe under concurrency: a customer's visits are written under a lock on their row
    (taken here unless ``customer_locked`` says the caller holds it), so two entries of one
    customer wait for each other; for anonymous visitors, the open-visit unique
    constraints turn a race into a retry."""
    if (customer is None) == (not visitor):
        raise ValueError("Give either a customer or a visitor key.")
    if customer is not None:
        if not customer_locked:
            Customer.objects.select_for_update(no_key=True).filter(pk=customer.pk).values_list(
                "pk"
            ).get()
        return _visit_touch(store=store, source=source, at=at, customer=customer, visitor="")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _visit_touch(
                    store=store, source=source, at=at, customer=customer, visitor=visitor
                )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _latest_visit(field: str, *, open_only: bool) -> Prepared:
    """The latest visit of a customer (or visitor key) in a store, locked."""
    return Prepared(
        lambda store_id, who: (
            Visit.objects.select_for_update()
            .filter(store=store_id, **{field: who})
            .filter(**({"departed_at__isnull": True} if open_only else {}))
            .order_by("-arrived_at", "-pk")[:1]
        )
    )


# The doorway's reads (every entry event): statements built once per process.
_latest = {
    (field, open_only): _latest_visit(field, open_only=open_only)
    for field in ("customer", "visitor_key")
    for open_only in (False, True)
}


def _latest_of(store, customer, visitor, *, open_only: bool = False) -> Visit | None:
    if customer is not None:
        return _latest["customer", open_only].first(store.pk, customer.pk)
    return _latest["visitor_key", open_only].first(store.pk, visitor)


def _visit_touch(*, store, source, at, customer, visitor) -> tuple[Visit, bool]:
    now = timezone.now()
    who = {"customer": customer} if customer is not None else {"visitor_key": visitor}
    visit = _latest_of(store, customer, visitor)
    if visit is not None:
        was_present = visit.is_present(now)
        ended_at = visit.departed_at or visit.last_seen_at
        if was_present or ended_at >= at - dedup_window():
            visit.last_seen_at = max(visit.last_seen_at, at)
            visit.departed_at = None
            visit.save(update_fields=["last_seen_at", "departed_at"])
            return visit, visit.is_present(now) and not was_present
        if visit.departed_at is None:
            # Went quiet long ago and nobody tidied up yet: it ended at its last signal.
            visit.departed_at = visit.last_seen_at
            visit.save(update_fields=["departed_at"])
    visit = Visit.objects.create(store=store, source=source, arrived_at=at, last_seen_at=at, **who)
    return visit, visit.is_present(now)


def _visit_exit(*, store, at, customer, visitor) -> tuple[Visit | None, bool]:
    """End the open visit; returns it and whether it was on the floor until now."""
    visit = _latest_of(store, customer, visitor, open_only=True)
    if visit is None:
        return None, False
    was_present = visit.is_present()
    visit.departed_at = max(at, visit.arrived_at)
    visit.save(update_fields=["departed_at"])
    return visit, was_present


@transaction.atomic(savepoint=False)  # the caller's transaction is enough: fail as one
def presence_record(
    *,
    store: Store,
    identifier_kind: str,
    identifier: str,
    event: str,
    occurred_at: datetime,
    source: str,
    webhook_source: WebhookSource | None = None,
    event_id: str = "",
) -> PresenceEvent:
    """One presence signal (beacon, wifi, app geofence): record the visit, decide whether
    a card is shown, log the outcome. The card is pushed after commit."""
    at = min(occurred_at, timezone.now())
    identifier = identifier_normalize(identifier_kind, identifier)
    # Locked as it is found: wait for a consent being recorded, then read it.
    customer = customer_resolve(kind=identifier_kind, identifier=identifier, lock=True)
    recognised = customer is not None and consent_in_force(
        customer.pk, Consent.Purpose.IN_STORE_RECOGNITION
    )
    who = (
        {"customer": customer, "visitor": ""}
        if recognised
        else {"customer": None, "visitor": visitor_key(identifier_kind, identifier)}
    )
    if event == PresenceEvent.Event.EXIT:
        visit, was_shown = _visit_exit(store=store, at=at, **who)
        if visit is not None and was_shown and recognised:
            push.card_remove_on_commit(store_id=store.pk, visit_id=visit.pk)
        elif visit is not None and was_shown:
            push.board_refresh_on_commit(store_id=store.pk)  # one anonymous shopper fewer
        outcome = Outcome.EXIT
    else:
        visit, appeared = visit_record(
            store=store, source=source, at=at, customer_locked=True, **who
        )
        if not recognised:
            outcome = Outcome.ANONYMOUS if customer is None else Outcome.NO_CONSENT
            if appeared:
                push.board_refresh_on_commit(store_id=store.pk)  # the board counts them live
        elif appeared:
            # The card's figures now, in this transaction: the push after commit is made
            # from what is in hand, not read again.
            push.card_arrive_on_commit(
                store_id=store.pk, visit_id=visit.pk, card=arrival_card(visit, customer, store)
            )
            outcome = Outcome.PUSHED
        else:
            outcome = Outcome.DUPLICATE
    return PresenceEvent.objects.create(
        store=store,
        visit=visit,
        customer=customer if recognised else None,
        event=event,
        source=source,
        webhook_source=webhook_source,
        event_id=event_id,
        occurred_at=at,
        outcome=outcome,
    )


@transaction.atomic
def visit_check_in(*, store: Store, customer: Customer, source: str, by: AbstractBaseUser) -> Visit:
    """An associate checks a client in (loyalty card scanned, or found by search): the
    client showed themselves, so no recognition consent is needed. The associate who
    checked them in is with them, unless a colleague already is."""
    if customer.is_erased:
        raise FloorError(_("This client's data was erased at their request."))
    now = timezone.now()
    visit, appeared = visit_record(store=store, source=source, at=now, customer=customer)
    if visit.attended_by_id is None or visit.done_at is not None:
        visit.attended_by, visit.attended_since, visit.done_at = by, now, None
        visit.save(update_fields=["attended_by", "attended_since", "done_at"])
    PresenceEvent.objects.create(
        store=store,
        visit=visit,
        customer=customer,
        event=PresenceEvent.Event.ENTER,
        source=source,
        recorded_by=by,
        occurred_at=now,
        outcome=Outcome.PUSHED if appeared else Outcome.DUPLICATE,
    )
    if appeared:
        push.card_arrive_on_commit(store_id=store.pk, visit_id=visit.pk)
    else:
        push.card_update_on_commit(store_id=store.pk, visit_id=visit.pk)
    return visit


def _visit_for_action(visit_id: int, store: Store) -> Visit:
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("attended_by")
        .filter(pk=visit_id, store=store, customer__isnull=False)
        .first()
    )
    if visit is None or not visit.is_present():
        raise FloorError(_("This client has left the store."))
    # An associate with the client is as good a sign of presence as a beacon.
    visit.last_seen_at = timezone.now()
    visit.save(update_fields=["last_seen_at"])
    return visit


@transaction.atomic
def visit_claim(*, visit_id: int, store: Store, by: AbstractBaseUser) -> Visit:
    """ "I'm with this client." Refused while a colleague is serving them."""
    visit = _visit_for_action(visit_id, store)
    if visit.attended_by_id not in (None, by.pk) and visit.done_at is None:
        raise FloorError(
            _("%(name)s is already with this client.")
            % {"name": visit.attended_by.get_full_name() or visit.attended_by.email}
        )
    if visit.attended_by_id != by.pk or visit.done_at is not None:
        visit.attended_by, visit.attended_since, visit.done_at = by, timezone.now(), None
        visit.sent_to = visit.sent_by = None  # someone is with them: nobody else need go
        visit.save(update_fields=["attended_by", "attended_since", "done_at", "sent_to", "sent_by"])
        push.card_update_on_commit(store_id=store.pk, visit_id=visit.pk)
    return visit


@transaction.atomic
def visit_send(
    *, visit_id: int, store: Store, associate: AbstractBaseUser, by: AbstractBaseUser
) -> Visit:
    """A manager sends an associate of the store to a waiting client: the client's card on
    every tablet says who is asked to go (the associate still taps "I'm with this client")."""
    if not has_role(by, Role.MANAGER, Role.HEAD_OFFICE):
        raise FloorError(_("Only a manager can send an associate to a client."))
    if not (associate.is_active and stores_for(associate).filter(pk=store.pk).exists()):
        raise FloorError(_("This person does not work in this store."))
    visit = _visit_for_action(visit_id, store)
    if visit.attended_by_id is not None and visit.done_at is None:
        raise FloorError(
            _("%(name)s is already with this client.")
            % {"name": visit.attended_by.get_full_name() or visit.attended_by.email}
        )
    visit.sent_to, visit.sent_by = associate, by
    visit.save(update_fields=["sent_to", "sent_by"])
    push.card_update_on_commit(store_id=store.pk, visit_id=visit.pk)
    return visit


def _check_server(visit: Visit, by: AbstractBaseUser) -> None:
    if visit.attended_by_id != by.pk and not has_role(by, Role.MANAGER, Role.HEAD_OFFICE):
        raise FloorError(_("Only the associate serving this client can do that."))


@transaction.atomic
def visit_release(*, visit_id: int, store: Store, by: AbstractBaseUser) -> Visit:
    """No longer with this client, who waits for someone again."""
    visit = _visit_for_action(visit_id, store)
    if visit.attended_by_id is None:
        return visit
    _check_server(visit, by)
    visit.attended_by, visit.attended_since, visit.done_at = None, None, None
    visit.save(update_fields=["attended_by", "attended_since", "done_at"])
    push.card_update_on_commit(store_id=store.pk, visit_id=visit.pk)
    return visit


@transaction.atomic
def visit_done(*, visit_id: int, store: Store, by: AbstractBaseUser) -> Visit:
    """Finished serving: the card stays while the client is in the store, marked served."""
    visit = _visit_for_action(visit_id, store)
    if visit.attended_by_id is None:
        raise FloorError(_("Nobody is serving this client."))
    _check_server(visit, by)
    if visit.done_at is None:
        visit.done_at = timezone.now()
        visit.save(update_fields=["done_at"])
        push.card_update_on_commit(store_id=store.pk, visit_id=visit.pk)
    return visit


@transaction.atomic
def customer_visits_end(*, customer_id: int) -> list[Visit]:
    """The shopper leaves every floor now (they withdrew in-store recognition): their
    present visits end (the day's figures keep them) and, after commit, their cards leave
    the tablets and the boards of each store."""
    now = timezone.now()
    visits = list(
        Visit.objects.present(now)
        .filter(customer_id=customer_id)
        .select_for_update()
        .order_by("pk")
    )
    for visit in visits:
        visit.departed_at = max(now, visit.arrived_at)
        visit.save(update_fields=["departed_at"])
        push.card_remove_on_commit(store_id=visit.store_id, visit_id=visit.pk)
    return visits


def visits_end_expired(*, now: datetime | None = None) -> int:
    """Tidy-up: close visits that went quiet, at their last signal. Pages already leave
    them out (``Visit.objects.present``); this only makes the rows say so. Safe to run twice."""
    now = now or timezone.now()
    return Visit.objects.lapsed(now).update(departed_at=F("last_seen_at"))
