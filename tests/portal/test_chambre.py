"""The Chambre's pages: the referral page where the modérateur names the rapporteur,
members comment and the rapporteur drafts; the opinion task where the modérateur
publishes; the buyer's answers; the public pages of a commons and of the Chambre."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.models import ChallengeStatus, Commons, Role
from procurement.queries import open_referral
from procurement.services.opinions import commons_reference
from tests.conftest import member
from tests.portal.steps import advance
from tests.workflows.journey import current_steps, give_opinion, open_task


def referral_url(challenge, subject="call"):
    referral = open_referral(challenge, subject)
    return reverse("portal:referral", args=[challenge.pk, referral.pk])


def task_url(challenge, step):
    return reverse("portal:task", args=[open_task(challenge, step).pk])


@pytest.mark.django_db
def test_referral_runs_in_the_portal_from_rapporteur_to_published_opinion(
    client, world, clock, login
):
    challenge = advance(world, clock, "call_opinion")
    url = referral_url(challenge)
    porteur = member(world.chambre, "porteur", Role.PORTEURS)

    # the modérateur finds the referral in its inbox and names the rapporteur
    login(world.moderator)
    inbox = client.get(reverse("portal:inbox")).content.decode()
    assert "Nommer le rapporteur" in inbox
    assert url in inbox
    response = client.post(
        url, {"action": "rapporteur", "rapporteur-rapporteur": world.rapporteur.pk}
    )
    assert response.status_code == 302

    # a porteur comments
    login(porteur)
    client.post(url, {"action": "comment", "comment-body": "Penser à la réciprocité."})

    # the rapporteur sees the comment, drafts, then submits with two reservations
    login(world.rapporteur)
    assert "Rédiger le projet d" in client.get(reverse("portal:inbox")).content.decode()
    page = client.get(url).content.decode()
    assert "Penser à la réciprocité." in page
    response = client.post(
        url,
        {
            "action": "submit",
            "draft-verdict": "reservations",
            "draft-reasons": "Licence à préciser.",
            "draft-reservations": "Exiger une licence à réciprocité\nPublier le code dès le début",
        },
    )
    assert response.status_code == 302

    # nothing is public yet: the buyer sees the referral's state, not the draft
    login(world.buyer_agent)
    seen = client.get(url).content.decode()
    assert "Projet d&#x27;avis à valider" in seen
    assert "Publier le code" not in seen
    assert not challenge.opinions.exists()

    # the modérateur reads the draft on its task and publishes it
    login(world.moderator)
    task = task_url(challenge, "call_opinion")
    assert "Publier le code dès le début" in client.get(task).content.decode()
    assert client.post(task, {}).status_code == 302
    opinion = challenge.opinions.get()
    assert opinion.reservations == [
        "Exiger une licence à réciprocité",
        "Publier le code dès le début",
    ]
    assert current_steps(challenge) == {"revise"}


@pytest.mark.django_db
def test_refused_draft_keeps_its_input_and_shows_the_error_next_to_the_field(
    client, world, clock, login
):
    challenge = advance(world, clock, "call_opinion")
    give_rapporteur = open_referral(challenge, "call")
    from procurement.services.opinions import referral_name_rapporteur

    referral_name_rapporteur(
        actor=world.moderator, referral=give_rapporteur, rapporteur=world.rapporteur
    )
    login(world.rapporteur)

    # an opinion "with reservations" without any reservation
    response = client.post(
        referral_url(challenge),
        {
            "action": "submit",
            "draft-verdict": "reservations",
            "draft-reasons": "La licence reste à préciser.",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    messages = re.search(r'id="id_draft-reservations-messages"[^>]*>(.*?)</div>', html, re.S)
    assert "Indiquez au moins une réserve." in messages.group(1)
    assert "La licence reste à préciser.</textarea>" in html
    assert re.search(r'value="reservations"\s+checked', html)
    assert open_referral(challenge, "call").status == "drafting"


@pytest.mark.django_db
def test_only_the_named_rapporteur_gets_the_draft_form(client, world, clock, login):
    challenge = advance(world, clock, "call_opinion")
    url = referral_url(challenge)
    other = member(world.chambre, "autre.engagement", Role.ENGAGEMENT)
    login(world.moderator)
    client.post(url, {"action": "rapporteur", "rapporteur-rapporteur": world.rapporteur.pk})

    login(other)
    assert "Rédiger le projet" not in client.get(url).content.decode()
    response = client.post(url, {"action": "submit", "draft-verdict": "favorable"})
    assert response.status_code == 403
    assert open_referral(challenge, "call").drafted_at is None
    # a stranger does not even see the referral
    login(world.stranger)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_revise_page_answers_each_reservation_and_the_answers_are_public(
    client, world, clock, login
):
    challenge = advance(world, clock, "call_opinion")
    give_opinion(world, challenge, verdict="reservations", reservations=["Licence à réciprocité"])
    login(world.buyer_agent)
    url = task_url(challenge, "revise")
    assert "Licence à réciprocité" in client.get(url).content.decode()

    # going on to publication without an answer is refused
    response = client.post(url, {"resubmit": "0"})
    assert response.status_code == 409
    assert current_steps(challenge) == {"revise"}

    response = client.post(
        url, {"resubmit": "0", "accepted_0": "on", "answer_0": "Licence CeCILL-C retenue."}
    )

    assert response.status_code == 302
    assert current_steps(challenge) == {"publish"}
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.READY
    answer = challenge.opinions.get().answers.get()
    assert (answer.index, answer.accepted) == (1, True)


@pytest.mark.django_db
def test_public_pages_of_a_commons_and_of_the_chambre(client, world, clock):
    commons = Commons.objects.create(
        name="Base adresse locale",
        slug="base-adresse-locale",
        category="knowledge",
        licence="ODbL-1.0",
        description="Adresses de la métropole.",
        community="Communes et éditeurs.",
        governance="Comité ouvert.",
    )
    commons_reference(
        actor=world.moderator,
        chambre=world.chambre,
        commons=commons,
        reason="Ressource gouvernée par ses contributeurs.",
    )
    challenge = advance(world, clock, "publish")

    page = client.get(reverse("portal:commons_detail", args=[commons.slug])).content.decode()
    assert "Ressource gouvernée par ses contributeurs." in page
    assert "Référencement" in page
    assert timezone.localdate().strftime("%Y") in page

    activity = client.get(reverse("portal:chambre", args=[world.chambre.pk]))
    # the call is not published yet: its opinion is not public
    assert challenge.title not in activity.content.decode()
    from tests.conftest import paris
    from tests.workflows.journey import POSITIONING_END, PROPOSALS_END, complete

    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": paris(*POSITIONING_END).isoformat(),
            "proposal_deadline": paris(*PROPOSALS_END).isoformat(),
        },
    )
    html = client.get(reverse("portal:chambre", args=[world.chambre.pk])).content.decode()
    assert challenge.title in html
    assert "Favorable" in html


@pytest.mark.django_db
def test_acting_outside_ones_role_on_a_referral_is_forbidden(client, world, clock, login):
    challenge = advance(world, clock, "call_opinion")
    url = referral_url(challenge)
    login(world.buyer_agent)
    assert client.post(url, {"action": "comment", "comment-body": "Bonjour"}).status_code == 403
    assert not open_referral(challenge, "call").comments.exists()


@pytest.mark.django_db
def test_a_draft_is_not_found_by_the_chambre_in_the_portal_until_referred(
    client, world, clock, login
):
    from tests.workflows import journey

    # given a draft call, not yet referred
    challenge = journey.start(world, title="Un brouillon de l'acheteur")
    pages = [
        reverse("portal:challenge", args=[challenge.pk]),
        reverse("portal:process", args=[challenge.pk]),
    ]

    # when the Chambre's modérateur opens its pages, then they do not exist for it
    login(world.moderator)
    assert [client.get(url).status_code for url in pages] == [404, 404]
    assert challenge.title not in client.get(reverse("portal:home")).content.decode()

    # when the buyer refers it, then the modérateur reads them
    journey.complete(challenge, "draft", world.buyer_agent)
    assert [client.get(url).status_code for url in pages] == [200, 200]
