"""Order for delivery or pickup: the order form, a store's order list, an order page."""

from __future__ import annotations

from uuid import uuid4

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from catalog.models import Store
from customers.models import CardView, Customer
from customers.selectors import customer_search as customers_search
from customers.services import (
    SearchLimited,
    customer_quick_create,
    customer_reads_record,
    customer_search_count,
)
from customers.session import card_customer_id, selected_customer_id
from products.selectors import variant_for_code
from staff.access import staff_required
from staff.session import wants_fragment

from .forms import DeliveryForm, LineInput, QuickCustomerForm, lines_for, parse_lines, whole_number
from .models import Order
from .selectors import (
    OPEN,
    can_act_on,
    open_orders_for,
    order_detail,
    order_hold,
    order_placed_with,
    order_preview,
    store_orders,
)
from .services import (
    ACTIONS,
    LineRequest,
    OrderError,
    StockUnavailable,
    order_next_actions,
    order_place,
)

ORDER_FORM = "orders/new.html"


def _customer(customer_id) -> Customer | None:
    customer_id = whole_number(customer_id)
    return Customer.objects.active().filter(pk=customer_id).first() if customer_id else None


def _read(request, customers, reason: str) -> None:
    """Log the clients whose details this page shows (privacy audit)."""
    customer_reads_record(
        viewer=request.user,
        customer_ids=[c.pk for c in customers if c is not None],
        store=request.store,
        reason=reason,
    )


def _search(request, q: str) -> tuple[list[Customer], str]:
    """At most 8 clients for the order form's picker, the search counted against the
    person's limit and every client listed logged. Returns them and an error."""
    try:
        customer_search_count(user=request.user)
    except SearchLimited as limited:
        return [], str(limited)
    customers = list(customers_search(q)[:8])
    _read(request, customers, CardView.Reason.SEARCH)
    return customers, ""


def _no_store(request):
    return render(request, "staff/no_store.html", status=403)


@staff_required()
def order_new(request):
    """The order form. Every step posts the whole form back and gets it re-rendered
    (HTMX swaps it in place); ``action`` says what the step does."""
    store = request.store
    if store is None:
        return _no_store(request)
    if request.method == "POST":
        return _order_step(request, store)

    lines, error = [], ""
    if variant_id := whole_number(request.GET.get("variant")):
        lines = lines_for([(variant_id, "1", whole_number(request.GET.get("source")))])
        if not lines:
            error = _("This product no longer exists.")
    customer = _customer(request.GET.get("customer") or selected_customer_id(request))
    _read(request, [customer], CardView.Reason.ORDER_FORM)  # preloaded: name, phone
    delivery = DeliveryForm(initial={"mode": Order.Mode.DELIVERY}, near=store)
    return _render_form(
        request,
        store=store,
        key=uuid4().hex,
        customer=customer,
        lines=lines,
        delivery=delivery,
        new_customer=QuickCustomerForm(prefix="new"),
        error=error,
    )


def _order_step(request, store: Store):
    data = request.POST
    action, _sep, argument = data.get("action", "refresh").partition(":")
    customer = _customer(data.get("customer"))
    lines = parse_lines(data)
    delivery = DeliveryForm(
        initial={k: data.get(k, "") for k in DeliveryForm.base_fields}, near=store
    )
    new_customer = QuickCustomerForm(
        initial={k: data.get(f"new-{k}", "") for k in QuickCustomerForm.base_fields},
        prefix="new",
    )
    context = {"key": data.get("key") or uuid4().hex, "add_code": data.get("add_code", "")}
    error, status = "", 200
    if action == "refresh" and context["add_code"].strip():
        action = "add"  # a barcode scanner types the code and presses Enter

    if action == "customer":
        customer = _customer(argument)
        _read(request, [customer], CardView.Reason.ORDER_FORM)
    elif action == "change_customer":
        customer = None
    elif action == "create_customer":
        new_customer = QuickCustomerForm(data, prefix="new")
        status = 422
        if new_customer.is_valid():
            fields = new_customer.cleaned_data
            try:
                customer = customer_quick_create(
                    first_name=fields["first_name"],
                    last_name=fields["last_name"],
                    email=fields["email"],
                    phone=fields["phone"],
                    preferred_language=fields["preferred_language"],
                    consents=new_customer.consents(),
                    by=request.user,
                    store=store,
                    consent_language=get_language(),
                )
            except ValidationError as invalid:
                new_customer.add_error(None, invalid)
            else:
                new_customer, status = QuickCustomerForm(prefix="new"), 200
    elif action == "add":
        variant = variant_for_code(context["add_code"])
        if variant is None:
            error, status = _("No product has this SKU or EAN."), 422
        else:
            lines.append(LineInput(variant, 1, None))
            context["add_code"] = ""
    elif (
        action == "remove" and (index := whole_number(argument)) is not None and index < len(lines)
    ):
        del lines[index]
    elif action == "place":
        delivery = DeliveryForm(data, near=store)
        placed, error, status = _place(request, store, customer, lines, delivery, context["key"])
        if placed is not None:
            return placed
    return _render_form(
        request,
        store=store,
        customer=customer,
        lines=lines,
        delivery=delivery,
        new_customer=new_customer,
        error=error,
        status=status,
        **context,
    )


def _preview(customer, lines: list[LineInput], near: Store):
    return order_preview(
        customer=customer,
        lines=[(line.variant, line.quantity, line.source) for line in lines],
        near=near,
    )


def _place(request, store, customer, lines, delivery, key):
    """Place the order: (the redirect to it, "", 200), or (None, why not, status)."""
    if (
        customer is not None
        and (order := order_placed_with(key=key, customer_id=customer.pk)) is not None
    ):
        # A retry (a busy server, a lost answer): its units are already this order's.
        return _placed_response(request, order), "", 200
    preview = _preview(customer, lines, _near(store, delivery))
    problem = ""
    if customer is None:
        problem = _("Choose the customer first.")
    elif not lines:
        problem = _("Add at least one product.")
    elif any(line.error for line in lines):
        problem = _("Check the quantities.")
    elif not delivery.is_valid():
        problem = _("Check the delivery details.")
    elif any(line.source is None for line in preview.lines):
        problem = _("A product is not available anywhere: remove it to continue.")
    if problem:
        return None, problem, 422
    try:
        order = order_place(
            key=key,
            customer=customer,
            store=store,
            by=request.user,
            lines=[
                LineRequest(line.variant, line.quantity, line.source.store)
                for line in preview.lines
            ],
            mode=delivery.cleaned_data["mode"],
            pickup_store=delivery.cleaned_data["pickup_store"],
            address=delivery.address(),
        )
    except OrderError as refused:
        return None, refused.message, 409 if isinstance(refused, StockUnavailable) else 422
    return _placed_response(request, order), "", 200


def _placed_response(request, order):
    messages.success(request, _("Order %(reference)s placed.") % {"reference": order.reference})
    url = reverse("orders:detail", kwargs={"order_id": order.pk})
    return HttpResponseClientRedirect(url) if wants_fragment(request) else redirect(url)


def _near(store: Store, delivery: DeliveryForm) -> Store:
    """Sources are ranked from the pickup store, or from this store for a delivery."""
    values = delivery.data if delivery.is_bound else delivery.initial
    pickup_id = whole_number(values.get("pickup_store"))
    if values.get("mode") == Order.Mode.PICKUP and pickup_id:
        stores = Store.objects.filter(is_active=True, is_warehouse=False)
        return stores.filter(pk=pickup_id).first() or store
    return store


def _render_form(request, *, store, customer, lines, delivery, new_customer, status=200, **extra):
    preview = _preview(customer, lines, _near(store, delivery))
    if customer is not None and not delivery.is_bound and not delivery.initial.get("recipient"):
        delivery.initial.update(recipient=customer.full_name, phone=customer.phone)
    if not delivery.is_bound and not delivery.initial.get("pickup_store"):
        delivery.initial["pickup_store"] = store.pk
    mode = (delivery.data if delivery.is_bound else delivery.initial).get("mode")
    q = request.POST.get("q", "") if request.method == "POST" else ""
    customers, search_error = _search(request, q) if customer is None and q else (None, "")
    context = {
        "store": store,
        "customer": customer,
        "q": q,
        "customers": customers,
        "search_error": search_error,
        "preview": preview,
        "rows": list(zip(lines, preview.lines, strict=True)),
        "delivery": delivery,
        "mode": mode or Order.Mode.DELIVERY,
        "new_customer": new_customer,
        **extra,
    }
    template = f"{ORDER_FORM}#order-form" if wants_fragment(request) else ORDER_FORM
    return render(request, template, context, status=status)


@require_GET
@staff_required()
def customer_search(request):
    q = request.GET.get("q", "")
    customers, error = _search(request, q) if q.strip() else ([], "")
    return render(
        request,
        f"{ORDER_FORM}#customer-results",
        {"customers": customers, "q": q, "search_error": error},
        status=429 if error else 200,
    )


@require_GET
@staff_required()
def order_list(request):
    store = request.store
    if store is None:
        return _no_store(request)
    status = request.GET.get("status", OPEN)
    if status not in {OPEN, "", *Order.Status.values}:
        status = OPEN
    page = Paginator(store_orders(store=store, status=status), 25).get_page(request.GET.get("page"))
    context = {
        "store": store,
        "status": status,
        "view_statuses": Order.Status.choices,
        "page": page,
        "orders": page.object_list,
    }
    template = "orders/list.html"
    return render(request, f"{template}#results" if wants_fragment(request) else template, context)


@require_GET
@staff_required()
def order_page(request, order_id: int):
    try:
        order = order_detail(order_id=order_id)
    except Order.DoesNotExist:
        raise Http404 from None
    can_act = can_act_on(request.user, order)
    # Staff of the stores concerned see the order; others only from the customer's card
    # (whose opening is logged), e.g. a shopper asking about it in another store.
    from_card = order.customer_id in (card_customer_id(request), selected_customer_id(request))
    if not can_act and not from_card:
        raise Http404
    _read(request, [order.customer], CardView.Reason.ORDER)  # email, phone, address
    hold_until, hold_lapsed = order_hold(order)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "events": order.events.all(),
            "hold_until": hold_until,
            "hold_lapsed": hold_lapsed,
            "actions": order_next_actions(order) if can_act else [],
        },
    )


@require_POST
@staff_required()
def order_action(request, order_id: int, action: str):
    service = ACTIONS.get(action)
    if service is None:
        raise Http404
    order = get_object_or_404(Order.objects.prefetch_related("lines"), pk=order_id)
    if not can_act_on(request.user, order):
        raise PermissionDenied
    extra = {"reason": request.POST.get("reason", "").strip()} if action == "cancel" else {}
    try:
        order = service(order_id=order.pk, by=request.user, **extra)
    except OrderError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Order %(reference)s: %(status)s.")
            % {"reference": order.reference, "status": order.get_status_display()},
        )
    return redirect("orders:detail", order_id=order.pk)


@require_GET
@staff_required()
def customer_orders(request, customer_id: int):
    """A customer's open orders, as the customer card lists them."""
    customer = get_object_or_404(Customer, pk=customer_id)
    _read(request, [customer], CardView.Reason.OPEN_ORDERS)
    return render(
        request,
        "orders/customer.html",
        {"customer": customer, "open_orders": open_orders_for(customer_id=customer.pk)},
    )
