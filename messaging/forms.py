from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Variant

from .models import Channel, Purpose

_KEY = forms.RegexField(regex=r"^[0-9a-f]{16,64}$", widget=forms.HiddenInput)


class MessageForm(forms.Form):
    """A message written on the card (selections have their own form)."""

    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices)
    purpose = forms.ChoiceField(
        label=_("About"), choices=[c for c in Purpose.choices if c[0] != Purpose.SELECTION]
    )
    text = forms.CharField(
        label=_("Your words (optional, except for a free text)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = _KEY

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "message_%s")  # the card's note form has its own "text"
        super().__init__(*args, **kwargs)


class SelectionAddForm(forms.Form):
    variant = forms.ModelChoiceField(
        queryset=Variant.objects.filter(product__is_active=True), widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Note for the client (optional)"), required=False, max_length=300
    )


class SelectionSendForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices)
    text = forms.CharField(
        label=_("A word with it (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    key = _KEY
