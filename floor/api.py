"""``POST /api/presence/``: a shopper entered or left a store, as seen by its beacons,
in-store wifi or the mobile app's geofence.

Signed like every webhook (``integrations.webhooks``)::

    {"store": "paris-opera", "identifier_kind": "loyalty_number" | "app_device" |
     "email_sha256", "identifier": "…", "event": "enter" | "exit",
     "occurred_at": "2025-03-01T17:45:00+01:00", "event_id": "…"}

Accepted: 202 ``{"status": "accepted"}``. The answer never says whether the shopper
was recognised (the source need not know); the presence log does.
"""

from django import forms
from django.db import transaction
from django.http import JsonResponse
from django.utils import translation

from customers.selectors import IdentifierKind
from integrations.webhooks import (
    AwareDateTimeField,
    JsonCharField,
    JsonChoiceField,
    JsonSlugField,
    event_once,
    invalid_payload,
    signed_webhook,
    source_store,
)

from .models import PresenceEvent, Visit
from .services import presence_record

VISIT_SOURCE = {"beacon": Visit.Source.BEACON, "wifi": Visit.Source.WIFI, "app": Visit.Source.APP}


class PresenceForm(forms.Form):
    store = JsonSlugField(max_length=20)
    identifier_kind = JsonChoiceField(choices=IdentifierKind.choices)
    identifier = JsonCharField(max_length=100)
    event = JsonChoiceField(choices=PresenceEvent.Event.choices)
    occurred_at = AwareDateTimeField()
    event_id = JsonCharField(max_length=64)


@signed_webhook("beacon", "wifi", "app")
def presence(request, source, payload):
    with translation.override("en"):
        form = PresenceForm(payload)
        if not form.is_valid():
            raise invalid_payload(form)
    data = form.cleaned_data
    store = source_store(source, data["store"])
    with transaction.atomic():
        event_once(source, data["event_id"])
        presence_record(
            store=store,
            identifier_kind=data["identifier_kind"],
            identifier=data["identifier"],
            event=data["event"],
            occurred_at=data["occurred_at"],
            source=VISIT_SOURCE[source.kind],
            webhook_source=source,
            event_id=data["event_id"],
        )
    return JsonResponse({"status": "accepted"}, status=202)
