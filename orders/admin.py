from django.contrib import admin

from catalog.formats import money_column
from staff.admin import ReadOnlyAdmin

from .models import Order, OrderEvent, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["product_name", "sku", "quantity", "source", "list_price", "unit_price"]
    readonly_fields = fields


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["kind", "by", "at", "note"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Read-only: orders move through the associates' pages (their services keep the
    stock counters right)."""

    list_display = [
        "reference",
        "customer",
        "store",
        "mode",
        "status",
        money_column(Order, "total"),
        "created_at",
    ]
    list_filter = ["status", "mode", "store"]
    list_select_related = ["customer", "store"]
    search_fields = ["reference", "customer__loyalty_number", "customer__last_name"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderEventInline]
    show_full_result_count = False
