from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("stores/switch/", views.store_switch, name="store_switch"),
]
