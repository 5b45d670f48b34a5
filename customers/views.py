from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from staff.access import staff_required
from staff.session import wants_fragment

from .models import CardView
from .selectors import customer_search
from .services import SearchLimited, customer_reads_record, customer_search_count

SEARCH = "customers/search.html"
RESULTS_PER_PAGE = 20


@require_GET
@staff_required()
def search(request):
    q = request.GET.get("q", "").strip()
    status, error = 200, ""
    try:
        if q:
            customer_search_count(user=request.user)
    except SearchLimited as limited:
        status, error, found = 429, str(limited), customer_search("")
    else:
        found = customer_search(q).select_related("home_store")
    page = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    # Every client listed (name, email, phone) is a read of their data: one row each.
    customer_reads_record(
        viewer=request.user,
        customer_ids=[c.pk for c in page.object_list],
        store=request.store,
        reason=CardView.Reason.SEARCH,
    )
    context = {"q": q, "page": page, "error": error}
    if wants_fragment(request):
        return render(request, f"{SEARCH}#results", context, status=status)
    return render(request, SEARCH, context, status=status)
