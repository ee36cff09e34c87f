"""Matching funds on the round's page (issue 21): a funder or the buyer offers a match
from the portal, every visitor of the page sees it per commons, and its matcher
withdraws it; a refused offer comes back with the reason next to the field."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import MatchingOffer
from tests.procurement.test_cofunding_rules import budget, close, open_round, pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(world, clock):
    return open_round(world, clock)


def url(round_) -> str:
    return reverse("portal:cofunding", args=[round_.challenge_id])


def text(response) -> str:
    page = html.unescape(response.content.decode())
    return page.replace("\xa0", " ").replace("\u202f", " ")


def section(page: str, bucket) -> str:
    return re.search(rf'id="commun-{bucket.pk}".*?</section>', page, re.S).group(0)


def offers(page: str) -> str:
    return re.search(r'<ul id="liste-abondements">(.*?)</ul>', page, re.S).group(1)


def test_a_funder_offers_a_match_seen_on_the_commons_by_the_others(client, world, login, round_):
    first, second, _third = round_.buckets.order_by("pk")
    budget(world, first, "20000", "30000")
    pledge(world, first, "12000")
    # when the Banque des Territoires offers 1 € per euro up to 5 000 € on the first commons
    login(world.funder_users[1])
    assert 'id="form-abondement"' in text(client.get(url(round_)))
    response = client.post(
        url(round_),
        {
            "action": "matching",
            "matching-matcher": world.funders[1].pk,
            "matching-ratio": "1",
            "matching-cap": "5 000",
            "matching-buckets": [first.pk],
        },
    )
    assert response.status_code == 302
    # then the ADEME, which pledged, sees the match on that commons and in the list
    login(world.funder_users[0])
    page = text(client.get(url(round_)))
    shown = section(page, first)
    assert "+ 5 000,00 € d'abondement, versé à la clôture si le commun est financé" in shown
    assert "il manque 3 000,00 € pour atteindre le minimum" in shown
    assert "abondé de 5 000,00 €" in shown
    assert "abondement" not in section(page, second)
    listed = offers(page)
    assert "Banque des Territoires : 1 € par euro engagé, plafond 5 000,00 €" in listed
    assert first.proposal.title in listed
    assert "5 000,00 € abondés en ce moment, reste 0,00 € du plafond" in listed
    # and it cannot withdraw it: no button for it
    assert "Retirer l'abondement" not in listed


def test_the_buyer_offers_on_every_commons_and_withdraws_it(client, world, login, round_):
    login(world.buyer_agent)
    response = client.post(
        url(round_),
        {
            "action": "matching",
            "matching-matcher": world.buyer.pk,
            "matching-ratio": "0,5",
            "matching-cap": "10000",
        },
    )
    assert response.status_code == 302
    offer = MatchingOffer.objects.get()
    assert (offer.matcher, offer.ratio, list(offer.buckets.all())) == (
        world.buyer,
        Decimal("0.5"),
        [],
    )
    page = text(client.get(url(round_)))
    assert "sur tous les communs" in offers(page)
    # the buyer withdraws it; a funder posting the same is refused
    login(world.funder_users[0])
    assert (
        client.post(url(round_), {"action": "matching_withdraw", "offer": offer.pk}).status_code
        == 403
    )
    login(world.buyer_agent)
    response = client.post(url(round_), {"action": "matching_withdraw", "offer": offer.pk})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == MatchingOffer.Status.WITHDRAWN
    assert "Aucun abondement dans ce tour." in text(client.get(url(round_)))


def test_a_refused_offer_keeps_the_input_and_says_why(client, world, login, round_):
    login(world.funder_users[1])
    response = client.post(
        url(round_),
        {
            "action": "matching",
            "matching-matcher": world.funders[1].pk,
            "matching-ratio": "7",
            "matching-cap": "5000",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "Indiquez un ratio supérieur à 0 et d'au plus 5." in page
    assert 'value="5000"' in page
    assert not MatchingOffer.objects.exists()


def test_a_working_group_partner_has_no_matching_form(client, world, login, round_):
    # a partner sees the page for its commons' bucket, but is neither funder nor buyer
    login(world.partner_users[0])
    assert 'id="form-abondement"' not in text(client.get(url(round_)))
    response = client.post(
        url(round_),
        {
            "action": "matching",
            "matching-matcher": world.partners[0].pk,
            "matching-ratio": "1",
            "matching-cap": "5000",
        },
    )
    assert response.status_code == 403
    assert not MatchingOffer.objects.exists()


def test_after_the_close_the_page_shows_the_honoured_match_and_no_form(
    client, world, login, clock, round_
):
    first = round_.buckets.order_by("pk").first()
    budget(world, first, "20000", "30000")
    pledge(world, first, "12000")
    login(world.funder_users[1])
    client.post(
        url(round_),
        {
            "action": "matching",
            "matching-matcher": world.funders[1].pk,
            "matching-ratio": "1",
            "matching-cap": "8000",
        },
    )
    close(round_, clock)
    page = text(client.get(url(round_)))
    assert 'id="form-abondement"' not in page
    assert "dont 8 000,00 € d'abondement honoré à la clôture" in section(page, first)
    assert "8 000,00 € honorés" in offers(page)
    # and the matcher's « Mes cofinancements » lists its offer and the pledge it became
    mine = text(client.get(reverse("portal:my_cofunding")))
    listed = re.search(r'<ul id="liste-mes-abondements">(.*?)</ul>', mine, re.S).group(1)
    assert "Banque des Territoires : 1 € par euro engagé, plafond 8 000,00 €" in listed
    assert "Honoré à la clôture (8 000,00 € honorés)" in listed
    assert "<td>8 000,00 €</td><td>Confirmé — abondement</td>" in mine
