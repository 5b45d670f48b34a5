from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("floor/", views.floor_home, name="floor_home"),
    path("stores/switch/", views.store_switch, name="store_switch"),
]
