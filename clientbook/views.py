from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from customers.models import Customer
from staff.access import Role, staff_required, stores_for
from staff.session import next_url, wants_fragment

from .forms import BirthDateForm, FollowUpForm
from .models import TouchPoint
from .selectors import (
    book_entries,
    book_figures,
    card_book,
    follow_ups_today,
    store_associates,
    stores_books,
)
from .services import (
    BookError,
    book_birth_date_set,
    book_entry_set,
    book_reassign_all,
    follow_up_outcome,
    follow_up_personal,
)

MANAGERS = (Role.MANAGER, Role.HEAD_OFFICE)
PAGE = "clientbook/today.html"
CARD = "clientbook/card_section.html"
OUTCOMES = [
    (TouchPoint.Outcome.DONE, gettext_lazy("Contacted")),
    (TouchPoint.Outcome.SNOOZED, gettext_lazy("Snooze 3 days")),
    (TouchPoint.Outcome.UNREACHABLE, gettext_lazy("Not reachable")),
]


def _store(request):
    if request.store is None:
        raise PermissionDenied
    return request.store


def _is_manager(request) -> bool:
    return request.staff.role in MANAGERS


@require_GET
@staff_required()
def book(request):
    """Mes clients: the associate's book; a manager picks whose book to see."""
    store = _store(request)
    associates = store_associates(store, with_books=True) if _is_manager(request) else []
    associate_id = request.user.pk
    if _is_manager(request) and request.GET.get("associate"):
        try:
            associate_id = int(request.GET["associate"])
        except ValueError as exc:
            raise Http404 from exc
        if associate_id not in {a.pk for a in associates}:
            raise Http404
    owner = next((a for a in associates if a.pk == associate_id), request.user)
    context = {
        "store": store,
        "owner": owner,
        "entries": list(book_entries(store=store, associate_id=associate_id)),
        "associates": associates,
        "colleagues": [a for a in associates if a.works_here and a.is_active],
        "is_manager": _is_manager(request),
    }
    return render(request, "clientbook/book.html", context)


@require_GET
@staff_required()
def today(request):
    """À contacter aujourd'hui."""
    store = _store(request)
    context = {
        "store": store,
        "today": timezone.localdate(),
        "follow_ups": list(follow_ups_today(user=request.user, store=store)),
        "outcomes": OUTCOMES,
    }
    return render(request, PAGE, context)


@require_POST
@staff_required()
def outcome(request, follow_up_id, outcome):
    if outcome not in TouchPoint.Outcome.values:
        raise Http404
    store = _store(request)
    try:
        follow_up = follow_up_outcome(
            follow_up_id=follow_up_id, outcome=outcome, by=request.user, store=store
        )
    except BookError as exc:
        if wants_fragment(request):
            return render(request, f"{PAGE}#closed", {"error": str(exc)}, status=409)
        messages.error(request, str(exc))
        return redirect("clientbook:today")
    if wants_fragment(request):
        return render(request, f"{PAGE}#closed", {"follow_up": follow_up, "outcome": outcome})
    return redirect(next_url(request, reverse("clientbook:today")))


# --- Managers: the team's books ---------------------------------------------------------


@require_GET
@staff_required(*MANAGERS)
def team(request):
    store = _store(request)
    today = timezone.localdate()
    people = store_associates(store, with_books=True)
    context = {
        "store": store,
        "people": people,
        "colleagues": [p for p in people if p.works_here and p.is_active],
        "figures": book_figures(store=store, first=today, last=today),
    }
    return render(request, "clientbook/team.html", context)


@require_POST
@staff_required(*MANAGERS)
def reassign_all(request, user_id):
    store = _store(request)
    to = get_object_or_404(get_user_model(), pk=request.POST.get("to") or 0)
    try:
        moved = book_reassign_all(store=store, from_associate_id=user_id, to=to, by=request.user)
    except BookError as exc:
        messages.error(request, str(exc))
        return redirect("clientbook:team")
    messages.success(
        request,
        _("%(count)d clients now in %(name)s's book.")
        % {"count": moved, "name": to.get_full_name() or to.email},
    )
    return redirect("clientbook:team")


@require_GET
@staff_required(Role.HEAD_OFFICE)
def stores(request):
    """Head office: the books of every store."""
    all_stores = list(stores_for(request.user).order_by("name"))
    return render(request, "clientbook/stores.html", {"rows": stores_books(all_stores)})


# --- The card's client-book section ------------------------------------------------------


def _customer(customer_id) -> Customer:
    return get_object_or_404(Customer.objects.active(), pk=customer_id)


def card_section_context(request, customer, **extra) -> dict:
    """The card's client-book section (also rendered inside the card, by the
    ``client_book_section`` tag)."""
    store = request.store
    return {
        **card_book(customer=customer, store=store),
        "customer": customer,
        "store": store,
        "associates": store_associates(store) if store and _is_manager(request) else [],
        "user": request.user,
        "follow_up_form": extra.pop("follow_up_form", None) or FollowUpForm(),
        "birth_form": extra.pop("birth_form", None) or BirthDateForm(),
        **extra,
    }


def _card_section(request, customer, *, status=200, **extra):
    return render(request, CARD, card_section_context(request, customer, **extra), status=status)


def _answer(request, customer, **extra):
    """The section again for htmx; else back to the card with the message."""
    if wants_fragment(request):
        return _card_section(request, customer, **extra)
    error = extra.get("error")
    if error:
        messages.error(request, error)
    elif extra.get("message"):
        messages.success(request, extra["message"])
    return redirect(next_url(request, reverse("floor:card", kwargs={"customer_id": customer.pk})))


@require_GET
@staff_required()
def card_section(request, customer_id):
    return _card_section(request, _customer(customer_id))


@require_POST
@staff_required()
def assign(request, customer_id):
    """The associate takes the client into their book; a manager picks anyone of the
    store's (``associate``)."""
    customer = _customer(customer_id)
    store = _store(request)
    associate = request.user
    if request.POST.get("associate"):
        associate = get_object_or_404(get_user_model(), pk=request.POST["associate"])
    try:
        entry = book_entry_set(customer=customer, associate=associate, store=store, by=request.user)
    except BookError as exc:
        return _answer(request, customer, error=str(exc), status=409)
    name = entry.associate.get_full_name() or entry.associate.email
    return _answer(
        request,
        customer,
        message=_("%(customer)s is now in %(name)s's book.") % {"customer": customer, "name": name},
    )


@require_POST
@staff_required()
def follow_up_add(request, customer_id):
    customer = _customer(customer_id)
    store = _store(request)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        if wants_fragment(request):
            return _card_section(request, customer, follow_up_form=form, status=422)
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("floor:card", customer_id=customer.pk)
    follow_up_personal(
        customer=customer,
        store=store,
        by=request.user,
        due_on=form.cleaned_data["due_on"],
        note=form.cleaned_data["note"],
    )
    return _answer(request, customer, message=_("Follow-up planned."))


@require_POST
@staff_required()
def birth_date(request, customer_id):
    customer = _customer(customer_id)
    store = _store(request)
    form = BirthDateForm(request.POST)
    if not form.is_valid():
        if wants_fragment(request):
            return _card_section(request, customer, birth_form=form, status=422)
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("floor:card", customer_id=customer.pk)
    try:
        book_birth_date_set(
            customer=customer,
            birth_date=form.cleaned_data["birth_date"],
            by=request.user,
            store=store,
        )
    except BookError as exc:
        return _answer(request, customer, error=str(exc), status=409)
    return _answer(request, customer, message=_("Date of birth saved."))
