"""Django's ASGI handler, with the middleware and the view run as one synchronous chain on
a thread kept from one request to the next.

Django's own handler runs its middleware in async mode: our middleware is synchronous
(it reads the session, the user and the store), so each request went from the event loop
to a thread for the middleware, back to the loop for Django's inner handler, and to a
thread again for the view; and each request started a thread of its own and stopped it
at the end. Profiled under load, that glue was a third of a Daphne process's CPU.

This handler builds the chain as the WSGI handler does and runs it in one hop, on the
request's thread (``thread_sensitive``: the middleware, the view and every database call
of a request share one thread, as before), and takes that thread from a pool of idle ones,
as a threaded WSGI server does (the database connection of a thread is closed or given
back to the pool at the end of each request, as before). A thread goes back to the pool
only if all the work given to it has finished; otherwise it is let go.

The requests of a process take turns running Django (``Turns``: one at a time by default,
``REQUESTS_AT_ONCE``), the webhooks excepted; a request that waited
``REQUEST_TURN_PATIENCE`` seconds runs beside the others.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

from .overload import API_PREFIX


class RequestThread(ThreadPoolExecutor):
    """One thread running one request's sync work at a time, in order."""

    def __init__(self):
        super().__init__(max_workers=1, thread_name_prefix="request")
        self._pending = 0  # work given and not finished (run, failed or cancelled)
        self._pending_lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self._pending_lock:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future) -> None:
        with self._pending_lock:
            self._pending -= 1

    @property
    def idle(self) -> bool:
        return self._pending == 0


class Turns:
    """The requests of a process take turns running Django: at most ``size`` at once, the
    next ones waiting on the event loop (holding no thread and no database connection).

    A process has about one core. Requests running side by side share it, and switching
    between their threads costs CPU of its own: under 50 users, a page took 9.1 ms of CPU
    with 25 requests of a process running at once, 7.0 ms one at a time. A request waits
    for its turn at most ``patience`` seconds, then runs beside the others: a slow one (a
    long query, a lock) holds the next ones up by that much at most. ``size`` 0: no turns.
    """

    def __init__(self, size: int, patience: float):
        self.patience = patience
        self._free = asyncio.Semaphore(size) if size > 0 else None

    @asynccontextmanager
    async def turn(self):
        if self._free is None:
            yield
            return
        try:
            async with asyncio.timeout(self.patience):
                await self._free.acquire()
            mine = True
        except TimeoutError:
            mine = False  # waited long enough: runs beside the others
        try:
            yield
        finally:
            if mine:
                self._free.release()


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self):
        super().__init__()
        self.idle_threads: list[RequestThread] = []
        self.turns = Turns(settings.REQUESTS_AT_ONCE, settings.REQUEST_TURN_PATIENCE)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = self.idle_threads.pop() if self.idle_threads else RequestThread()
        try:
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            if thread.idle and len(self.idle_threads) < settings.MAX_CONCURRENT_REQUESTS:
                self.idle_threads.append(thread)
            else:
                thread.shutdown(wait=False)

    async def get_response_async(self, request):
        if request.path.startswith(API_PREFIX):
            # Webhooks (an entry event, whose card the tablets wait for) do not queue
            # behind pages: they are short, signed and rate-limited per source.
            return await sync_to_async(self.get_response)(request)
        async with self.turns.turn():
            return await sync_to_async(self.get_response)(request)
