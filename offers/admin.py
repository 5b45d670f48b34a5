from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from customers.models import Channel, Customer

from .models import Offer, OfferMention, OfferRedemption
from .selectors import offer_history, offer_reach
from .services import offer_change_record, offer_snapshot, offers_set_active

SCOPE_FIELDS = {
    Offer.Scope.PRODUCT: "products",
    Offer.Scope.CATEGORY: "categories",
    Offer.Scope.BRAND: "brands",
}


class OfferAdminForm(forms.ModelForm):
    target_tiers = forms.MultipleChoiceField(
        label=capfirst(_("target tiers")),
        choices=Customer.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every tier."),
    )
    channels = forms.MultipleChoiceField(
        label=capfirst(_("channels")),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked (or all): every channel. Restricting needs a reason."),
    )

    class Meta:
        model = Offer
        fields = [
            "name",
            "description",
            "is_active",
            "kind",
            "value",
            "min_amount",
            "stackable",
            "scope",
            "products",
            "categories",
            "brands",
            "audience",
            "target_tiers",
            "uses_per_customer",
            "channels",
            "channel_reason",
            "starts_at",
            "ends_at",
        ]

    def clean_target_tiers(self):
        chosen = self.cleaned_data["target_tiers"]
        return [tier for tier in Customer.Tier.values if tier in chosen]

    def clean_channels(self):
        chosen = self.cleaned_data["channels"]
        if set(chosen) == set(Channel.values):
            return []
        return [channel for channel in Channel.values if channel in chosen]

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope in SCOPE_FIELDS:
            own = SCOPE_FIELDS[scope]
            if own in self.fields and not cleaned.get(own):
                self.add_error(own, _("Choose at least one: the offer must apply to something."))
            for other in SCOPE_FIELDS.values():
                if other != own and cleaned.get(other):
                    self.add_error(
                        other,
                        _("This offer applies to %(scope)s: leave this list empty.")
                        % {"scope": Offer.Scope(scope).label},
                    )
        return cleaned


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    form = OfferAdminForm
    # Fits 1024 px: stackable is a filter, the start a date hierarchy.
    list_display = [
        "name",
        "kind",
        "value",
        "scope",
        "audience",
        "channel_restriction",
        "ends_at",
        "is_active",
    ]
    list_filter = ["is_active", "kind", "scope", "audience", "stackable"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["products", "categories", "brands"]
    date_hierarchy = "starts_at"
    readonly_fields = ["reach", "history"]
    actions = ["activate", "deactivate"]
    fieldsets = [
        (None, {"fields": ["name", "description", "is_active"]}),
        (
            _("Discount or payment facility"),
            {
                "fields": ["kind", "value", "min_amount", "stackable"],
                "description": _(
                    "For a payment in instalments (e.g. 4× interest-free), the value is the "
                    "number of instalments and the threshold the price from which it is offered."
                ),
            },
        ),
        (_("What it applies to"), {"fields": ["scope", "products", "categories", "brands"]}),
        (_("Who gets it"), {"fields": ["audience", "target_tiers", "uses_per_customer"]}),
        (_("Where and when"), {"fields": ["channels", "channel_reason", "starts_at", "ends_at"]}),
        (_("Reach"), {"fields": ["reach"]}),
        (_("History"), {"fields": ["history"]}),
    ]

    class Media:
        js = ["js/offer_reach.js"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # no history before the first save; the reach can be previewed
            return [fs for fs in fieldsets if "history" not in fs[1]["fields"]]
        return fieldsets

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.reach_preview))
        return [
            path("reach-preview/", preview, name="offers_offer_reach_preview"),
            *super().get_urls(),
        ]

    def reach_preview(self, request):
        """The reach of the offer as the add or change form says now, nothing saved."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            return HttpResponse(status=403)
        form = OfferAdminForm(request.POST)
        form.is_valid()  # the fields that are valid are enough to count
        data = form.cleaned_data
        scope = data.get("scope")
        if scope not in SCOPE_FIELDS:
            message = gettext("Choose what the offer applies to first.")
            return HttpResponse(f'<p class="errornote">{message}</p>', status=422)
        offer = Offer(
            scope=scope,
            audience=data.get("audience") or Offer.Audience.EVERYONE,
            target_tiers=data.get("target_tiers") or [],
            is_active=data.get("is_active", False),
        )
        ids = [item.pk for item in data.get(SCOPE_FIELDS[scope]) or []]
        reach = offer_reach(offer, scope_ids=ids)
        context = {"reach": reach, "offer": offer, "preview": True}
        return HttpResponse(render_to_string("offers/admin/offer_reach.html", context))

    @admin.display(description=_("channels"))
    def channel_restriction(self, obj):
        if not obj.channels:
            return _("every channel")
        labels = dict(Channel.choices)
        names = ", ".join(str(labels.get(c, c)) for c in obj.channels)
        return f"{names} — {obj.channel_reason}"

    @admin.display(description=_("reach"))
    def reach(self, obj):
        reach = offer_reach(obj) if obj is not None and obj.pk else None
        context = {"reach": reach, "offer": obj}
        return render_to_string("offers/admin/offer_reach_preview.html", context)

    @admin.display(description=_("history"))
    def history(self, obj):
        return render_to_string("offers/admin/offer_history.html", {"entries": offer_history(obj)})

    def save_model(self, request, obj, form, change):
        # The stored state before this save, for the history written in save_related (the
        # lists of products, categories and brands are only saved there).
        form.history_before = offer_snapshot(Offer.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        offer_change_record(offer=form.instance, by=request.user, before=form.history_before)

    @admin.action(description=_("Activate the selected offers"), permissions=["change"])
    def activate(self, request, queryset):
        count = offers_set_active(
            offer_ids=queryset.values_list("pk", flat=True), active=True, by=request.user
        )
        self.message_user(
            request,
            ngettext("%(count)d offer activated.", "%(count)d offers activated.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate the selected offers"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = offers_set_active(
            offer_ids=queryset.values_list("pk", flat=True), active=False, by=request.user
        )
        self.message_user(
            request,
            ngettext("%(count)d offer deactivated.", "%(count)d offers deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the app; head office reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfferMention)
class OfferMentionAdmin(ReadOnlyAdmin):
    list_display = ["offer", "customer", "mentioned_by", "store", "mentioned_at"]
    list_filter = ["store"]
    list_select_related = ["offer", "customer", "mentioned_by", "store"]
    search_fields = ["offer__name", "customer__loyalty_number", "customer__last_name"]
    date_hierarchy = "mentioned_at"
    show_full_result_count = False


@admin.register(OfferRedemption)
class OfferRedemptionAdmin(ReadOnlyAdmin):
    list_display = ["offer", "customer", "reference", "channel", "redeemed_at"]
    list_filter = ["channel"]
    list_select_related = ["offer", "customer"]
    search_fields = ["offer__name", "reference", "customer__loyalty_number"]
    date_hierarchy = "redeemed_at"
    show_full_result_count = False
