from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.formats import money_column
from staff.admin import ReadOnlyAdmin

from .models import (
    AppDevice,
    BulkReadFlag,
    CardView,
    Consent,
    Customer,
    Interaction,
    Note,
    Preference,
    PrivacyRequest,
    Purchase,
    PurchaseLine,
    SizePreference,
    WishlistItem,
)

CONSENT_FIELDS = [
    "recorded_at",
    "purpose",
    "granted",
    "source",
    "channel",
    "actor",
    "recorded_by",
    "store",
    "wording_version",
    "language",
]


class ConsentInline(admin.TabularInline):
    """The consent ledger, newest first: read only (a grant or a withdrawal is recorded on
    the customer card or by the shopper on their privacy page, never edited)."""

    model = Consent
    extra = 0
    fields = CONSENT_FIELDS
    readonly_fields = CONSENT_FIELDS
    ordering = ["-recorded_at", "-pk"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by", "store")


class PreferenceInline(admin.StackedInline):
    model = Preference
    extra = 0
    max_num = 1
    autocomplete_fields = ["brands", "categories"]


class SizePreferenceInline(admin.TabularInline):
    model = SizePreference
    extra = 0
    autocomplete_fields = ["category"]


class WishlistInline(admin.TabularInline):
    model = WishlistItem
    extra = 0
    autocomplete_fields = ["variant"]


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ["text", "author", "store", "created_at"]
    readonly_fields = ["author", "store", "created_at"]


class AppDeviceInline(admin.TabularInline):
    model = AppDevice
    extra = 0
    fields = ["device_id", "platform", "label", "is_active", "linked_at"]
    readonly_fields = ["linked_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["loyalty_number", "last_name", "first_name", "email", "tier", "home_store"]
    list_filter = ["tier", "preferred_language", "home_store"]
    list_select_related = ["home_store"]
    search_fields = ["loyalty_number", "last_name", "first_name", "email", "phone"]
    autocomplete_fields = ["home_store"]
    inlines = [
        ConsentInline,
        AppDeviceInline,
        PreferenceInline,
        SizePreferenceInline,
        WishlistInline,
        NoteInline,
    ]
    show_full_result_count = False


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """The consent ledger: every grant and withdrawal, never edited nor deleted."""

    list_display = [
        "recorded_at",
        "customer",
        "purpose",
        "granted",
        "source",
        "actor",
        "recorded_by",
        "wording_version",
    ]
    list_filter = ["purpose", "granted", "source", "actor"]
    list_select_related = ["customer", "recorded_by"]
    search_fields = ["customer__loyalty_number", "customer__last_name"]
    date_hierarchy = "recorded_at"
    show_full_result_count = False


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """Shoppers' requests for a copy of their data or its erasure, from their privacy page."""

    list_display = ["requested_at", "customer", "kind", "status", "source", "handled_at"]
    list_filter = ["status", "kind", "source"]
    list_select_related = ["customer"]
    search_fields = ["customer__loyalty_number", "customer__last_name", "customer__email"]
    date_hierarchy = "requested_at"
    fields = ["customer", "kind", "source", "requested_at", "status", "handled_at", "note"]
    readonly_fields = ["customer", "kind", "source", "requested_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PurchaseLineInline(admin.TabularInline):
    model = PurchaseLine
    extra = 0
    autocomplete_fields = ["variant"]


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "channel",
        "store",
        "purchased_at",
        money_column(Purchase, "total"),
    ]
    list_filter = ["channel", "store"]
    list_select_related = ["customer", "store"]
    search_fields = ["reference", "customer__loyalty_number", "customer__last_name"]
    autocomplete_fields = ["customer", "store"]
    date_hierarchy = "purchased_at"
    inlines = [PurchaseLineInline]
    show_full_result_count = False


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "product", "channel", "occurred_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["customer", "product"]
    search_fields = ["customer__loyalty_number", "product__name", "event_id"]
    autocomplete_fields = ["customer", "product", "variant"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["customer", "author", "store", "created_at"]
    list_filter = ["store"]
    list_select_related = ["customer", "author", "store"]
    search_fields = ["customer__loyalty_number", "customer__last_name", "text"]
    autocomplete_fields = ["customer"]
    show_full_result_count = False


@admin.register(AppDevice)
class AppDeviceAdmin(admin.ModelAdmin):
    """Which customer an app install belongs to: the app's geofence names the device."""

    list_display = ["device_id", "customer", "platform", "label", "is_active", "linked_at"]
    list_filter = ["platform", "is_active"]
    list_select_related = ["customer"]
    search_fields = ["device_id", "customer__loyalty_number", "customer__last_name"]
    autocomplete_fields = ["customer"]
    readonly_fields = ["linked_at"]
    show_full_result_count = False


@admin.register(CardView)
class CardViewAdmin(ReadOnlyAdmin):
    """Every read of a client's data: who, when, from which store and why. A client's
    name or a staff member's lists only their rows (per client, per staff member)."""

    list_display = ["viewed_at", "viewer_rows", "customer_rows", "reason", "store"]
    list_filter = ["reason", "store", ("viewer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["viewer", "customer", "store"]
    search_fields = [
        "customer__loyalty_number",
        "customer__last_name",
        "viewer__email",
        "viewer__last_name",
    ]
    date_hierarchy = "viewed_at"
    show_full_result_count = False

    @admin.display(description=_("viewed by"), ordering="viewer")
    def viewer_rows(self, row):
        return format_html('<a href="?viewer__id__exact={}">{}</a>', row.viewer_id, row.viewer)

    @admin.display(description=_("customer"), ordering="customer")
    def customer_rows(self, row):
        return format_html(
            '<a href="?customer__id__exact={}">{}</a>', row.customer_id, row.customer
        )


@admin.register(BulkReadFlag)
class BulkReadFlagAdmin(ReadOnlyAdmin):
    """Staff who read many distinct clients in a short time; their reads are in the log."""

    list_display = ["raised_at", "viewer", "store", "clients", "minutes", "reads"]
    list_filter = ["store", ("viewer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["viewer", "store"]
    date_hierarchy = "raised_at"

    @admin.display(description=_("access log"))
    def reads(self, row):
        return format_html(
            '<a href="../cardview/?viewer__id__exact={}">{}</a>', row.viewer_id, _("Their reads")
        )
