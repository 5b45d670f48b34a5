"""Reads for shoppers' rights: everything we hold about one person (the export), and what
an erasure would remove (the confirmation page).

The export walks the models themselves rather than a hand-kept list: every model with a
relation to ``customers.Customer``, directly or through one hop (an order's lines through
the order), is in it, so a table added later is exported without anyone remembering to."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from clientbook.selectors import customer_book_counts
from customers.models import AppDevice, CardView, Consent, Customer, Note, Purchase, WishlistItem
from floor.models import Visit
from messaging.models import Message, Selection
from orders.models import Order

# Our own bookkeeping about the rights exercised: not data about the person's life with us.
NOT_EXPORTED = {
    "privacy.customerexport": "the exports themselves",
    "privacy.erasurerecord": "exists only once the person is erased",
}


def _relations(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and (f.many_to_one or f.one_to_one or f.many_to_many)
    ]


def customer_relations() -> dict[type[models.Model], list[str]]:
    """Every model holding rows about a customer, with the lookups from it to the customer:
    a direct relation (``customer``) or one hop (``order__customer``)."""
    direct: dict[type[models.Model], list[str]] = {}
    for model in apps.get_models():
        for f in _relations(model):
            if f.related_model is Customer and model is not Customer:
                direct.setdefault(model, []).append(f.name)
    paths = {model: list(lookups) for model, lookups in direct.items()}
    for model in apps.get_models():
        for f in _relations(model):
            if f.many_to_many or f.related_model not in direct or f.related_model is model:
                continue
            paths.setdefault(model, []).extend(f"{f.name}__{p}" for p in direct[f.related_model])
    return {
        model: lookups
        for model, lookups in paths.items()
        if model._meta.label_lower not in NOT_EXPORTED
    }


def _label(obj) -> str:
    if obj is None:
        return ""
    if isinstance(obj, AbstractBaseUser):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _json_value(f: models.Field, obj):
    if f.many_to_many:
        return [{"id": o.pk, "label": _label(o)} for o in getattr(obj, f.name).all()]
    if f.is_relation:
        related = getattr(obj, f.name)
        return None if related is None else {"id": related.pk, "label": _label(related)}
    value = f.value_from_object(obj)
    if isinstance(f, models.FileField):
        return value.name or ""
    return value


def _display(f: models.Field, obj) -> str:
    if f.many_to_many:
        return ", ".join(_label(o) for o in getattr(obj, f.name).all())
    if f.is_relation:
        return _label(getattr(obj, f.name))
    value = f.value_from_object(obj)
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return number_format(value, use_l10n=True)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or "—"
    return str(value)


def _section(model, queryset) -> dict:
    fields = [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not (f.is_relation and f.related_model is Customer and model is not Customer)
    ]
    fks = [f.name for f in fields if f.is_relation and not f.many_to_many]
    deeper = [
        f"{f.name}__{g.name}"
        for f in fields
        if f.is_relation and not f.many_to_many
        for g in f.related_model._meta.concrete_fields
        if g.is_relation and g.related_model is not Customer
    ]
    m2m = [f.name for f in fields if f.many_to_many]
    rows = list(queryset.select_related(*fks, *deeper).prefetch_related(*m2m).order_by("pk"))
    return {
        "key": model._meta.label_lower,
        "title": str(model._meta.verbose_name_plural),
        "columns": [str(f.verbose_name) for f in fields],
        "rows": [[_display(f, row) for f in fields] for row in rows],
        "json": [{f.name: _json_value(f, row) for f in fields} for row in rows],
    }


def customer_data(customer: Customer) -> dict:
    """Everything held about ``customer``: one section per model (the profile first), each
    with readable rows (in the active language) and raw rows for JSON. One to three queries
    per model."""
    sections = [_section(Customer, Customer.objects.filter(pk=customer.pk))]
    relations = sorted(customer_relations().items(), key=lambda item: item[0]._meta.label_lower)
    for model, lookups in relations:
        condition = Q()
        for lookup in lookups:
            condition |= Q(**{lookup: customer})
        sections.append(_section(model, model._default_manager.filter(condition)))
    return {
        "sections": sections,
        "json": {
            "customer_id": customer.pk,
            "language": customer.preferred_language,
            "generated_at": timezone.now(),
            "sections": {s["key"]: s["json"] for s in sections},
        },
    }


def erasure_preview(customer: Customer) -> dict:
    """What erasing ``customer`` removes and keeps, counted, for the confirmation page."""
    orders = Order.objects.filter(customer=customer)
    book = customer_book_counts(customer.pk)
    return {
        "customer": customer,
        "open_orders": list(
            orders.filter(status__in=Order.OPEN_STATUSES).values_list("reference", flat=True)
        ),
        "removed": [
            (_("notes"), Note.objects.filter(customer=customer).count()),
            (_("wishlist items"), WishlistItem.objects.filter(customer=customer).count()),
            (_("app devices"), AppDevice.objects.filter(customer=customer).count()),
            (_("client book entry and follow-ups"), book["book_entries"] + book["follow_ups"]),
            (_("delivery addresses on orders"), orders.count()),
            (
                _("texts of messages sent to them"),
                Message.objects.filter(customer=customer).count(),
            ),
            (_("selections of products"), Selection.objects.filter(customer=customer).count()),
        ],
        "kept": [
            (
                _("consents (proof, under the anonymous id)"),
                Consent.objects.filter(customer=customer).count(),
            ),
            (_("visits"), Visit.objects.filter(customer=customer).count()),
            (_("contacts (touch points)"), book["touch_points"]),
            (_("purchases"), Purchase.objects.filter(customer=customer).count()),
            (_("orders"), orders.count()),
            (_("card views (access log)"), CardView.objects.filter(customer=customer).count()),
        ],
    }
