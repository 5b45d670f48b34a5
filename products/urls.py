"""Product tools (namespace ``products``): search, product page (``?variant=<id>``), scan
(``?code=``), comparison (``?ids=1,2,3``) and its tray, wishlist, shelf labels, and the
stock of a variant across stores; and the pages a client opens (``p/``)."""

from django.urls import path

from . import views, views_public, views_stock

app_name = "products"

urlpatterns = [
    path("products/", views.search, name="search"),
    path("products/<int:product_id>/", views.product, name="product"),
    path("products/scan/", views.scan, name="scan"),
    path("products/compare/", views.compare, name="compare"),
    path("products/compare/add/", views.compare_add, name="compare_add"),
    path("products/compare/remove/", views.compare_remove, name="compare_remove"),
    path("products/variants/<int:variant_id>/wishlist/", views.wishlist_add, name="wishlist_add"),
    path("products/labels/", views.labels, name="labels"),
    # Pages a client opens without signing in.
    path("p/<int:product_id>/", views_public.product, name="public_product"),
    path("p/compare/<str:token>/", views_public.compare, name="public_compare"),
    path("stock/", views_stock.stock_scan, name="stock_scan"),
    path("stock/variants/<int:variant_id>/", views_stock.variant_stock, name="stock"),
]
