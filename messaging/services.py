"""Writing to clients: messages by email or text message, and selections of products.

Invariants:
- Nothing leaves without the client's marketing consent for the channel in force
  (``Consent.objects.in_force``: marketing email, marketing text messages), except what
  is about their own order (``TRANSACTIONAL``: their consent's words say those still
  reach them). A refusal raises ``MessageRefused`` with the reason, and nothing is written.
- A message is a ``Message`` row (the client's history, and their export) and an outbox
  row written in the same transaction (``integrations/outbox.py``): it leaves after
  commit, once, with a stable id (``<message-KEY@…>``). The same ``key`` again returns the
  message already recorded: a double tap sends once.
- Products are linked through a selection: a signed link (``selection_link``) that opens
  the client's page without signing in and expires ``SELECTION_LINK_DAYS`` after sending.
- Erasure (``customer_messages_erase``, called by ``privacy``) removes the words: texts,
  addresses, notes, the outbox rows; what remains says only that a message was sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Store, Variant
from customers.models import Consent, Customer
from customers.services import privacy_url
from integrations.models import OutboundMessage
from integrations.outbox import email_queue, sms_queue
from integrations.sms import phone_e164

from .models import Channel, Message, Purpose, Selection, SelectionItem

CONSENT_FOR = {
    Channel.EMAIL: Consent.Purpose.MARKETING_EMAIL,
    Channel.SMS: Consent.Purpose.MARKETING_SMS,
}
# About the client's own order: not marketing.
TRANSACTIONAL = {Purpose.ORDER_READY}
SELECTION_MAX_ITEMS = 12
_SELECTION_SALT = "messaging.selection.link"

SUBJECTS = {
    Purpose.FOLLOW_UP: gettext_lazy("News from %(store)s"),
    Purpose.BACK_IN_STOCK: gettext_lazy("Back in stock at %(store)s"),
    Purpose.SELECTION: gettext_lazy("A selection for you, from %(store)s"),
    Purpose.ORDER_READY: gettext_lazy("Your order is ready at %(store)s"),
    Purpose.FREE_TEXT: gettext_lazy("A message from %(store)s"),
}


class MessageRefused(Exception):
    """The message cannot be sent; the reason is for the associate."""


# --- The rule ---------------------------------------------------------------------------


def message_refusal(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    at: datetime | None = None,
    consents: dict[str, bool] | None = None,
) -> str:
    """Why ``customer`` cannot be sent this message now ("" when they can). ``consents``:
    the grants in force per consent purpose, when the caller already read them."""
    name = customer.full_name
    if customer.is_erased:
        return _("This client's data was erased.")
    if channel == Channel.EMAIL and not customer.email:
        return _("%(name)s has no email address.") % {"name": name}
    if channel == Channel.SMS and not phone_e164(customer.phone):
        return _("%(name)s has no mobile number we can text.") % {"name": name}
    if channel not in CONSENT_FOR:
        return _("Unknown channel.")
    if purpose not in TRANSACTIONAL:
        consent = CONSENT_FOR[channel]
        if consents is not None:
            granted = consents.get(consent, False)
        else:
            granted = Consent.objects.filter(customer=customer).in_force(consent, at)
        if not granted:
            if channel == Channel.EMAIL:
                return _("%(name)s has not agreed to marketing emails.") % {"name": name}
            return _("%(name)s has not agreed to marketing text messages.") % {"name": name}
    return ""


# --- Links ------------------------------------------------------------------------------


def selection_token(selection: Selection) -> str:
    """What the client's link carries: the selection's id, signed with the time."""
    return signing.dumps(selection.pk, salt=_SELECTION_SALT)


def selection_link(selection: Selection) -> str:
    path = reverse("messaging:selection_public", args=[selection_token(selection)])
    return settings.SITE_URL.rstrip("/") + path


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def selection_for_token(token: str) -> Selection:
    """The sent selection a link opens; ``LinkExpired`` past its days, ``LinkInvalid`` for
    anything forged, altered, unsent or erased."""
    max_age = timedelta(days=settings.SELECTION_LINK_DAYS)
    try:
        selection_id = signing.loads(token, salt=_SELECTION_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    selection = (
        Selection.objects.filter(
            pk=selection_id, sent_at__isnull=False, customer__erased_at__isnull=True
        )
        .select_related("store")
        .first()
        if isinstance(selection_id, int)
        else None
    )
    if selection is None:
        raise LinkInvalid
    return selection


# --- Selections -------------------------------------------------------------------------


def selection_draft(*, customer: Customer, by, store: Store | None) -> Selection:
    """The selection being built for ``customer`` (created on first use)."""
    draft, _created = Selection.objects.get_or_create(
        customer=customer,
        sent_at__isnull=True,
        defaults={"created_by": by, "store": store},
    )
    return draft


@transaction.atomic
def selection_item_add(
    *, customer: Customer, variant: Variant, note: str = "", by, store: Store | None
) -> SelectionItem:
    """Add ``variant`` to the client's draft selection (again: its note is replaced)."""
    draft = selection_draft(customer=customer, by=by, store=store)
    draft = Selection.objects.select_for_update().get(pk=draft.pk)
    items = draft.items.all()
    if not items.filter(variant=variant).exists() and items.count() >= SELECTION_MAX_ITEMS:
        raise MessageRefused(
            _("A selection holds at most %(count)d products.") % {"count": SELECTION_MAX_ITEMS}
        )
    item, _created = SelectionItem.objects.update_or_create(
        selection=draft, variant=variant, defaults={"note": note.strip()}
    )
    return item


def selection_item_remove(*, customer: Customer, item_id: int) -> bool:
    """Take a product out of the client's draft; False if it was not there."""
    deleted, _rows = SelectionItem.objects.filter(
        pk=item_id, selection__customer=customer, selection__sent_at__isnull=True
    ).delete()
    return bool(deleted)


def selection_send(
    *, customer: Customer, channel: str, by, store: Store | None, text: str = "", key: str = ""
) -> Message:
    """Send the client's draft selection; it is then frozen and a new draft starts."""
    draft = Selection.objects.filter(customer=customer, sent_at__isnull=True).first()
    if draft is None or not draft.items.exists():
        raise MessageRefused(_("Add at least one product to the selection first."))
    return message_send(
        customer=customer,
        channel=channel,
        purpose=Purpose.SELECTION,
        by=by,
        store=store,
        text=text,
        selection=draft,
        key=key,
    )


def selection_open_record(*, selection_id: int, at: datetime | None = None) -> None:
    """The client opened their selection: a signal on their card. One ``UPDATE``."""
    at = at or timezone.now()
    Selection.objects.filter(pk=selection_id).update(
        open_count=F("open_count") + 1,
        last_opened_at=at,
        first_opened_at=Coalesce(F("first_opened_at"), at),
    )


# --- Messages ---------------------------------------------------------------------------


def _signature(by) -> str:
    if by is None:
        return ""
    return by.get_full_name() or by.first_name or ""


@transaction.atomic
def message_send(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    by,
    store: Store | None,
    text: str = "",
    variants: Sequence[Variant] = (),
    selection: Selection | None = None,
    key: str = "",
) -> Message:
    """Write to ``customer`` by ``channel`` (``"email"`` or ``"sms"``) for ``purpose``
    (a ``messaging.models.Purpose``), in their language, signed by ``by`` of ``store``,
    with the associate's ``text`` and, for products, a link to a selection: ``selection``
    (a draft, sent now) or one made of ``variants``. Raises ``MessageRefused`` (nothing
    written) without the consent, an address, or anything to say. ``key`` makes it
    idempotent (default: a new message each call)."""
    key = key or uuid.uuid4().hex
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if purpose not in Purpose.values:
        raise MessageRefused(_("Unknown purpose."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    existing = Message.objects.filter(key=key).first()  # a twin request that held the lock
    if existing is not None:
        return existing
    refusal = message_refusal(customer=customer, channel=channel, purpose=purpose)
    if refusal:
        raise MessageRefused(refusal)
    text = text.strip()
    if purpose == Purpose.FREE_TEXT and not text:
        raise MessageRefused(_("Write the message first."))
    now = timezone.now()
    if selection is None and variants:
        selection = Selection.objects.create(
            customer=customer, created_by=by, store=store, sent_at=now
        )
        SelectionItem.objects.bulk_create(
            SelectionItem(selection=selection, variant=v) for v in dict.fromkeys(variants)
        )
    elif selection is not None:
        Selection.objects.filter(pk=selection.pk, sent_at__isnull=True).update(sent_at=now)
    items = list(selection.items.select_related("variant__product__brand")) if selection else []
    if purpose == Purpose.SELECTION and not items:
        raise MessageRefused(_("Add at least one product to the selection first."))
    language = customer.preferred_language or settings.LANGUAGE_CODE
    context = {
        "customer": customer,
        "purpose": purpose,
        "text": text,
        "items": items,
        "link": selection_link(selection) if selection else "",
        "associate": _signature(by),
        "privacy_url": privacy_url(),
        "link_days": settings.SELECTION_LINK_DAYS,
    }
    with translation.override(language):
        context["store"] = store_name = store.name if store else _("your store")
        subject = str(SUBJECTS[purpose] % {"store": store_name})
        template = "messaging/sms.txt" if channel == Channel.SMS else "messaging/email.txt"
        body = render_to_string(template, context).strip()
    body = " ".join(body.split()) if channel == Channel.SMS else body + "\n"
    to = customer.email if channel == Channel.EMAIL else phone_e164(customer.phone)
    message = Message.objects.create(
        customer=customer,
        key=key,
        channel=channel,
        purpose=purpose,
        language=language,
        to=to,
        subject=subject if channel == Channel.EMAIL else "",
        body=body,
        sent_by=by,
        store=store,
        selection=selection,
    )
    outbox_key = f"message-{key}"
    kind = f"message.{purpose}"
    if channel == Channel.EMAIL:
        outbound = email_queue(kind=kind, key=outbox_key, to=[to], subject=subject, body=body)
    else:
        outbound = sms_queue(kind=kind, key=outbox_key, to=to, body=body)
    Message.objects.filter(pk=message.pk).update(outbound=outbound)
    message.outbound = outbound
    return message


# --- Erasure ----------------------------------------------------------------------------


def customer_messages_erase(*, customer: Customer) -> dict[str, int]:
    """Remove the words of everything we wrote to ``customer``: message texts and
    addresses, the outbox rows that carry them, their selections (notes and products).
    What stays: that a message of some purpose went by some channel, when, and by whom
    (the client's history of contacts, anonymous). Call it inside the erasure's
    transaction."""
    messages = Message.objects.filter(customer=customer)
    outbound_ids = list(messages.exclude(outbound=None).values_list("outbound_id", flat=True))
    blanked = messages.update(to="", subject="", body="", outbound=None)
    outbound = OutboundMessage.objects.filter(pk__in=outbound_ids).delete()[0]
    selections = Selection.objects.filter(customer=customer)
    items = SelectionItem.objects.filter(selection__in=selections).delete()[0]
    return {
        "messages_blanked": blanked,
        "message_deliveries": outbound,
        "selection_items": items,
        "selections": selections.delete()[0],
    }
