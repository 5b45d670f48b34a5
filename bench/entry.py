"""A signed entry event, as a store's beacon posts it to ``/api/presence/`` (the benches
that post them share it). Import it once Django is set up."""

import json
import uuid

from django.utils import timezone

from integrations.webhooks import signed_headers


def entry_event(source, store_code: str, loyalty_number: str) -> tuple[bytes, dict]:
    """The body and the signed headers of a known client walking into ``store_code``."""
    body = json.dumps(
        {
            "store": store_code,
            "identifier_kind": "loyalty_number",
            "identifier": loyalty_number,
            "event": "enter",
            "occurred_at": timezone.now().isoformat(),
            "event_id": uuid.uuid4().hex,
        }
    ).encode()
    return body, signed_headers(source, body)
