"""The signed scheme is one for every inbound endpoint: the same refusals, as JSON 4xx,
with nothing written."""

import json

import pytest

from floor.models import PresenceEvent, Visit
from integrations.models import WebhookEvent, WebhookSource
from integrations.webhooks import MAX_BODY_BYTES, signed_headers
from tests.factories import WebhookSourceFactory

ENDPOINTS = {
    "/api/presence/": WebhookSource.Kind.BEACON,
    "/api/interactions/": WebhookSource.Kind.WEB,
    "/api/stock/": WebhookSource.Kind.STOCK,
}


@pytest.fixture(params=list(ENDPOINTS))
def endpoint(request, db):
    url = request.param
    return url, WebhookSourceFactory(key=f"src-{ENDPOINTS[url]}", kind=ENDPOINTS[url])


def assert_refused(response, status, error):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error
    assert not WebhookEvent.objects.exists()
    assert not Visit.objects.exists() and not PresenceEvent.objects.exists()


def test_a_body_over_the_limit_is_refused_with_413(client, endpoint):
    url, source = endpoint
    body = b'{"pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = client.post(
        url, body, content_type="application/json", headers=signed_headers(source, body)
    )
    assert_refused(response, 413, "too_large")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_refused_with_415(client, endpoint, content_type):
    url, source = endpoint
    body = json.dumps({"event_id": "e1"}).encode()
    response = client.post(
        url, body, content_type=content_type, headers=signed_headers(source, body)
    )
    assert_refused(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("timestamp", ["soon", "12.5", "-5", "0x10", ""])
def test_a_timestamp_that_is_not_whole_seconds_is_refused(client, endpoint, timestamp):
    url, source = endpoint
    body = json.dumps({"event_id": "e1"}).encode()
    headers = signed_headers(source, body) | {"X-Clienteling-Timestamp": timestamp}
    response = client.post(url, body, content_type="application/json", headers=headers)
    assert_refused(response, 401, "unsigned" if not timestamp else "bad_timestamp")
