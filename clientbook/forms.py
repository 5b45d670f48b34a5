from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.widgets import RenderedOnce


class FollowUpForm(RenderedOnce, forms.Form):
    """A follow-up the associate sets themselves from the card."""

    due_on = forms.DateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("What to do"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. call when the TV arrives")}),
    )

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."), code="past")
        return day


class BirthDateForm(RenderedOnce, forms.Form):
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    agreed = forms.BooleanField(
        label=_("The client agrees we keep it to wish them a happy birthday."), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("birth_date") and not cleaned.get("agreed"):
            raise forms.ValidationError(
                _("Keep a date of birth only with the client's agreement."), code="consent"
            )
        if cleaned.get("birth_date") and cleaned["birth_date"] >= timezone.localdate():
            raise forms.ValidationError(_("A date of birth is in the past."), code="future")
        return cleaned
