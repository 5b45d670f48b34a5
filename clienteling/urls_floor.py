"""Floor actions, under ``stores/<store_code>/floor/`` (namespace ``floor``; the page
itself is the plain ``floor`` URL)."""

from django.urls import path

from .views import floor

app_name = "floor"

urlpatterns = [
    path("clients/", floor.floor_list, name="list"),
    path("check-in/", floor.checkin, name="checkin"),
    path("check-in/search/", floor.checkin_search, name="checkin_search"),
    path("visits/<int:visit_id>/claim/", floor.visit_claim_view, name="claim"),
    path("visits/<int:visit_id>/release/", floor.visit_release_view, name="release"),
    path("visits/<int:visit_id>/done/", floor.visit_done_view, name="done"),
]
