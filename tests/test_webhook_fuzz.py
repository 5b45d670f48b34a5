"""Hostile input on the three signed endpoints: whatever arrives, the answer is a JSON 4xx
(or a 2xx for what is valid), never a 5xx, and a refusal writes nothing.

The hypothesis fuzz sends signed bodies (with the source's real secret) and unsigned
garbage; the named cases below it are the ones that once gave a 500 or an HTML page."""

import json
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Interaction
from floor.models import PresenceEvent, Visit
from integrations.models import WebhookEvent, WebhookSource
from integrations.webhooks import MAX_BODY_BYTES, MAX_DEPTH, sign, signed_headers
from inventory.models import StockLevel
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    StockLevelFactory,
    VariantFactory,
    WebhookSourceFactory,
)

PRESENCE, INTERACTIONS, STOCK = "/api/presence/", "/api/interactions/", "/api/stock/"
INT_MAX = 2_147_483_647

FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# The fuzz is about input, not about the throttle (tested on its own below).
NO_THROTTLE = override_settings(
    WEBHOOK_AUTH_FAILURES_PER_IP=10**9, WEBHOOK_AUTH_FAILURES_PER_KEY=10**9
)


@pytest.fixture
def world(store):
    camille = CustomerFactory(loyalty_number="FID000000042")
    ConsentFactory(customer=camille)
    variant = VariantFactory(sku="TV-OLED-55")
    StockLevelFactory(store=store, variant=variant, on_hand=5)
    return {
        "store": store,
        "variant": variant,
        "sources": {
            PRESENCE: WebhookSourceFactory(key="fuzz-beacons", kind=WebhookSource.Kind.BEACON),
            INTERACTIONS: WebhookSourceFactory(key="fuzz-eshop", kind=WebhookSource.Kind.WEB),
            STOCK: WebhookSourceFactory(key="fuzz-till", kind=WebhookSource.Kind.STOCK),
        },
    }


def valid_payload(url: str, world: dict, n: int) -> dict:
    now = timezone.now().isoformat()
    if url == PRESENCE:
        return {
            "store": world["store"].code,
            "identifier_kind": "loyalty_number",
            "identifier": "FID000000042",
            "event": "enter",
            "occurred_at": now,
            "event_id": f"p-{n}",
        }
    if url == INTERACTIONS:
        item = {
            "event_id": f"i-{n}",
            "identifier_kind": "loyalty_number",
            "identifier": "FID000000042",
            "kind": "viewed",
            "sku": "TV-OLED-55",
            "occurred_at": now,
        }
        return {"items": [item]}
    return {
        "event_id": f"s-{n}",
        "store": world["store"].code,
        "changes": [{"sku": "TV-OLED-55", "delta": 1}],
    }


def snapshot() -> tuple:
    """Every row a webhook can write, in one query."""
    tables = [m._meta.db_table for m in (WebhookEvent, PresenceEvent, Visit, Interaction)]
    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in tables)  # noqa: S608
    stock = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}, (SELECT coalesce(sum(on_hand), 0) FROM {stock})")  # noqa: S608
        return cursor.fetchone()


def check(response, before: tuple) -> None:
    """The property: no 5xx, always JSON, and a refusal wrote nothing."""
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body["error"], str) and body["detail"]
        assert snapshot() == before
    elif "rejected" in body:  # interactions: refused items are reported, not written
        assert snapshot()[3] - before[3] == body["created"]


class Rows:
    """The row counts as last seen: a refusal costs one count query, not two."""

    def __init__(self):
        self.known = snapshot()

    def check(self, response) -> None:
        check(response, self.known)
        if response.status_code < 400:
            self.known = snapshot()


@pytest.fixture
def rows(world):
    return Rows()


# --- strategies ------------------------------------------------------------------------

# Every code point, lone surrogates and NUL included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
nasty_text = st.one_of(
    any_text,
    st.sampled_from(["\ud800", "a\x00b", "\x00", "\udfff", "²", "٣", "𝟗", "", " ", "x" * 5000]),
)
huge_int = st.one_of(
    st.integers(min_value=INT_MAX - 2, max_value=INT_MAX + 2),
    st.integers(min_value=-INT_MAX - 2, max_value=-INT_MAX + 2),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([2**31, 2**63, -(2**63) - 1, 0, -1]),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    huge_int,
    st.floats(allow_nan=False, allow_infinity=False),
    nasty_text,
)
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(nasty_text, inner, max_size=4)
    ),
    max_leaves=12,
)
odd_moment = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2019-01-01T00:00:00Z",
            "2025-01-01T10:00:00",
            "now",
        ]
    ),
)
endpoint = st.sampled_from([PRESENCE, INTERACTIONS, STOCK])


@st.composite
def mutated(draw, url: str, world: dict):
    """A valid payload with one field (or one item field, or one change) made hostile."""
    n = draw(st.integers(min_value=0, max_value=10**6))
    payload = valid_payload(url, world, n)
    target = payload
    if url == INTERACTIONS:
        target = payload["items"][0]
    elif url == STOCK and draw(st.booleans()):
        target = payload["changes"][0]
    key = draw(st.one_of(st.sampled_from(sorted(target)), nasty_text))
    value = (
        odd_moment
        if key == "occurred_at"
        else st.one_of(json_value, huge_int, nasty_text, st.sampled_from([7, True, [], {}]))
    )
    target[key] = draw(value)
    return payload


def encode(payload, *, raw_surrogates: bool) -> bytes:
    if raw_surrogates:  # surrogates as (invalid) UTF-8 bytes rather than \u escapes
        return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return json.dumps(payload).encode()


def post(client, url, body, *, method="POST", content_type="application/json", headers=None):
    """The body as raw bytes, whatever they are (the client's ``post`` would re-encode)."""
    return client.generic(method, url, body, content_type=content_type, headers=headers or {})


# --- the fuzz --------------------------------------------------------------------------


@NO_THROTTLE
@FUZZ
@given(data=st.data())
def test_signed_payloads_with_a_hostile_field(client, world, rows, data):
    url = data.draw(endpoint)
    payload = data.draw(mutated(url, world))
    body = encode(payload, raw_surrogates=data.draw(st.booleans()))
    response = post(client, url, body, headers=signed_headers(world["sources"][url], body))
    rows.check(response)


@NO_THROTTLE
@FUZZ
@given(data=st.data())
def test_signed_bodies_of_any_json_shape(client, world, rows, data):
    url = data.draw(endpoint)
    payload = data.draw(st.one_of(json_value, st.dictionaries(nasty_text, json_value, max_size=6)))
    depth = data.draw(st.sampled_from([0, 0, 0, MAX_DEPTH - 1, MAX_DEPTH + 1, 500, 100_000]))
    body = encode(payload, raw_surrogates=data.draw(st.booleans()))
    body = b'{"a":' * depth + body + b"}" * depth
    response = post(client, url, body, headers=signed_headers(world["sources"][url], body))
    rows.check(response)


@NO_THROTTLE
@FUZZ
@given(data=st.data())
def test_signed_stock_events_with_hostile_changes(client, world, rows, data):
    change = st.fixed_dictionaries(
        {"sku": st.one_of(st.just("TV-OLED-55"), nasty_text), "delta": huge_int}
    )
    payload = {
        "event_id": data.draw(st.one_of(st.just("e-1"), nasty_text)),
        "store": data.draw(st.one_of(st.just(world["store"].code), nasty_text)),
        "changes": data.draw(st.lists(change, min_size=1, max_size=5)),
    }
    body = encode(payload, raw_surrogates=data.draw(st.booleans()))
    response = post(client, STOCK, body, headers=signed_headers(world["sources"][STOCK], body))
    rows.check(response)
    assert StockLevel.objects.filter(on_hand__lt=0).count() == 0


latin1 = st.text(st.characters(max_codepoint=255), max_size=40)
header_value = st.one_of(
    latin1,
    st.sampled_from(["²", "9" * 5000, "-1", "1e3", " 1", "١٢٣", "sha256=" + "é" * 64]),
    st.integers(min_value=0, max_value=10**13).map(str),
)


@NO_THROTTLE
@FUZZ
@given(data=st.data())
def test_unsigned_garbage(client, world, rows, data):
    url = data.draw(endpoint)
    source = world["sources"][url]
    body = data.draw(st.one_of(st.binary(max_size=200), json_value.map(json.dumps).map(str.encode)))
    now = str(int(time.time()))
    headers = {
        "X-Clienteling-Source": data.draw(st.one_of(st.just(source.key), header_value)),
        "X-Clienteling-Timestamp": data.draw(st.one_of(st.just(now), header_value)),
        "X-Clienteling-Signature": data.draw(
            st.one_of(st.just(sign(source.secret, now, body + b" ")), header_value)
        ),
    }
    headers = {k: v for k, v in headers.items() if data.draw(st.integers(0, 5))}
    content_type = data.draw(
        st.sampled_from(
            [
                "application/json",
                "application/json; charset=utf-16",
                "multipart/form-data; boundary=xyz",
                "multipart/form-data",
                "application/x-www-form-urlencoded",
                "text/plain",
            ]
        )
    )
    method = data.draw(st.sampled_from(["POST"] * 6 + ["GET", "PUT", "DELETE"]))
    response = post(client, url, body, method=method, content_type=content_type, headers=headers)
    rows.check(response)


# --- the cases that once broke, by name --------------------------------------------------


@pytest.mark.parametrize("url", [PRESENCE, INTERACTIONS, STOCK])
@pytest.mark.parametrize("timestamp", ["²", "9" * 5000, "١٢٣٤", "1" * 13])
def test_a_timestamp_of_odd_digits_is_refused_without_a_secret(client, world, url, timestamp):
    source = world["sources"][url]
    headers = {
        "X-Clienteling-Source": source.key,
        "X-Clienteling-Timestamp": timestamp,
        "X-Clienteling-Signature": "sha256=" + "0" * 64,
    }
    before = snapshot()
    response = post(client, url, b"{}", headers=headers)
    check(response, before)
    assert (response.status_code, response.json()["error"]) == (401, "bad_timestamp")


def signed_post(client, world, url, payload=None, *, body=None):
    body = body if body is not None else json.dumps(payload).encode()
    return post(client, url, body, headers=signed_headers(world["sources"][url], body))


@pytest.mark.parametrize("url", [PRESENCE, INTERACTIONS, STOCK])
def test_deep_nesting_is_refused(client, world, url):
    body = b"[" * 100_000 + b"]" * 100_000
    before = snapshot()
    response = signed_post(client, world, url, body=b'{"x": ' + body + b"}")
    check(response, before)
    assert (response.status_code, response.json()["error"]) == (400, "too_deep")


@pytest.mark.parametrize("url", [PRESENCE, INTERACTIONS, STOCK])
@pytest.mark.parametrize("text", ["\ud800", "a\x00b"])
def test_nul_and_lone_surrogates_are_refused_in_every_text(client, world, url, text):
    payload = valid_payload(url, world, 1)
    fields = payload["items"][0] if url == INTERACTIONS else payload
    for key in [k for k, v in fields.items() if isinstance(v, str)] + [None]:
        poisoned = json.loads(json.dumps(payload))
        target = poisoned["items"][0] if url == INTERACTIONS else poisoned
        if key is None:  # in a key
            target["note" + text] = "x"
        else:
            target[key] = text
        before = snapshot()
        response = signed_post(client, world, url, body=json.dumps(poisoned).encode())
        check(response, before)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_character")


@pytest.mark.parametrize("delta", [INT_MAX + 1, -(INT_MAX + 1), 10**30])
def test_a_stock_delta_beyond_an_integer_column_is_refused(client, world, delta):
    payload = valid_payload(STOCK, world, 1)
    payload["changes"][0]["delta"] = delta
    before = snapshot()
    response = signed_post(client, world, STOCK, payload)
    check(response, before)
    assert response.status_code == 400


def test_stock_that_would_overflow_its_column_is_refused_whole(client, world):
    payload = valid_payload(STOCK, world, 1)
    payload["changes"] = [{"sku": "TV-OLED-55", "delta": INT_MAX}] * 2
    before = snapshot()
    response = signed_post(client, world, STOCK, payload)
    check(response, before)
    assert (response.status_code, response.json()["error"]) == (422, "quantity_out_of_range")


@pytest.mark.parametrize("url", [PRESENCE, INTERACTIONS, STOCK])
def test_a_body_over_the_limit_is_a_json_413_before_it_is_read(client, world, url):
    body = b'{"pad": "' + b"x" * (3 * MAX_BODY_BYTES) + b'"}'
    before = snapshot()
    response = post(client, url, body)  # unsigned: the size is refused first
    check(response, before)
    assert (response.status_code, response.json()["error"]) == (413, "too_large")


def test_djangos_own_400_is_json_for_the_api(client, world, settings):
    """A body past DATA_UPLOAD_MAX_MEMORY_SIZE that declares no length reaches Django's
    own refusal: it answers in JSON too."""
    from django.core.exceptions import RequestDataTooBig
    from django.test import RequestFactory

    from integrations.views import bad_request

    request = RequestFactory().post(PRESENCE, b"{}", content_type="application/json")
    response = bad_request(request, RequestDataTooBig("too big"))
    assert (response.status_code, json.loads(response.content)["error"]) == (413, "too_large")
    page = bad_request(RequestFactory().get("/floor/"), RequestDataTooBig("too big"))
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", [PRESENCE, INTERACTIONS, STOCK])
def test_multipart_is_a_json_415(client, world, url):
    body = b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--xyz--\r\n"
    response = post(
        client,
        url,
        body,
        content_type="multipart/form-data; boundary=xyz",
        headers=signed_headers(world["sources"][url], body),
    )
    check(response, snapshot())
    assert (response.status_code, response.json()["error"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize("identifier", [7, True, 1.5, ["FID000000042"], {"a": 1}])
def test_an_identifier_must_be_a_string(client, world, identifier):
    payload = valid_payload(PRESENCE, world, 1) | {"identifier": identifier}
    before = snapshot()
    response = signed_post(client, world, PRESENCE, payload)
    check(response, before)
    assert response.status_code == 400
    assert "identifier: Give a string." in response.json()["detail"]


def test_an_interaction_product_must_be_an_integer(client, world):
    payload = valid_payload(INTERACTIONS, world, 1)
    del payload["items"][0]["sku"]
    payload["items"][0]["product"] = "12"
    response = signed_post(client, world, INTERACTIONS, payload)
    check(response, snapshot())
    assert response.json()["results"][0]["status"] == "rejected"
    assert "product: Give an integer." in response.json()["results"][0]["detail"]


@pytest.mark.parametrize(
    ("age", "accepted"),
    [
        (timedelta(hours=23), True),
        (timedelta(hours=25), False),
        (timedelta(days=900), False),
        (-timedelta(minutes=4), True),
        (-timedelta(minutes=10), False),
    ],
)
def test_presence_outside_the_window_is_refused(client, world, age, accepted):
    payload = valid_payload(PRESENCE, world, 1)
    payload["occurred_at"] = (timezone.now() - age).isoformat()
    before = snapshot()
    response = signed_post(client, world, PRESENCE, payload)
    check(response, before)
    assert (response.status_code == 202) is accepted
    if not accepted:
        assert "occurred_at:" in response.json()["detail"]


@override_settings(WEBHOOK_EVENT_MAX_AGE=timedelta(days=7))
def test_the_window_is_a_setting(client, world):
    payload = valid_payload(PRESENCE, world, 1)
    payload["occurred_at"] = (timezone.now() - timedelta(days=6)).isoformat()
    assert signed_post(client, world, PRESENCE, payload).status_code == 202


# --- failed authentication is throttled --------------------------------------------------


@override_settings(WEBHOOK_AUTH_FAILURES_PER_IP=5, WEBHOOK_AUTH_FAILURES_PER_KEY=3)
def test_failed_signatures_are_throttled_per_source_key(client, world):
    source = world["sources"][PRESENCE]
    body = json.dumps(valid_payload(PRESENCE, world, 1)).encode()
    forged = signed_headers(source, body) | {"X-Clienteling-Signature": "sha256=" + "0" * 64}
    statuses = [post(client, PRESENCE, body, headers=forged).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Even the right signature waits out the minute: guessing costs time.
    response = post(client, PRESENCE, body, headers=signed_headers(source, body))
    assert (response.status_code, response.json()["error"]) == (429, "too_many_failures")
    assert 0 < int(response["Retry-After"]) <= 60
    # Another source from another address is not held up.
    other = world["sources"][STOCK]
    stock_body = json.dumps(valid_payload(STOCK, world, 1)).encode()
    ok = Client(REMOTE_ADDR="10.0.0.9").post(
        STOCK,
        stock_body,
        content_type="application/json",
        headers=signed_headers(other, stock_body),
    )
    assert ok.status_code == 200


@override_settings(WEBHOOK_AUTH_FAILURES_PER_IP=5, WEBHOOK_AUTH_FAILURES_PER_KEY=100)
def test_failed_authentications_are_throttled_per_address(client, world):
    for n in range(5):
        headers = {
            "X-Clienteling-Source": f"guess-{n}",
            "X-Clienteling-Timestamp": str(int(time.time())),
            "X-Clienteling-Signature": "sha256=" + "0" * 64,
        }
        assert post(client, PRESENCE, b"{}", headers=headers).status_code == 403
    response = post(client, PRESENCE, b"{}", headers=headers)
    assert (response.status_code, response.json()["error"]) == (429, "too_many_failures")
    assert response["Retry-After"]
