from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from catalog.admin import VariantAdmin
from catalog.models import Store, Variant

from .models import StockLevel
from .services import stock_snapshot_import

MAX_SNAPSHOT_BYTES = 10 * 1024 * 1024


class StockLevelInline(admin.TabularInline):
    """Stock moves through the snapshot upload, the stock API and orders (whose services
    keep ``reserved`` equal to the units held): here it is only shown."""

    model = StockLevel
    extra = 0
    fields = ["store", "on_hand", "reserved", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StockSnapshotForm(forms.Form):
    store = forms.ModelChoiceField(
        label=_("Store or warehouse"), queryset=Store.objects.filter(is_active=True)
    )
    file = forms.FileField(
        label=_("Snapshot (CSV)"),
        help_text=_(
            "UTF-8 CSV, comma or semicolon separated, with a header line naming the columns "
            '"sku" (or "ean") and "on_hand". Listed variants get the given units on hand; '
            "others are left as they are. One rejected row and nothing is applied."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SNAPSHOT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB: split it."))
        return upload


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["variant", "store", "on_hand", "reserved", "available", "updated_at"]
    list_filter = ["store__is_warehouse", "store"]
    list_select_related = ["variant__product", "store"]
    search_fields = ["variant__sku", "variant__ean", "store__code"]
    show_full_result_count = False
    change_list_template = "admin/inventory/stocklevel/change_list.html"
    readonly_fields = ["store", "variant", "on_hand", "reserved", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).with_available()

    @admin.display(description=_("available"), ordering="available")
    def available(self, obj):
        return obj.available

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="inventory_stocklevel_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Head office uploads a store's stock snapshot: every row checked, a report of
        the rejected ones, and the file applied whole or not at all."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = StockSnapshotForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            store = form.cleaned_data["store"]
            report = stock_snapshot_import(store=store, data=form.cleaned_data["file"].read())
            if report.applied:
                self.message_user(
                    request,
                    _("%(store)s: %(rows)d rows applied (%(updated)d changed, %(created)d new).")
                    % {
                        "store": store,
                        "rows": report.rows,
                        "updated": report.updated,
                        "created": report.created,
                    },
                    messages.SUCCESS,
                )
                changelist = reverse("admin:inventory_stocklevel_changelist")
                return redirect(f"{changelist}?{urlencode({'store__id__exact': store.pk})}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload a stock snapshot"),
            "form": form,
            "report": report,
        }
        status = 422 if report is not None else 200
        return TemplateResponse(
            request, "admin/inventory/stocklevel/upload.html", context, status=status
        )


admin.site.unregister(Variant)


@admin.register(Variant)
class VariantWithStockAdmin(VariantAdmin):
    """A variant's page in admin, with its stock in every store."""

    inlines = [*VariantAdmin.inlines, StockLevelInline]
