from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from catalog import api as catalog_api
from customers.api import interactions

from .api import presence
from .views import floor

admin.site.site_header = _("Clienteling — head office")
admin.site.site_title = _("Clienteling")
admin.site.index_title = _("Catalog, customers, offers and staff")

urlpatterns = [
    path("", floor.home, name="home"),
    path("stores/<slug:store_code>/floor/", floor.floor, name="floor"),
    path("stores/<slug:store_code>/floor/", include("clienteling.urls_floor")),
    path("stores/switch/", floor.store_switch, name="store_switch"),
    path("stock/", include("clienteling.urls_stock")),
    path("orders/", include("clienteling.urls_orders")),
    path("api/stock/", catalog_api.stock_delta, name="api_stock"),
    path("customers/", include("clienteling.urls_customers")),
    path("api/presence/", presence, name="api_presence"),
    path("api/interactions/", interactions, name="api_interactions"),
    path("offers/", include("clienteling.urls_offers")),
    path("", include("clienteling.urls_dashboard")),
    path("products/", include("clienteling.urls_catalog")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
