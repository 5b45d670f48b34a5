"""Head office exercises shoppers' rights from the customer list: "Export their data" and
"Erase their data" (after a confirmation page naming what goes and what stays). Exports,
erasures and retention runs are read-only logs."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customers.admin import CustomerAdmin as BaseCustomerAdmin
from customers.models import Customer
from staff.access import Role, has_role
from staff.admin import ReadOnlyAdmin

from .models import CustomerExport, ErasureRecord, RetentionRun
from .selectors import erasure_preview
from .services import PrivacyError, customer_erase, customer_export_request, export_download_path


class ErasedFilter(admin.SimpleListFilter):
    title = _("erased")
    parameter_name = "erased"

    def lookups(self, request, model_admin):
        return [("no", _("No")), ("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(erased_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(erased_at__isnull=False)
        return queryset


admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerAdmin(BaseCustomerAdmin):
    """The customers' admin with the rights' actions. A client is never deleted (their
    orders and figures must stay true): erasure anonymises them instead."""

    actions = ["export_data", "erase_data"]
    list_display = [*BaseCustomerAdmin.list_display, "erased_at"]
    list_filter = [*BaseCustomerAdmin.list_filter, ErasedFilter]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_privacy_permission(self, request):
        return has_role(request.user, Role.HEAD_OFFICE) or request.user.is_superuser

    @admin.action(
        description=_("Export their data (JSON and a readable page)"), permissions=["privacy"]
    )
    def export_data(self, request, queryset):
        done = 0
        for customer in queryset.filter(erased_at__isnull=True):
            customer_export_request(customer_id=customer.pk, by=request.user)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d export is being prepared: its link will be in Data exports.",
                "%(count)d exports are being prepared: their links will be in Data exports.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Erase their data (anonymise)…"), permissions=["privacy"])
    def erase_data(self, request, queryset):
        customers = list(queryset.filter(erased_at__isnull=True))
        if request.POST.get("confirmed") == "yes":
            erased = 0
            for customer in customers:
                try:
                    customer_erase(customer_id=customer.pk, by=request.user)
                except PrivacyError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    erased += 1
            if erased:
                self.message_user(
                    request,
                    ngettext("%(count)d client erased.", "%(count)d clients erased.", erased)
                    % {"count": erased},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase these clients' data?"),
            "opts": self.model._meta,
            "previews": [erasure_preview(customer) for customer in customers],
            "selected": [customer.pk for customer in customers],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "privacy/erase_confirm.html", context)


@admin.register(CustomerExport)
class CustomerExportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "customer", "requested_by", "requested_at", "status", "link"]
    list_filter = ["status"]
    list_select_related = ["customer", "requested_by"]
    search_fields = ["customer__loyalty_number", "customer__last_name"]
    show_full_result_count = False

    @admin.display(description=_("download (once)"))
    def link(self, obj):
        if obj.status != CustomerExport.Status.READY or obj.expires_at <= timezone.now():
            return "—"
        return format_html('<a href="{}">{}</a>', export_download_path(obj), _("Download"))


@admin.register(ErasureRecord)
class ErasureRecordAdmin(ReadOnlyAdmin):
    list_display = ["customer_id", "erased_at", "erased_by", "reason", "removed"]
    list_filter = ["reason"]
    list_select_related = ["erased_by"]
    date_hierarchy = "erased_at"


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "finished_at",
        "presence_events",
        "webhook_events",
        "card_views",
        "interactions",
        "customers_erased",
        "export_files",
    ]
    date_hierarchy = "started_at"
