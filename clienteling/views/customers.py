from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from customers.selectors import customer_search
from customers.services import note_add

from ..access import staff_required
from ..forms.customers import NoteForm
from ..selectors.card import card_history, card_notes, customer_card
from ..services.card import card_view_record
from ..session import next_url, select_customer

CARD = "clienteling/customers/card.html"
SEARCH = "clienteling/customers/search.html"
RESULTS_PER_PAGE = 20


@require_GET
@staff_required()
def search(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(customer_search(q).select_related("home_store"), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"q": q, "page": page}
    if request.htmx and not request.htmx.boosted:
        return render(request, f"{SEARCH}#results", context)
    return render(request, SEARCH, context)


@require_GET
@staff_required()
def card(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    # Every read of a customer's card, a page of their history included, is logged.
    card_view_record(viewer=request.user, customer=customer, store=request.store)
    if request.htmx and request.GET.get("page"):
        context = {"customer": customer, "history": card_history(customer, request.GET["page"])}
        return render(request, f"{CARD}#history", context)
    select_customer(request, customer.pk)
    context = customer_card(
        customer_id=customer.pk, store=request.store, page=request.GET.get("page")
    )
    context["note_form"] = NoteForm()
    return render(request, CARD, context)


@require_POST
@staff_required()
def note_create(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    form = NoteForm(request.POST)
    status = 422
    if form.is_valid():
        note_add(
            customer=customer,
            author=request.user,
            store=request.store,
            text=form.cleaned_data["text"],
        )
        if not request.htmx:
            return redirect("customers:card", customer_id=customer.pk)
        form, status = NoteForm(), 200
    context = {"customer": customer, "notes": card_notes(customer), "note_form": form}
    return render(request, f"{CARD}#notes", context, status=status)


@require_POST
@staff_required()
def serving_clear(request):
    """Stop acting for the selected client (the chip in the header)."""
    select_customer(request, None)
    target = next_url(request, reverse("home"))
    try:
        on_card = resolve(urlsplit(target).path).view_name == "customers:card"
    except Resolver404:
        on_card = False
    if on_card:
        target = reverse("home")  # the card would select the client again
    return redirect(target)
