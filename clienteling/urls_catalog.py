"""Product tools: ``catalog:search``, ``catalog:product`` (``?variant=<id>``), ``catalog:scan``
(``?code=``), ``catalog:compare`` (``?ids=1,2,3``), the tray's ``catalog:compare_add`` /
``catalog:compare_remove``, ``catalog:wishlist_add`` and ``catalog:labels``."""

from django.urls import path

from .views import products

app_name = "catalog"

urlpatterns = [
    path("", products.search, name="search"),
    path("<int:product_id>/", products.product, name="product"),
    path("scan/", products.scan, name="scan"),
    path("compare/", products.compare, name="compare"),
    path("compare/add/", products.compare_add, name="compare_add"),
    path("compare/remove/", products.compare_remove, name="compare_remove"),
    path("variants/<int:variant_id>/wishlist/", products.wishlist_add, name="wishlist_add"),
    path("labels/", products.labels, name="labels"),
]
