from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("floor/", views.floor_home, name="floor_home"),
    path("stores/switch/", views.store_switch, name="store_switch"),
    path("me/", views.profile, name="profile"),
    path("stores/<slug:store_code>/team/", views.team_pins, name="team_pins"),
    path(
        "stores/<slug:store_code>/team/<int:user_id>/pin/",
        views.team_pin_reset,
        name="team_pin_reset",
    ),
    path("tablet/", views.tablet_lock_screen, name="tablet_lock_screen"),
    path("tablet/register/", views.tablet_register, name="tablet_register"),
    path("tablet/awake/", views.tablet_awake, name="tablet_awake"),
    path("tablet/lock/", views.tablet_lock, name="tablet_lock"),
    path("tablet/<int:user_id>/", views.tablet_pin, name="tablet_pin"),
]
