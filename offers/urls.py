from django.urls import path

from . import views as offers

app_name = "offers"

urlpatterns = [
    path(
        "customers/<int:customer_id>/<int:offer_id>/mention/",
        offers.mention,
        name="mention",
    ),
]
