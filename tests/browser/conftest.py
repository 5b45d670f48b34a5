"""Browser tests: Playwright drives Debian's Chromium against Daphne serving the test
database, so websockets work exactly as in production.

Test data must be committed to be seen by the server process: browser tests use the
``transactional_db`` fixture (pulled in by ``live_server_url``)."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations.webhooks import signed_headers
from tests.factories import PASSWORD, totp_code

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TABLET = {"width": 1024, "height": 768}
# A shared tablet's holder is signed out after this long idle (short, for the tests).
TABLET_IDLE_SECONDS = 12
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests and
    # fixtures make between browser steps are ordinary synchronous calls. Only for the
    # browser session: the server process is started without it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(db: dict) -> str:
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("Browser tests need DATABASE_URL pointing at PostgreSQL.")
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def run_daphne(tmp_path_factory, **env_overrides):
    """A Daphne process serving the app on the test database; yields its base URL."""
    from django.conf import settings

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = _database_url(settings.DATABASES["default"])
    # The same settings as this process, hence the same password hashers: the users the
    # tests create here sign in there.
    env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
    env.setdefault("DEBUG", "1")
    env["TABLET_IDLE_LOCK_MINUTES"] = str(TABLET_IDLE_SECONDS / 60)
    env.update(env_overrides)
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "clienteling.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("Daphne did not start:\n" + log.read_text()) from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, tmp_path_factory):
    with run_daphne(tmp_path_factory) as url:
        yield url


@pytest.fixture
def live_server_url(daphne_server, transactional_db):
    return daphne_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": TABLET, "locale": "fr-FR", "has_touch": True}


def box_of(locator, timeout: float = 5.0) -> dict:
    """The element's box once visible. A live push may replace the element between finding
    and measuring it (Playwright then answers None), so it is asked again."""
    deadline = time.monotonic() + timeout
    while True:
        expect(locator).to_be_visible(timeout=timeout * 1000)
        box = locator.bounding_box()
        if box is not None:
            return box
        assert time.monotonic() < deadline, f"{locator} never had a box"


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        authenticator_step(page, email)


def authenticator_step(page, email: str) -> None:
    """Managers and head office then type the code of their authenticator app: computed
    here from their secret, as the app would (a code is accepted once: a second sign-in
    within the same 30 s waits for the next code)."""
    from allauth.mfa.models import Authenticator

    secret = Authenticator.objects.get(user__email=email, type="totp").data["secret"]
    for _ in range(2):
        page.locator("#id_code").fill(totp_code(secret))
        page.locator("#id_code").press("Enter")
        page.wait_for_load_state()
        if "/accounts/2fa/authenticate/" not in page.url:
            return
        time.sleep(30 - time.time() % 30 + 0.5)


def presence(base_url, source, store, customer, event="enter"):
    body = json.dumps(
        {
            "store": store.code,
            "identifier_kind": "loyalty_number",
            "identifier": customer.loyalty_number,
            "event": event,
            "occurred_at": timezone.now().isoformat(),
            "event_id": uuid.uuid4().hex,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}/api/presence/",
        data=body,
        headers={"Content-Type": "application/json", **signed_headers(source, body)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 202


@pytest.fixture
def tablets(browser, browser_context_args):
    contexts = []

    def open_tablet():
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context.new_page()

    yield open_tablet
    for context in contexts:
        context.close()


def on_the_floor(page, base_url, email):
    sign_in(page, base_url, email)
    expect(page.get_by_test_id("floor")).to_have_attribute("data-live", "true")
    page.evaluate("window.__sameDocument = true")
