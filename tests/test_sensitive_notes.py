"""A note that looks like special data (health, religion, politics…) gets a warning before
it is saved; the associate rephrases it or saves anyway."""

import pytest

from customers.models import Note
from customers.sensitive import sensitive_topics
from tests.factories import CustomerFactory

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Très malade en ce moment, revenir plus tard", "santé"),
        ("DIABÈTE : éviter de proposer les chocolats", "santé"),
        ("Elle est enceinte de 5 mois, cherche un lit bébé", "santé"),
        ("Uses a wheelchair, show the ground floor", "santé"),
        ("Musulmane, ne veut pas de produits porc", "religion"),
        ("Délégué au syndicat de son usine", "syndicale"),
        ("Militant écologiste, veut du reconditionné", "politiques"),
        ("Son compagnon est homosexuel", "sexuelle"),
    ],
)
def test_special_data_is_spotted_accents_and_case_aside(text, topic):
    with_fr = " ".join(sensitive_topics_fr(text))
    assert topic in with_fr


def sensitive_topics_fr(text):
    from django.utils import translation

    with translation.override("fr"):
        return sensitive_topics(text)


@pytest.mark.parametrize(
    "text",
    [
        "Cherche une enceinte Bluetooth pour le salon",
        "A aimé la politique de retour sous 30 jours",
        "Vient le samedi, préfère la marque Sonos",
        "Looking for blinds and a sofa",
        "Parti sans acheter, reviendra",
    ],
)
def test_everyday_shop_words_are_not_special_data(text):
    assert sensitive_topics(text) == []


@pytest.fixture
def shopper(db):
    return CustomerFactory(first_name="Nadia", last_name="Benali")


def test_a_sensitive_note_comes_back_with_a_warning_and_is_not_saved(associate_client, shopper):
    response = associate_client.post(
        f"/customers/{shopper.pk}/notes/",
        {"text": "Diabétique, conseiller le sans sucre"},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert 'data-testid="note-sensitive"' in response.text
    assert "santé" in response.text and "Enregistrer quand même" in response.text
    assert "Diabétique, conseiller le sans sucre" in response.text  # the text is kept in the form
    assert Note.objects.count() == 0


def test_save_anyway_saves_it(associate_client, shopper):
    response = associate_client.post(
        f"/customers/{shopper.pk}/notes/",
        {"text": "Diabétique, conseiller le sans sucre", "save_anyway": "on"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert Note.objects.get().text == "Diabétique, conseiller le sans sucre"
    assert 'data-testid="note-sensitive"' not in response.text


def test_an_ordinary_note_saves_at_once(associate_client, shopper):
    response = associate_client.post(
        f"/customers/{shopper.pk}/notes/",
        {"text": "Cherche une enceinte pour la cuisine"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert Note.objects.count() == 1
