from django.urls import path

from . import views as dashboard

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", dashboard.index, name="index"),
    path("dashboard/export/", dashboard.export, name="export"),
    path("stores/<slug:store_code>/dashboard/", dashboard.board, name="board"),
    path(
        "stores/<slug:store_code>/dashboard/visits/<int:visit_id>/send/",
        dashboard.send_associate,
        name="send_associate",
    ),
]
