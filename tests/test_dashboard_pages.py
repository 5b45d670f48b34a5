"""The dashboard pages: who may see them, what they show, their query counts, the CSV."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from dashboard.services import daily_figures_rollup
from staff.models import StaffProfile
from tests.clock import TODAY, frozen
from tests.factories import CustomerFactory, StoreFactory, VisitFactory, make_staff, mfa_login

Role = StaffProfile.Role
pytestmark = frozen  # "today" and "yesterday" must not change during a test


def minutes_ago(minutes: int):
    """A moment earlier today (never before midnight, so it stays in today's figures)."""
    midnight = timezone.make_aware(datetime.combine(TODAY, time.min))
    return max(timezone.now() - timedelta(minutes=minutes), midnight)


def present(store, minutes, **kw):
    """A shopper who came in ``minutes`` ago and is still sensed in the store."""
    return VisitFactory(
        store=store, arrived_at=minutes_ago(minutes), last_seen_at=minutes_ago(0), **kw
    )


def board_url(store):
    return reverse("dashboard:board", kwargs={"store_code": store.code})


@pytest.fixture
def store_manager(store):
    return make_staff(Role.MANAGER, store, first_name="Anne", last_name="Lefèvre")


# --- Who may see what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboard:index"),
        reverse("dashboard:export"),
        reverse("dashboard:board", kwargs={"store_code": "paris-opera"}),
    ],
)
def test_associates_get_403_everywhere(associate_client, url):
    response = associate_client.get(url)
    assert response.status_code == 403


def test_manager_of_another_store_gets_403_on_the_board(client, store, other_store):
    client.force_login(make_staff(Role.MANAGER, other_store))
    assert client.get(board_url(store)).status_code == 403
    assert client.get(board_url(other_store)).status_code == 200


def test_signed_out_is_sent_to_sign_in(client, store):
    response = client.get(board_url(store))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_export_refuses_a_store_the_manager_does_not_oversee(client, store, other_store):
    client.force_login(make_staff(Role.MANAGER, other_store))
    response = client.get(
        reverse("dashboard:export"),
        {
            "start": TODAY.isoformat(),
            "end": TODAY.isoformat(),
            "store": store.code,
            "level": "stores",
        },
    )
    assert response.status_code == 422
    assert store.code.encode() not in response.content.split(b"<form")[0]


def test_manager_of_one_store_lands_on_its_board(client, store, store_manager):
    client.force_login(store_manager)
    assert client.get(reverse("dashboard:index")).url == board_url(store)


def test_nav_links_the_dashboard_for_managers_only(client, associate_client, store_manager):
    assert "Tableau de bord" not in associate_client.get("/", follow=True).text
    client.force_login(store_manager)
    assert (
        'href="/dashboard/"' in client.get(board_url(store_manager.staff_profile.stores.get())).text
    )


def test_manager_of_several_stores_and_head_office_see_every_store(
    client, manager, head_office, store, other_store
):
    elsewhere = StoreFactory(code="nice-etoile", name="Nice Étoile")
    for user, expected in (
        (manager, {store, other_store}),
        (head_office, {store, other_store, elsewhere}),
    ):
        client.force_login(user)
        response = client.get(reverse("dashboard:index"))
        assert response.status_code == 200
        assert {r.store for r in response.context["rows"]} == expected
        for s in expected:
            assert f'href="{board_url(s)}"' in response.text


# --- What the board shows -------------------------------------------------------------------


def test_sending_an_associate_to_a_waiting_client_is_checked(
    client, store, other_store, store_manager, associate
):
    visit = present(store, 2, customer=CustomerFactory(first_name="Inès", last_name="Garnier"))
    url = reverse(
        "dashboard:send_associate", kwargs={"store_code": store.code, "visit_id": visit.pk}
    )
    htmx = {"HX-Request": "true"}
    client.force_login(store_manager)

    elsewhere = make_staff(Role.ASSOCIATE, other_store)
    refused = client.post(url, {"associate": elsewhere.pk}, headers=htmx)
    assert refused.status_code == 409
    assert "Cette personne ne travaille pas dans ce magasin." in refused.text
    assert client.post(url, {"associate": "x"}, headers=htmx).status_code == 409
    visit.refresh_from_db()
    assert visit.sent_to is None

    sent = client.post(url, {"associate": associate.pk}, headers=htmx)
    assert sent.status_code == 200
    assert "Demande envoyée à Léa Moreau." in sent.text
    assert "Léa Moreau est en route" in client.get(board_url(store)).text
    visit.refresh_from_db()
    assert (visit.sent_to, visit.sent_by) == (associate, store_manager)

    client.force_login(associate)
    assert client.post(url, {"associate": associate.pk}).status_code == 403


def test_board_shows_waiting_and_served_clients_with_vip_alerts(
    client, store, store_manager, associate, settings
):
    settings.DASHBOARD_WAIT_ALERT_MINUTES = 5
    present(
        store,
        9,
        customer=CustomerFactory(first_name="Zoé", last_name="Garnier", tier=Customer.Tier.GOLD),
    )
    present(store, 3, customer=CustomerFactory(first_name="Paul", last_name="Simon"))
    present(
        store,
        20,
        customer=CustomerFactory(first_name="Nina", last_name="Blanc"),
        attended_by=associate,
        attended_since=minutes_ago(12),
    )
    present(store, 1, customer=None)
    client.force_login(store_manager)
    response = client.get(board_url(store))
    assert response.status_code == 200
    text = response.text
    assert "Zoé Garnier" in text and "Attente trop longue" in text
    assert text.index("Zoé Garnier") < text.index("Paul Simon")
    assert "servie par Léa Moreau" in text or "servi par Léa Moreau" in text
    board = response.context["board"]
    assert (board.present, len(board.waiting), len(board.served), board.anonymous_present) == (
        3,
        2,
        1,
        1,
    )
    assert "visiteur anonyme en ce moment" in text and "visiteurs anonymes" not in text
    assert board.today.recognised_visits == 3
    assert 'ws-connect="/ws/stores/paris-opera/dashboard/?lang=fr&amp;ticket=' in text
    assert "<svg" in text and 'class="chart-part"' in text
    assert ' style="' not in text  # strict CSP: no inline style


def test_board_partial_for_polling_is_just_the_live_section(client, store, store_manager):
    client.force_login(store_manager)
    response = client.get(board_url(store), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="board-live"')
    assert "hx-swap-oob" not in response.text


def test_board_in_english(client, store, store_manager):
    client.force_login(store_manager)
    client.cookies["django_language"] = "en"
    text = client.get(board_url(store)).text
    assert "Floor dashboard" in text and "Nobody is waiting." in text
    assert "anonymous shoppers now (0 today)" in text  # 0 shoppers, in English


def test_board_query_count_does_not_grow_with_visits(
    client, store, store_manager, associate, django_assert_max_num_queries
):
    client.force_login(store_manager)
    client.get(board_url(store))  # warm the session

    def add_visits(n):
        for i in range(n):
            present(
                store,
                5 + i,
                attended_by=associate if i % 2 else None,
                attended_since=minutes_ago(2) if i % 2 else None,
            )
            present(store, 3, customer=None)

    add_visits(3)
    # offers mentioned, bulk-read flags, follow-ups (due, contacts, orders after a contact),
    # the session's expiry for the socket's ticket
    with django_assert_max_num_queries(31) as few:
        assert client.get(board_url(store)).status_code == 200
    add_visits(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(board_url(store)).status_code == 200


def test_overview_query_count_does_not_grow_with_stores_or_visits(
    client, head_office, store, django_assert_max_num_queries
):
    client.force_login(head_office)
    client.get(reverse("dashboard:index"))
    for i in range(3):
        present(StoreFactory(), 4 + i)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("dashboard:index"))
    for _ in range(20):
        s = StoreFactory()
        present(s, 4)
        present(s, 2, customer=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("dashboard:index")).status_code == 200


def test_the_overview_reads_today_s_figures_once_a_minute_and_who_is_there_live(
    client, head_office, store, other_store
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Store
    from dashboard.selectors import stores_overview

    present(store, 5)
    client.force_login(head_office)
    with CaptureQueriesContext(connection) as first:
        assert client.get(reverse("dashboard:index")).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get(reverse("dashboard:index")).status_code == 200
    assert len(again.captured_queries) < len(first.captured_queries)

    before = {r.store: r for r in stores_overview(Store.objects.all())}
    present(store, 1)
    after = {r.store: r for r in stores_overview(Store.objects.all())}
    assert after[store].present == before[store].present + 1  # live
    assert after[store].today == before[store].today  # within the minute


def test_overview_sorts_by_any_column_either_way(client, head_office, store, other_store):
    for _ in range(3):
        present(other_store, 2)
    present(store, 2)
    client.force_login(head_office)
    names = lambda r: [row.store.name for row in r.context["rows"]]  # noqa: E731
    assert names(client.get(reverse("dashboard:index"), {"sort": "-waiting"})) == [
        "Lyon Part-Dieu",
        "Paris Opéra",
    ]
    assert names(client.get(reverse("dashboard:index"), {"sort": "waiting"})) == [
        "Paris Opéra",
        "Lyon Part-Dieu",
    ]
    response = client.get(reverse("dashboard:index"), {"sort": "nonsense"})
    assert names(response) == ["Lyon Part-Dieu", "Paris Opéra"]  # by name
    assert 'aria-sort="ascending"' in response.text
    partial = client.get(
        reverse("dashboard:index"), {"sort": "-present"}, headers={"HX-Request": "true"}
    )
    assert partial.text.lstrip().startswith('<section id="overview"')


# --- CSV export -----------------------------------------------------------------------------


def _csv(response, delimiter=";"):
    """The rows of an export, read the way a spreadsheet set to French reads them unless
    told otherwise."""
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))


@pytest.mark.parametrize(
    ("file_format", "delimiter", "median"),
    [
        (None, ";", "3,0"),  # a French user's default: Excel (France)
        ("excel-fr", ";", "3,0"),
        ("comma", ",", "3.0"),
    ],
)
def test_export_csv_per_store_and_day(
    client, store, other_store, manager, associate, file_format, delimiter, median
):
    yesterday = TODAY - timedelta(days=1)
    noon = timezone.make_aware(datetime.combine(yesterday, time(12)))
    VisitFactory(
        store=store,
        arrived_at=noon,
        last_seen_at=noon,
        attended_by=associate,
        attended_since=noon + timedelta(minutes=3),
    )
    VisitFactory(store=store, arrived_at=noon, last_seen_at=noon, customer=None)
    daily_figures_rollup(day=yesterday)
    client.force_login(manager)
    response = client.get(
        reverse("dashboard:export"),
        {
            "start": yesterday.isoformat(),
            "end": TODAY.isoformat(),
            "store": "",
            "level": "stores",
            **({"format": file_format} if file_format else {}),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    header, *rows = _csv(response, delimiter)
    assert header[:5] == ["Jour", "Code magasin", "Magasin", "Visites reconnues", "Trafic anonyme"]
    assert len(rows) == 4  # two stores × two days, each store and day even when quiet
    paris = next(r for r in rows if r[0] == yesterday.isoformat() and r[1] == store.code)
    assert paris[3:7] == ["1", "1", "1", median]  # visits, anonymous, served, median minutes
    lyon_today = next(r for r in rows if r[0] == TODAY.isoformat() and r[1] == other_store.code)
    assert lyon_today[3] == "0" and lyon_today[-1] == ""  # no visit: no conversion rate


def test_export_csv_per_associate(client, store, manager, associate):
    VisitFactory(
        store=store,
        arrived_at=minutes_ago(10),
        attended_by=associate,
        attended_since=minutes_ago(8),
    )
    client.force_login(manager)
    response = client.get(
        reverse("dashboard:export"),
        {
            "start": TODAY.isoformat(),
            "end": TODAY.isoformat(),
            "store": store.code,
            "level": "associates",
        },
    )
    header, *rows = _csv(response)
    assert header[3:5] == ["Vendeur", "E-mail"]
    assert rows == [
        [
            TODAY.isoformat(),
            store.code,
            store.name,
            "Léa Moreau",
            associate.email,
            "1",
            rows[0][6],
            "0",
            "0",
            "0",
            "0,00",
            "0",
            "0,0",
        ]
    ]
    assert f"figures-{store.code}-associates-" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-02-10", "end": "2025-02-01"}, "La date de début doit précéder"),
        (
            {"start": "2025-02-10", "end": "2999-01-01"},
            "La date de fin ne peut pas être dans le futur",
        ),
        ({"start": "2020-01-01", "end": "2025-01-01"}, "366 jours"),
        ({"start": "hier", "end": "2025-01-01"}, "Saisissez une date valide"),
        ({"start": "", "end": "2025-01-01"}, "Ce champ est obligatoire"),
    ],
)
def test_export_bad_range_is_a_clear_422(client, manager, params, message):
    client.force_login(manager)
    response = client.get(reverse("dashboard:export"), {**params, "level": "stores"})
    assert response.status_code == 422
    assert message in response.text
    assert response["Content-Type"].startswith("text/html")


def test_export_without_parameters_shows_the_form(client, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboard:export"))
    assert response.status_code == 200
    assert 'type="date"' in response.text


@pytest.mark.parametrize(
    ("language", "chosen"),
    [("fr", "Excel (France) : points-virgules"), ("en", "Commas, decimal points")],
)
def test_the_form_offers_excel_in_french_to_french_users(client, manager, language, chosen):
    client.force_login(manager)
    client.cookies["django_language"] = language
    response = client.get(reverse("dashboard:export"))
    select = response.text[response.text.index('name="format"') :]
    select = select[: select.index("</select>")]
    selected = select[
        select.index(" selected") : select.index("</option>", select.index(" selected"))
    ]
    assert chosen in selected


def test_an_english_user_gets_commas_and_decimal_points_by_default(client, manager, store):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    params = {"start": TODAY.isoformat(), "end": TODAY.isoformat(), "level": "associates"}
    response = client.get(reverse("dashboard:export"), params)
    header, *_rows = _csv(response, ",")
    assert header[:3] == ["Day", "Store code", "Store"]


def test_export_query_count_does_not_grow_with_the_range(
    client, manager, store, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(reverse("dashboard:export"))
    for days in (1, 20):
        daily_figures_rollup(day=TODAY - timedelta(days=days))
    params = {
        "start": (TODAY - timedelta(days=60)).isoformat(),
        "end": TODAY.isoformat(),
        "store": "",
        "level": "stores",
    }
    with django_assert_max_num_queries(11):  # with the offers mentioned today
        response = client.get(reverse("dashboard:export"), params)
        assert len(_csv(response)) == 1 + 2 * 61


def test_export_never_hands_a_spreadsheet_a_formula(client, manager, store):
    type(store).objects.filter(pk=store.pk).update(name='=HYPERLINK("http://evil.example")')
    client.force_login(manager)
    response = client.get(
        reverse("dashboard:export"),
        {
            "start": TODAY.isoformat(),
            "end": TODAY.isoformat(),
            "store": store.code,
            "level": "stores",
        },
    )
    _header, row = _csv(response)
    assert row[2] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.parametrize(
    "url", ["/admin/dashboard/dailystorefigures/", "/admin/dashboard/dailyassociatefigures/"]
)
def test_head_office_reads_the_rolled_up_figures_in_admin(client, head_office, store, url):
    daily_figures_rollup(day=TODAY - timedelta(days=1))
    mfa_login(client, head_office)
    response = client.get(url)
    assert response.status_code == 200
    assert client.get(url + "add/").status_code == 403
