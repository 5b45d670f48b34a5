from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from customers.selectors import customer_search
from customers.services import card_view_record, note_add
from customers.session import card_opened, select_customer, selected_customer_id
from staff.access import staff_required, store_or_403
from staff.middleware import store_visit
from staff.session import next_url, wants_fragment

from .card import card_history, card_notes, customer_card
from .forms import CheckInForm, NoteForm
from .selectors import floor_cards
from .services import FloorError, visit_check_in, visit_claim, visit_done, visit_release

PARTIALS = "floor/partials.html"
CARD = "floor/card.html"
CHECKIN_RESULTS = 8


@staff_required()
def page(request, store_code):
    store = store_or_403(request.user, store_code)
    store_visit(request, store)
    return render(request, "floor/floor.html", {"store": store, "cards": floor_cards(store.pk)})


@require_GET
@staff_required()
def floor_list(request, store_code):
    """The list of clients present (the page polls it now and then, as a safety net)."""
    store = store_or_403(request.user, store_code)
    return render(request, f"{PARTIALS}#floor_clients", {"cards": floor_cards(store.pk)})


@require_GET
@staff_required()
def checkin_search(request, store_code):
    store = store_or_403(request.user, store_code)
    q = request.GET.get("q", "")
    results = list(customer_search(q)[:CHECKIN_RESULTS])
    return render(
        request, f"{PARTIALS}#checkin_results", {"store": store, "q": q, "results": results}
    )


@require_POST
@staff_required()
def checkin(request, store_code):
    store = store_or_403(request.user, store_code)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        q = form.data.get("q", "")
        context = {
            "store": store,
            "q": q,
            "error": " ".join(form.non_field_errors()) or _("Check the client's details."),
            "results": list(customer_search(q)[:CHECKIN_RESULTS]),
        }
        if not wants_fragment(request):
            messages.error(request, context["error"])
            return redirect("floor:page", store_code=store.code)
        return render(request, f"{PARTIALS}#checkin", context, status=422)
    customer = form.cleaned_data["customer"]
    visit = visit_check_in(
        store=store, customer=customer, source=form.cleaned_data["source"], by=request.user
    )
    _serving_follow(request, visit)
    if visit.attended_by_id == request.user.pk:
        message = _("%(name)s is checked in, and you are with them.") % {"name": customer.full_name}
    else:
        message = _("%(name)s is checked in; %(colleague)s is with them.") % {
            "name": customer.full_name,
            "colleague": visit.attended_by.get_full_name() or visit.attended_by.email,
        }
    if not wants_fragment(request):
        messages.success(request, message)
        return redirect("floor:page", store_code=store.code)
    return render(request, f"{PARTIALS}#checkin", {"store": store, "message": message})


def _visit_action(service):
    @require_POST
    @staff_required()
    def view(request, store_code, visit_id):
        store = store_or_403(request.user, store_code)
        error, status = "", 200
        try:
            visit = service(visit_id=visit_id, store=store, by=request.user)
        except FloorError as exc:
            error, status = str(exc), 409
        else:
            _serving_follow(request, visit)
        if not wants_fragment(request):
            if error:
                messages.error(request, error)
            floor = reverse("floor:page", kwargs={"store_code": store.code})
            return redirect(next_url(request, floor))  # the floor, or the card it came from
        cards = floor_cards(store.pk, visit_ids=[visit_id])
        if not cards:
            return render(
                request, f"{PARTIALS}#gone", {"visit_id": visit_id, "error": error}, status=status
            )
        return render(
            request, f"{PARTIALS}#card", {"visit": cards[0], "error": error}, status=status
        )

    view.__name__ = f"visit_{service.__name__.removeprefix('visit_')}"
    return view


def _serving_follow(request, visit) -> None:
    """Only a claim or a check-in makes a client the one this associate serves (the header's
    "Serving" chip, for whom product pages and the order form act); releasing or finishing
    that service ends it. Opening a card never does."""
    serving = selected_customer_id(request)
    if visit.attended_by_id == request.user.pk and visit.done_at is None:
        select_customer(request, visit.customer_id)
    elif serving is not None and serving == visit.customer_id:
        select_customer(request, None)


visit_claim_view = _visit_action(visit_claim)
visit_release_view = _visit_action(visit_release)
visit_done_view = _visit_action(visit_done)


# --- The customer card --------------------------------------------------------------


@require_GET
@staff_required()
def card(request, customer_id):
    customer = get_object_or_404(Customer, pk=customer_id)
    # Every read of a customer's card, a page of their history included, is logged.
    card_view_record(viewer=request.user, customer=customer, store=request.store)
    if wants_fragment(request) and request.GET.get("page"):
        context = {"customer": customer, "history": card_history(customer, request.GET["page"])}
        return render(request, f"{CARD}#history", context)
    card_opened(request, customer.pk)  # a look, logged above: not serving them
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
        if not wants_fragment(request):
            return redirect("floor:card", customer_id=customer.pk)
        form, status = NoteForm(), 200
    context = {"customer": customer, "notes": card_notes(customer), "note_form": form}
    return render(request, f"{CARD}#notes", context, status=status)


@require_POST
@staff_required()
def serving_clear(request):
    """Stop acting for the selected client (the chip in the header)."""
    select_customer(request, None)
    return redirect(next_url(request, reverse("home")))
