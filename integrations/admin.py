from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import OutboundMessage, WebhookSource
from .outbox import enqueue


@admin.register(WebhookSource)
class WebhookSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "kind", "rate_limit_per_minute", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "key"]
    filter_horizontal = ["stores"]
    readonly_fields = ["secret"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Head office sees what left, what is late and why; nothing here is edited by hand."""

    list_display = [
        "key",
        "kind",
        "channel",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["key", "to"]
    actions = ["send_again_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Try the selected failed emails again now"))
    def send_again_now(self, request, queryset):
        failed = queryset.filter(status=OutboundMessage.Status.FAILED)
        pks = list(failed.values_list("pk", flat=True))
        failed.update(next_attempt_at=timezone.now())
        for pk in pks:
            enqueue(pk)
        self.message_user(request, gettext("%(count)d emails queued again.") % {"count": len(pks)})
