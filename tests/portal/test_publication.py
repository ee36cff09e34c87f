"""The buyer sees the procedure its estimate gives before publishing, and the warning a
MAPA's short offers' window leaves (``award_rules.offer_window_check``): in the message
after publishing and, for its agents only, on the call's page."""

import re

import pytest
from django.urls import reverse

from tests.portal.steps import advance
from tests.workflows.journey import open_task

WARNING = "moins de 21 jours"


def publish_url(challenge):
    return reverse("portal:task", args=[open_task(challenge, "publish").pk])


def text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no #{element_id}"
    # collapse the markup's spaces, keeping the non-breaking ones French puts before ":"
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


@pytest.mark.django_db
def test_publish_page_shows_the_mapa_and_its_minimum_window_before_publishing(
    client, world, clock, login, settings
):
    # given a local authority's call of 180 000 € HT, ready to publish
    settings.MAPA_MIN_OFFER_DAYS, settings.MAPA_WARN_OFFER_DAYS = 15, 21
    challenge = advance(world, clock, "publish")
    login(world.buyer_agent)

    # when its agent opens the publication step
    html = client.get(publish_url(challenge)).content.decode()

    # then the page names the procedure, its floor and the warning threshold
    shown = text(html, "procedure")
    assert "Procédure\xa0: procédure adaptée (MAPA)" in shown
    assert re.search(r"180\s000,00\s€ HT", shown)
    assert "Délai minimal de remise des propositions\xa0: 15 jours" in shown
    assert "En dessous de 21 jours" in shown


@pytest.mark.django_db
def test_publish_page_of_a_state_buyer_shows_the_formal_procedures_30_days(
    client, world, clock, login
):
    # given the same amount bought by the State, above its 140 000 € threshold
    world.buyer.buyer_category = "state"
    world.buyer.save()
    challenge = advance(world, clock, "publish")
    login(world.buyer_agent)

    shown = text(client.get(publish_url(challenge)).content.decode(), "procedure")

    assert "appel d'offres ouvert" in shown.replace("&#x27;", "'")
    assert "30 jours" in shown
    assert "En dessous de" not in shown


@pytest.mark.django_db
def test_a_short_mapa_window_is_published_with_its_warning_shown_to_the_buyer_only(
    client, world, clock, login, settings
):
    # given a MAPA ready to publish on 1 September, floor 15 days, warned under 21
    settings.MAPA_MIN_OFFER_DAYS, settings.MAPA_WARN_OFFER_DAYS = 15, 21
    challenge = advance(world, clock, "publish")
    login(world.buyer_agent)

    # when its agent publishes with 19 days for the offers
    done = client.post(
        publish_url(challenge),
        {"positioning_deadline": "2026-09-10T12:00", "proposal_deadline": "2026-09-20T12:00"},
        follow=True,
    )

    # then the message says it is done, and warns
    html = done.content.decode()
    assert "« Publier l&#x27;appel » : c&#x27;est fait." in html
    warnings = re.findall(r'fr-alert--warning[^"]*">\s*<p>(.*?)</p>', html, re.S)
    assert any(WARNING in w for w in warnings), warnings
    # and the call's page warns its buyer's agents, with the way to extend
    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    alert = text(page, "avertissements-publication")
    assert WARNING in alert
    assert reverse("portal:process", args=[challenge.pk]) + "#prolonger" in page
    # but neither a partner nor a visitor sees it
    login(world.partner_users[0])
    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert "avertissements-publication" not in page
    client.logout()
    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert "avertissements-publication" not in page


@pytest.mark.django_db
def test_a_window_of_21_days_or_more_is_published_without_warning(
    client, world, clock, login, settings
):
    # given a MAPA published with seven weeks for the offers
    settings.MAPA_MIN_OFFER_DAYS, settings.MAPA_WARN_OFFER_DAYS = 15, 21
    challenge = advance(world, clock, "positioning")
    login(world.buyer_agent)

    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()

    assert "avertissements-publication" not in page
    assert WARNING not in page
