"""One page per referral with the action due on it: the modérateur publishes the
Chambre's opinion from the referral page once the rapporteur's draft is submitted (the
button is disabled before); the task page's button likewise; one deadline per opinion —
the referral's — on the task page, in the inbox and in the task API."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.models import ChallengeStatus
from procurement.queries import open_referral
from procurement.services import opinions
from tests.portal.steps import advance
from tests.workflows.journey import current_steps, open_task


def referral_url(challenge, referral):
    return reverse("portal:referral", args=[challenge.pk, referral.pk])


def drafted(world, challenge, subject="call", submit=True):
    referral = open_referral(challenge, subject)
    opinions.referral_name_rapporteur(
        actor=world.moderator, referral=referral, rapporteur=world.rapporteur
    )
    opinions.referral_draft(
        actor=world.rapporteur, referral=referral, verdict="favorable", submit=submit
    )
    referral.refresh_from_db()
    return referral


@pytest.mark.django_db
def test_moderator_publishes_from_the_referral_page_once_the_draft_is_submitted(
    client, world, clock, login
):
    # given a referral whose rapporteur submitted a draft
    challenge = advance(world, clock, "call_opinion")
    referral = drafted(world, challenge)
    login(world.moderator)
    # the inbox's « Valider et publier l'avis » leads to the referral page
    inbox = client.get(reverse("portal:inbox")).content.decode()
    assert "Valider et publier l&#x27;avis" in inbox
    assert referral_url(challenge, referral) in inbox
    page = client.get(referral_url(challenge, referral)).content.decode()
    assert 'value="publish"' in page
    # when the modérateur publishes there
    response = client.post(referral_url(challenge, referral), {"action": "publish"})
    # then the opinion is public and the process goes on to the publication
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "published"
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.READY
    assert current_steps(challenge) == {"publish"}


@pytest.mark.django_db
def test_publish_button_is_disabled_and_refused_before_a_draft_exists(client, world, clock, login):
    # given a referral still drafting
    challenge = advance(world, clock, "call_opinion")
    referral = drafted(world, challenge, submit=False)
    login(world.moderator)
    # the referral page and the task page show the button disabled
    page = client.get(referral_url(challenge, referral)).content.decode()
    assert 'value="publish"' not in page
    assert "disabled" in page
    assert "publier-attente" in page
    task_page = client.get(
        reverse("portal:task", args=[open_task(challenge, "call_opinion").pk])
    ).content.decode()
    assert "disabled" in task_page
    assert "publication-attendue" in task_page
    # a forged post is refused with 409, nothing published
    response = client.post(referral_url(challenge, referral), {"action": "publish"})
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == "drafting"


@pytest.mark.django_db
def test_only_the_moderator_publishes_from_the_referral_page(client, world, clock, login):
    challenge = advance(world, clock, "call_opinion")
    referral = drafted(world, challenge)
    login(world.rapporteur)
    assert client.post(referral_url(challenge, referral), {"action": "publish"}).status_code == 403
    login(world.stranger)
    assert client.post(referral_url(challenge, referral), {"action": "publish"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "submitted"


@pytest.mark.django_db
def test_selection_opinion_shows_the_referrals_deadline_everywhere(client, world, clock, login):
    # given the selection referred to the Chambre while the cofunding deadline is set
    challenge = advance(world, clock, "selection_opinion")
    referral = open_referral(challenge, "selection")
    assert challenge.cofunding_deadline != referral.deadline
    task = open_task(challenge, "selection_opinion")
    login(world.moderator)
    # the task API, the task page and the inbox give the referral's deadline
    api = client.get("/api/v1/tasks/", HTTP_ACCEPT="application/json").json()
    rows = api["results"] if isinstance(api, dict) else api
    row = next(r for r in rows if r["id"] == task.pk)
    assert datetime.fromisoformat(row["deadline"]) == referral.deadline
    expected = timezone.localtime(referral.deadline).isoformat()
    cofunding = timezone.localtime(challenge.cofunding_deadline).isoformat()
    task_page = client.get(reverse("portal:task", args=[task.pk])).content.decode()
    assert expected in task_page
    assert cofunding not in task_page
    inbox = client.get(reverse("portal:inbox")).content.decode()
    assert expected in inbox
    assert cofunding not in inbox
