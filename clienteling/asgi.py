import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
django.setup(set_prefix=False)

from .handlers import SyncChainASGIHandler  # noqa: E402

django_asgi_app = SyncChainASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.sessions import SessionMiddlewareStack  # noqa: E402

from .overload import AdmissionLimit  # noqa: E402
from .routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Beyond MAX_CONCURRENT_REQUESTS at once, a 503 with Retry-After.
        "http": AdmissionLimit(django_asgi_app),
        # The session is read when the socket is admitted, with its user and access, in
        # one trip (integrations.live.SessionBoundConsumer.admit).
        "websocket": AllowedHostsOriginValidator(
            SessionMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# What was loaded to start (Django, the apps, the URL and template machinery: about
# 140,000 objects) lives as long as the process: the collector need not look at it again.
# A full collection over it took about 50 ms, the event loop's thread holding the
# interpreter meanwhile, a pause in every push and page in flight.
gc.collect()
gc.freeze()
