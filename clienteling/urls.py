from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .views import floor

admin.site.site_header = _("Clienteling — head office")
admin.site.site_title = _("Clienteling")
admin.site.index_title = _("Catalog, customers, offers and staff")

urlpatterns = [
    path("", floor.home, name="home"),
    path("stores/<slug:store_code>/floor/", floor.floor, name="floor"),
    path("stores/switch/", floor.store_switch, name="store_switch"),
    path("products/", include("clienteling.urls_catalog")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
