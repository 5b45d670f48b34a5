from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("exports/<str:link_token>/", views.export_download, name="export_download"),
]
