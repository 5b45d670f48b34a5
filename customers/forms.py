"""Forms of customers: a consent change (on the card and on the shopper's page) and the
shopper's privacy page steps."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Consent, PrivacyRequest


class ConsentChangeForm(forms.Form):
    """A grant or a withdrawal, with the version and language of the words shown."""

    ACTIONS = {"grant": True, "withdraw": False}

    purpose = forms.ChoiceField(choices=Consent.Purpose.choices)
    action = forms.ChoiceField(choices=[("grant", "grant"), ("withdraw", "withdraw")])
    wording_version = forms.CharField(max_length=20)
    language = forms.ChoiceField(choices=settings.LANGUAGES)

    @property
    def granted(self) -> bool:
        return self.ACTIONS[self.cleaned_data["action"]]


class PrivacyEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"required": _("Enter your email."), "invalid": _("Enter a valid email.")},
    )


class PrivacyCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The 6-digit code we emailed you"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": r"\s*\d{6}\s*",
            }
        ),
        error_messages={
            "required": _("Enter the code."),
            "invalid": _("The code has 6 digits."),
        },
    )


class PrivacyRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=PrivacyRequest.Kind.choices)
