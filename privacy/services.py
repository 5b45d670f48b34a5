"""Shoppers' rights: erasure, export and retention. Admin actions, tasks, the management
command and the shopper's own page all call these.

Erasure (``customer_erase``) anonymises one person in one transaction:
- blanked: names, email (so its SHA-256 too), phone; the loyalty number becomes a random
  value that names nobody; order addresses (recipient, street, city, phone; the postcode
  stays for figures), free text on their orders' history, interaction event ids;
- deleted: notes, preferences and sizes, wishlist, app devices (so a phone is never
  recognised again), export files, their client-book entry (date of birth) and
  follow-ups, the selections of products sent to them and the outbox rows of every email
  or text message we wrote them; the words of those messages are blanked (their history
  keeps only purpose, channel, when and by whom); visitor keys derived from their
  identifiers are cleared from anonymous visits; open visits end and their card leaves
  the tablets;
- kept, under the anonymous id: consents (the proof of what they agreed to and when),
  visits and presence outcomes, purchases, orders and their lines (stock, figures and
  accounting stay true), offers used and mentioned, the card-view access log, the
  touch points of follow-ups (the manager's figures);
- the customer row stays as a tombstone (``erased_at``), which search, recognition,
  offers and the floor ignore. An ``ErasureRecord`` says who, when, why and how much.

Retention (``retention_apply``) deletes in batches by primary key what outlived its period
(``settings.PRIVACY_RETENTION_DAYS``) and erases clients inactive for longer than theirs;
running it twice removes nothing more. A ``RetentionRun`` counts each pass.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientbook.models import BookEntry, FollowUp
from customers.models import (
    AppDevice,
    CardView,
    Consent,
    Customer,
    Interaction,
    Note,
    Preference,
    Purchase,
    SizePreference,
    WishlistItem,
)
from customers.selectors import IdentifierKind
from floor import push as floor_push
from floor.models import PresenceEvent, Visit
from floor.services import visitor_key
from integrations.models import OutboundMessage, WebhookEvent
from messaging.services import customer_messages_erase
from orders.models import Order, OrderEvent, confirmation_key

from .models import CustomerExport, ErasureRecord, RetentionRun
from .selectors import customer_data

BATCH_SIZE = 5000
_LINK_SALT = "privacy.export.link"


class PrivacyError(Exception):
    """A privacy action that cannot be done now; the message is for head office."""


class ExportUnavailable(Exception):
    """The download link is unknown, expired or already used."""


# --- Erasure ---------------------------------------------------------------------------


def _anonymous_loyalty_number() -> str:
    """A random value in the loyalty number's place: unique, names nobody."""
    return "ANON" + secrets.token_hex(8).upper()


def _visitor_keys(customer: Customer, device_ids: list[str]) -> list[str]:
    """The keyed hashes under which this person's identifiers were counted while they were
    not recognised (no consent): clearing them unlinks those anonymous visits."""
    pairs = [(IdentifierKind.LOYALTY_NUMBER, customer.loyalty_number)]
    if customer.email_sha256:
        pairs.append((IdentifierKind.EMAIL_SHA256, customer.email_sha256))
    pairs += [(IdentifierKind.APP_DEVICE, device_id) for device_id in device_ids]
    return [visitor_key(kind, identifier) for kind, identifier in pairs]


def _scrub_admin_log(model, pks, label: str) -> int:
    """Django admin's history repeats an object's name (``object_repr``) and changes."""
    if not pks:
        return 0
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in pks],
    ).update(object_repr=label, change_message="")


@transaction.atomic
def customer_erase(
    *,
    customer_id: int,
    by=None,
    reason: str = ErasureRecord.Reason.REQUEST,
    now: datetime | None = None,
) -> ErasureRecord:
    """Anonymise one customer (see the module docstring). Safe to call twice: the second
    call returns the first erasure's record. Refused while an order is still open (its
    delivery or pickup needs the name and address)."""
    now = now or timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.is_erased:
        return ErasureRecord.objects.get(customer=customer)
    orders = Order.objects.filter(customer=customer)
    if orders.filter(status__in=Order.OPEN_STATUSES).exists():
        raise PrivacyError(
            _("%(customer)s still has open orders: deliver or cancel them first.")
            % {"customer": customer}
        )
    device_ids = list(
        AppDevice.objects.filter(customer=customer).values_list("device_id", flat=True)
    )
    removed: dict[str, int] = {}

    removed["anonymous_visits_unlinked"] = Visit.objects.filter(
        customer__isnull=True, visitor_key__in=_visitor_keys(customer, device_ids)
    ).update(visitor_key="")
    for visit in Visit.objects.present(now).filter(customer=customer):
        floor_push.card_remove_on_commit(store_id=visit.store_id, visit_id=visit.pk)
    Visit.objects.filter(customer=customer, departed_at__isnull=True).update(
        departed_at=Greatest(Value(now), F("arrived_at"))
    )

    for key, queryset in (
        ("notes", Note.objects.filter(customer=customer)),
        ("preferences", Preference.objects.filter(customer=customer)),
        ("size_preferences", SizePreference.objects.filter(customer=customer)),
        ("wishlist_items", WishlistItem.objects.filter(customer=customer)),
        ("app_devices", AppDevice.objects.filter(customer=customer)),
        # The client book: their date of birth, and follow-ups whose words may name them.
        ("book_entry", BookEntry.objects.filter(customer=customer)),
        ("follow_ups", FollowUp.objects.filter(customer=customer)),
    ):
        pks = list(queryset.values_list("pk", flat=True))
        _scrub_admin_log(queryset.model, pks, "—")
        queryset.model.objects.filter(pk__in=pks).delete()
        removed[key] = len(pks)

    removed["interaction_ids"] = Interaction.objects.filter(
        customer=customer, event_id__isnull=False
    ).update(event_id=None)
    removed["order_addresses"] = orders.update(
        recipient="", street="", street_extra="", city="", phone="", address_erased_at=now
    )
    removed["order_event_notes"] = (
        OrderEvent.objects.filter(order__customer=customer).exclude(note="").update(note="")
    )
    removed["export_files"] = _exports_remove(CustomerExport.objects.filter(customer=customer))
    # The emails we sent them (or were about to): their text names them.
    keys = [confirmation_key(ref) for ref in orders.values_list("reference", flat=True)]
    removed["emails"] = OutboundMessage.objects.filter(key__in=keys).delete()[0]
    # What associates wrote to them: texts, addresses, selections.
    removed.update(customer_messages_erase(customer=customer))

    customer.first_name = customer.last_name = customer.email = customer.phone = ""
    customer.loyalty_number = _anonymous_loyalty_number()
    customer.erased_at = now
    customer.save(
        update_fields=["first_name", "last_name", "email", "phone", "loyalty_number", "erased_at"]
    )
    _scrub_admin_log(Customer, [customer.pk], str(customer))
    return ErasureRecord.objects.create(
        customer=customer, erased_by=by, erased_at=now, reason=reason, removed=removed
    )


# --- Export ----------------------------------------------------------------------------


def export_link_token(export: CustomerExport) -> str:
    """What the download URL carries: the export's random token, signed with the time."""
    return signing.TimestampSigner(salt=_LINK_SALT).sign(export.token)


def export_download_path(export: CustomerExport) -> str:
    """The export's one-time download path (prefix the site's origin for an email)."""
    return reverse("privacy:export_download", args=[export_link_token(export)])


def customer_export_request(*, customer_id: int, by=None) -> CustomerExport:
    """Ask for a person's export; a task builds it after commit."""
    from .tasks import customer_export_build_task  # the task calls back into this module

    with transaction.atomic():
        customer = Customer.objects.active().filter(pk=customer_id).first()
        if customer is None:
            raise PrivacyError(_("This client's data was erased: there is nothing to export."))
        export = CustomerExport.objects.create(
            customer=customer,
            requested_by=by,
            requested_at=timezone.now(),
            token=secrets.token_urlsafe(32),
        )
        customer_export_build_task.delay_on_commit(export.pk)
    return export


def _export_file(customer: Customer, now: datetime) -> bytes:
    buffer = io.BytesIO()
    with translation.override(customer.preferred_language or settings.LANGUAGE_CODE):
        data = customer_data(customer)
        data["json"]["generated_at"] = now
        html = render_to_string(
            "privacy/export.html", {"data": data, "customer": customer, "generated_at": now}
        )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "export.json",
            json.dumps(data["json"], cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        )
        archive.writestr("export.html", html)
    return buffer.getvalue()


@transaction.atomic
def customer_export_build(*, export_id: int, now: datetime | None = None) -> CustomerExport:
    """Build a requested export into a file. Safe to run twice: a built export is left
    alone."""
    now = now or timezone.now()
    export = CustomerExport.objects.select_for_update().select_related("customer").get(pk=export_id)
    if export.status != CustomerExport.Status.PENDING or export.customer.is_erased:
        return export
    content = _export_file(export.customer, now)
    export.file.save(f"{export.token}.zip", ContentFile(content), save=False)
    export.status = CustomerExport.Status.READY
    export.ready_at = now
    export.expires_at = now + timedelta(days=settings.PRIVACY_EXPORT_LINK_DAYS)
    export.save(update_fields=["file", "status", "ready_at", "expires_at"])
    return export


def customer_export_download(*, link_token: str, now: datetime | None = None) -> tuple[str, bytes]:
    """The export's file name and bytes, once: the link then stops working and the file is
    removed. Raises ``ExportUnavailable`` for an unknown, expired or used link."""
    now = now or timezone.now()
    max_age = timedelta(days=settings.PRIVACY_EXPORT_LINK_DAYS)
    try:
        token = signing.TimestampSigner(salt=_LINK_SALT).unsign(link_token, max_age=max_age)
    except signing.BadSignature as error:
        raise ExportUnavailable from error
    with transaction.atomic():
        export = (
            CustomerExport.objects.select_for_update()
            .filter(token=token, status=CustomerExport.Status.READY, expires_at__gt=now)
            .first()
        )
        if export is None:
            raise ExportUnavailable
        with export.file.open("rb") as handle:
            content = handle.read()
        name = f"export-{export.customer_id}-{now:%Y%m%d}.zip"
        export.status = CustomerExport.Status.DOWNLOADED
        export.downloaded_at = now
        export.save(update_fields=["status", "downloaded_at"])
        _file_delete_on_commit(export.file.name)
    return name, content


def _file_delete_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _exports_remove(exports: QuerySet[CustomerExport]) -> int:
    """Forget these exports' files (after commit) and mark them removed."""
    removed = 0
    for export in exports.exclude(file=""):
        _file_delete_on_commit(export.file.name)
        removed += 1
    exports.exclude(status=CustomerExport.Status.PENDING).update(
        file="", status=CustomerExport.Status.REMOVED
    )
    exports.filter(status=CustomerExport.Status.PENDING).delete()
    return removed


# --- Retention -------------------------------------------------------------------------


def _delete_in_batches(queryset: QuerySet, batch_size: int) -> int:
    """Delete what ``queryset`` selects, ``batch_size`` rows at a time by primary key,
    each batch in its own short transaction. Returns how many rows went."""
    total = 0
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return total
        with transaction.atomic():
            _, per_model = queryset.model.objects.filter(pk__in=pks).delete()
        total += per_model.get(queryset.model._meta.label, 0)


def inactive_customers(*, now: datetime | None = None) -> QuerySet[Customer]:
    """Clients with no contact (visit, purchase, order, online interaction, consent given or
    withdrawn) since their retention period began, created before it, no order open."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.PRIVACY_RETENTION_DAYS["inactive_customers"])
    customer = OuterRef("pk")
    recent = (
        Visit.objects.filter(customer=customer, last_seen_at__gte=since),
        Purchase.objects.filter(customer=customer, purchased_at__gte=since),
        Order.objects.filter(customer=customer, created_at__gte=since),
        Order.objects.filter(customer=customer, status__in=Order.OPEN_STATUSES),
        Interaction.objects.filter(customer=customer, occurred_at__gte=since),
        Consent.objects.filter(customer=customer, recorded_at__gte=since),
    )
    customers = Customer.objects.active().filter(created_at__lt=since)
    for queryset in recent:
        customers = customers.exclude(Exists(queryset))
    return customers.order_by("pk")


def retention_apply(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> RetentionRun:
    """Apply every retention period once (see the module docstring)."""
    now = now or timezone.now()
    days = settings.PRIVACY_RETENTION_DAYS
    run = RetentionRun.objects.create(started_at=now)

    def older(name: str) -> datetime:
        return now - timedelta(days=days[name])

    # Counts are saved step by step: a run that dies half-way shows what it did.
    for field, queryset in (
        ("presence_events", PresenceEvent.objects.filter(received_at__lt=older("presence_events"))),
        ("webhook_events", WebhookEvent.objects.filter(received_at__lt=older("webhook_events"))),
        ("card_views", CardView.objects.filter(viewed_at__lt=older("card_views"))),
        ("interactions", Interaction.objects.filter(occurred_at__lt=older("interactions"))),
    ):
        setattr(run, field, _delete_in_batches(queryset, batch_size))
        run.save(update_fields=[field])
    while batch := list(inactive_customers(now=now).values_list("pk", flat=True)[:batch_size]):
        for customer_id in batch:
            customer_erase(customer_id=customer_id, reason=ErasureRecord.Reason.RETENTION, now=now)
        run.customers_erased += len(batch)
        run.save(update_fields=["customers_erased"])
    with transaction.atomic():
        stale = CustomerExport.objects.filter(status=CustomerExport.Status.DOWNLOADED) | (
            CustomerExport.objects.filter(status=CustomerExport.Status.READY, expires_at__lte=now)
        )
        run.export_files = _exports_remove(stale)
    run.finished_at = timezone.now()
    run.save()
    return run
