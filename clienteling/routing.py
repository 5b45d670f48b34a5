from django.urls import path

from dashboard.consumers import DashboardConsumer
from floor.consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/stores/<slug:store_code>/floor/", FloorConsumer.as_asgi()),
    path("ws/stores/<slug:store_code>/dashboard/", DashboardConsumer.as_asgi()),
]
