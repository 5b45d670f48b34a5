from django.contrib import admin

from .formats import money_column
from .models import (
    Brand,
    Category,
    Characteristic,
    Product,
    ProductCharacteristic,
    Review,
    Store,
    Variant,
)
from .services import product_search_refresh


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


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ["sku", "ean", "product", "size", "colour"]
    search_fields = ["sku", "ean", "product__name"]
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        product_search_refresh(product_ids=[obj.product_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        product_search_refresh(product_ids=[obj.product_id])


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
