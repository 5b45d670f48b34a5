"""Every page of the app and of admin, opened by each person who may see it, on the demo's
data, at tablet size: nothing wider than the screen in either orientation, the header on
one row in landscape, no critical or serious axe-core finding, touch targets of 44 px.

The pages are found in the URLconf: every named URL is asked for (GET) by each visitor
below, its parameters filled from the demo data by name (``PARAMETERS``); each one that
answers a page (200, HTML) is opened in the browser, once per visitor and checked in both
orientations. A named URL that no visitor could open must be in ``NOT_PAGES`` with the
reason, or the sweep fails: a page added later is checked without being listed here, and
one that the sweep cannot reach says so. Admin pages are found in admin's registry: the
list of every model, its add form where head office may add, and the change form of its
first row (models without a row in the demo data are printed, not opened).

One browser context per visitor and one visit per page for every check; axe runs once per
page, and on each visitor's first page (the header differs by role). Touch targets are
checked on the app's pages; admin is Django's own, used by head office on a desktop or a
tablet with its own spacing."""

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Count
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from catalog.models import Product, Store
from clientbook.models import FollowUp
from clienteling.demo.accounts import DEMO_STAFF
from customers.models import Customer
from customers.services import privacy_code_issue
from floor.models import Visit
from inventory.models import StockLevel
from messaging.models import Selection, SelectionItem
from messaging.services import selection_token
from offers.models import Offer
from orders.services import LineRequest, order_place
from products.links import comparison_token
from staff.services import store_device_register
from staff.tablet import DEVICE_COOKIE, device_cookie_set
from tests.browser.conftest import ROOT, TABLET, _database_url
from tests.factories import mfa_login

PORTRAIT = {"width": TABLET["height"], "height": TABLET["width"]}
LANDSCAPE = TABLET
STORE = "paris-opera"  # the demo associate's store, one of the demo manager's

# Named URLs that are not pages to check, and why. Everything else is opened by whoever
# may see it (and a URL answering GET with 405 is an action: a form posts to it).
NOT_PAGES = {
    "home": "sends each person to their start page (floor, store choice or admin)",
    "floor_home": "sends to the floor of the current store",
    "set_language": "the header's language switch posts to it, then goes back",
    "privacy:export_download": "a file download behind a one-time link sent by email",
    "privacy:code": "the code step, seen by the shopper visitor on the way to their page",
    "dashboard:export": "swept as its form; with parameters it answers a CSV file",
    "account_confirm_email": "needs the key of a confirmation email (no sign-up here)",
    "account_reset_password_from_key": "needs the key of a password-reset email",
    "account_reset_password_from_key_done": "the step after a reset by email key",
    "account_confirm_login_code": "sign-in by emailed code is off",
    "account_email_verification_sent": "no sign-up or email change sends a verification",
    "account_inactive": "shown only to a deactivated user in the middle of a sign-in",
    "account_signup": "no public sign-up: it answers 'closed'",
    "account_request_reauthentication_code": "reauthentication by code is off",
    "account_confirm_reauthentication_code": "reauthentication by code is off",
    "mfa_authenticate": "the authenticator step inside a sign-in, not reachable alone",
    "mfa_download_recovery_codes": "a text file",
    "healthz": "the load balancer's probe, plain text",
    "readyz": "the load balancer's probe, plain text",
    "floor:consents": "the card's consent section as a fragment; a page visit goes to the card",
    "account_set_password": "for a person without a password: everyone here has one",
    "mfa_activate_totp": "asks for the password again first (swept: account_reauthenticate)",
    "mfa_deactivate_totp": "asks for the password again first (swept: account_reauthenticate)",
    "mfa_generate_recovery_codes": "asks for the password again first (swept: mfa_reauthenticate)",
    "mfa_view_recovery_codes": "asks for the password again first (swept: mfa_reauthenticate)",
    "admin:login": "head office signs in on the app's sign-in page",
    "admin:jsi18n": "JavaScript, not a page",
    "admin:autocomplete": "JSON for admin's autocomplete fields",
    "admin:view_on_site": "redirects to the object on the app",
    "product_image": "a product photo's file, not a page",
}
# Admin's own pages per model beside the list, add and change forms.
ADMIN_NOT_PAGES = {
    "delete": "the confirmation before deleting an object",
    "history": "the object's change history, admin's stock page",
}

# A URL parameter, by name: its value for a visitor, from the demo data (``world``).
PARAMETERS = {
    "store_code": lambda w, v: STORE,
    "customer_id": lambda w, v: w.customer.pk,
    "product_id": lambda w, v: w.product.pk,
    "variant_id": lambda w, v: w.variant.pk,
    "order_id": lambda w, v: w.order.pk,
    "purpose": lambda w, v: "recognition",
    "action": lambda w, v: "grant",
    "visit_id": lambda w, v: w.visit.pk,
    "offer_id": lambda w, v: w.offer.pk,
    "user_id": lambda w, v: w.associate.pk,
    "item_id": lambda w, v: w.selection_item.pk,
    "follow_up_id": lambda w, v: w.follow_up.pk,
    "outcome": lambda w, v: "done",
}
# Parameters whose value depends on the page as well as on their name.
URL_PARAMETERS = {
    "products:public_compare": {
        "token": lambda w, v: comparison_token([w.product.pk, w.other_product.pk])
    },
    "messaging:selection_public": {"token": lambda w, v: selection_token(w.selection)},
}


@dataclass
class Visitor:
    name: str
    context: object = None
    page: object = None
    admin: bool = False  # admin pages are swept for this visitor
    skip_opened_by: str = ""  # pages this other visitor opened look the same to this one


@dataclass
class Sweep:
    findings: list = field(default_factory=list)
    opened: dict = field(default_factory=dict)  # URL name -> visitors who opened it
    answers: dict = field(default_factory=dict)  # URL name -> {visitor: status}
    pages: int = 0
    axe_seconds: float = 0.0
    axed: set = field(default_factory=set)  # URL names axe ran on
    axed_by: set = field(default_factory=set)  # visitors axe ran for


def named_urls(resolver=None, prefix=""):
    """(``namespace:name``, parameter names) of every named URL pattern."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from named_urls(entry, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            params = set(entry.pattern.converters) | set(entry.pattern.regex.groupindex)
            yield prefix + entry.name, sorted(params)


def admin_model_url(name: str) -> str | None:
    """The admin action (changelist, add, change…) of a per-model admin URL name."""
    match = re.fullmatch(r"admin:[a-z0-9_]+_(changelist|add|change|delete|history)", name)
    return match and match.group(1)


# --- The checks, run in the page ---------------------------------------------------------

CHECKS = (Path(__file__).parent / "page_checks.js").read_text()


def in_page(page, check: str, *args):
    return page.evaluate(f"([check, args]) => ({CHECKS})[check](...args)", [check, list(args)])


def check_page(
    sweep: Sweep, visitor: Visitor, url: str, *, app_page: bool, axe: Axe, name: str
) -> None:
    page = visitor.page
    where = f"{visitor.name} {url}"
    page.set_viewport_size(LANDSCAPE)
    response = page.goto(url)
    page.wait_for_load_state()
    sweep.pages += 1
    if response.status >= 400:
        sweep.findings.append(f"{where}: answered {response.status} in the browser")
    for size, label in ((LANDSCAPE, "1024x768"), (PORTRAIT, "768x1024")):
        if size is PORTRAIT:
            page.set_viewport_size(PORTRAIT)
        overflow = in_page(page, "overflow")
        if overflow:
            sweep.findings.append(
                f"{where} [{label}] wider than the screen: scrollWidth {overflow['scrollWidth']}"
                f" > {overflow['clientWidth']}; sticking out: {', '.join(overflow['wide'])}"
            )
        if size is LANDSCAPE:
            # On the app's pages nothing scrolls sideways inside a box in landscape either
            # (admin's wide lists and inlines scroll in their own box, by admin's design).
            for box in in_page(page, "cut") if app_page else ():
                sweep.findings.append(f"{where} [{label}] content cut, scrolls sideways: {box}")
            below = in_page(page, "headerRows")
            if below:
                sweep.findings.append(f"{where} [{label}] header on two rows: {below}")
            if app_page:
                for small in in_page(page, "smallTargets", 44):
                    sweep.findings.append(f"{where} [{label}] touch target under 44 px: {small}")
            # axe once per page (the first visitor who opens it), and on each visitor's
            # first page: the header differs by role.
            if name not in sweep.axed or visitor.name not in sweep.axed_by:
                sweep.axed.add(name)
                sweep.axed_by.add(visitor.name)
                run_axe(sweep, page, where, axe)


def run_axe(sweep: Sweep, page, where: str, axe: Axe) -> None:
    started = time.monotonic()
    results = axe.run(page)
    sweep.axe_seconds += time.monotonic() - started
    for violation in results.response["violations"]:
        if violation["impact"] not in ("critical", "serious"):
            continue
        for node in violation["nodes"][:5]:
            sweep.findings.append(
                f"{where} axe {violation['id']} ({violation['impact']}): {violation['help']}"
                f" -> {' '.join(map(str, node['target']))} {node['html'][:140]}"
            )


# --- The world and the visitors --------------------------------------------------------


@pytest.fixture
def world(live_server_url):
    # The demo's data, written by the demo's own command, in its own process (its pushes
    # need an event loop of their own, not Playwright's).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = _database_url(settings.DATABASES["default"])
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
        timeout=300,
    )
    customer = (
        Customer.objects.filter(email__gt="", consents__isnull=False)
        .annotate(n=Count("purchases", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    product = Product.objects.annotate(n=Count("variants")).order_by("-n", "pk").first()

    w = SimpleNamespace()
    w.customer, w.product, w.variant = customer, product, product.variants.order_by("pk").first()
    w.store = Store.objects.get(code=STORE)
    w.visit = Visit.objects.filter(store=w.store).order_by("-pk").first()
    w.offer = Offer.objects.order_by("pk").first()
    w.associate = User.objects.get(email=DEMO_STAFF[0].email)
    in_stock = StockLevel.objects.filter(store=w.store, on_hand__gt=2).order_by("pk").first()
    w.order = order_place(  # the demo takes no orders: one to pick up, at the store
        key="sweep",
        customer=customer,
        store=w.store,
        by=w.associate,
        lines=[LineRequest(in_stock.variant, 1, w.store)],
        mode="pickup",
        pickup_store=w.store,
    )
    w.other_product = Product.objects.exclude(pk=product.pk).order_by("pk").first()
    # A selection sent to the client (the link they open) and a follow-up to act on.
    w.selection = Selection.objects.create(
        customer=customer, created_by=w.associate, store=w.store, sent_at=timezone.now()
    )
    w.selection_item = SelectionItem.objects.create(selection=w.selection, variant=w.variant)
    w.follow_up = FollowUp.objects.order_by("pk").first()
    return w


def staff_visitor(browser, context_args, base_url, label, name) -> Visitor:
    """A context signed in as the demo's person (their session as after password and
    authenticator code: the sign-in itself is tested elsewhere)."""
    staff = next(s for s in DEMO_STAFF if s.label == label)
    client = Client()
    mfa_login(client, User.objects.get(email=staff.email))
    context = browser.new_context(**context_args)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])
    return Visitor(name, context, context.new_page(), admin=staff.admin)


def shopper_visitor(browser, context_args, base_url, world) -> Visitor:
    """A shopper on their own privacy page, signed in with the code sent by email."""
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.goto(f"{base_url}/privacy/?store={STORE}")
    page.locator("main input[type=email]").fill(world.customer.email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    code = privacy_code_issue(email=world.customer.email)
    page.locator("main input[name=code]").fill(code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    return Visitor("shopper", context, page, skip_opened_by="anonymous")


def ask(visitor: Visitor, url: str, name: str, sweep: Sweep) -> bool:
    """Whether ``url`` answers this visitor with a whole page (not a redirect, an error,
    a file or an htmx fragment)."""
    answer = visitor.context.request.get(url, max_redirects=0)
    status = answer.status
    if status == 200 and "text/html" not in answer.headers.get("content-type", ""):
        status = "not HTML"
    elif status == 200 and not answer.text().lstrip().lower().startswith("<!doctype html"):
        status = "fragment"
    sweep.answers.setdefault(name, {})[visitor.name] = status
    return status == 200


def tablet_visitor(browser, context_args, base_url, world) -> Visitor:
    """A shared tablet of the store, registered by its manager, nobody holding it: its
    lock screen and PIN pad."""
    manager = User.objects.get(email=DEMO_STAFF[1].email)
    device = store_device_register(store=world.store, name="Caisse 1", by=manager)
    response = HttpResponse()
    device_cookie_set(response, device)
    context = browser.new_context(**context_args)
    cookie = {"name": DEVICE_COOKIE, "value": response.cookies[DEVICE_COOKIE].value}
    context.add_cookies([{**cookie, "url": base_url}])
    return Visitor("tablet", context, context.new_page(), skip_opened_by="anonymous")


def visit_urls(visitor: Visitor, world, base_url: str, sweep: Sweep, axe: Axe) -> None:
    for name, params in named_urls():
        if name in NOT_PAGES or name.startswith("admin:"):
            continue
        try:
            makers = {**PARAMETERS, **URL_PARAMETERS.get(name, {})}
            kwargs = {p: makers[p](world, visitor) for p in params}
            path = reverse(name, kwargs=kwargs)
        except (KeyError, NoReverseMatch) as error:
            sweep.answers.setdefault(name, {})[visitor.name] = f"no value for {error}"
            continue
        if visitor.skip_opened_by in sweep.opened.get(name, ()):
            continue  # the same page, seen the same way
        if ask(visitor, base_url + path, name, sweep):
            check_page(sweep, visitor, base_url + path, app_page=True, axe=axe, name=name)
            sweep.opened.setdefault(name, []).append(visitor.name)


def visit_admin(visitor: Visitor, base_url: str, sweep: Sweep, axe: Axe) -> None:
    """Admin's index, each app's list of models, and for every registered model its list,
    its add form and the change form of its first object; then any other admin page."""
    urls = [("admin:index", reverse("admin:index"))]
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    urls += [("admin:app_list", reverse("admin:app_list", args=[app_labels[0]]))]  # as index
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [(f"{info}_changelist", reverse(f"{info}_changelist"))]
        urls += [(f"{info}_add", reverse(f"{info}_add"))]
        first = model._default_manager.order_by("pk").first()
        if first is None:
            sweep.answers[f"{info}_change"] = {visitor.name: "no row"}
        else:
            urls += [(f"{info}_change", reverse(f"{info}_change", args=[first.pk]))]
    someone = User.objects.order_by("pk").first()
    urls += [
        (
            "admin:auth_user_password_change",
            reverse("admin:auth_user_password_change", args=[someone.pk]),
        )
    ]
    listed = {name for name, _path in urls}
    urls += [
        (name, reverse(name))
        for name, params in named_urls()
        if name.startswith("admin:") and not params and name not in listed | set(NOT_PAGES)
    ]
    for name, path in urls:
        if ask(visitor, base_url + path, name, sweep):
            check_page(sweep, visitor, base_url + path, app_page=False, axe=axe, name=name)
            sweep.opened.setdefault(name, []).append(visitor.name)


def unswept(sweep: Sweep) -> tuple[list[str], list[str]]:
    """Named URLs that no visitor opened and that no rule leaves out; and, apart, admin's
    change forms of models without a row in the demo data (nothing to open)."""
    missing, empty = [], []
    for name, _params in named_urls():
        if name in sweep.opened or name in NOT_PAGES:
            continue
        if admin_model_url(name) in ADMIN_NOT_PAGES:
            continue
        answers = sweep.answers.get(name, {})
        statuses = set(answers.values())
        if statuses & {405, "fragment"} and 200 not in statuses:
            continue  # an action (a form posts to it) or an htmx fragment inside a page
        if admin_model_url(name) == "add" and statuses == {403}:
            continue  # head office may not add these: they are written by the app
        if statuses == {"no row"}:
            empty.append(name)
            continue
        missing.append(f"{name}: no visitor opened it ({answers or 'not asked'})")
    return missing, empty


def test_every_page_fits_the_tablet_and_passes_axe(
    browser, browser_context_args, live_server_url, world
):
    started = time.monotonic()
    axe, sweep = Axe(), Sweep()
    anonymous = browser.new_context(**browser_context_args)
    visitors = [
        Visitor("anonymous", anonymous, anonymous.new_page()),
        shopper_visitor(browser, browser_context_args, live_server_url, world),
        tablet_visitor(browser, browser_context_args, live_server_url, world),
        *(
            staff_visitor(browser, browser_context_args, live_server_url, label, name)
            for label, name in (
                ("Associate", "associate"),
                ("Manager", "manager"),
                ("Head office", "head office"),
            )
        ),
    ]
    try:
        for visitor in visitors:
            visit_urls(visitor, world, live_server_url, sweep, axe)
            if visitor.admin:
                visit_admin(visitor, live_server_url, sweep, axe)
    finally:
        for visitor in visitors:
            visitor.context.close()
    elapsed = time.monotonic() - started
    print(f"swept {sweep.pages} pages in {elapsed:.0f} s, axe {sweep.axe_seconds:.0f} s")
    missing, empty = unswept(sweep)
    if empty:
        print("admin change forms not opened, no row in the demo data:", ", ".join(empty))
    problems = missing + sweep.findings
    assert not problems, f"{len(problems)} problems on {sweep.pages} pages:\n" + "\n".join(problems)
