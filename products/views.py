"""Product tools on the floor: search, scan, product page, comparison, shelf labels."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import segno
from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.formats import possessive
from catalog.models import Product, Variant
from customers.models import Channel, Customer, WishlistItem
from customers.services import wishlist_item_add
from customers.session import selected_customer
from offers.pricing import prices_for
from staff.access import Role, staff_required
from staff.session import next_url, wants_fragment

from .compare import COMPARE_MAX, TrayFull, parse_ids, tray_add, tray_ids, tray_remove, tray_set
from .forms import LabelsForm, ProductSearchForm, TrayForm
from .links import public_comparison_path, public_product_path
from .selectors import (
    ProductQuery,
    comparison,
    complements_for,
    label_variants,
    photos_attach,
    product_detail,
    product_search,
    products_for_comparison,
    search_filter_choices,
    variant_for_code,
)

LABELS_PER_SHEET = 24
LABELS_PER_PRINT = 4 * LABELS_PER_SHEET
# Inline SVG, sized by CSS; a two-module quiet zone inside the label's own white margin.
QR_SVG = {"omitsize": True, "border": 2, "svgclass": "label-qr", "lineclass": None}


# --- Search ------------------------------------------------------------------------------


@require_GET
@staff_required()
def search(request):
    form = ProductSearchForm(request.GET)
    ctx = {"form": form, "store": request.store}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        query = ProductQuery(
            text=data["q"],
            category=data["category"],
            brand=data["brand"],
            price_min=data["price_min"],
            price_max=data["price_max"],
            in_stock_at=request.store if data["in_stock"] else None,
        )
        page = product_search(query, page=data["page"] or 1, store=request.store)
        customer = selected_customer(request) if page.products else None
        _price_products(page.products, customer)
        photos_attach(page.products)
        _product_urls(page.products)
        ctx |= {
            "query": query,
            "page": page,
            "customer": customer,
            "in_tray": set(tray_ids(request)),
            **_pager_urls(request, page.number),
            **_compare_button_urls(request),
        }
    else:
        status = 422
    if wants_fragment(request):
        return render(request, "products/search.html#results", ctx, status=status)
    categories, brands = search_filter_choices()
    ctx |= {
        "categories": categories,
        "brands": brands,
        "category_value": form["category"].value(),
        "brand_value": form["brand"].value(),
    }
    return render(request, "products/search.html", ctx, status=status)


def _product_urls(products: list[Product]) -> None:
    """Give each result its ``url``: its page, opened on the variant whose code was typed."""
    head, tail = reverse("products:product", args=[0]).rsplit("0", 1)
    for product in products:
        product.url = f"{head}{product.pk}{tail}"
        if product.matched_variant_id:
            product.url += f"?variant={product.matched_variant_id}"


def _compare_button_urls(request) -> dict:
    """What ``products/partials/compare_button.html`` needs beside the product and the
    tray, once per page."""
    return {
        "compare_add_url": reverse("products:compare_add"),
        "compare_remove_url": reverse("products:compare_remove"),
        "compare_next": request.get_full_path(),
    }


def _price_products(products: list[Product], customer: Customer | None) -> None:
    """Give each product (with its ``variant_list``) its ``shown_variant`` (the one whose
    code was typed, else its first) and that variant's ``price``, from one call of the
    price function (told the offers' version when the products were read with it)."""
    for product in products:
        variants = product.variant_list
        matched = getattr(product, "matched_variant_id", None)
        product.shown_variant = next(
            (v for v in variants if v.pk == matched), variants[0] if variants else None
        )
    token = getattr(products[0], "offers_version", None) if products else None
    prices = prices_for(
        [p.shown_variant for p in products if p.shown_variant], customer=customer, token=token
    )
    for product in products:
        product.price = prices[product.shown_variant.pk] if product.shown_variant else None


def _pager_urls(request, number: int) -> dict:
    """The addresses of the pages before and after page ``number`` of this search."""
    path, params = reverse("products:search"), request.GET.copy()
    urls = {}
    for name, other in (("previous_url", number - 1), ("next_url", number + 1)):
        params["page"] = str(other)
        urls[name] = f"{path}?{params.urlencode()}"
    return urls


# --- Scan --------------------------------------------------------------------------------


@require_GET
@staff_required()
def scan(request):
    """Open the product behind a scanned or typed EAN, SKU or shelf-label QR code."""
    code = request.GET.get("code", "").strip()
    if not code:
        return render(request, "products/scan.html")
    target = _scan_target(code)
    if target is None:
        return render(
            request,
            "products/scan.html",
            {"code": code, "error": _("No product has the code “%(code)s”.") % {"code": code}},
            status=404,
        )
    return redirect(target)


def _scan_target(code: str) -> str | None:
    """A product page's address for this code, or None."""
    if code.startswith(("http://", "https://", "/")):
        parts = urlsplit(code)
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        if match.view_name not in ("products:product", "products:public_product"):
            return None
        product_id = match.kwargs["product_id"]
        variant = QueryDict(parts.query).get("variant", "")
        if not Product.objects.filter(pk=product_id).exists():
            return None
        url = reverse("products:product", args=[product_id])
        return f"{url}?variant={variant}" if variant.isdigit() else url
    variant = variant_for_code(code)
    if variant is None:
        return None
    return _variant_url(variant)


def _variant_url(variant: Variant) -> str:
    return f"{reverse('products:product', args=[variant.product_id])}?variant={variant.pk}"


# --- Product page ------------------------------------------------------------------------


@require_GET
@staff_required()
def product(request, product_id):
    item = product_detail(product_id=product_id, store=request.store)
    if item is None:
        raise Http404
    variants = list(item.variants.all())
    selected = variants[0] if variants else None
    if "variant" in request.GET:
        wanted = request.GET["variant"]
        selected = next((v for v in variants if str(v.pk) == wanted), None)
        if selected is None:
            raise Http404
    customer = selected_customer(request)
    for v in variants:
        v.product = item
    complements = complements_for([item], store=request.store, photos=False)
    shown = [c.shown_variant for c in complements if c.shown_variant]
    prices = prices_for(
        variants + shown, customer=customer, token=getattr(item, "offers_version", None)
    )
    for complement in complements:
        complement.price = prices[complement.shown_variant.pk] if complement.shown_variant else None
    photos_attach([item, *complements], variants)
    wishlisted = set()
    if customer is not None and variants:
        wishlisted = set(
            WishlistItem.objects.filter(customer=customer, variant__in=variants).values_list(
                "variant_id", flat=True
            )
        )
    for variant in variants:
        variant.price = prices[variant.pk]
    return render(
        request,
        "products/product.html",
        {
            "product": item,
            "variants": variants,
            "variant": selected,
            "price": prices[selected.pk] if selected else None,
            "customer": customer,
            "wishlisted": selected is not None and selected.pk in wishlisted,
            "in_tray": set(tray_ids(request)),
            "store": request.store,
            "photo": selected.photo if selected else item.photo,
            **_compare_button_urls(request),
            "complements": complements,
            "public_url": request.build_absolute_uri(
                public_product_path(item.pk, variant_id=selected.pk if selected else None)
            ),
        },
    )


@require_POST
@staff_required()
def wishlist_add(request, variant_id):
    """Put this variant on the wishlist of the client being served."""
    variant = get_object_or_404(Variant.objects.select_related("product"), pk=variant_id)
    customer = selected_customer(request)
    ctx = {"variant": variant, "customer": customer}
    if customer is None:
        ctx["error"] = _("Select the client you are serving first.")
        if wants_fragment(request):
            return render(request, "products/product.html#wishlist", ctx, status=409)
        messages.error(request, ctx["error"])
        return redirect(_variant_url(variant))
    _item, created = wishlist_item_add(
        customer_id=customer.pk, variant=variant, channel=Channel.STORE
    )
    if wants_fragment(request):
        ctx["wishlisted"] = True
        return render(request, "products/product.html#wishlist", ctx)
    if created:
        messages.success(
            request,
            _("Added to %(whose)s wishlist.") % {"whose": possessive(customer.full_name)},
        )
    return redirect(_variant_url(variant))


# --- Comparison tray ---------------------------------------------------------------------


@require_POST
@staff_required()
def compare_add(request):
    return _tray_change(request, add=True)


@require_POST
@staff_required()
def compare_remove(request):
    return _tray_change(request, add=False)


def _tray_change(request, *, add: bool):
    """Add or remove a product; answer with the product's button and the tray (htmx) or
    go back where the associate was."""
    form = TrayForm(request.POST)
    error = ""
    status = 200
    product_obj = None
    if not form.is_valid():
        error, status = form.errors["product"][0], 422
    else:
        product_obj = form.cleaned_data["product"]
        if add:
            try:
                tray_add(request, product_obj.pk)
            except TrayFull:
                error, status = _tray_full_message(), 422
        else:
            tray_remove(request, product_obj.pk)
    if wants_fragment(request):
        ctx = {
            "tray_error": error,
            "in_tray": set(tray_ids(request)),
            "product": product_obj,
            **_compare_button_urls(request),
        }
        if request.htmx.target == "compare-tray":
            template = "products/partials/tray_response.html"
        else:
            template = "products/partials/compare_button_response.html"
        return render(request, template, ctx, status=status)
    if error:
        messages.error(request, error)
    return redirect(next_url(request, reverse("products:compare")))


def _tray_full_message() -> str:
    return _("The comparison already holds %(max)d products: remove one before adding another.") % {
        "max": COMPARE_MAX
    }


# --- Comparison page ---------------------------------------------------------------------


@require_GET
@staff_required()
def compare(request):
    """The comparison of the tray's products. Its address (``?ids=3,1,7``) can be shared:
    opening it puts those products in the tray."""
    if "ids" not in request.GET:
        ids = tray_ids(request)
        if ids:
            return redirect(_compare_url(ids, diff=request.GET.get("diff") == "1"))
    notices = []
    ids = parse_ids(request.GET.get("ids", ""))
    if len(ids) > COMPARE_MAX:
        notices.append(
            _("Only %(max)d products can be compared: the first %(max)d are shown.")
            % {"max": COMPARE_MAX}
        )
        ids = ids[:COMPARE_MAX]
    products = products_for_comparison(ids, request.store)
    if len(products) < len(ids):
        notices.append(_("Some products of this comparison are not in the catalog any more."))
    tray_set(request, [p.pk for p in products])
    table = comparison(products)
    customer = selected_customer(request) if products else None
    _price_products(products, customer)
    photos_attach(products)
    diff_only = request.GET.get("diff") == "1"
    product_ids = [p.pk for p in products]
    for p in products:
        p.remove_url = _compare_url([i for i in product_ids if i != p.pk], diff=diff_only)
    ctx = {
        "comparison": table,
        "rows": [r for r in table.rows if r.differs] if diff_only else table.rows,
        "diff_only": diff_only,
        "notices": notices,
        "customer": customer,
        "store": request.store,
        # The link a client can open on their phone: signed, it expires (products.links).
        "share_url": request.build_absolute_uri(public_comparison_path(product_ids))
        if product_ids
        else "",
        "toggle_url": _compare_url(product_ids, diff=not diff_only),
    }
    if wants_fragment(request):
        response = render(request, "products/compare.html#comparison", ctx)
        response["HX-Replace-Url"] = _compare_url(product_ids, diff=diff_only)
        return response
    return render(request, "products/compare.html", ctx)


def _compare_url(ids: list[int], *, diff: bool = False) -> str:
    params = {"ids": ",".join(map(str, ids))}
    if diff:
        params["diff"] = "1"
    return f"{reverse('products:compare')}?{urlencode(params, safe=',')}"


# --- Shelf labels ------------------------------------------------------------------------


@require_GET
@staff_required(Role.MANAGER, Role.HEAD_OFFICE)
def labels(request):
    """Pick products, then get a print-ready A4 sheet of shelf labels with QR codes."""
    form = LabelsForm(request.GET or None)
    if not form.is_bound:
        return _labels_form(request, form)
    if not form.is_valid():
        return _labels_form(request, form, status=422)
    data = form.cleaned_data
    page = data["page"] or 1
    variants, unknown, has_more = label_variants(
        category=data["category"],
        brand=data["brand"],
        codes=data["codes"],
        offset=(page - 1) * LABELS_PER_PRINT,
        limit=LABELS_PER_PRINT,
    )
    if unknown:
        form.add_error("codes", _("Unknown codes: %(codes)s.") % {"codes": ", ".join(unknown[:20])})
        return _labels_form(request, form, status=422)
    if not variants:
        form.add_error(None, _("No product on sale matches this choice."))
        return _labels_form(request, form, status=422)
    prices = prices_for(variants)
    by_codes = bool(data["codes"])
    sheet = [_shelf_label(request, v, prices[v.pk], with_variant=by_codes) for v in variants]
    params = request.GET.copy()
    params["page"] = str(page + 1)
    first = (page - 1) * LABELS_PER_PRINT + 1
    return render(
        request,
        "products/labels_sheet.html",
        {
            "labels": sheet,
            "sheets": [
                sheet[i : i + LABELS_PER_SHEET] for i in range(0, len(sheet), LABELS_PER_SHEET)
            ],
            "by_codes": by_codes,
            "first": first,
            "last": first + len(sheet) - 1,
            "next_url": f"{reverse('products:labels')}?{params.urlencode()}" if has_more else "",
        },
    )


def _shelf_label(request, variant: Variant, price, *, with_variant: bool) -> dict:
    """A label's content; its QR code holds the address of the product's public page (with
    the variant when labels were asked for by code, and the store printing them): a
    shopper's phone opens it, a staff tablet (or the scan page) the staff product page."""
    path = public_product_path(
        variant.product_id,
        variant_id=variant.pk if with_variant else None,
        store_code=request.store.code if getattr(request, "store", None) else "",
    )
    url = request.build_absolute_uri(path)
    return {
        "variant": variant,
        "product": variant.product,
        "price": price,
        "url": url,
        "qr": segno.make(url, error="m").svg_inline(**QR_SVG),
    }


def _labels_form(request, form: LabelsForm, status: int = 200):
    categories, brands = search_filter_choices()
    ctx = {"form": form, "categories": categories, "brands": brands}
    return render(request, "products/labels_form.html", ctx, status=status)
