"""Public pages: anyone reads the published challenges, a challenge's page, the
catalogue; the personal space asks to sign in; the interface speaks French or English."""

import re

import pytest
from django.urls import reverse

from procurement.models import ChallengeStatus
from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from tests.conftest import later
from tests.portal.steps import PROPOSAL_END, advance, commons
from tests.workflows import journey


@pytest.mark.django_db
def test_home_lists_published_challenges_with_stage_and_countdown(client, world, clock):
    # given a published challenge and a draft
    published = advance(world, clock, "positioning")
    draft = journey.start(world, title="Un brouillon confidentiel")

    # when anyone opens the home page
    response = client.get(reverse("portal:home"))

    # then the published one shows with its stage and next deadline, not the draft
    html = response.content.decode()
    assert response.status_code == 200
    assert published.title in html
    assert "Positionnements ouverts" in html
    assert 'data-countdown="2026-09-20T12:00:00+02:00"' in html
    assert "(dans 2 semaines, 5 jours)" in html.replace("\xa0", " ")
    assert draft.title not in html


@pytest.mark.django_db
def test_home_runs_a_constant_number_of_queries(
    client, world, clock, django_assert_max_num_queries
):
    # given one, then three published challenges
    advance(world, clock, "positioning")
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:home"))
    for n in range(2):
        journey.start(world, title=f"Autre appel {n}")
    # then the page costs the same
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:home"))


@pytest.mark.django_db
def test_draft_challenge_page_is_not_found_for_the_public(client, world):
    challenge = journey.start(world)

    response = client.get(reverse("portal:challenge", args=[challenge.pk]))

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
def test_challenge_page_shows_resources_with_position_counts_questions_and_opinions(
    client, world, clock
):
    # given a published challenge with two positions on its first resource and a Q&A
    challenge = advance(world, clock, "positioning")
    journey.position_and_propose(world, challenge)
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Le code doit-il être publié dès le début ?",
    )
    question_answer_draft(
        question=question, actor=world.buyer_agent, answer="Oui, dès le premier jour."
    )
    questions_publish_answers(challenge=challenge, actor=world.buyer_agent)

    # when anyone opens its page
    response = client.get(reverse("portal:challenge", args=[challenge.pk]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 class="fr-mt-2w">{challenge.title}</h1>' in html
    assert journey.RESOURCES[0]["title"] in html
    assert "<td>1</td>" in html  # one organisation positioned on each of three resources
    assert "Le code doit-il être publié dès le début ?" in html
    assert "Oui, dès le premier jour." in html
    assert "Avis sur l&#x27;appel\xa0: Favorable" in html
    assert "Poser une question" not in html  # anonymous visitors do not ask


@pytest.mark.django_db
def test_challenge_page_shows_the_results_once_selected(client, world, clock):
    challenge = advance(world, clock, "selection_opinion")
    selected = challenge.proposals.filter(status="selected")

    html = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()

    assert "Résultats" in html
    for proposal in selected:
        assert proposal.title in html
    rejected = challenge.proposals.exclude(status="selected").get()
    assert rejected.title not in html


@pytest.mark.django_db
def test_partner_asks_a_question_and_a_refused_one_keeps_its_text(client, world, clock, login):
    challenge = advance(world, clock, "positioning")
    login(world.partner_users[0])
    url = reverse("portal:challenge", args=[challenge.pk])

    # when the question is empty, the error is next to the field
    refused = client.post(url, {"organisation": world.partners[0].pk, "text": ""})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'aria-describedby="id_text-hint id_text-messages"' in html
    assert "Ce champ est obligatoire." in html

    # and a real one is sent to the buyer
    response = client.post(url, {"organisation": world.partners[0].pk, "text": "Quel budget ?"})
    assert response.status_code == 302
    assert challenge.questions.get().text == "Quel budget ?"


@pytest.mark.django_db
def test_question_refused_by_the_service_shows_its_reason_and_keeps_the_text(
    client, world, clock, login
):
    # given the proposals deadline has just passed (questions close then)
    challenge = advance(world, clock, "proposals")
    clock.move_to(later(PROPOSAL_END, seconds=1))
    login(world.partner_users[0])

    # when a partner still asks
    response = client.post(
        reverse("portal:challenge", args=[challenge.pk]),
        {"organisation": world.partners[0].pk, "text": "Encore une question ?"},
    )

    # then the service's refusal is shown (409: wrong moment) and the text kept
    html = response.content.decode()
    assert response.status_code == 409
    assert "Les questions sont closes." in html
    assert "Encore une question ?" in html
    assert not challenge.questions.exists()


@pytest.mark.django_db
def test_catalogue_filters_by_category_licence_referencing_and_words(client):
    commons("Base Adresse Nationale", licence="ETALAB-2.0", referenced=True, category="knowledge")
    commons("Jardin partagé", licence="CC-BY-SA-4.0", category="natural")
    commons("Moteur de covoiturage", licence="AGPL-3.0-or-later", description="covoiturage libre")

    def names(**params):
        html = client.get(reverse("portal:commons"), params).content.decode()
        return {n for n in ("Base Adresse", "Jardin partagé", "Moteur de covoiturage") if n in html}

    assert names() == {"Base Adresse", "Jardin partagé", "Moteur de covoiturage"}
    assert names(category="natural") == {"Jardin partagé"}
    assert names(licence="ETALAB-2.0") == {"Base Adresse"}
    assert names(referenced="1") == {"Base Adresse"}
    assert names(referenced="0") == {"Jardin partagé", "Moteur de covoiturage"}
    assert names(q="covoiturage") == {"Moteur de covoiturage"}


@pytest.mark.django_db
def test_catalogue_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    commons("Commun 1", licence="MIT")
    with django_assert_max_num_queries(4):
        client.get(reverse("portal:commons"))
    for n in range(2, 12):
        commons(f"Commun {n}", licence="MIT")
    with django_assert_max_num_queries(4):
        client.get(reverse("portal:commons"))


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in_for_the_personal_space(client):
    for name in ("portal:inbox",):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))
    response = client.get(reverse("portal:task", args=[1]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_sign_in_leads_to_the_inbox_and_a_wrong_password_keeps_the_username(client, world):
    url = reverse("portal:login")
    refused = client.post(url, {"username": "agent.mel", "password": "faux"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'value="agent.mel"' in html
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in html

    response = client.post(url, {"username": "agent.mel", "password": "communs-test-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:inbox")


@pytest.mark.django_db
def test_language_switch_translates_the_interface(client, world, clock):
    advance(world, clock, "positioning")
    assert "Appels à communs" in client.get(reverse("portal:home")).content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("portal:home")).content.decode()

    assert '<html lang="en"' in html
    assert "Calls for commons" in html
    assert "Next deadline" in html
    assert "Positionnements ouverts" not in html  # the stage, in the project's catalogue


@pytest.mark.django_db
def test_challenge_page_puts_a_non_breaking_space_before_colons_in_french_only(
    client, world, clock
):
    # given a published call with the Chambre's opinion
    challenge = advance(world, clock, "positioning")
    url = reverse("portal:challenge", args=[challenge.pk])

    # when it is read in French, then in English
    french = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()

    # then French writes "Acheteur\xa0: …", English "Buyer: …", and no " :" is left
    assert "Acheteur\xa0: Métropole Européenne de Lille" in french
    assert "Buyer: Métropole Européenne de Lille" in english
    assert "Estimated amount: €180,000.00 excl. VAT" in english
    assert not re.findall(r"[^\s>] :", re.sub(r"<[^>]+>", "", english))


@pytest.mark.django_db
def test_cancelled_challenge_shows_its_published_reason(client, world, clock):
    from workflows.services import process_cancel

    challenge = advance(world, clock, "positioning")
    process_cancel(actor=world.buyer_agent, challenge=challenge, reason="Budget supprimé.")

    html = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()

    assert str(ChallengeStatus.CANCELLED.label) in html
    assert "Budget supprimé." in html


@pytest.mark.django_db
def test_everyone_sees_each_commons_progress_and_who_pledged(client, world, clock):
    # given a round hors marché where one funder pledged the whole of the first proposal
    challenge = journey.in_cofunding(world, clock, **journey.SUBSIDISED)
    bucket = challenge.cofunding_round.buckets.get()

    # when an anonymous visitor opens the call's page
    html = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()

    # then the round, the bucket's progress and the funder's pledge are there
    assert 'id="cofinancement"' in html
    assert bucket.proposal.title in html
    assert world.funders[0].name in html
    section = html[html.index('id="cofinancement"') :]
    plain = re.sub(r"\s", " ", re.sub(r"<[^>]+>", "", section))
    assert "30 000,00 € réunis" in plain
