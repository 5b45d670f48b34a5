"""The floor page and its actions, under ``stores/<store_code>/floor/``, and the customer
card (namespace ``floor``)."""

from django.urls import path

from . import views

app_name = "floor"

FLOOR = "stores/<slug:store_code>/floor/"

urlpatterns = [
    path(FLOOR, views.page, name="page"),
    path(f"{FLOOR}clients/", views.clients, name="list"),
    path(f"{FLOOR}check-in/", views.checkin, name="checkin"),
    path(f"{FLOOR}check-in/search/", views.checkin_search, name="checkin_search"),
    path(f"{FLOOR}visits/<int:visit_id>/claim/", views.visit_claim_view, name="claim"),
    path(f"{FLOOR}visits/<int:visit_id>/release/", views.visit_release_view, name="release"),
    path(f"{FLOOR}visits/<int:visit_id>/done/", views.visit_done_view, name="done"),
    path("customers/<int:customer_id>/", views.card, name="card"),
    path(
        "customers/<int:customer_id>/suggestions/",
        views.card_suggestions_view,
        name="card_suggestions",
    ),
    path("customers/<int:customer_id>/notes/", views.note_create, name="note_create"),
    path("customers/<int:customer_id>/consents/", views.consents, name="consents"),
    path(
        "customers/<int:customer_id>/consents/record/",
        views.consent_change,
        name="consent_change",
    ),
    path(
        "customers/<int:customer_id>/consents/<slug:purpose>/<slug:action>/",
        views.consent_confirm,
        name="consent_confirm",
    ),
    path("customers/serving/clear/", views.serving_clear, name="serving_clear"),
]
