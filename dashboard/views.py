"""The manager's dashboard: a live floor board per store, the multi-store overview and the
CSV export of the figures. Managers of the store and head office only."""

import csv
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import chain

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from clientbook.selectors import book_figures_periods
from customers.selectors import bulk_reads_recent
from floor.services import FloorError, visit_send
from integrations.live import live_ticket
from staff.access import Role, staff_required, store_or_403, stores_for
from staff.middleware import store_visit
from staff.session import wants_fragment

from .consumers import DashboardConsumer
from .forms import FiguresExportForm
from .selectors import SORTS, figures_table, floor_board, stores_overview, trend_panels

MANAGERS = (Role.MANAGER, Role.HEAD_OFFICE)


@staff_required(*MANAGERS)
def index(request):
    """A manager of one store goes to its board; several stores or head office: the list."""
    stores = stores_for(request.user)
    if request.staff.role == Role.MANAGER:
        first_two = list(stores.order_by("name")[:2])
        if len(first_two) == 1:
            return redirect("dashboard:board", store_code=first_two[0].code)
    sort = request.GET.get("sort", "name")
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in SORTS:
        key, descending = "name", False
    context = {
        "rows": stores_overview(stores, sort=key, descending=descending),
        "columns": _columns(key, descending),
        "sort": ("-" if descending else "") + key,
    }
    template = "dashboard/index.html"
    return render(request, f"{template}#overview" if wants_fragment(request) else template, context)


@dataclass
class Column:
    key: str
    label: str
    numeric: bool
    sorted: str  # "ascending", "descending" or ""
    next_sort: str


COLUMNS = [
    ("name", _("Store"), False),
    ("present", _("Present"), True),
    ("waiting", _("Waiting"), True),
    ("recognised", _("Visits"), True),
    ("served", _("Served"), True),
    ("median", _("Median wait"), True),
    ("anonymous", _("Anonymous"), True),
    ("orders", _("Orders"), True),
    ("value", _("Value"), True),
    ("conversion", _("Conversion"), True),
]


def _columns(current: str, descending: bool) -> list[Column]:
    columns = []
    for key, label, numeric in COLUMNS:
        if key == current:
            state = "descending" if descending else "ascending"
            next_sort = key if descending else f"-{key}"
        else:
            # Figures read best biggest first; names alphabetically.
            state, next_sort = "", f"-{key}" if numeric else key
        columns.append(Column(key, label, numeric, state, next_sort))
    return columns


@staff_required(*MANAGERS)
def board(request, store_code):
    store = store_or_403(request.user, store_code)
    store_visit(request, store)
    board = floor_board(store)
    if wants_fragment(request):
        return render(request, "dashboard/board.html#live", {"board": board})
    context = {
        "store": store,
        "board": board,
        "live_ticket": live_ticket(request, DashboardConsumer.page, store),
        "trends": trend_panels(store, today=board.today),
        "bulk_reads": bulk_reads_recent(store.pk),
        "follow_ups": _follow_up_figures(store),
        "export_form": FiguresExportForm(
            initial=FiguresExportForm.default_initial(store), stores=[store]
        ),
        "several_stores": request.staff.role == Role.HEAD_OFFICE
        or stores_for(request.user).count() > 1,
    }
    return render(request, "dashboard/board.html", context)


def _follow_up_figures(store):
    """Today and the last 7 days of "to contact today" in this store."""
    today = timezone.localdate()
    periods = [(today, today), (today - timedelta(days=6), today)]
    return dict(
        zip(("today", "week"), book_figures_periods(store=store, periods=periods), strict=True)
    )


@require_POST
@staff_required(*MANAGERS)
def send_associate(request, store_code, visit_id):
    """Send an associate to a waiting client: their card on the store's tablets says so."""
    store = store_or_403(request.user, store_code)
    associate = get_user_model().objects.filter(pk=_whole(request.POST.get("associate"))).first()
    status, message = 200, ""
    try:
        if associate is None:
            raise FloorError(gettext("Choose the associate to send."))
        visit_send(visit_id=visit_id, store=store, associate=associate, by=request.user)
    except FloorError as exc:
        status, message = 409, str(exc)
    else:
        message = gettext("Request sent to %(name)s.") % {
            "name": associate.get_full_name() or associate.email
        }
    if not wants_fragment(request):
        (messages.error if status == 409 else messages.success)(request, message)
        return redirect("dashboard:board", store_code=store.code)
    # The board itself follows by its websocket (the visit's change is pushed after commit).
    context = {"sent_message": message, "sent_error": status == 409}
    return render(request, "dashboard/board.html#sent", context, status=status)


def _whole(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


class _Echo:
    def write(self, value):
        return value


def _cell(value, decimal_mark: str = "."):
    """A spreadsheet must not run a name as a formula ("=HYPERLINK(…)"); a fraction is
    written with the decimal mark of the format asked ("3,5" for Excel in French)."""
    if isinstance(value, Decimal):
        return str(value).replace(".", decimal_mark)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@staff_required(*MANAGERS)
def export(request):
    """The figures for a date range as CSV; without parameters, the form to ask for it."""
    stores = list(stores_for(request.user).order_by("name"))
    if not request.GET:
        form = FiguresExportForm(initial=FiguresExportForm.default_initial(), stores=stores)
        return render(request, "dashboard/export.html", {"form": form})
    form = FiguresExportForm(request.GET, stores=stores)
    if not form.is_valid():
        return render(request, "dashboard/export.html", {"form": form}, status=422)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    chosen = form.selected_stores()
    header, rows = figures_table(chosen, start, end, level=form.cleaned_data["level"])
    delimiter, decimal_mark = form.separators()
    writer = csv.writer(_Echo(), delimiter=delimiter)
    # The byte-order mark makes spreadsheet programs read the accents right.
    lines = chain(
        ["\ufeff"],
        (writer.writerow([_cell(v, decimal_mark) for v in r]) for r in chain([header], rows)),
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    scope = chosen[0].code if len(chosen) == 1 else "stores"
    filename = f"figures-{scope}-{form.cleaned_data['level']}-{start}-{end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
