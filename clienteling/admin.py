from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DailyAssociateFigures, DailyStoreFigures, StaffProfile, Visit


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
    list_display = ["store", "customer", "source", "arrived_at", "departed_at", "attended_by"]
    list_filter = ["source", "store"]
    list_select_related = ["store", "customer", "attended_by"]
    search_fields = ["customer__loyalty_number", "customer__last_name", "store__code"]
    date_hierarchy = "arrived_at"
    raw_id_fields = ["customer", "attended_by"]
    show_full_result_count = False


class DailyFiguresAdmin(admin.ModelAdmin):
    """Read-only: the nightly roll-up writes these rows (``manage.py figures_rollup``)."""

    date_hierarchy = "day"
    list_filter = ["store"]
    list_select_related = ["store"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
