"""The served ASGI application: Django's middleware and views as one synchronous chain."""

import asyncio
import gc
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from clienteling.asgi import application
from clienteling.handlers import RequestThread, SyncChainASGIHandler
from tests.test_overload import call

pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def test_a_signed_in_page_is_served_with_its_middleware_and_view(associate, store):
    cookie = await sync_to_async(_cookie)(associate)

    status, headers, body = await call(application, "/stock/", headers=[cookie])
    assert status == 200
    assert headers[b"x-request-id"]  # the outermost middleware ran
    assert store.name.encode() in body  # the store the staff middleware found
    assert "Léa Moreau".encode() in body  # the user the session named

    status, headers, _body = await call(application, "/stock/")  # no session
    assert status == 302 and b"/accounts/login/" in headers[b"location"]


def _recording(monkeypatch, handler, *, hold: threading.Event | None = None, pause=0.0):
    """The handler's chain, recording for each path its threads and when it ran; the
    request to ``/healthz`` waits for ``hold``, every request sleeps ``pause``."""
    seen: dict[str, dict] = {}
    chain = handler._middleware_chain

    def recorded(request):
        entry = seen.setdefault(request.path, {"threads": set()})
        entry["threads"].add(threading.get_ident())
        entry["began"] = time.monotonic()
        if hold is not None and request.path == "/healthz":
            hold.wait(5)
        time.sleep(pause)
        response = chain(request)
        entry["threads"].add(threading.get_ident())
        entry["ended"] = time.monotonic()
        return response

    monkeypatch.setattr(handler, "_middleware_chain", recorded)
    return seen


async def test_requests_take_turns(settings, monkeypatch):
    """One request of a process runs Django at a time: the next waits its turn."""
    settings.REQUESTS_AT_ONCE, settings.REQUEST_TURN_PATIENCE = 1, 5.0
    handler = SyncChainASGIHandler()
    seen = _recording(monkeypatch, handler, pause=0.1)

    answers = await asyncio.gather(
        call(handler, "/accounts/login/"), call(handler, "/accounts/password/reset/")
    )

    assert [status for status, _headers, _body in answers] == [200, 200]
    first, second = sorted(seen.values(), key=lambda entry: entry["began"])
    assert second["began"] >= first["ended"]  # one after the other, not side by side


async def test_a_slow_request_holds_the_next_up_at_most_the_patience(settings, monkeypatch):
    """Past its patience, a request runs beside the slow one, on its own thread (all the
    sync work of one request on one thread)."""
    settings.REQUESTS_AT_ONCE, settings.REQUEST_TURN_PATIENCE = 1, 0.2
    handler = SyncChainASGIHandler()
    hold = threading.Event()
    seen = _recording(monkeypatch, handler, hold=hold)

    slow = asyncio.create_task(call(handler, "/healthz"))
    await asyncio.sleep(0.05)
    asked = time.monotonic()
    status, _headers, _body = await call(handler, "/accounts/login/")
    answered = time.monotonic()
    hold.set()

    assert status == 200 and (await slow)[0] == 200
    assert 0.15 <= answered - asked < 2  # waited its patience, not for the slow one
    assert len(seen["/healthz"]["threads"]) == len(seen["/accounts/login/"]["threads"]) == 1
    assert seen["/healthz"]["threads"] != seen["/accounts/login/"]["threads"]


async def test_webhooks_do_not_wait_their_turn(settings, monkeypatch):
    """An entry event's card must reach the tablets whatever pages are being served."""
    settings.REQUESTS_AT_ONCE, settings.REQUEST_TURN_PATIENCE = 1, 5.0
    handler = SyncChainASGIHandler()
    hold = threading.Event()
    _recording(monkeypatch, handler, hold=hold)

    slow = asyncio.create_task(call(handler, "/healthz"))
    await asyncio.sleep(0.05)
    asked = time.monotonic()
    status, _headers, body = await call(handler, "/api/presence/", method="POST")
    waited = time.monotonic() - asked
    hold.set()

    assert status == 401 and b"unsigned" in body  # answered by the webhook's view
    assert waited < 2 and not slow.done()
    assert (await slow)[0] == 200


async def test_a_thread_serves_one_request_after_another(monkeypatch):
    handler = SyncChainASGIHandler()
    chain = handler._middleware_chain
    threads: list[int] = []

    def recorded(request):
        threads.append(threading.get_ident())
        return chain(request)

    monkeypatch.setattr(handler, "_middleware_chain", recorded)
    for _ in range(3):
        status, _headers, _body = await call(handler, "/accounts/login/")
        assert status == 200
    assert len(set(threads)) == 1  # kept, not started and stopped for each request


def test_a_thread_still_working_is_not_idle():
    thread = RequestThread()
    release = threading.Event()
    assert thread.idle
    first = thread.submit(release.wait, 5)
    queued = thread.submit(lambda: None)
    assert not thread.idle
    assert queued.cancel()  # cancelled before it ran: the first still runs
    assert not thread.idle
    release.set()
    first.result(5)
    thread.shutdown(wait=True)
    assert thread.idle


def test_what_the_served_application_loaded_is_left_out_of_collections():
    """A full collection over Django and the apps (about 50 ms) would pause every push
    and page in flight: the objects loaded at start are frozen."""
    assert application is not None
    assert gc.get_freeze_count() > 50_000
