"""Text messages (SMS) leave through a provider backend chosen in settings, the way Django
chooses its email backend: ``SMS_BACKEND`` is a dotted path to a class with
``send(*, to, body, key) -> str`` (the provider's id for the message).

- ``ConsoleBackend`` (the demo's default) prints the message;
- ``LocmemBackend`` keeps them in ``integrations.sms.outbox`` (tests that need no server);
- ``TwilioBackend`` speaks Twilio's Messages API: ``POST {SMS_API_BASE_URL}/2010-04-01/
  Accounts/{SMS_ACCOUNT_SID}/Messages.json``, form-encoded ``To``, ``From`` and ``Body``,
  HTTP basic auth (account SID, auth token), within ``SMS_TIMEOUT`` seconds.

A backend raises ``SmsError`` when the provider could not take the message. The outbox
(``outbox.py``) sends SMS rows like emails: claimed, sent outside any transaction, marked
sent; a temporary error (timeout, connection refused, 5xx, 429) is retried after a back-off,
a refusal (any other 4xx: a wrong number, a bad account) is ``permanent`` and recorded
without a retry, since sending the same request again would be refused again.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# What ``LocmemBackend`` sent: dicts of to, body, key.
outbox: list[dict] = []


class SmsError(Exception):
    """The provider did not take the message; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


_PHONE_NOISE = re.compile(r"[\s.()\-]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def phone_e164(phone: str) -> str | None:
    """The number in international form (``+33612345678``), or None if it cannot be one.
    French national numbers (``06 12 34 56 78``) get the +33 prefix."""
    number = _PHONE_NOISE.sub("", phone or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    elif re.fullmatch(r"0[1-9]\d{8}", number):
        number = "+33" + number[1:]
    return number if _E164.match(number) else None


class ConsoleBackend:
    def send(self, *, to: str, body: str, key: str) -> str:
        sys.stdout.write(f"SMS to {to} ({key}):\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return f"console-{key}"


class LocmemBackend:
    def send(self, *, to: str, body: str, key: str) -> str:
        outbox.append({"to": to, "body": body, "key": key})
        return f"locmem-{len(outbox)}"


class TwilioBackend:
    """Twilio's Messages API (form-encoded POST, basic auth, JSON answer with ``sid``)."""

    def send(self, *, to: str, body: str, key: str) -> str:
        sid = settings.SMS_ACCOUNT_SID
        url = (
            f"{settings.SMS_API_BASE_URL.rstrip('/')}/2010-04-01/Accounts/"
            f"{urllib.parse.quote(sid)}/Messages.json"
        )
        data = urllib.parse.urlencode({"To": to, "From": settings.SMS_FROM, "Body": body})
        credentials = base64.b64encode(f"{sid}:{settings.SMS_AUTH_TOKEN}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
            url,
            data=data.encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            detail = _error_detail(error)
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise SmsError(f"HTTP {error.code}: {detail}", permanent=permanent) from error
        except (OSError, ValueError) as error:  # refused, timed out, unreadable answer
            raise SmsError(f"{type(error).__name__}: {error}") from error
        return str(answer.get("sid", ""))


def _error_detail(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read() or b"{}")
    except (OSError, ValueError):
        return error.reason or ""
    return f"{body.get('code', '')} {body.get('message', '')}".strip() or str(error.reason)


def sms_backend():
    return import_string(settings.SMS_BACKEND)()
