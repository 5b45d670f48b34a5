from django.urls import path

from . import views as orders

app_name = "orders"

urlpatterns = [
    path("", orders.order_list, name="list"),
    path("new/", orders.order_new, name="new"),
    path("new/customers/", orders.customer_search, name="customer_search"),
    path("<int:order_id>/", orders.order_page, name="detail"),
    path("<int:order_id>/<slug:action>/", orders.order_action, name="action"),
    path("customers/<int:customer_id>/", orders.customer_orders, name="customer"),
]
