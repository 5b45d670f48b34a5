"""Signed webhooks: the scheme every ``api.py`` endpoint shares.

A sender signs ``f"{timestamp}.{body}"`` with HMAC-SHA256 and its source's secret:

    X-Clienteling-Source: <source key>
    X-Clienteling-Timestamp: <unix seconds>
    X-Clienteling-Signature: sha256=<hex digest>

A signature older (or newer) than five minutes is refused, and so is an event id the
source has sent before. Every refusal is a 4xx with ``{"error": code, "detail": text}``
and nothing written.

Hostile input is refused before anything touches the database: the declared
Content-Length before the body is read (413); headers by shape (the timestamp is 1 to 12
ASCII digits, the signature 64 hex digits, the key a slug); JSON nested at most
``MAX_DEPTH`` deep, numbers of at most 19 digits, integers within a PostgreSQL integer,
no NUL character or unpaired surrogate in any string or key (``invalid_character``);
form fields take only their JSON type (``Json*Field``: ``7`` is not a string), and a
moment older than ``WEBHOOK_EVENT_MAX_AGE`` is refused. Failed authentications are
counted per IP and per source key in the shared cache; past the limit, a 429 with
``Retry-After`` until the minute is over.

Sources and stores are kept per process (``known``): each request reads one version
token from the shared cache (Redis), in the same trip as its failure counts, and a
process holding an older token reads them again from the database. Saving or deleting a
source, its stores or a store sets a new token when its transaction commits (and once
before, for the writer's own reads), so a rotated secret or a deactivated source is
refused at once by every process. Without Redis (no token) nothing is kept; a token lost
while Redis was unreachable at a commit is made up for by re-reading at least every
``KNOWN_MAX_AGE_SECONDS``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from catalog.models import Store

from .cache import count
from .models import WebhookEvent, WebhookSource

MAX_SKEW_SECONDS = 300
MAX_BODY_BYTES = 1_000_000
# JSON nesting: our deepest body is {"items": [{…}]}; anything past this is refused.
MAX_DEPTH = 20
# What an IntegerField (quantities, deltas, ids we accept) holds in PostgreSQL.
INT_MAX = 2_147_483_647
SOURCE_HEADER = "X-Clienteling-Source"
TIMESTAMP_HEADER = "X-Clienteling-Timestamp"
SIGNATURE_HEADER = "X-Clienteling-Signature"

_TIMESTAMP = re.compile(r"\d{1,12}", re.ASCII)
_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}", re.ASCII)
_SOURCE_KEY = re.compile(r"[-a-zA-Z0-9_]{1,50}", re.ASCII)
# PostgreSQL stores neither a NUL character nor half of a UTF-16 surrogate pair.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_DIGITS_MAX = 19  # a JSON number longer than this is refused before Python converts it


class WebhookError(Exception):
    def __init__(self, status: int, code: str, detail: str, *, retry_after: int | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.retry_after = retry_after

    def response(self) -> JsonResponse:
        response = JsonResponse({"error": self.code, "detail": self.detail}, status=self.status)
        if self.retry_after is not None:
            response["Retry-After"] = str(self.retry_after)
        return response


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


# --- sources and stores, kept per process ---------------------------------------------

VERSION_KEY = "webhooks.known-version"
KNOWN_MAX_AGE_SECONDS = 60


class Known:
    """The active sources, their stores and the active stores this process has looked up,
    valid while the shared version token is the one they were read under. Treat what it
    returns as read-only: every request of the process shares it."""

    def __init__(self):
        self.token_tried_at = -math.inf
        self.clear()

    def clear(self, version: str | None = None) -> None:
        self.version, self.read_at = version, time.monotonic()
        self.sources: dict[str, WebhookSource | None] = {}
        self.stores: dict[str, Store | None] = {}
        self.allowed: dict[int, frozenset[int]] = {}

    def sync(self, version: str | None) -> None:
        """Read at the start of each request: a token unlike ours (or none) drops all."""
        now = time.monotonic()
        if version is None and now - self.token_tried_at > 5:
            # No token (a fresh or restarted Redis) or no Redis: keep nothing until one
            # is set (tried every few seconds, not on every request while Redis is down).
            self.token_tried_at = now
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        if version is None or version != self.version or now - self.read_at > KNOWN_MAX_AGE_SECONDS:
            self.clear(version)

    def _keep(self, table: dict, key, load):
        if key in table:
            return table[key]
        value = load()
        if self.version is not None and value is not None:  # misses: keys anyone can send
            table[key] = value
        return value

    def source(self, key: str) -> WebhookSource | None:
        return self._keep(
            self.sources, key, lambda: WebhookSource.objects.filter(key=key, is_active=True).first()
        )

    def store(self, code: str) -> Store | None:
        """The active store (selling or warehouse) with this code."""
        return self._keep(
            self.stores, code, lambda: Store.objects.filter(code=code, is_active=True).first()
        )

    def allowed_stores(self, source: WebhookSource) -> frozenset[int]:
        """The ids of the stores ``source`` may speak for; empty: every store."""
        return self._keep(
            self.allowed,
            source.pk,
            lambda: frozenset(source.stores.values_list("pk", flat=True)),
        )


known = Known()


def known_changed(**_kwargs) -> None:
    """A source, its stores or a store changed: every process reads them again. A new
    token now (the writer's own reads see the change in its transaction) and once the
    transaction commits (what every other process must see)."""
    _new_version()
    if connection.in_atomic_block:
        transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


# --- failed authentication is throttled per IP and per source key ----------------------


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _failure_keys(request: HttpRequest, key: str | None) -> list[tuple[str, int]]:
    window = int(time.time() // 60)
    prefix = "webhook-authfail"
    keys = [(f"{prefix}:ip:{_client_ip(request)}:{window}", settings.WEBHOOK_AUTH_FAILURES_PER_IP)]
    if key is not None:
        keys.append((f"{prefix}:key:{key}:{window}", settings.WEBHOOK_AUTH_FAILURES_PER_KEY))
    return keys


def _retry_after_window() -> int:
    return 60 - int(time.time()) % 60 or 60


def _throttle_failures(request: HttpRequest, key: str | None) -> None:
    """Refuse (429) a caller that failed authentication too often this minute: guessing
    secrets or timestamps costs a minute per few dozen tries. Reads the version of the
    sources and stores in the same trip (``known``)."""
    counts = cache.get_many([name for name, _limit in _failure_keys(request, key)] + [VERSION_KEY])
    known.sync(counts.get(VERSION_KEY))
    for name, limit in _failure_keys(request, key):
        if counts.get(name, 0) >= limit:
            raise WebhookError(
                429,
                "too_many_failures",
                "Too many failed authentications; retry later.",
                retry_after=_retry_after_window(),
            )


def _count_failure(request: HttpRequest, key: str | None) -> None:
    for name, _limit in _failure_keys(request, key):
        cache.add(name, 0, timeout=90)
        try:
            cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=90)


def _verify(request: HttpRequest, kinds: tuple[str, ...]) -> WebhookSource:
    key = request.headers.get(SOURCE_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    known_key = key if _SOURCE_KEY.fullmatch(key) else None
    _throttle_failures(request, known_key)
    try:
        return _authenticate(request, kinds, known_key, timestamp, signature)
    except WebhookError as error:
        if error.status in (401, 403):
            _count_failure(request, known_key)
        raise


def _authenticate(request, kinds, key, timestamp, signature) -> WebhookSource:
    if not (request.headers.get(SOURCE_HEADER) and timestamp and signature):
        raise WebhookError(401, "unsigned", "Source, timestamp and signature headers are required.")
    if key is None:
        raise WebhookError(403, "unknown_source", "No active source has this key.")
    source = known.source(key)
    if source is None:
        raise WebhookError(403, "unknown_source", f"No active source {key!r}.")
    if kinds and source.kind not in kinds:
        raise WebhookError(403, "wrong_source_kind", f"A {source.kind} source cannot send this.")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookError(401, "bad_timestamp", "The timestamp is not a number of seconds.")
    if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        raise WebhookError(401, "stale_signature", "The signature is older than five minutes.")
    if not (
        _SIGNATURE.fullmatch(signature)
        and hmac.compare_digest(sign(source.secret, timestamp, request.body), signature)
    ):
        raise WebhookError(401, "bad_signature", "The signature does not match the body.")
    return source


def _rate_limit(source: WebhookSource) -> None:
    window = int(time.time() // 60)
    if count(f"webhook-rl:{source.pk}:{window}", 90) > source.rate_limit_per_minute:
        raise WebhookError(
            429,
            "rate_limited",
            "Too many requests from this source; retry soon.",
            retry_after=_retry_after_window(),
        )


# --- the body: size, then JSON with bounded numbers, depth and storable strings ---------


def _content_length(request: HttpRequest) -> int:
    """The declared length, read before the body is (Django would otherwise read it all
    and answer its own HTML 400 past ``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    if not re.fullmatch(r"\d{1,15}", raw, re.ASCII):
        raise WebhookError(400, "bad_content_length", "Content-Length is not a byte count.")
    return int(raw)


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _DIGITS_MAX:
        raise WebhookError(400, "number_out_of_range", "A number in the body is too long.")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if len(text) > 40 or not math.isfinite(value):
        raise WebhookError(400, "number_out_of_range", "A number in the body is out of range.")
    return value


def _parse_constant(text: str):
    raise WebhookError(400, "malformed_json", f"{text} is not JSON.")


def _check_tree(payload: object) -> None:
    """Walk the parsed body without recursion: depth bounded, every string (keys too)
    storable, every integer within a PostgreSQL integer column."""
    stack: list[tuple[object, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise WebhookError(
                    400, "too_deep", f"The body nests deeper than {MAX_DEPTH} levels."
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_string(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_string(value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_MAX:
            raise WebhookError(
                400,
                "number_out_of_range",
                f"Integers lie between -{INT_MAX} and {INT_MAX}.",
            )


def _check_string(text: str) -> None:
    if _UNSTORABLE.search(text):
        raise WebhookError(
            400,
            "invalid_character",
            "Strings cannot hold a NUL character or an unpaired surrogate.",
        )


def _parse(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise WebhookError(415, "unsupported_media_type", "Send the body as application/json.")
    if len(request.body) > MAX_BODY_BYTES:  # sent without a Content-Length
        raise WebhookError(413, "too_large", "The body is larger than 1 MB.")
    try:
        payload = json.loads(
            request.body,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except RecursionError:
        raise WebhookError(
            400, "too_deep", f"The body nests deeper than {MAX_DEPTH} levels."
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise WebhookError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise WebhookError(400, "malformed_json", "The body must be a JSON object.")
    _check_tree(payload)
    return payload


def event_once(source: WebhookSource, event_id: str) -> None:
    """Record ``event_id`` for ``source`` inside the caller's transaction; a replay raises
    a 409. Call it in the same transaction as the event's effect. One statement: an
    insert that does nothing on a replay (waiting for a concurrent one to commit or not)."""
    table = connection.ops.quote_name(WebhookEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source_id, event_id, received_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id",
            [source.pk, event_id, timezone.now()],
        )
        inserted = cursor.fetchone()
    if inserted is None:
        raise WebhookError(409, "duplicate_event", f"Event {event_id!r} was already received.")


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
                if _content_length(request) > MAX_BODY_BYTES:
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
    no later than the allowed clock skew and no older than ``WEBHOOK_EVENT_MAX_AGE`` (an
    event replayed or held back for days would backdate a visit)."""

    default_error_messages = {
        "invalid": "Give an ISO 8601 date and time with its offset, e.g. 2025-03-01T17:45:00Z.",
        "future": "This moment is in the future.",
        "too_old": "This moment is older than %(hours)s hours.",
    }

    def to_python(self, value):
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
                if value.tzinfo is None:
                    raise ValueError
                value.utcoffset()
            except (ValueError, OverflowError):
                raise forms.ValidationError(self.error_messages["invalid"], "invalid") from None
            return value
        if value in self.empty_values:
            return None
        raise forms.ValidationError(self.error_messages["invalid"], "invalid")

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        now = timezone.now()
        max_age: timedelta = settings.WEBHOOK_EVENT_MAX_AGE
        try:
            future = value > now + timedelta(seconds=MAX_SKEW_SECONDS)
            too_old = value < now - max_age
        except OverflowError:  # year 1 or 9999 with an offset: out of any window
            future, too_old = value.year > now.year, value.year < now.year
        if future:
            raise forms.ValidationError(self.error_messages["future"], "future")
        if too_old:
            raise forms.ValidationError(
                self.error_messages["too_old"],
                "too_old",
                params={"hours": int(max_age.total_seconds() // 3600)},
            )


class _JsonTyped:
    """A form field that takes only its JSON type: a string is a string (``7`` and
    ``true`` are refused, not turned into ``"7"`` and ``"True"``), an integer an integer."""

    json_types: tuple[type, ...] = (str,)
    type_message = "Give a string."

    def to_python(self, value):
        wrong = isinstance(value, bool) or not isinstance(value, self.json_types)
        if value is not None and wrong:
            raise forms.ValidationError(self.type_message, "wrong_type")
        return super().to_python(value)


class JsonCharField(_JsonTyped, forms.CharField):
    pass


class JsonSlugField(_JsonTyped, forms.SlugField):
    pass


class JsonChoiceField(_JsonTyped, forms.ChoiceField):
    pass


class JsonIntegerField(_JsonTyped, forms.IntegerField):
    """An integer within a PostgreSQL integer column, unless tighter bounds are given."""

    json_types = (int,)
    type_message = "Give an integer."

    def __init__(self, *, min_value=-INT_MAX, max_value=INT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


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
    store = known.store(code) if isinstance(code, str) and code else None
    if store is None or (store.is_warehouse and not warehouses):
        raise WebhookError(422, "unknown_store", f"No open store has the code {code!r}.")
    allowed = known.allowed_stores(source)
    if allowed and store.pk not in allowed:
        raise WebhookError(403, "store_not_allowed", f"This source cannot speak for {code!r}.")
    return store
