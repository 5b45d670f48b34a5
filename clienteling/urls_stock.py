from django.urls import path

from .views import stock

app_name = "stock"

urlpatterns = [
    path("", stock.stock_scan, name="scan"),
    path("variants/<int:variant_id>/", stock.variant_stock, name="variant"),
]
