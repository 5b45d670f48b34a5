from django.contrib import admin

from staff.admin import ReadOnlyAdmin

from .models import PresenceEvent, Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = [
        "store",
        "customer",
        "source",
        "arrived_at",
        "last_seen_at",
        "departed_at",
        "attended_by",
    ]
    list_filter = ["source", "store"]
    list_select_related = ["store", "customer", "attended_by"]
    search_fields = ["customer__loyalty_number", "customer__last_name", "store__code"]
    date_hierarchy = "arrived_at"
    raw_id_fields = ["customer", "attended_by"]
    show_full_result_count = False


@admin.register(PresenceEvent)
class PresenceEventAdmin(ReadOnlyAdmin):
    # Fits 1024 px beside the filters: the outcome, the point of this list, comes early.
    list_display = ["received_at", "outcome", "event", "store", "customer"]
    list_filter = ["outcome", "event", "source", "store"]
    list_select_related = ["store", "customer"]
    search_fields = ["event_id", "customer__loyalty_number", "customer__last_name"]
    date_hierarchy = "received_at"
    show_full_result_count = False
