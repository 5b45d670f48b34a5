from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .formats import money_column
from .images import open_upload
from .models import (
    Brand,
    Category,
    Characteristic,
    Complement,
    Product,
    ProductCharacteristic,
    ProductImage,
    Review,
    Store,
    Variant,
)
from .services import product_image_delete, product_image_save, product_search_refresh


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


class CategoryComplementInline(admin.TabularInline):
    model = Complement
    fk_name = "category"
    extra = 1
    autocomplete_fields = ["complement"]
    fields = ["complement", "position"]
    verbose_name = _("complementary product")
    verbose_name_plural = _("complementary products of every product in this category")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug"]
    list_filter = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [CategoryComplementInline]

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


class ProductImageForm(forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ["colour", "image"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and "image" in self.changed_data:
            open_upload(upload)  # a clear error for anything but an acceptable photo
        return upload

    def clean_colour(self):
        colour = self.cleaned_data.get("colour", "").strip()
        product = self.instance.product if self.instance.product_id else None
        if colour and product is not None:
            colours = sorted({c for c in product.variants.values_list("colour", flat=True) if c})
            if colour not in colours:
                raise forms.ValidationError(
                    _("No variant of this product has the colour “%(colour)s” (%(colours)s).")
                    % {"colour": colour, "colours": ", ".join(colours) or _("no colours")}
                )
        return colour


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 1
    readonly_fields = ["preview"]
    fields = ["colour", "image", "preview"]

    @admin.display(description=_("thumbnail"))
    def preview(self, obj):
        if not obj.pk or not obj.thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="80" height="80" style="object-fit:contain">',
            obj.thumbnail.url,
        )


class ComplementInline(admin.TabularInline):
    model = Complement
    fk_name = "product"
    extra = 1
    autocomplete_fields = ["complement"]
    fields = ["complement", "position"]
    verbose_name = _("complementary product")
    verbose_name_plural = _(
        "complementary products (this product's own; its category's come after)"
    )


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
    inlines = [ProductCharacteristicInline, VariantInline, ProductImageInline, ComplementInline]
    show_full_result_count = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductImage:
            return super().save_formset(request, form, formset, change)
        # Photos go through the service: re-encoded, thumbnailed, old files removed. The
        # lists below are what admin's history message reads.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for image_form in formset.forms:
            instance = image_form.instance
            current = ProductImage.objects.filter(pk=instance.pk).first() if instance.pk else None
            if formset.can_delete and formset._should_delete_form(image_form):
                if current is not None:
                    product_image_delete(image=current)
                    formset.deleted_objects.append(current)
                continue
            if not image_form.has_changed():
                continue
            colour = image_form.cleaned_data["colour"]
            if "image" in image_form.changed_data:
                saved = product_image_save(
                    product=form.instance,
                    colour=colour,
                    upload=image_form.cleaned_data["image"],
                    image=current,
                )
            else:
                current.colour = colour
                current.save(update_fields=["colour", "updated_at"])
                saved = current
            if current is None:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, image_form.changed_data))

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


@admin.register(Complement)
class ComplementAdmin(admin.ModelAdmin):
    """Complements by category (TVs → wall mounts, cables, soundbars); a product's own
    are edited on the product."""

    list_display = ["__str__", "product", "category", "complement", "position"]
    list_filter = ["category"]
    list_select_related = ["product", "category", "complement"]
    search_fields = ["product__name", "category__name", "complement__name"]
    autocomplete_fields = ["product", "category", "complement"]
    list_editable = ["position"]
    ordering = ["category__path", "product__name", "position", "pk"]


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
