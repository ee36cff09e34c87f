"""The operator's brand (issue 18): by default the portal shows the operating
authority's name and logo and no element of the State's brand (the Marianne logo, the
"République française" block, the Marianne font and favicon), which the DSFR reserves to
State services; ``STATE_BRAND`` puts them back for a State operator. Every page links
the mandatory pages: mentions légales, données personnelles, accessibility statement,
contact and recourse."""

import pytest
from django.urls import reverse

from config import settings as production

STATE_MARKS = ('class="fr-logo"', "République", "dsfr/dist/favicon/")
MANDATORY = {
    "portal:legal_notice": "Mentions légales",
    "portal:privacy": "Données personnelles",
    "portal:accessibility": "Déclaration d'accessibilité",
    "portal:contact": "Contact et recours",
}


def page(client, name="portal:home", **headers) -> str:
    response = client.get(reverse(name), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_by_default_the_portal_wears_the_operators_brand_and_none_of_the_states(client, settings):
    settings.OPERATOR_NAME = "Métropole de Test"
    settings.OPERATOR_LOGO = "https://communs.example.org/logo.svg"

    html = page(client)

    # then the operator's logo (named by its alt) and name are on the page
    assert '<img class="portal-operator-logo" src="https://communs.example.org/logo.svg"' in html
    assert 'alt="Métropole de Test"' in html
    assert "Un service de Métropole de Test" in html
    # and its font in place of the Marianne, nothing of the State's brand
    assert "portal/operator.css" in html
    for mark in STATE_MARKS:
        assert mark not in html, mark


@pytest.mark.django_db
def test_a_state_operator_wears_the_state_brand(client, settings):
    settings.STATE_BRAND = True

    html = page(client)

    assert '<p class="fr-logo">République<br>Française</p>' in html
    assert "dsfr/dist/favicon/favicon.svg" in html
    assert "portal/operator.css" not in html
    assert "legifrance.gouv.fr" in html
    # with the operator's logo beside the Marianne
    assert 'class="portal-operator-logo"' in html


@pytest.mark.django_db
def test_the_error_pages_wear_the_brand_too(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="portal-operator-logo"' in html
    assert "République" not in html


@pytest.mark.django_db
def test_every_page_links_the_mandatory_pages_and_each_answers(client):
    html = page(client)
    for name, title in MANDATORY.items():
        assert f'href="{reverse(name)}"' in html
        assert f"<h1>{title}</h1>" in page(client, name).replace("&#x27;", "'")


@pytest.mark.django_db
def test_the_accessibility_statement_gives_its_date_and_status(client, settings):
    import datetime

    settings.ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 12, 7)
    settings.ACCESSIBILITY_STATUS = "partielle"

    html = page(client, "portal:accessibility")

    assert "établie le 7 décembre 2026" in html
    assert "<strong>partiellement conforme</strong>" in html
    assert "RGAA" in html
    assert "Défenseur des droits" in html
    # and the footer of every page says the same status
    assert "Accessibilité : partiellement conforme" in page(client)
    settings.ACCESSIBILITY_STATUS = "non"
    assert "Accessibilité : non conforme" in page(client)


@pytest.mark.django_db
def test_the_personal_data_page_says_what_is_kept_why_how_long_and_the_rights(client, settings):
    settings.DPO_EMAIL = "dpo@example.org"
    # the production lifetimes (the test settings lengthen them for the journeys)
    settings.API_TOKEN_TTL_HOURS = production.API_TOKEN_TTL_HOURS
    settings.SESSION_COOKIE_AGE = production.SESSION_COOKIE_AGE

    html = page(client, "portal:privacy").replace("&#x27;", "'")

    assert "Ce que le service conserve, pourquoi et combien de temps" in html
    assert "Tentatives de connexion échouées" in html
    assert "15 minutes après la dernière tentative" in html
    assert "8 heures" in html
    assert "la session (jusqu'à la déconnexion, 10 heures au plus)" in html
    assert "5 ans pour les propositions non retenues" in html
    assert "mailto:dpo@example.org" in html
    assert "cnil.fr/fr/plaintes" in html


@pytest.mark.django_db
def test_the_contact_page_names_the_defenseur_des_droits(client, settings):
    settings.OPERATOR_EMAIL = "contact@example.org"

    html = page(client, "portal:contact")

    assert "mailto:contact@example.org" in html
    assert "formulaire.defenseurdesdroits.fr" in html
    assert "Libre réponse 71120" in html


@pytest.mark.django_db
def test_the_mandatory_pages_read_in_english(client):
    client.cookies["django_language"] = "en"

    assert "<h1>Legal notice</h1>" in page(client, "portal:legal_notice")
    assert "<h1>Personal data</h1>" in page(client, "portal:privacy")
    assert "<h1>Contact and appeals</h1>" in page(client, "portal:contact")
