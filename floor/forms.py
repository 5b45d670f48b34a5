from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.widgets import RenderedOnce
from customers.models import Customer
from customers.sensitive import sensitive_topics

from .models import Visit


class CheckInForm(forms.Form):
    """A client checked in by their loyalty number (scanned or typed) or picked from the
    search results."""

    q = forms.CharField(
        label=_("Loyalty card, name, email or phone"), required=False, max_length=100
    )
    customer = forms.ModelChoiceField(queryset=Customer.objects.active(), required=False)
    scanned = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        customer = cleaned.get("customer")
        if customer is not None:
            cleaned["source"] = Visit.Source.SEARCH
            return cleaned
        q = (cleaned.get("q") or "").strip()
        if not q:
            raise forms.ValidationError(
                _("Scan or type a loyalty number, or search for the client."), code="empty"
            )
        customer = Customer.objects.active().filter(loyalty_number__iexact=q).first()
        if customer is None:
            raise forms.ValidationError(
                _("No client has the loyalty number “%(q)s”. Pick the client below, if listed.")
                % {"q": q},
                code="unknown",
            )
        cleaned["customer"] = customer
        cleaned["source"] = Visit.Source.SCAN
        return cleaned


class NoteForm(RenderedOnce, forms.Form):
    text = forms.CharField(
        label=_("New note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note first.")},
    )
    save_anyway = forms.BooleanField(
        label=_("Save anyway: this is needed to serve the client"), required=False
    )

    def clean(self):
        """A note that looks like health, religion, politics or other special data comes
        back with a warning; it is saved only when the associate confirms."""
        cleaned = super().clean()
        self.sensitive_topics = sensitive_topics(cleaned.get("text") or "")
        if self.sensitive_topics and not cleaned.get("save_anyway"):
            raise forms.ValidationError(
                _(
                    "This note seems to mention %(topics)s. Such details are kept only when "
                    "serving the client truly needs them and the client agrees: rephrase the "
                    "note, or confirm below."
                )
                % {"topics": ", ".join(self.sensitive_topics)},
                code="sensitive",
            )
        return cleaned
