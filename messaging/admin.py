"""Head office reads what associates sent and which selections were opened; nothing here is
written by hand (messages leave only through ``messaging.services``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Message, Selection, SelectionItem


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ["created_at", "customer", "channel", "purpose", "sent_by", "store", "delivery"]
    list_filter = ["channel", "purpose", "store"]
    list_select_related = ["customer", "sent_by", "store", "outbound"]
    search_fields = ["customer__last_name", "customer__loyalty_number"]
    date_hierarchy = "created_at"

    @admin.display(description=_("delivery"))
    def delivery(self, obj):
        return obj.outbound.get_status_display() if obj.outbound else "—"


class SelectionItemInline(admin.TabularInline):
    model = SelectionItem
    fields = ["variant", "note", "added_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Selection)
class SelectionAdmin(ReadOnly):
    list_display = ["__str__", "customer", "store", "sent_at", "last_opened_at", "open_count"]
    list_filter = ["store"]
    list_select_related = ["customer", "store"]
    search_fields = ["customer__last_name", "customer__loyalty_number"]
    inlines = [SelectionItemInline]
