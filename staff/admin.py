from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalog.models import Store

from .access import Role, has_role
from .mfa import admin_has_permission, admin_login
from .models import StaffProfile, StoreDevice
from .services import store_device_revoke


def _check_role_and_stores(role, stores) -> None:
    if role == StaffProfile.Role.ASSOCIATE and len(stores) != 1:
        raise ValidationError(_("An associate works in exactly one store."))
    if role == StaffProfile.Role.MANAGER and not stores:
        raise ValidationError(_("A manager oversees at least one store."))


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["role", "stores"]

    def clean(self):
        cleaned = super().clean()
        stores = cleaned.get("stores")
        if stores is not None:
            _check_role_and_stores(cleaned.get("role"), stores)
        return cleaned


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    can_delete = False
    min_num = max_num = 1  # a user without a profile could sign in to nothing but a 403
    filter_horizontal = ["stores"]


class StaffCreationForm(AdminUserCreationForm):
    """Everything a new staff member needs to work: who they are, their role, their stores."""

    email = forms.EmailField(label=_("Email"), required=True)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=StaffProfile.Role.choices)
    stores = forms.ModelMultipleChoiceField(
        label=_("Stores"),
        queryset=Store.objects.filter(is_warehouse=False).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("An associate works in one store; a manager may oversee several."),
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ["username", "email", "first_name", "last_name"]

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned and "stores" in cleaned:
            try:
                _check_role_and_stores(cleaned["role"], cleaned["stores"])
            except ValidationError as error:
                self.add_error("stores", error)
        return cleaned

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
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    *("username", "email", "first_name", "last_name"),
                    *("password1", "password2"),
                ),
            },
        ),
        (_("Work"), {"classes": ("wide",), "fields": ("role", "stores")}),
    )
    inlines = [StaffProfileInline]

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)  # added by the form

    @transaction.atomic
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            data = form.cleaned_data
            profile = StaffProfile.objects.create(user=form.instance, role=data["role"])
            profile.stores.set(data["stores"])

    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["staff_profile__role", "is_active", "is_staff"]
    list_select_related = ["staff_profile"]

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"


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


@admin.register(StoreDevice)
class StoreDeviceAdmin(admin.ModelAdmin):
    """Shared tablets: managers register them on the tablet itself; head office revokes."""

    list_display = ["name", "store", "registered_by", "registered_at", "revoked_at"]
    list_filter = ["store", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["store", "registered_by"]
    readonly_fields = ["store", "name", "registered_by", "registered_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke: the tablet is no longer a store device"))
    def revoke(self, request, queryset):
        for device in queryset:
            store_device_revoke(device=device)


# Django admin signs in through allauth, and only a session that passed MFA gets in.
admin.site.login = admin_login
admin.site.has_permission = admin_has_permission
