"""Customer search: by name, email, phone or loyalty number, as you type, paginated."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory

URL = "/customers/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def people(db):
    return {
        "camille": CustomerFactory(
            first_name="Camille",
            last_name="Martin",
            email="camille.martin@example.fr",
            phone="+33 6 12 34 56 78",
            loyalty_number="FID100200300",
        ),
        "hugo": CustomerFactory(
            first_name="Hugo",
            last_name="Marchand",
            email="hugo@example.fr",
            phone="07.98.76.54.32",
            loyalty_number="FID999888777",
        ),
        "lea": CustomerFactory(
            first_name="Léa", last_name="Camus", email="lea@example.fr", phone=""
        ),
    }


def names(response):
    return [p for p in ("Camille Martin", "Hugo Marchand", "Léa Camus") if p in response.text]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mar", ["Camille Martin", "Hugo Marchand"]),
        ("cam mar", ["Camille Martin"]),
        ("MARTIN camille", ["Camille Martin"]),
        ("cam", ["Camille Martin", "Léa Camus"]),
        ("camille.martin@", ["Camille Martin"]),
        ("06 12 34 56 78", ["Camille Martin"]),
        ("0798765432", ["Hugo Marchand"]),
        ("fid9998", ["Hugo Marchand"]),
        ("FID100200300", ["Camille Martin"]),
        ("zorro", []),
    ],
)
def test_search_by_name_email_phone_or_loyalty_number(associate_client, people, query, expected):
    response = associate_client.get(URL, {"q": query}, headers=HTMX)
    assert response.status_code == 200
    assert names(response) == expected


def test_as_you_type_only_the_results_come_back(associate_client, people):
    response = associate_client.get(URL, {"q": "mar"}, headers=HTMX)
    assert "<html" not in response.text
    assert 'id="results"' in response.text
    assert f'href="/customers/{people["camille"].pk}/"' in response.text


def test_the_full_page_works_without_javascript(associate_client, people):
    page = associate_client.get(URL, {"q": "hugo"}).text
    assert "<html" in page and "Hugo Marchand" in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page  # debounced


def test_a_short_or_empty_query_lists_nobody(associate_client, people):
    response = associate_client.get(URL, {"q": "m"})
    assert names(response) == []
    assert "Tapez au moins trois caractères" in response.text


def test_results_are_paginated_with_a_fixed_query_count(associate_client, db):
    CustomerFactory.create_batch(5, last_name="Durand")
    with CaptureQueriesContext(connection) as few:
        associate_client.get(URL, {"q": "durand"}, headers=HTMX)
    CustomerFactory.create_batch(40, last_name="Durand")
    with CaptureQueriesContext(connection) as many:
        first = associate_client.get(URL, {"q": "durand"}, headers=HTMX)
    assert len(many) == len(few)
    assert first.text.count('data-testid="customer-row"') == 20
    assert "Page 1 sur 3" in first.text
    last = associate_client.get(URL, {"q": "durand", "page": 3}, headers=HTMX)
    assert last.text.count('data-testid="customer-row"') == 5


def test_the_nav_links_to_customers(associate_client, store):
    page = associate_client.get(f"/stores/{store.code}/floor/").text
    assert 'href="/customers/"' in page
