from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers.selectors import customer_search

from ..access import Role, staff_required, store_or_403
from ..forms.floor import CheckInForm
from ..middleware import SESSION_STORE_KEY, store_visit
from ..selectors.floor import floor_cards
from ..services.floor import FloorError, visit_check_in, visit_claim, visit_done, visit_release
from ..session import next_url

PARTIALS = "clienteling/floor/partials.html"
CHECKIN_RESULTS = 8


@staff_required()
def home(request):
    if request.store is None:
        if request.staff.role == Role.HEAD_OFFICE:
            return redirect("admin:index")
        return render(request, "clienteling/no_store.html", status=403)
    return redirect("floor", store_code=request.store.code)


@staff_required()
def floor(request, store_code):
    store = store_or_403(request.user, store_code)
    store_visit(request, store)
    return render(
        request, "clienteling/floor.html", {"store": store, "cards": floor_cards(store.pk)}
    )


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
        if not request.htmx:
            messages.error(request, context["error"])
            return redirect("floor", store_code=store.code)
        return render(request, f"{PARTIALS}#checkin", context, status=422)
    customer = form.cleaned_data["customer"]
    visit = visit_check_in(
        store=store, customer=customer, source=form.cleaned_data["source"], by=request.user
    )
    if visit.attended_by_id == request.user.pk:
        message = _("%(name)s is checked in, and you are with them.") % {"name": customer.full_name}
    else:
        message = _("%(name)s is checked in; %(colleague)s is with them.") % {
            "name": customer.full_name,
            "colleague": visit.attended_by.get_full_name() or visit.attended_by.email,
        }
    if not request.htmx:
        messages.success(request, message)
        return redirect("floor", store_code=store.code)
    return render(request, f"{PARTIALS}#checkin", {"store": store, "message": message})


def _visit_action(service):
    @require_POST
    @staff_required()
    def view(request, store_code, visit_id):
        store = store_or_403(request.user, store_code)
        error, status = "", 200
        try:
            service(visit_id=visit_id, store=store, by=request.user)
        except FloorError as exc:
            error, status = str(exc), 409
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("floor", store_code=store.code)
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


visit_claim_view = _visit_action(visit_claim)
visit_release_view = _visit_action(visit_release)
visit_done_view = _visit_action(visit_done)


@require_POST
@staff_required(Role.MANAGER, Role.HEAD_OFFICE)
def store_switch(request):
    store = store_or_403(request.user, request.POST.get("store", ""))
    request.session[SESSION_STORE_KEY] = store.pk
    return redirect(next_url(request, reverse("floor", kwargs={"store_code": store.code})))
