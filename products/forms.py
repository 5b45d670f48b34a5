"""Forms of the product pages: search filters, comparison tray, shelf labels."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Brand, Category, Product

LABEL_CODES_MAX = 200


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, brand, SKU or EAN"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.all(), required=False)
    price_min = forms.DecimalField(
        label=_("Min price (€)"),
        help_text=_("List price, before offers."),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
    )
    price_max = forms.DecimalField(
        label=_("Max price (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
    )
    in_stock = forms.BooleanField(label=_("In stock here"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=500)

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price is below the lowest."))
        return data


class TrayForm(forms.Form):
    """A product to add to or remove from the comparison tray."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True),
        error_messages={"invalid_choice": _("This product is not sold any more.")},
    )


class LabelsForm(forms.Form):
    """Which products get shelf labels: a category and/or a brand, or a list of codes."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Its sub-categories are included."),
    )
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.all(), required=False)
    codes = forms.CharField(
        label=_("Or a list of SKUs or EANs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, or separated by spaces or commas."),
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def clean_codes(self) -> list[str]:
        raw = re.split(r"[\s,;]+", self.cleaned_data["codes"])
        codes = list(dict.fromkeys(c for c in raw if c))
        if len(codes) > LABEL_CODES_MAX:
            raise forms.ValidationError(
                ngettext(
                    "At most %(max)d code at a time.",
                    "At most %(max)d codes at a time.",
                    LABEL_CODES_MAX,
                )
                % {"max": LABEL_CODES_MAX}
            )
        return codes

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("category") or data.get("brand") or data["codes"]):
            raise forms.ValidationError(
                _("Pick a category, a brand, or list the products' codes."), code="empty"
            )
        return data
