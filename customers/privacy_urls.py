"""The shopper's own privacy page, under ``privacy/`` (namespace ``privacy``, included by
``privacy.urls``): public, outside staff sign-in, except the poster (staff print it for
their store's entrance)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.privacy_start, name="start"),
    path("code/", views.privacy_code, name="code"),
    path("me/", views.privacy_home, name="home"),
    path("me/consents/", views.privacy_consent, name="consent"),
    path("me/requests/", views.privacy_request, name="request"),
    path("sign-out/", views.privacy_signout, name="signout"),
    path("poster/<slug:store_code>/", views.privacy_poster, name="poster"),
]
