"""Pages a client opens on their phone, without signing in: a product's page (the shelf
label's QR code) and a comparison an associate shared (a signed link that expires).

They show what any shopper may see and nothing about staff or clients: the public price
(``prices_for`` without a customer), characteristics, reviews, photos, complements and the
stores where the product is available. Inactive products are not found. A signed-in staff
member who opens a product's page (scanning a label with a tablet) lands on the staff page.
Each page reads a fixed number of rows; views are counted per address in the shared cache
(``PUBLIC_VIEWS_PER_MINUTE``, then 429) and browsers may keep a page five minutes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.models import Store
from offers.pricing import prices_for
from staff.access import staff_profile

from .compare import COMPARE_MAX
from .links import LinkExpired, LinkInvalid, comparison_ids
from .selectors import (
    comparison,
    complements_for,
    photos_attach,
    products_for_comparison,
    public_product,
    stores_with_stock,
)

PUBLIC = "products/public"
CACHE_SECONDS = 300


def _limited(request) -> bool:
    """More than ``PUBLIC_VIEWS_PER_MINUTE`` views from this address this minute."""
    limit = settings.PUBLIC_VIEWS_PER_MINUTE
    key = f"public-views:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key) > limit
    except ValueError:
        cache.add(key, 1, timeout=60)
        return False


def _too_many(request):
    response = render(
        request,
        f"{PUBLIC}/error.html",
        {"error": _("Too many pages opened from this connection. Try again in a minute.")},
        status=429,
    )
    response["Retry-After"] = "60"
    return response


def _cacheable(response):
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


@require_GET
def product(request, product_id):
    if staff_profile(request.user) is not None:
        url = reverse("products:product", args=[product_id])
        variant = request.GET.get("variant", "")
        return redirect(f"{url}?variant={variant}" if variant.isdigit() else url)
    if _limited(request):
        return _too_many(request)
    item = public_product(product_id=product_id)
    if item is None:
        raise Http404
    variants = list(item.variants.all())
    for variant in variants:
        variant.product = item
    selected = None
    if "variant" in request.GET:
        wanted = request.GET["variant"]
        selected = next((v for v in variants if str(v.pk) == wanted), None)
        if selected is None:
            raise Http404
    shown = selected or (variants[0] if variants else None)
    here = None
    code = request.GET.get("store", "")
    if code:
        here = Store.objects.filter(code=code, is_active=True, is_warehouse=False).first()
    complements = complements_for([item], store=here)
    extra = [p.shown_variant for p in complements if p.shown_variant]
    # The public price: no customer; the offers' version came with the product.
    prices = prices_for(variants + extra, token=getattr(item, "offers_version", None))
    for variant in variants:
        variant.price = prices[variant.pk]
    for complement in complements:
        shown_variant = complement.shown_variant
        complement.price = prices[shown_variant.pk] if shown_variant else None
    photos_attach([item], variants)
    stores = stores_with_stock([selected.pk] if selected else [v.pk for v in variants])
    response = render(
        request,
        f"{PUBLIC}/product.html",
        {
            "product": item,
            "variants": variants,
            "variant": shown,
            "selected": selected,
            "price": shown.price if shown else None,
            "photo": shown.photo if shown else item.photo,
            "stores": stores,
            "here": here,
            "here_stock": next((s for s in stores if here and s.store.pk == here.pk), None),
            "complements": complements,
        },
    )
    return _cacheable(response)


@require_GET
def compare(request, token):
    if _limited(request):
        return _too_many(request)
    try:
        ids = comparison_ids(token)[:COMPARE_MAX]
    except LinkExpired:
        return render(
            request,
            f"{PUBLIC}/error.html",
            {
                "error": _(
                    "This comparison link has expired. Ask the store for a new one, or scan "
                    "the products' labels."
                )
            },
            status=410,
        )
    except LinkInvalid as exc:
        raise Http404 from exc
    products = [p for p in products_for_comparison(ids, None) if p.is_active]
    if not products:
        raise Http404
    for p in products:
        p.shown_variant = p.variant_list[0] if p.variant_list else None
    prices = prices_for([p.shown_variant for p in products if p.shown_variant])
    for p in products:
        p.price = prices[p.shown_variant.pk] if p.shown_variant else None
    photos_attach(products)
    table = comparison(products)
    response = render(
        request,
        f"{PUBLIC}/compare.html",
        {"comparison": table, "products": products, "rows": table.rows},
    )
    return _cacheable(response)
