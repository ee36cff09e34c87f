"""The public pages in a browser, as an anonymous visitor: each is screenshot and
checked with axe-core; then the language switch turns the interface to English."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from tests.e2e.helpers import follow
from tests.portal.steps import commons
from tests.workflows import journey
from tests.workflows.journey import complete


def published(world):
    """A published call with an opinion, positions and an answered question; a catalogue."""
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent, {"note": "Merci."})
    journey.give_opinion(world, challenge, reasons="Un appel qui fait une vraie place aux communs.")
    now = timezone.now()
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": (now + timedelta(days=10)).isoformat(),
            "proposal_deadline": (now + timedelta(days=40)).isoformat(),
        },
    )
    challenge.refresh_from_db()
    journey.position_and_propose(world, challenge)
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Le code doit-il être publié dès le premier jour ?",
    )
    question_answer_draft(
        question=question, actor=world.buyer_agent, answer="Oui, sur un dépôt public."
    )
    questions_publish_answers(challenge=challenge, actor=world.buyer_agent)
    commons("Base Adresse Nationale", licence="ETALAB-2.0", referenced=True)
    commons("Moteur de covoiturage libre", licence="AGPL-3.0-or-later", category="public_space")
    return challenge


@pytest.mark.django_db(transaction=True)
def test_public_pages_are_accessible_and_switch_to_english(
    world, browse, check_page, server_paused
):
    with server_paused():
        challenge = published(world)
    page = browse()

    # the published calls, with their stage and a live countdown
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Appels à communs")
    expect(page.locator(".fr-card").first).to_contain_text("Positionnements ouverts")
    expect(page.locator("[data-countdown]").first).to_have_text("(dans 10 jours)")
    check_page(page, "public-01-appels")

    # a call: its resources and positions, the Chambre's opinion, the Q&A
    follow(page.get_by_role("link", name=challenge.title))
    expect(page.locator("#ressources + .fr-table tbody tr td:nth-of-type(2)")).to_have_text(
        ["1", "1", "1"]
    )
    expect(page.locator("#avis + .fr-callout")).to_contain_text("Favorable")
    expect(page.locator("#questions ~ .portal-question").first).to_contain_text(
        "Oui, sur un dépôt public."
    )
    check_page(page, "public-02-appel")

    # the catalogue, filtered
    follow(page.get_by_role("link", name="Catalogue des communs").first)
    page.get_by_label("Référencement").select_option(label="Référencés par la Chambre")
    follow(page.get_by_role("button", name="Filtrer"))
    expect(page.locator(".fr-card")).to_have_count(1)
    expect(page.locator(".fr-card")).to_contain_text("Base Adresse Nationale")
    check_page(page, "public-03-catalogue")

    # a commons of the catalogue, then the Chambre's activity
    follow(page.get_by_role("link", name="Base Adresse Nationale", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Base Adresse Nationale")
    check_page(page, "public-03b-commun")
    page.goto(f"/chambres/{world.chambre.pk}/")
    expect(page.locator("#avis")).to_contain_text(challenge.title)
    check_page(page, "public-03c-chambre")

    page.goto("/connexion/")
    check_page(page, "public-04-connexion")
    page.goto("/accessibilite/")
    check_page(page, "public-05-accessibilite")

    # the language switch: the same page, in English
    page.goto("/")
    page.get_by_role("button", name="FR").click()
    follow(page.get_by_role("button", name="EN - English"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Calls for commons")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".fr-card").first).to_contain_text("Next deadline")
    expect(page.locator(".fr-card").first).not_to_contain_text("Positionnements ouverts")
    expect(page.locator("[data-countdown]").first).to_have_text("(in 10 days)")
    check_page(page, "public-06-appels-en")
