"""The card's messages section (loaded into the card, or a page of its own without
JavaScript) and its actions, and the client's public selection page."""

import uuid

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.models import CardView, Customer
from customers.services import card_view_record
from customers.session import card_customer_id
from products.selectors import ProductQuery, product_search
from staff.access import staff_required
from staff.session import wants_fragment

from .forms import MessageForm, SelectionAddForm, SelectionSendForm
from .models import Channel, Purpose
from .selectors import card_messages, selection_page
from .services import (
    LinkExpired,
    LinkInvalid,
    MessageRefused,
    message_send,
    selection_for_token,
    selection_item_add,
    selection_item_remove,
    selection_open_record,
    selection_send,
)

SECTION = "messaging/section.html"
SEARCH_RESULTS = 6


def _customer(customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.active(), pk=customer_id)


def _asked_purpose(request) -> str:
    """The purpose a link asked for (a follow-up's "Send a message"), if it is one."""
    purpose = request.GET.get("purpose", "")
    return purpose if purpose in Purpose.values and purpose != Purpose.SELECTION else ""


def _render(request, customer, *, status=200, message="", error="", forms=None):
    """The section, whole: a fragment for htmx, else its own page."""
    context = card_messages(customer_id=customer.pk) | {
        "message_form": MessageForm(
            initial={"channel": Channel.EMAIL, "purpose": _asked_purpose(request)}
        ),
        "send_form": SelectionSendForm(initial={"channel": Channel.EMAIL}),
        "form_key": uuid.uuid4().hex,
        "section_message": message,
        "section_error": error,
        **(forms or {}),
    }
    if wants_fragment(request):
        return render(request, f"{SECTION}#section", context, status=status)
    return render(request, SECTION, context, status=status)


def _answer(request, customer, *, message="", error="", status=200, forms=None):
    """After an action: the section again (htmx), or back to the card with a notice."""
    if wants_fragment(request):
        return _render(request, customer, status=status, message=message, error=error, forms=forms)
    if error:
        flash.error(request, error)
    elif message:
        flash.success(request, message)
    return redirect("floor:card", customer_id=customer.pk)


@require_GET
@staff_required()
def section(request, customer_id):
    customer = _customer(customer_id)
    # Loaded by the card whose opening was just logged; read on its own, it is logged.
    if card_customer_id(request) != customer.pk:
        card_view_record(
            viewer=request.user, customer=customer, store=request.store, reason=CardView.Reason.CARD
        )
    return _render(request, customer)


def _key(customer: Customer, form) -> str:
    return f"{customer.pk}-{form.cleaned_data['key']}"


@require_POST
@staff_required()
def send(request, customer_id):
    customer = _customer(customer_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            customer,
            error=_("Check the message."),
            status=422,
            forms={"message_form": form},
        )
    data = form.cleaned_data
    try:
        sent = message_send(
            customer=customer,
            channel=data["channel"],
            purpose=data["purpose"],
            by=request.user,
            store=request.store,
            text=data["text"],
            key=_key(customer, form),
        )
    except MessageRefused as refused:
        return _answer(
            request, customer, error=str(refused), status=409, forms={"message_form": form}
        )
    return _answer(request, customer, message=_sent_message(sent))


def _sent_message(sent) -> str:
    if sent.channel == Channel.SMS:
        return _("Text message to %(to)s: on its way.") % {"to": sent.to}
    return _("Email to %(to)s: on its way.") % {"to": sent.to}


@require_GET
@staff_required()
def selection_search(request, customer_id):
    customer = _customer(customer_id)
    q = request.GET.get("q", "")[:100]
    found = product_search(ProductQuery(text=q), page_size=SEARCH_RESULTS, store=request.store)
    if not wants_fragment(request):  # without JavaScript: the section's page with them
        return _render(request, customer, forms={"q": q, "products": found.products})
    context = {"customer": customer, "q": q, "products": found.products}
    return render(request, f"{SECTION}#search_results", context)


@require_POST
@staff_required()
def selection_add(request, customer_id):
    customer = _customer(customer_id)
    form = SelectionAddForm(request.POST)
    if not form.is_valid():
        return _answer(request, customer, error=_("This product cannot be added."), status=422)
    try:
        item = selection_item_add(
            customer=customer,
            variant=form.cleaned_data["variant"],
            note=form.cleaned_data["note"],
            by=request.user,
            store=request.store,
        )
    except MessageRefused as refused:
        return _answer(request, customer, error=str(refused), status=409)
    return _answer(
        request, customer, message=_("%(product)s is in the selection.") % {"product": item}
    )


@require_POST
@staff_required()
def selection_remove(request, customer_id, item_id):
    customer = _customer(customer_id)
    if not selection_item_remove(customer=customer, item_id=item_id):
        raise Http404
    return _answer(request, customer)


@require_POST
@staff_required()
def selection_send_view(request, customer_id):
    customer = _customer(customer_id)
    form = SelectionSendForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            customer,
            error=_("Check the message."),
            status=422,
            forms={"send_form": form},
        )
    try:
        sent = selection_send(
            customer=customer,
            channel=form.cleaned_data["channel"],
            by=request.user,
            store=request.store,
            text=form.cleaned_data["text"],
            key=_key(customer, form),
        )
    except MessageRefused as refused:
        return _answer(request, customer, error=str(refused), status=409, forms={"send_form": form})
    return _answer(request, customer, message=_sent_message(sent))


# --- The client's page ---------------------------------------------------------------


@require_GET
def selection_public(request, token):
    """What the client opens from the message: no sign-in, nothing about staff. A link
    altered or unknown is a 404, one past its days a 410; neither says more."""
    try:
        selection = selection_for_token(token)
    except LinkExpired:
        return render(request, "messaging/public/gone.html", {"expired": True}, status=410)
    except LinkInvalid:
        return render(request, "messaging/public/gone.html", {"expired": False}, status=404)
    if not request.user.is_authenticated:  # a colleague checking the link is no signal
        selection_open_record(selection_id=selection.pk)
    context = {"selection": selection, "rows": selection_page(selection)}
    response = render(request, "messaging/public/selection.html", context)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
