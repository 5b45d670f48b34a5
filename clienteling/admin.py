from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.formats import money_column

from .access import Role, has_role
from .models import (
    CardView,
    DailyAssociateFigures,
    DailyStoreFigures,
    Order,
    OrderEvent,
    OrderLine,
    PresenceEvent,
    StaffProfile,
    Visit,
)


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["role", "stores"]

    def clean(self):
        cleaned = super().clean()
        role, stores = cleaned.get("role"), cleaned.get("stores")
        if stores is None:
            return cleaned
        if role == StaffProfile.Role.ASSOCIATE and len(stores) != 1:
            raise ValidationError(_("An associate works in exactly one store."))
        if role == StaffProfile.Role.MANAGER and not stores:
            raise ValidationError(_("A manager oversees at least one store."))
        return cleaned


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    can_delete = False
    max_num = 1
    filter_horizontal = ["stores"]


class StaffCreationForm(AdminUserCreationForm):
    email = forms.EmailField(label=_("Email"), required=True)

    class Meta(AdminUserCreationForm.Meta):
        fields = ["username", "email"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A staff member already signs in with this email."))
        return email


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    add_form = StaffCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )
    inlines = [StaffProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["staff_profile__role", "is_active", "is_staff"]
    list_select_related = ["staff_profile"]

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs: head office reads them; nobody edits or deletes them here."""

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, Role.HEAD_OFFICE) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return has_role(request.user, Role.HEAD_OFFICE) or super().has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class DailyFiguresAdmin(ReadOnlyAdmin):
    """The nightly roll-up writes these rows (``manage.py figures_rollup``)."""

    date_hierarchy = "day"
    list_filter = ["store"]
    list_select_related = ["store"]


@admin.register(PresenceEvent)
class PresenceEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "store", "event", "source", "outcome", "customer", "visit"]
    list_filter = ["outcome", "event", "source", "store"]
    list_select_related = ["store", "customer"]
    search_fields = ["event_id", "customer__loyalty_number", "customer__last_name"]
    date_hierarchy = "received_at"
    show_full_result_count = False


@admin.register(CardView)
class CardViewAdmin(ReadOnlyAdmin):
    """Who opened which customer card, when and from which store."""

    list_display = ["viewed_at", "viewer", "customer", "store"]
    list_filter = ["store"]
    list_select_related = ["viewer", "customer", "store"]
    search_fields = [
        "customer__loyalty_number",
        "customer__last_name",
        "viewer__email",
        "viewer__last_name",
    ]
    date_hierarchy = "viewed_at"
    show_full_result_count = False


@admin.register(DailyStoreFigures)
class DailyStoreFiguresAdmin(DailyFiguresAdmin):
    list_display = [
        "day",
        "store",
        "recognised_visits",
        "served_visits",
        "median_time_to_serve",
        "anonymous_visits",
        "orders",
        "orders_value",
        "converted_visits",
    ]


@admin.register(DailyAssociateFigures)
class DailyAssociateFiguresAdmin(DailyFiguresAdmin):
    list_display = [
        "day",
        "store",
        "associate",
        "served_visits",
        "median_time_to_serve",
        "notes_written",
        "orders",
        "orders_value",
    ]
    list_select_related = ["store", "associate"]
