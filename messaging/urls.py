"""Messages to a client and their selection, from the card (namespace ``messaging``), and
the client's own selection page (``selection/<token>/``: public, signed, expiring)."""

from django.urls import path

from . import views

app_name = "messaging"

CLIENT = "customers/<int:customer_id>/"

urlpatterns = [
    path(f"{CLIENT}messages/", views.section, name="card"),
    path(f"{CLIENT}messages/send/", views.send, name="send"),
    path(f"{CLIENT}selection/search/", views.selection_search, name="selection_search"),
    path(f"{CLIENT}selection/add/", views.selection_add, name="selection_add"),
    path(
        f"{CLIENT}selection/items/<int:item_id>/remove/",
        views.selection_remove,
        name="selection_remove",
    ),
    path(f"{CLIENT}selection/send/", views.selection_send_view, name="selection_send"),
    path("selection/<str:token>/", views.selection_public, name="selection_public"),
]
