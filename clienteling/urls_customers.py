from django.urls import path

from .views import customers

app_name = "customers"

urlpatterns = [
    path("", customers.search, name="search"),
    path("<int:customer_id>/", customers.card, name="card"),
    path("<int:customer_id>/notes/", customers.note_create, name="note_create"),
    path("serving/clear/", customers.serving_clear, name="serving_clear"),
]
