"""The client book: "Mes clients", "À contacter aujourd'hui", the team's books and the
card's client-book section (namespace ``clientbook``)."""

from django.urls import path

from . import views

app_name = "clientbook"

urlpatterns = [
    path("", views.book, name="book"),
    path("today/", views.today, name="today"),
    path("follow-ups/<int:follow_up_id>/<slug:outcome>/", views.outcome, name="outcome"),
    path("team/", views.team, name="team"),
    path("team/<int:user_id>/reassign/", views.reassign_all, name="reassign_all"),
    path("stores/", views.stores, name="stores"),
    path("clients/<int:customer_id>/", views.card_section, name="card"),
    path("clients/<int:customer_id>/assign/", views.assign, name="assign"),
    path("clients/<int:customer_id>/follow-up/", views.follow_up_add, name="follow_up_add"),
    path("clients/<int:customer_id>/birth-date/", views.birth_date, name="birth_date"),
]
