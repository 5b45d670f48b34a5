"""Reads of customer data shaped for pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Customer


def customers_matching(query: str, *, limit: int = 8) -> QuerySet[Customer]:
    """Customers to pick from while typing: a loyalty number, an email, a phone number
    or the start of first and last names (every word must match one of them)."""
    query = " ".join(query.split())
    if len(query) < 2:
        return Customer.objects.none()
    if "@" in query:
        condition = Q(email__istartswith=query)
    elif query.upper().startswith("FID") or query.replace(" ", "").lstrip("+").isdigit():
        digits = query.replace(" ", "")
        condition = Q(loyalty_number__iexact=digits) | Q(phone__contains=query)
    else:
        condition = Q()
        for word in query.split():
            condition &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    return Customer.objects.filter(condition).order_by("last_name", "first_name", "pk")[:limit]
