"""Cross-store stock: one variant in this store, the nearest stores and the warehouse."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from catalog.models import Variant
from catalog.prepared import Prepared
from customers.session import selected_customer
from inventory.selectors import stock_lookup
from offers.pricing import price_for
from staff.access import staff_required
from staff.session import wants_fragment

from .selectors import variant_for_code

RADII = (10, 25, 50, 100, 250)
NEAREST = 25  # other stores listed before "show all"
TEMPLATE = "products/stock/variant.html"


def _radius(value) -> int | None:
    return int(value) if str(value).isdigit() and int(value) in RADII else None


# The page's reads, from statements built once per process.
_variant = Prepared(lambda pk: Variant.objects.select_related("product__brand").filter(pk=pk))
_siblings = Prepared(
    lambda product_id: Variant.objects.filter(product=product_id).order_by("size", "colour", "sku")
)


@require_GET
@staff_required()
def variant_stock(request, variant_id: int):
    store = request.store
    if store is None:
        return render(request, "staff/no_store.html", status=403)
    variant = _variant.first(variant_id)
    if variant is None:
        raise Http404
    radius = _radius(request.GET.get("radius"))
    places = stock_lookup(variant_id=variant.pk, origin=store, radius_km=radius)
    customer = selected_customer(request)
    stores = [p for p in places[1:] if not p.store.is_warehouse]
    show_all = request.GET.get("all") == "1"
    order_query = {"variant": variant.pk, **({"customer": customer.pk} if customer else {})}
    context = {
        "order_url": f"{reverse('orders:new')}?{urlencode(order_query)}",
        "variant": variant,
        "product": variant.product,
        "siblings": _siblings(variant.product_id),
        "price": price_for(variant, customer=customer),
        "customer": customer,
        "radius": radius,
        "radii": RADII,
        "here": places[0],
        "stores": stores if show_all else stores[:NEAREST],
        "hidden_stores": 0 if show_all else max(len(stores) - NEAREST, 0),
        "warehouses": [p for p in places[1:] if p.store.is_warehouse],
    }
    return render(
        request, f"{TEMPLATE}#stock-view" if wants_fragment(request) else TEMPLATE, context
    )


@require_GET
@staff_required()
def stock_scan(request):
    """Scan (or type) an EAN or a SKU: straight to that variant's stock."""
    code = request.GET.get("code", "").strip()
    variant = variant_for_code(code) if code else None
    if variant is not None:
        url = reverse("products:stock", kwargs={"variant_id": variant.pk})
        radius = _radius(request.GET.get("radius"))
        return redirect(f"{url}?{urlencode({'radius': radius})}" if radius else url)
    status = 404 if code else 200
    return render(request, "products/stock/scan.html", {"code": code}, status=status)
