from django.contrib import admin

from .models import Offer


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "value", "scope", "starts_at", "ends_at", "is_active"]
    list_filter = ["is_active", "kind", "scope"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["products", "categories", "brands"]
    date_hierarchy = "starts_at"
