"""Forms of the order flow. The lines are parsed in bulk (one query for the variants,
one for the sources, whatever their number)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from catalog.models import Store, Variant
from customers.consent_texts import wording_current
from customers.models import Consent
from inventory.stock import stores_by_distance

from .models import Order, validate_french_postcode
from .services import MAX_LINES, MAX_QUANTITY, DeliveryAddress

validate_phone = RegexValidator(
    r"^\+?[0-9 .()-]{6,20}$", _("Enter a phone number, e.g. 06 12 34 56 78.")
)


class QuickCustomerForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, validators=[validate_phone]
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for messages"), choices=settings.LANGUAGES, initial="fr"
    )
    consent_marketing_email = forms.BooleanField(
        label=_("Agrees to receive news and offers by email"), required=False
    )
    consent_personalised_offers = forms.BooleanField(
        label=_("Agrees to offers chosen for them"), required=False
    )
    consent_recognition = forms.BooleanField(
        label=_("Agrees to be recognised when entering a store"), required=False
    )

    CONSENTS = {
        "consent_marketing_email": Consent.Purpose.MARKETING_EMAIL,
        "consent_personalised_offers": Consent.Purpose.PERSONALISED_OFFERS,
        "consent_recognition": Consent.Purpose.IN_STORE_RECOGNITION,
    }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors:
            raise forms.ValidationError(_("Give an email or a phone number to reach them."))
        return cleaned

    def person_fields(self):
        return [self[name] for name in self.fields if name not in self.CONSENTS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, purpose in self.CONSENTS.items():  # the words to read, recorded by version
            self.fields[name].help_text = wording_current(purpose).ask

    def consent_fields(self):
        return [self[name] for name in self.CONSENTS]

    def consents(self) -> dict[str, bool]:
        return {purpose: self.cleaned_data[name] for name, purpose in self.CONSENTS.items()}


class StoreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, store):
        distance = getattr(store, "distance_km", None)
        if distance is None or distance < 0.05:
            return store.name
        return f"{store.name} — {distance:.0f} km"


class DeliveryForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Delivery"), choices=Order.Mode.choices, widget=forms.RadioSelect
    )
    pickup_store = StoreChoiceField(
        label=_("Pickup store"), queryset=Store.objects.none(), required=False
    )
    recipient = forms.CharField(label=_("Recipient"), max_length=160, required=False)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    street_extra = forms.CharField(
        label=_("Building, floor, code (optional)"), max_length=200, required=False
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=5,
        required=False,
        validators=[validate_french_postcode],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone for the carrier"),
        max_length=30,
        required=False,
        validators=[validate_phone],
    )

    def __init__(self, *args, near: Store, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["pickup_store"]
        field.queryset = Store.objects.filter(is_active=True, is_warehouse=False)
        # Offered nearest first.
        field.choices = [("", "---------")] + [
            (store.pk, field.label_from_instance(store)) for store in stores_by_distance(near)
        ]

    def address_fields(self):
        return [self[name] for name in self.fields if name not in ("mode", "pickup_store")]

    def clean_postcode(self):
        return "".join(self.cleaned_data["postcode"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == Order.Mode.PICKUP:
            if not cleaned.get("pickup_store"):
                self.add_error("pickup_store", _("Choose the pickup store."))
        elif cleaned.get("mode") == Order.Mode.DELIVERY:
            for name in ("recipient", "street", "postcode", "city"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Required for a home delivery."))
        return cleaned

    def address(self) -> DeliveryAddress | None:
        if self.cleaned_data["mode"] != Order.Mode.DELIVERY:
            return None
        data = self.cleaned_data
        return DeliveryAddress(
            recipient=data["recipient"],
            street=data["street"],
            street_extra=data["street_extra"],
            postcode=data["postcode"],
            city=data["city"],
            phone=data["phone"],
        )


@dataclass
class LineInput:
    """A line as typed: the variant, the quantity (``None`` if not a valid number) and
    the chosen source (``None``: the nearest with stock)."""

    variant: Variant
    quantity: int | None
    source: Store | None
    raw_quantity: str = "1"

    @property
    def error(self) -> str:
        if self.quantity is None:
            return str(_("Enter a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY})
        return ""


def whole_number(value) -> int | None:
    """A non-negative whole number typed or sent in a form, else None."""
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def parse_lines(data) -> list[LineInput]:
    """Read the ``variant``/``quantity``/``source`` lists of a submitted order form.
    Unknown variants are dropped; an unknown source falls back to automatic."""
    rows = list(
        zip(data.getlist("variant"), data.getlist("quantity"), data.getlist("source"), strict=False)
    )[:MAX_LINES]
    return lines_for([(whole_number(v), q, whole_number(s)) for v, q, s in rows])


def lines_for(rows: list[tuple[int | None, str, int | None]]) -> list[LineInput]:
    variant_ids = {v for v, _q, _s in rows if v}
    store_ids = {s for _v, _q, s in rows if s}
    variants = Variant.objects.select_related("product__brand").in_bulk(variant_ids)
    stores = Store.objects.filter(is_active=True).in_bulk(store_ids)
    lines = []
    for variant_id, raw, store_id in rows:
        if variant_id not in variants:
            continue
        quantity = whole_number(raw)
        if quantity is not None and not 1 <= quantity <= MAX_QUANTITY:
            quantity = None
        lines.append(LineInput(variants[variant_id], quantity, stores.get(store_id), raw or ""))
    return lines
