"""The collective vote in the portal: planned in the call editor, the inbox item and the
ballot page of funders and contributors, the result page and the call's page."""

import re

import pytest
from django.urls import reverse

from scoring.models import CollectiveVote
from scoring.services.votes import ballot_submit
from tests.portal.test_call_editor import editor_data
from tests.workflows import journey
from tests.workflows.journey import sweep
from tests.workflows.vote_journey import in_vote, proposals

pytestmark = pytest.mark.django_db


def test_the_buyer_plans_the_vote_in_the_call_editor(client, world, login):
    # given a draft in its editor
    challenge = journey.start(world)
    login(world.buyer_agent)
    page = client.get(reverse("portal:call_edit", args=[challenge.pk])).content.decode()
    assert "Prévoir un vote collectif sur les communs à cofinancer" in page
    # when the buyer ticks the vote, 5 days, at least « Très bien », at most 2 commons
    data = editor_data(
        challenge,
        **{"vote-planned": "on", "vote-days": "5", "vote-min_grade": "5", "vote-max_retained": "2"},
    )
    response = client.post(reverse("portal:call_edit", args=[challenge.pk]), data)
    # then the plan is saved
    assert response.status_code == 302
    vote = CollectiveVote.objects.get(challenge=challenge)
    assert (vote.days, vote.min_grade, vote.max_retained) == (5, 5, 2)
    # and unticked (the box is not posted, the other fields are), it is withdrawn
    data = editor_data(challenge, **{"vote-days": "5", "vote-min_grade": "5"})
    response = client.post(reverse("portal:call_edit", args=[challenge.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert not CollectiveVote.objects.filter(challenge=challenge).exists()


def test_a_funder_finds_the_vote_in_its_inbox_and_votes(client, world, clock, login):
    # given an open vote
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    login(world.funder_users[0])
    # then its inbox asks it to vote, with the vote's deadline
    inbox = client.get(reverse("portal:inbox")).content.decode()
    assert "Voter sur les communs à cofinancer" in inbox
    assert reverse("portal:vote", args=[challenge.pk]) in inbox
    # and not yet to pledge: the round opens after the vote, on the commons it retains
    assert reverse("portal:cofunding", args=[challenge.pk]) not in inbox
    call_page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert reverse("portal:cofunding", args=[challenge.pk]) not in call_page
    # when it leaves a commons without a mention
    url = reverse("portal:vote", args=[challenge.pk])
    refused = client.post(url, {f"c{first.pk}": "Bien", f"c{second.pk}": "Passable"})
    # then the page says which, and nothing is recorded
    assert refused.status_code == 400
    assert "Donnez une mention à ce commun." in refused.content.decode()
    # when it grades the three
    done = client.post(
        url, {f"c{first.pk}": "Bien", f"c{second.pk}": "Passable", f"c{third.pk}": "Excellent"}
    )
    assert done.status_code == 302
    # then its ballot shows again, changeable, and the inbox says it is cast
    page = client.get(url).content.decode()
    assert re.search(rf'name="c{third.pk}" value="Excellent" checked', page)
    assert "Modifier le bulletin" in page
    assert (
        "Bulletin déposé, modifiable jusqu&#x27;à la clôture"
        in client.get(reverse("portal:inbox")).content.decode()
    )


def test_a_contributor_does_not_grade_its_own_commons_and_the_buyer_does_not_vote(
    client, world, clock, login
):
    challenge = in_vote(world, clock)
    first, second, _third = proposals(challenge)
    url = reverse("portal:vote", args=[challenge.pk])
    login(world.partner_users[0])
    page = client.get(url).content.decode()
    # its own commons is shown, without a choice
    assert f'name="c{first.pk}"' not in page
    assert "votre organisation ne le note pas" in page
    assert f'name="c{second.pk}"' in page
    login(world.buyer_agent)
    assert client.get(url).status_code == 403


def test_the_result_is_secret_until_the_close_then_public_with_profiles(client, world, clock):
    # given an open vote with one funder's ballot
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    ballot_submit(
        actor=world.funder_users[0],
        vote=challenge.collective_vote,
        organisation=world.funders[0],
        grades={str(first.pk): "Très bien", str(second.pk): "Insuffisant", str(third.pk): "Bien"},
    )
    result_url = reverse("portal:vote_result", args=[challenge.pk])
    # then before the close nothing is told
    early = client.get(result_url).content.decode()
    assert "secret jusqu'à sa clôture" in early
    assert "profils-de-merite" not in early
    # when the vote ends
    clock.move_to(challenge.collective_vote.ends_at)
    sweep()
    # then anyone reads the profiles in a table, with words beside the badges
    page = client.get(result_url).content.decode()
    assert '<caption id="profils-de-merite-titre">' in page
    assert '<th scope="col">Excellent</th>' in page
    assert "100,0 %" in page
    assert "Retenu" in page
    assert "Non retenu" in page
    assert "en dessous de « Bien »" in page
    # and the call's page shows the same result
    public = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert "Vote collectif sur les communs à cofinancer" in public
    assert "profils-de-merite" in public


def test_the_process_page_draws_the_vote_steps(client, world, clock, login):
    # given a call in its vote
    challenge = in_vote(world, clock)
    login(world.buyer_agent)
    # then its process page draws the vote's branch, the timer where the call stands
    page = client.get(reverse("portal:process", args=[challenge.pk])).content.decode()
    assert "Vote collectif ?" in page
    assert "Clôture du vote collectif" in page
    assert "Dépouillement du vote collectif" in page
