"""Signed webhooks: the scheme every ``api.py`` endpoint shares.

A sender signs ``f"{timestamp}.{body}"`` with HMAC-SHA256 and its source's secret:

    X-Clienteling-Source: <source key>
    X-Clienteling-Timestamp: <unix seconds>
    X-Clienteling-Signature: sha256=<hex digest>

A signature older (or newer) than five minutes is refused, and so is an event id the
source has sent before. Every refusal is a 4xx with ``{"error": code, "detail": text}``
and nothing written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django import forms
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from catalog.models import Store

from .models import WebhookEvent, WebhookSource

MAX_SKEW_SECONDS = 300
MAX_BODY_BYTES = 1_000_000
SOURCE_HEADER = "X-Clienteling-Source"
TIMESTAMP_HEADER = "X-Clienteling-Timestamp"
SIGNATURE_HEADER = "X-Clienteling-Signature"


class WebhookError(Exception):
    def __init__(self, status: int, code: str, detail: str):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail

    def response(self) -> JsonResponse:
        return JsonResponse({"error": self.code, "detail": self.detail}, status=self.status)


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(source: WebhookSource, body: bytes, *, now: float | None = None) -> dict:
    """Headers for sending ``body`` as ``source`` (the simulator, tests and benchmarks)."""
    timestamp = int(now if now is not None else time.time())
    return {
        SOURCE_HEADER: source.key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(source.secret, timestamp, body),
    }


def _verify(request: HttpRequest, kinds: tuple[str, ...]) -> WebhookSource:
    key = request.headers.get(SOURCE_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not (key and timestamp and signature):
        raise WebhookError(401, "unsigned", "Source, timestamp and signature headers are required.")
    source = WebhookSource.objects.filter(key=key, is_active=True).first()
    if source is None:
        raise WebhookError(403, "unknown_source", f"No active source {key!r}.")
    if kinds and source.kind not in kinds:
        raise WebhookError(403, "wrong_source_kind", f"A {source.kind} source cannot send this.")
    if not timestamp.isdigit():
        raise WebhookError(401, "bad_timestamp", "The timestamp is not a number of seconds.")
    if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        raise WebhookError(401, "stale_signature", "The signature is older than five minutes.")
    if not hmac.compare_digest(sign(source.secret, timestamp, request.body), signature):
        raise WebhookError(401, "bad_signature", "The signature does not match the body.")
    return source


def _rate_limit(source: WebhookSource) -> None:
    window = int(time.time() // 60)
    key = f"webhook-rl:{source.pk}:{window}"
    cache.add(key, 0, timeout=90)
    if cache.incr(key) > source.rate_limit_per_minute:
        raise WebhookError(429, "rate_limited", "Too many requests from this source; retry soon.")


def _parse(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise WebhookError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise WebhookError(400, "malformed_json", "The body must be a JSON object.")
    return payload


def event_once(source: WebhookSource, event_id: str) -> None:
    """Record ``event_id`` for ``source`` inside the caller's transaction; a replay raises
    a 409. Call it in the same transaction as the event's effect."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(source=source, event_id=event_id)
    except IntegrityError:
        raise WebhookError(
            409, "duplicate_event", f"Event {event_id!r} was already received."
        ) from None


def signed_webhook(*kinds: str) -> Callable:
    """Decorate ``view(request, source, payload)``: POST only, verified, rate-limited,
    parsed; any ``WebhookError`` it raises becomes its JSON 4xx."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return WebhookError(405, "method_not_allowed", "Use POST.").response()
            try:
                if len(request.body) > MAX_BODY_BYTES:
                    raise WebhookError(413, "too_large", "The body is larger than 1 MB.")
                source = _verify(request, kinds)
                _rate_limit(source)
                payload = _parse(request)
                return view(request, source, payload, *args, **kwargs)
            except WebhookError as error:
                return error.response()

        return wrapped

    return decorator


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 moment with its UTC offset (``2025-03-01T17:45:00+01:00`` or ``…Z``),
    no later than the allowed clock skew."""

    default_error_messages = {
        "invalid": "Give an ISO 8601 date and time with its offset, e.g. 2025-03-01T17:45:00Z.",
        "future": "This moment is in the future.",
    }

    def to_python(self, value):
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], "invalid") from None
            if value.tzinfo is None:
                raise forms.ValidationError(self.error_messages["invalid"], "invalid")
            return value
        if value in self.empty_values:
            return None
        raise forms.ValidationError(self.error_messages["invalid"], "invalid")

    def validate(self, value):
        super().validate(value)
        if value and value.timestamp() > time.time() + MAX_SKEW_SECONDS:
            raise forms.ValidationError(self.error_messages["future"], "future")


def form_error_detail(form: forms.Form) -> str:
    """A form's errors as one line naming each field: ``store: This field is required.``"""
    return "; ".join(
        f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items()
    )


def invalid_payload(form: forms.Form) -> WebhookError:
    return WebhookError(400, "invalid_payload", form_error_detail(form))


def source_store(source: WebhookSource, code: object, *, warehouses: bool = False) -> Store:
    """The active store ``code`` names, if ``source`` may speak for it: the same answer on
    every endpoint (422 ``unknown_store``, 403 ``store_not_allowed``). A warehouse counts
    only where ``warehouses`` (stock systems run in warehouses; shoppers do not walk in)."""
    stores = Store.objects.filter(is_active=True)
    if not warehouses:
        stores = stores.filter(is_warehouse=False)
    store = stores.filter(code=code).first() if isinstance(code, str) and code else None
    if store is None:
        raise WebhookError(422, "unknown_store", f"No open store has the code {code!r}.")
    allowed = source.stores.all()
    if allowed.exists() and not allowed.filter(pk=store.pk).exists():
        raise WebhookError(403, "store_not_allowed", f"This source cannot speak for {code!r}.")
    return store
