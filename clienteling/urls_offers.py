from django.urls import path

from .views import offers

app_name = "offers"

urlpatterns = [
    path(
        "customers/<int:customer_id>/<int:offer_id>/mention/",
        offers.mention,
        name="mention",
    ),
]
