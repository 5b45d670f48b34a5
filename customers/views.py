from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from staff.access import staff_required
from staff.session import wants_fragment

from .selectors import customer_search

SEARCH = "customers/search.html"
RESULTS_PER_PAGE = 20


@require_GET
@staff_required()
def search(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(customer_search(q).select_related("home_store"), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"q": q, "page": page}
    if wants_fragment(request):
        return render(request, f"{SEARCH}#results", context)
    return render(request, SEARCH, context)
