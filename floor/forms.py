from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer

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


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note first.")},
    )
