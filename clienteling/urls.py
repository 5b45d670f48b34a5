"""The project's URLs: each app brings its own."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from catalog.media import product_image
from clienteling.health import healthz, readyz
from customers.api import interactions
from floor.api import presence
from inventory.api import stock_delta

admin.site.site_header = _("Clienteling — head office")
admin.site.site_title = _("Clienteling")
admin.site.index_title = _("Catalog, customers, offers and staff")
admin.site.site_url = reverse_lazy("floor_home")  # "View site": the floor, not back here
admin.site.enable_nav_sidebar = False  # on a 1024 px tablet it took the list columns' room

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("", include("staff.urls")),
    path("", include("floor.urls")),
    path("", include("products.urls")),
    path("", include("messaging.urls")),
    path("", include("dashboard.urls")),
    path("customers/", include("customers.urls")),
    path("orders/", include("orders.urls")),
    path("book/", include("clientbook.urls")),
    path("offers/", include("offers.urls")),
    path("privacy/", include("privacy.urls")),
    path("api/stock/", stock_delta, name="api_stock"),
    path("api/presence/", presence, name="api_presence"),
    path("api/interactions/", interactions, name="api_interactions"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_PRODUCT_IMAGES and settings.MEDIA_URL.startswith("/"):
    # Product photos from their storage; in production a bucket or CDN serves MEDIA_URL.
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", product_image, name="product_image")
    )

# Django's own 400s (an oversized or malformed body) answer /api/ callers in JSON.
handler400 = "integrations.views.bad_request"
# A request that waited in vain for a database connection is overload: 503, not 500.
handler500 = "clienteling.overload.server_error"
