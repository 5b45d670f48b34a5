from django.contrib import admin
from django.utils import timezone

from staff.admin import ReadOnlyAdmin

from .models import BookEntry, FollowUp, PurchaseFollowUpDelay, TouchPoint


@admin.register(PurchaseFollowUpDelay)
class PurchaseFollowUpDelayAdmin(admin.ModelAdmin):
    """Head office: call a client N days after they bought in a category (a TV: 14)."""

    list_display = ["category", "days"]
    list_editable = ["days"]
    autocomplete_fields = ["category"]


@admin.register(BookEntry)
class BookEntryAdmin(admin.ModelAdmin):
    """Head office sees every store's books; managers move clients on the team page."""

    list_display = ["customer", "associate", "store", "source", "since"]
    list_filter = ["store", "source"]
    list_select_related = ["customer", "associate", "store"]
    search_fields = ["customer__last_name", "customer__loyalty_number", "associate__last_name"]
    raw_id_fields = ["customer"]
    readonly_fields = ["since", "source"]

    def save_model(self, request, obj, form, change):
        if not change or "associate" in form.changed_data or "store" in form.changed_data:
            obj.since = timezone.now()
            obj.source = BookEntry.Source.REASSIGNED
        super().save_model(request, obj, form, change)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["customer", "reason", "store", "associate", "due_on", "status"]
    list_filter = ["reason", "status", "store"]
    list_select_related = ["customer", "store", "associate"]
    date_hierarchy = "due_on"


@admin.register(TouchPoint)
class TouchPointAdmin(ReadOnlyAdmin):
    list_display = ["customer", "outcome", "reason", "by", "store", "at"]
    list_filter = ["outcome", "reason", "store"]
    list_select_related = ["customer", "by", "store"]
    date_hierarchy = "at"
