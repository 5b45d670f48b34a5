from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.consent_texts import wording_current
from customers.forms import ConsentChangeForm
from customers.models import CardView, Consent, Customer
from customers.selectors import consents_current, customer_search
from customers.services import (
    ConsentError,
    SearchLimited,
    card_view_record,
    consent_record,
    customer_reads_record,
    customer_search_count,
    note_add,
)
from customers.session import card_customer_id, card_opened, select_customer, selected_customer_id
from integrations.live import live_ticket
from staff.access import staff_required, store_or_403
from staff.middleware import store_visit
from staff.session import next_url, wants_fragment

from .card import (
    card_customer,
    card_history,
    card_notes,
    card_suggestions,
    customer_card,
    customer_for_card,
)
from .consumers import FloorConsumer
from .forms import CheckInForm, NoteForm
from .models import Visit
from .selectors import floor_cards, floor_list
from .services import FloorError, visit_check_in, visit_claim, visit_done, visit_release

PARTIALS = "floor/partials.html"
CARD = "floor/card.html"
CONSENT = "floor/consent_confirm.html"
CHECKIN_RESULTS = 8


@staff_required()
def page(request, store_code):
    store = store_or_403(request.user, store_code)
    store_visit(request, store)
    ticket = live_ticket(request, FloorConsumer.page, store)
    return render(
        request,
        "floor/floor.html",
        {"store": store, "live_ticket": ticket, **floor_list(store.pk)},
    )


@require_GET
@staff_required()
def clients(request, store_code):
    """The list of clients present (the page polls it now and then, as a safety net)."""
    store = store_or_403(request.user, store_code)
    return render(request, f"{PARTIALS}#floor_clients", floor_list(store.pk))


@require_GET
@staff_required()
def checkin_search(request, store_code):
    store = store_or_403(request.user, store_code)
    q = request.GET.get("q", "")
    results, error = _search(request, q)
    return render(
        request,
        f"{PARTIALS}#checkin_results",
        {"store": store, "q": q, "results": results, "error": error},
        status=429 if error else 200,
    )


def _search(request, q: str) -> tuple[list, str]:
    """Clients for the check-in list: the search counted against the person's limit, and
    every client listed logged as read. Returns them and an error (too many searches)."""
    try:
        if q.strip():
            customer_search_count(user=request.user)
    except SearchLimited as limited:
        return [], str(limited)
    results = list(customer_search(q)[:CHECKIN_RESULTS])
    customer_reads_record(
        viewer=request.user,
        customer_ids=[c.pk for c in results],
        store=request.store,
        reason=CardView.Reason.SEARCH,
    )
    return results, ""


@require_POST
@staff_required()
def checkin(request, store_code):
    store = store_or_403(request.user, store_code)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        q = form.data.get("q", "")
        results, limited = _search(request, q)
        context = {
            "store": store,
            "q": q,
            "error": limited
            or " ".join(form.non_field_errors())
            or _("Check the client's details."),
            "results": results,
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
        if not Visit.objects.filter(pk=visit_id, store=store).exists():
            raise Http404  # another store's visit: not ours to touch, nor to tell about
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
    # Every read of a customer's card, a page of their history included, is logged.
    history_page = wants_fragment(request) and request.GET.get("page")
    if history_page:
        customer = get_object_or_404(Customer.objects.active(), pk=customer_id)
    else:
        try:  # read once, with what the card shows of them
            customer = customer_for_card(customer_id, request.store)
        except Customer.DoesNotExist:
            raise Http404 from None
    card_view_record(
        viewer=request.user,
        customer=customer,
        store=request.store,
        reason=CardView.Reason.HISTORY if history_page else CardView.Reason.CARD,
    )
    if history_page:
        context = {"customer": customer, "history": card_history(customer, request.GET["page"])}
        return render(request, f"{CARD}#history", context)
    card_opened(request, customer.pk)  # a look, logged above: not serving them
    context = customer_card(customer=customer, store=request.store, page=request.GET.get("page"))
    context["note_form"] = NoteForm()
    return render(request, CARD, context)


@require_GET
@staff_required()
def card_suggestions_view(request, customer_id):
    """What to show the client and the offers for them: the card loads them after its
    first paint."""
    try:
        customer = card_customer(customer_id)
    except Customer.DoesNotExist:
        raise Http404 from None
    # Loaded by the card whose opening was just logged; read on its own, it is logged.
    if card_customer_id(request) != customer.pk:
        card_view_record(
            viewer=request.user, customer=customer, store=request.store, reason=CardView.Reason.CARD
        )
    context = card_suggestions(customer=customer, store=request.store)
    return render(request, f"{CARD}#suggestions", context)


@require_POST
@staff_required()
def note_create(request, customer_id):
    customer = get_object_or_404(Customer.objects.active(), pk=customer_id)
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


# --- Consents on the card: tap "record", read the words to the client, tap "confirm" ----


def _consents(request, customer, *, message="", error="", status=200):
    context = {
        "customer": customer,
        "consents": consents_current(customer.pk),
        "consent_message": message,
        "consent_error": error,
    }
    return render(request, f"{CARD}#consents", context, status=status)


@require_GET
@staff_required()
def consents(request, customer_id):
    """The card's consents section (where "cancel" leads back to)."""
    customer = get_object_or_404(Customer, pk=customer_id)
    if not wants_fragment(request):
        return redirect("floor:card", customer_id=customer.pk)
    card_view_record(viewer=request.user, customer=customer, store=request.store)
    return _consents(request, customer)


@require_GET
@staff_required()
def consent_confirm(request, customer_id, purpose, action):
    """Step one: the exact words to read to the client, in their language, and the
    button that records their answer with that wording's version."""
    customer = get_object_or_404(Customer, pk=customer_id)
    if purpose not in Consent.Purpose.values or action not in ConsentChangeForm.ACTIONS:
        raise Http404
    wording = wording_current(purpose)
    context = {
        "customer": customer,
        "purpose": Consent.Purpose(purpose),
        "action": action,
        "wording": wording,
        "language": customer.preferred_language,
        "text": _wording_text(wording, action, customer.preferred_language),
    }
    if wants_fragment(request):
        return render(request, f"{CONSENT}#confirm", context)
    return render(request, CONSENT, context)


def _wording_text(wording, action: str, language: str) -> str:
    with translation.override(language):
        return wording.text(ConsentChangeForm.ACTIONS[action])


@require_POST
@staff_required()
def consent_change(request, customer_id):
    """Step two: the client's answer is recorded (a new row of the ledger)."""
    customer = get_object_or_404(Customer, pk=customer_id)
    form = ConsentChangeForm(request.POST)
    if not form.is_valid():
        error, status = _("This consent cannot be recorded: start again."), 400
    else:
        try:
            consent = consent_record(
                customer=customer,
                purpose=form.cleaned_data["purpose"],
                granted=form.granted,
                source=Consent.Source.STORE,
                by=request.user,
                store=request.store,
                wording_version=form.cleaned_data["wording_version"],
                language=form.cleaned_data["language"],
            )
        except ConsentError as exc:
            error, status = str(exc), 409
        else:
            label = consent.get_purpose_display()
            message = (
                _("Recorded: %(name)s agrees to “%(purpose)s”.")
                if consent.granted
                else _("Recorded: %(name)s withdrew “%(purpose)s”.")
            ) % {"name": customer.full_name, "purpose": label}
            if not wants_fragment(request):
                messages.success(request, message)
                return redirect("floor:card", customer_id=customer.pk)
            return _consents(request, customer, message=message)
    if not wants_fragment(request):
        messages.error(request, error)
        return redirect("floor:card", customer_id=customer.pk)
    return _consents(request, customer, error=error, status=status)


@require_POST
@staff_required()
def serving_clear(request):
    """Stop acting for the selected client (the chip in the header)."""
    select_customer(request, None)
    return redirect(next_url(request, reverse("home")))
