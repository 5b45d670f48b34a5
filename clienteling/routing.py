from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/stores/<slug:store_code>/floor/", consumers.FloorConsumer.as_asgi()),
    path("ws/stores/<slug:store_code>/dashboard/", consumers.DashboardConsumer.as_asgi()),
]
