from django.contrib import admin

from .models import WebhookSource


@admin.register(WebhookSource)
class WebhookSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "rate_limit_per_minute", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "key"]
    filter_horizontal = ["stores"]
    readonly_fields = ["secret"]
