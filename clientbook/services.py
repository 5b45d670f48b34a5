"""Writes of the client book: who keeps which client, the follow-ups the rules raise or an
associate sets, and what came of each contact.

Rules:
- A client is in one book at a time (``BookEntry`` is keyed by the customer). Serving a
  client or taking their order puts them in the associate's book only if they are in no
  book yet; a manager moves them (one client, or a whole book) within the stores they
  oversee.
- A follow-up is raised once per client and occasion (``FollowUp.key``, unique with the
  customer): a rule run twice, an event delivered twice or two at once leave one row
  (the unique constraint settles a race), and a follow-up closed stays closed.
- A follow-up goes to the client's associate when their book is in its store, else to
  anyone in the store.
- Each outcome (done, snoozed, not reachable) is a ``TouchPoint`` written with it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Store
from customers.models import Customer
from staff.access import Role, has_role, staff_profile, stores_for

from .models import BookEntry, FollowUp, TouchPoint

SNOOZE_DAYS = 3


class BookError(Exception):
    """A refusal the associate or manager reads as is (already translated)."""


def _works_in(user: AbstractBaseUser, store: Store) -> bool:
    profile = staff_profile(user)
    return (
        user.is_active
        and profile is not None
        and profile.role in (Role.ASSOCIATE, Role.MANAGER)
        and stores_for(user).filter(pk=store.pk).exists()
    )


def book_entry_claim(
    *, customer: Customer, associate: AbstractBaseUser, store: Store, source: str
) -> BookEntry | None:
    """Put ``customer`` in ``associate``'s book if they are in nobody's yet (a served
    visit, an order). Returns the new entry, or None when they already had one."""
    if customer.is_erased or not has_role(associate, Role.ASSOCIATE, Role.MANAGER):
        return None
    entry, created = BookEntry.objects.get_or_create(
        customer=customer,
        defaults={
            "associate": associate,
            "store": store,
            "source": source,
            "since": timezone.now(),
        },
    )
    if created:
        FollowUp.objects.open().filter(
            customer=customer, store=store, associate__isnull=True
        ).update(associate=associate)
    return entry if created else None


@transaction.atomic
def book_entry_set(
    *, customer: Customer, associate: AbstractBaseUser, store: Store, by: AbstractBaseUser
) -> BookEntry:
    """Make ``associate`` the client's associate of reference in ``store``: an associate
    for themselves (from the card), a manager for anyone of the stores they oversee."""
    if customer.is_erased:
        raise BookError(_("This client's data was erased at their request."))
    is_manager = has_role(by, Role.MANAGER, Role.HEAD_OFFICE)
    if not is_manager and associate.pk != by.pk:
        raise PermissionDenied
    if not stores_for(by).filter(pk=store.pk).exists():
        raise PermissionDenied
    if not _works_in(associate, store):
        raise BookError(_("This person does not work in this store."))
    current = BookEntry.objects.select_for_update().filter(customer=customer).first()
    moves_store = current is not None and current.store_id != store.pk
    if moves_store and not (is_manager and stores_for(by).filter(pk=current.store_id).exists()):
        raise BookError(
            _("%(name)s keeps this client in another store: ask a manager.")
            % {"name": current.associate.get_full_name() or current.associate.email}
        )
    if current is not None and current.associate_id != associate.pk and not is_manager:
        raise BookError(
            _("%(name)s already keeps this client: ask a manager to move them.")
            % {"name": current.associate.get_full_name() or current.associate.email}
        )
    source = BookEntry.Source.REASSIGNED if is_manager and by.pk != associate.pk else "card"
    entry, _created = BookEntry.objects.update_or_create(
        customer=customer,
        defaults={
            "associate": associate,
            "store": store,
            "source": source,
            "since": timezone.now(),
        },
    )
    _follow_ups_move(customer_ids=[customer.pk], associate=associate, store=store)
    return entry


def _follow_ups_move(*, customer_ids, associate, store) -> None:
    """The open follow-ups of these clients in ``store`` go with them to their new
    associate; those raised for another associate of the store too."""
    FollowUp.objects.open().filter(customer_id__in=customer_ids, store=store).update(
        associate=associate
    )


@transaction.atomic
def book_reassign_all(
    *, store: Store, from_associate_id: int, to: AbstractBaseUser, by: AbstractBaseUser
) -> int:
    """Move every client of one associate's book in ``store`` to a colleague (someone
    leaves). A manager of that store only. Returns how many clients moved."""
    if not has_role(by, Role.MANAGER, Role.HEAD_OFFICE):
        raise PermissionDenied
    if not stores_for(by).filter(pk=store.pk).exists():
        raise PermissionDenied
    if to.pk == from_associate_id:
        raise BookError(_("Choose a colleague other than the one leaving."))
    if not _works_in(to, store):
        raise BookError(_("This person does not work in this store."))
    entries = BookEntry.objects.select_for_update().filter(
        store=store, associate_id=from_associate_id
    )
    customer_ids = list(entries.values_list("customer_id", flat=True))
    moved = entries.update(associate=to, source=BookEntry.Source.REASSIGNED, since=timezone.now())
    _follow_ups_move(customer_ids=customer_ids, associate=to, store=store)
    return moved


def book_birth_date_set(*, customer: Customer, birth_date: date | None, by, store: Store):
    """Record (or forget) the client's date of birth, given with their agreement. The
    client must be in a book of ``store``'s; an associate who keeps nobody's book sets it
    by taking the client."""
    entry = BookEntry.objects.filter(customer=customer).first()
    if entry is None:
        entry = book_entry_set(customer=customer, associate=by, store=store, by=by)
    entry.birth_date = birth_date
    entry.save(update_fields=["birth_date"])
    return entry


# --- Follow-ups --------------------------------------------------------------------------


def follow_up_raise(
    *,
    customer_id: int,
    store_id: int,
    reason: str,
    key: str,
    due_on: date,
    detail: str = "",
    associate_id: int | None = None,
    by: AbstractBaseUser | None = None,
    **links,
) -> bool:
    """Raise a follow-up once per client and occasion. Without ``associate_id`` it goes to
    the client's associate when their book is in this store. Returns whether it is new."""
    if associate_id is None:
        associate_id = (
            BookEntry.objects.filter(customer_id=customer_id, store_id=store_id)
            .values_list("associate_id", flat=True)
            .first()
        )
    if FollowUp.objects.filter(customer_id=customer_id, key=key[:80]).exists():
        return False
    try:
        with transaction.atomic():  # a concurrent raise of the same occasion loses here
            FollowUp.objects.create(
                customer_id=customer_id,
                store_id=store_id,
                associate_id=associate_id,
                reason=reason,
                key=key[:80],
                detail=detail[:300],
                due_on=due_on,
                created_at=timezone.now(),
                created_by=by,
                **links,
            )
    except IntegrityError:
        return False
    return True


def follow_up_personal(
    *, customer: Customer, store: Store, by: AbstractBaseUser, due_on: date, note: str
) -> FollowUp:
    """A follow-up an associate sets themselves from the card ("call when the TV
    arrives"), for themselves, on ``due_on``."""
    if customer.is_erased:
        raise BookError(_("This client's data was erased at their request."))
    if due_on < timezone.localdate():
        raise BookError(_("Choose today or a later day."))
    now = timezone.now()
    return FollowUp.objects.create(
        customer=customer,
        store=store,
        associate=by,
        reason=FollowUp.Reason.PERSONAL,
        key=f"personal:{now.timestamp():.6f}:{by.pk}",
        detail=note[:300],
        due_on=due_on,
        created_at=now,
        created_by=by,
    )


@transaction.atomic
def follow_up_outcome(
    *,
    follow_up_id: int,
    outcome: str,
    by: AbstractBaseUser,
    store: Store,
    now: datetime | None = None,
) -> FollowUp:
    """Done, snoozed (back in ``SNOOZE_DAYS`` days) or not reachable: one tap, one touch
    point. Only on an open follow-up of the associate's store and theirs (or anyone's)."""
    now = now or timezone.now()
    follow_up = FollowUp.objects.select_for_update().filter(pk=follow_up_id, store=store).first()
    if follow_up is None:
        raise PermissionDenied
    if follow_up.associate_id not in (None, by.pk) and not has_role(
        by, Role.MANAGER, Role.HEAD_OFFICE
    ):
        raise PermissionDenied
    if follow_up.status != FollowUp.Status.OPEN:
        raise BookError(_("This follow-up is already closed."))
    Outcome = TouchPoint.Outcome
    if outcome == Outcome.SNOOZED:
        follow_up.due_on = timezone.localdate(now) + timedelta(days=SNOOZE_DAYS)
        follow_up.snoozes += 1
        fields = ["due_on", "snoozes"]
    elif outcome in (Outcome.DONE, Outcome.UNREACHABLE):
        follow_up.status = (
            FollowUp.Status.DONE if outcome == Outcome.DONE else FollowUp.Status.UNREACHABLE
        )
        follow_up.closed_at = now
        fields = ["status", "closed_at"]
    else:
        raise BookError(_("Unknown outcome."))
    if follow_up.associate_id is None:
        follow_up.associate = by
        fields.append("associate")
    follow_up.save(update_fields=fields)
    TouchPoint.objects.create(
        customer_id=follow_up.customer_id,
        follow_up=follow_up,
        reason=follow_up.reason,
        outcome=outcome,
        by=by,
        store=store,
        at=now,
    )
    return follow_up
