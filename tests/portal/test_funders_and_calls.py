"""Funders across rounds (« Mes cofinancements »), a closed round without forms, the
envelope → pledge order and what remains; the list of calls searched and filtered; a
call's deadlines as an .ics file."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from icalendar import Calendar

from procurement.models import ChallengeStatus
from procurement.services.cofunding import allocation_set, pledge_create
from tests.portal.steps import PROPOSAL_END, advance

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_funder_is_guided_from_envelope_to_pledge_and_sees_what_remains(
    client, world, clock, login
):
    # given an open round and a funder without an envelope
    challenge = advance(world, clock, "cofunding")
    funder, user = world.funders[1], world.funder_users[1]
    login(user)
    url = reverse("portal:cofunding", args=[challenge.pk])

    # then the page asks for the envelope first, and offers no pledge yet
    html = page(client, url)
    assert "Étape 1 : déclarer ou relever l'enveloppe" in html
    assert 'id="engager-apres-enveloppe"' in html
    assert 'id="form-engagement"' not in html
    # and each commons says how much it still lacks
    assert "il manque" in html
    assert "pour atteindre le minimum" in html

    # when the funder declares 5,000 € and pledges 1,200 €
    round_ = challenge.cofunding_round
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal(5000))
    bucket = round_.buckets.order_by("pk").first()
    pledge_create(actor=user, bucket=bucket, funder=funder, amount=Decimal(1200))

    # then the pledge form is offered and the envelope says what is left to pledge
    html = page(client, url)
    assert 'id="form-engagement"' in html
    assert "reste 3\u202f800,00\xa0€ à engager" in html


def test_a_refused_pledge_says_what_remains_in_the_envelope(client, world, clock, login):
    challenge = advance(world, clock, "cofunding")
    funder, user = world.funders[1], world.funder_users[1]
    round_ = challenge.cofunding_round
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal(1000))
    bucket = round_.buckets.order_by("pk").first()
    login(user)

    # when the funder pledges more than its envelope holds
    response = client.post(
        reverse("portal:cofunding", args=[challenge.pk]),
        {
            "action": "pledge",
            "pledge-funder": funder.pk,
            "pledge-bucket": bucket.pk,
            "pledge-amount": "1500",
        },
    )

    # then the refusal says how much remains
    assert response.status_code == 409
    assert "il y reste 1\u202f000,00\xa0€ à engager" in response.content.decode()


def test_a_closed_round_shows_no_form_and_my_cofunding_keeps_it(client, world, clock, login):
    # given a round closed at its deadline, with the first funder's pledges confirmed
    challenge = advance(world, clock, "award")
    assert challenge.cofunding_round.closed_at is not None
    login(world.funder_users[0])

    # then the round's page offers neither envelope nor pledge (they would answer 409)
    html = page(client, reverse("portal:cofunding", args=[challenge.pk]))
    assert 'id="form-enveloppe"' not in html
    assert 'id="form-engagement"' not in html
    assert "Le tour est clos" in html
    assert "Retirer" not in html

    # and « Mes cofinancements » lists that past round with its confirmed pledges
    html = page(client, reverse("portal:my_cofunding"))
    assert challenge.title in html
    assert "tour clos" in html
    assert "Confirmé (communs financés)" in html
    assert html.count('<tr><th scope="row">') == challenge.cofunding_round.buckets.count()


def test_my_cofunding_shows_nothing_of_other_funders(client, world, clock, login):
    advance(world, clock, "award")
    login(world.funder_users[1])
    html = page(client, reverse("portal:my_cofunding"))
    assert "n'ont encore d'enveloppe dans aucun tour" in html


def test_the_list_of_calls_is_searched_and_filtered(client, world, clock):
    # given a call open to positions and a call still in draft (visible to nobody else)
    published = advance(world, clock, "positioning", title="Covoiturage du quotidien")
    home = reverse("portal:home")

    # when someone searches words of its title, or filters on the open calls
    found = page(client, home + "?q=covoiturage")
    open_calls = page(client, home + "?stage=open")
    awarded = page(client, home + "?stage=awarded")
    by_buyer = page(client, home + f"?buyer={published.buyer_id}")

    # then the call is found, and not where it does not belong
    assert published.title in found
    assert "1 appel correspond à votre recherche" in found
    assert published.title in open_calls
    assert published.title not in awarded
    assert "Aucun appel ne correspond à votre recherche." in awarded
    assert published.title in by_buyer
    assert published.title not in page(client, home + "?q=introuvable")
    # and the card grid carries no stray bullet (the list is unstyled)
    assert '<ul class="portal-cards fr-grid-row' in found


def test_a_calls_deadlines_download_as_an_ics_calendar(client, world, clock):
    challenge = advance(world, clock, "positioning")
    page_html = page(client, reverse("portal:challenge", args=[challenge.pk]))
    assert reverse("portal:challenge_ics", args=[challenge.pk]) in page_html

    response = client.get(reverse("portal:challenge_ics", args=[challenge.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert events[f"Date limite des propositions — {challenge.reference}"] == PROPOSAL_END
    assert f"Fin des positionnements — {challenge.reference}" in events
    assert all(str(e["uid"]).startswith(f"{challenge.pk}-") for e in calendar.walk("VEVENT"))
    assert re.search(rb"^BEGIN:VCALENDAR\r\n", response.content)


def test_a_drafts_calendar_is_hidden_from_strangers(client, world, clock):
    draft = advance(world, clock, "draft")
    assert draft.status == ChallengeStatus.DRAFT
    assert client.get(reverse("portal:challenge_ics", args=[draft.pk])).status_code == 404
