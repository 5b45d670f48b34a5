from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .formats import money_column
from .models import (
    Brand,
    Category,
    Characteristic,
    Product,
    ProductCharacteristic,
    Review,
    StockLevel,
    Store,
    Variant,
    WebhookSource,
)
from .services import product_search_refresh, stock_snapshot_import

MAX_SNAPSHOT_BYTES = 10 * 1024 * 1024


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "postcode", "is_warehouse", "is_active"]
    list_filter = ["is_warehouse", "is_active", "city"]
    search_fields = ["code", "name", "city", "postcode"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            product_search_refresh(product_ids=obj.products.values_list("pk", flat=True))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"name", "parent"} & set(form.changed_data):
            product_search_refresh(
                product_ids=Product.objects.filter(category__path__startswith=obj.path).values_list(
                    "pk", flat=True
                )
            )


@admin.register(Characteristic)
class CharacteristicAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "kind", "unit", "position"]
    list_filter = ["kind"]
    search_fields = ["code", "name_fr", "name_en"]
    list_editable = ["position"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        names = {"name_fr", "name_en"} & set(form.changed_data)
        if change and names and obj.kind == Characteristic.Kind.BOOLEAN:
            product_search_refresh(product_ids=obj.values.values_list("product_id", flat=True))


class ProductCharacteristicInline(admin.TabularInline):
    model = ProductCharacteristic
    extra = 1
    autocomplete_fields = ["characteristic"]


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 1
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "brand",
        "category",
        money_column(Product, "list_price"),
        "country_of_origin",
        "is_active",
    ]
    list_filter = ["is_active", "brand", "category", "country_of_origin"]
    list_select_related = ["brand", "category"]
    search_fields = ["name", "brand__name", "variants__sku", "variants__ean"]
    autocomplete_fields = ["brand", "category"]
    inlines = [ProductCharacteristicInline, VariantInline]
    show_full_result_count = False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_search_refresh(product_ids=[form.instance.pk])


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


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "ean", "product", "size", "colour"]
    search_fields = ["sku", "ean", "product__name"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    inlines = [StockLevelInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        product_search_refresh(product_ids=[obj.product_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        product_search_refresh(product_ids=[obj.product_id])


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
    change_list_template = "admin/catalog/stocklevel/change_list.html"
    readonly_fields = ["store", "variant", "on_hand", "reserved", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("available"))
    def available(self, obj):
        return obj.available

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="catalog_stocklevel_upload",
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
                changelist = reverse("admin:catalog_stocklevel_changelist")
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
            request, "admin/catalog/stocklevel/upload.html", context, status=status
        )


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["product", "rating", "title", "author_name", "reviewed_on"]
    list_filter = ["rating"]
    search_fields = ["product__name", "title", "text"]
    autocomplete_fields = ["product"]
    date_hierarchy = "reviewed_on"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(WebhookSource)
class WebhookSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "rate_limit_per_minute", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "key"]
    filter_horizontal = ["stores"]
    readonly_fields = ["secret"]
