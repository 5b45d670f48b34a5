import time
from functools import wraps
from urllib.parse import urlencode

import segno
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import Store
from staff.access import staff_required, store_or_403
from staff.session import wants_fragment

from .forms import ConsentChangeForm, PrivacyCodeForm, PrivacyEmailForm, PrivacyRequestForm
from .models import CardView, Consent
from .selectors import customer_search, privacy_overview
from .services import (
    PRIVACY_CODE_TRIES,
    ConsentError,
    SearchLimited,
    customer_reads_record,
    customer_search_count,
    email_sha256,
    privacy_code_check,
    privacy_code_issue,
    privacy_consent_change,
    privacy_request_record,
    privacy_url,
)

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


# --- The shopper's own privacy page (no staff sign-in) ----------------------------------
#
# Start (email) -> code -> their page. The answer to an email is the same whether or not a
# client has it. Rate limits count in the shared cache (Redis): per IP and per email.

PRIVACY = "customers/privacy"
PENDING_KEY = "privacy_pending"
VERIFIED_KEY = "privacy_verified"
PRIVACY_SESSION_MINUTES = 30
# (count, seconds)
LIMIT_EMAIL_PER_IP = (10, 3600)
LIMIT_EMAIL_PER_ADDRESS = (3, 900)
LIMIT_CODE_PER_IP = (30, 3600)


def _over_limit(name: str, key: str, limit: tuple[int, int]) -> bool:
    count, seconds = limit
    cache_key = f"privacy:{name}:{key}"
    cache.add(cache_key, 0, timeout=seconds)
    try:
        return cache.incr(cache_key) > count
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=seconds)
        return False


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _too_many(request, template, context):
    context["error"] = _("Too many attempts. Wait a few minutes, then try again.")
    return render(request, template, context, status=429)


def _verified_hash(request) -> str | None:
    verified = request.session.get(VERIFIED_KEY)
    if not verified or verified.get("until", 0) < time.time():
        return None
    return verified["h"]


def privacy_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        email_hash = _verified_hash(request)
        if email_hash is None:
            request.session.pop(VERIFIED_KEY, None)
            return redirect("privacy:start")
        return view(request, email_hash, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
def privacy_start(request):
    store = None
    if request.GET.get("store"):
        store = Store.objects.filter(code=request.GET["store"], is_active=True).first()
    if _verified_hash(request) and request.method == "GET":
        return redirect("privacy:home")
    form = PrivacyEmailForm(request.POST or None)
    context = {"form": form, "store": store}
    if request.method == "GET" or not form.is_valid():
        status = 422 if form.is_bound else 200
        return render(request, f"{PRIVACY}/start.html", context, status=status)
    email = form.cleaned_data["email"]
    email_hash = email_sha256(email)
    if _over_limit("email-ip", _ip(request), LIMIT_EMAIL_PER_IP) or _over_limit(
        "email", email_hash, LIMIT_EMAIL_PER_ADDRESS
    ):
        return _too_many(request, f"{PRIVACY}/start.html", context)
    privacy_code_issue(email=email)
    request.session[PENDING_KEY] = {"h": email_hash, "tries": 0}
    return redirect("privacy:code")


@require_http_methods(["GET", "POST"])
def privacy_code(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("privacy:start")
    form = PrivacyCodeForm(request.POST or None)
    context = {"form": form}
    if request.method == "GET":
        return render(request, f"{PRIVACY}/code.html", context)
    if not form.is_valid():
        return render(request, f"{PRIVACY}/code.html", context, status=422)
    if _over_limit("code-ip", _ip(request), LIMIT_CODE_PER_IP):
        return _too_many(request, f"{PRIVACY}/code.html", context)
    pending["tries"] += 1
    request.session[PENDING_KEY] = pending
    if pending["tries"] > PRIVACY_CODE_TRIES:
        context["error"] = _("Too many wrong codes: ask for a new one.")
        context["restart"] = True
        return render(request, f"{PRIVACY}/code.html", context, status=429)
    if not privacy_code_check(email_hash=pending["h"], code=form.cleaned_data["code"]):
        context["error"] = _("This code is wrong or has expired.")
        return render(request, f"{PRIVACY}/code.html", context, status=422)
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    request.session[VERIFIED_KEY] = {
        "h": pending["h"],
        "until": time.time() + PRIVACY_SESSION_MINUTES * 60,
    }
    return redirect("privacy:home")


@require_GET
@privacy_required
def privacy_home(request, email_hash):
    context = privacy_overview(email_hash)
    context["message"] = request.session.pop("privacy_message", "")
    return render(request, f"{PRIVACY}/home.html", context)


@require_POST
@privacy_required
def privacy_consent(request, email_hash):
    form = ConsentChangeForm(request.POST)
    if not form.is_valid():
        context = privacy_overview(email_hash)
        context["error"] = _("This choice could not be saved. Try again.")
        return render(request, f"{PRIVACY}/home.html", context, status=400)
    try:
        privacy_consent_change(
            email_hash=email_hash,
            purpose=form.cleaned_data["purpose"],
            granted=form.granted,
            wording_version=form.cleaned_data["wording_version"],
            language=form.cleaned_data["language"],
        )
    except ConsentError:
        context = privacy_overview(email_hash)
        context["error"] = _("The text of this choice has just changed: read it again.")
        return render(request, f"{PRIVACY}/home.html", context, status=409)
    label = Consent.Purpose(form.cleaned_data["purpose"]).label
    message = (
        _("Saved: you agree to “%(purpose)s”.")
        if form.granted
        else _("Saved: you withdrew “%(purpose)s”.")
    )
    request.session["privacy_message"] = message % {"purpose": label}
    return redirect("privacy:home")


@require_POST
@privacy_required
def privacy_request(request, email_hash):
    form = PrivacyRequestForm(request.POST)
    if not form.is_valid():
        context = privacy_overview(email_hash)
        context["error"] = _("This request could not be saved. Try again.")
        return render(request, f"{PRIVACY}/home.html", context, status=400)
    privacy_request_record(email_hash=email_hash, kind=form.cleaned_data["kind"])
    request.session["privacy_message"] = str(
        _("Your request is recorded. We answer within one month, by email.")
    )
    return redirect("privacy:home")


@require_POST
def privacy_signout(request):
    request.session.pop(VERIFIED_KEY, None)
    request.session.pop(PENDING_KEY, None)
    return redirect("privacy:start")


@require_GET
@staff_required()
def privacy_poster(request, store_code):
    """A printable poster for a store's entrance: a QR code to the privacy page."""
    store = store_or_403(request.user, store_code)
    url = f"{privacy_url()}?{urlencode({'store': store.code})}"
    qr = segno.make(url, error="m").svg_inline(
        omitsize=True, border=2, svgclass="privacy-qr", lineclass=None
    )
    return render(request, f"{PRIVACY}/poster.html", {"store": store, "url": url, "qr": qr})
