"""Django's ASGI handler, with the middleware and the view run as one synchronous chain.

Django's own handler runs its middleware in async mode: our middleware is synchronous
(it reads the session, the user and the store), so each request went from the event loop
to a thread for the middleware, back to the loop for Django's inner handler, and to a
thread again for the view, a few hundred microseconds of hops and thread hand-overs
each (profiled under load: a third of a Daphne process's CPU was the event loop's glue).
This handler builds the chain as the WSGI handler does and runs it in one hop, on the
request's own thread (``thread_sensitive``): the middleware, the view and every database
call of a request still share one thread and one connection.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response)(request)
