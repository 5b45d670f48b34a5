from django import forms
from django.utils.translation import gettext_lazy as _

from .services import PinError, pin_validate


class PinField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
        self.widget.input_type = "password"
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*", "maxlength": 6}
        )

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                pin_validate(value)
            except PinError as exc:
                raise forms.ValidationError(str(exc)) from exc


class PinSetForm(forms.Form):
    """The staff member sets their own PIN, confirming with their password."""

    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput)
    pin = PinField(label=_("New PIN (4 to 6 digits)"))
    pin_again = forms.CharField(label=_("New PIN again"), max_length=6, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pin") and cleaned.get("pin") != cleaned.get("pin_again"):
            self.add_error("pin_again", _("The two PINs differ."))
        return cleaned


class TeamPinForm(forms.Form):
    """A manager unlocks a PIN, and may give a new one."""

    pin = PinField(label=_("New PIN (optional)"), required=False)


class DeviceRegisterForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Tablet name"), max_length=80, initial=_("Tablet"))

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["store"].to_field_name = "code"
