"""The served ASGI application: Django's middleware and views as one synchronous chain."""

import asyncio
import gc
import threading

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


async def test_requests_at_once_each_run_on_their_own_thread(monkeypatch):
    """A slow request does not hold up the next one (each has its own thread), and all
    the sync work of one request runs on one thread."""
    seen: dict[str, set] = {}
    inside = threading.Event()
    handler = SyncChainASGIHandler()
    chain = handler._middleware_chain

    def recorded(request):
        seen.setdefault(request.path, set()).add(threading.get_ident())
        if request.path == "/healthz":
            inside.wait(5)  # until the other request has been served
        response = chain(request)
        seen[request.path].add(threading.get_ident())
        return response

    monkeypatch.setattr(handler, "_middleware_chain", recorded)
    slow = asyncio.create_task(call(handler, "/healthz"))
    await asyncio.sleep(0.05)
    status, _headers, _body = await call(handler, "/accounts/login/")
    inside.set()
    assert status == 200 and (await slow)[0] == 200
    assert len(seen["/healthz"]) == len(seen["/accounts/login/"]) == 1
    assert seen["/healthz"] != seen["/accounts/login/"]


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
