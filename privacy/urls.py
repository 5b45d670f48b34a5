from django.urls import path

from customers.privacy_urls import urlpatterns as shopper_pages

from . import views

app_name = "privacy"

urlpatterns = [
    *shopper_pages,  # the shopper's own page (customers)
    path("exports/<str:link_token>/", views.export_download, name="export_download"),
]
