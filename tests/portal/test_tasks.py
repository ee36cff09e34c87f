"""The task inbox and one page per human step: each form goes through
``workflows.services.task_complete``; a refused form keeps what was typed and shows the
French error next to its field; a task the caller may not see answers 404."""

import re

import pytest
from django.urls import reverse

from procurement.models import ChallengeStatus, Role
from procurement.queries import open_referral
from procurement.services.opinions import referral_draft, referral_name_rapporteur
from tests.conftest import member
from tests.portal.steps import advance
from tests.workflows.journey import current_steps, open_task


def task_url(challenge, step, owner=None):
    return reverse("portal:task", args=[open_task(challenge, step, owner).pk])


def field_error(html: str, field_id: str) -> str:
    """The error messages shown under the field ``field_id``, tied by aria-describedby."""
    match = re.search(rf'id="{field_id}-messages"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no message group for {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


@pytest.mark.django_db
def test_inbox_lists_what_i_must_do_with_its_deadline(client, world, clock, login):
    # given a draft, the buyer's agent must refer it
    challenge = advance(world, clock, "draft")

    # when the agent opens its space
    html = login(world.buyer_agent).get(reverse("portal:inbox")).content.decode()

    # then the drafting task is listed with a link to its page
    assert "Rédiger l&#x27;appel" in html
    assert task_url(challenge, "draft") in html
    assert "Les appels de mon organisation" in html


@pytest.mark.django_db
def test_inbox_shows_partners_the_open_stages_not_the_buyers_tasks(client, world, clock, login):
    challenge = advance(world, clock, "positioning")

    html = login(world.partner_users[0]).get(reverse("portal:inbox")).content.decode()

    assert "Rien à faire pour l'instant." in html
    assert reverse("portal:position", args=[challenge.pk]) in html


@pytest.mark.django_db
def test_inbox_runs_a_constant_number_of_queries(
    client, world, clock, login, django_assert_max_num_queries
):
    from tests.workflows import journey

    advance(world, clock, "draft")
    login(world.buyer_agent)
    # 21: the questions to answer and the language of one's mails are one query each,
    # the execution follow-up's deliverables (to decide, to submit) two, the calls one
    # facilitates and the facilitations whose neutrality is flagged two, and each of the
    # two lists of calls reads the caller's memberships before its calls (org_id_lists)
    with django_assert_max_num_queries(21):
        client.get(reverse("portal:inbox"))
    for n in range(3):
        journey.start(world, title=f"Autre appel {n}")
    with django_assert_max_num_queries(21):
        client.get(reverse("portal:inbox"))


@pytest.mark.django_db
def test_draft_page_refers_the_call_to_the_chambre(client, world, clock, login):
    challenge = advance(world, clock, "draft")
    url = task_url(challenge, "draft")
    login(world.buyer_agent)

    page = client.get(url)
    assert page.status_code == 200
    assert "Saisir la Chambre des communs" in page.content.decode()

    response = client.post(url, {"note": "Merci de votre avis."})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:inbox")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW
    assert current_steps(challenge) == {"call_opinion"}


@pytest.mark.django_db
def test_partner_cannot_open_a_buyers_task_page(client, world, clock, login):
    challenge = advance(world, clock, "draft")
    url = task_url(challenge, "draft")

    login(world.partner_users[0])

    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "x"}).status_code == 404
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT


@pytest.mark.django_db
def test_anonymous_cannot_open_a_task_page(client, world, clock):
    challenge = advance(world, clock, "draft")

    response = client.get(task_url(challenge, "draft"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


@pytest.mark.django_db
def test_chambre_member_without_the_moderators_role_cannot_open_the_opinion_task(
    client, world, clock, login
):
    # given a member of the Chambre's "porteurs" group: only the moderator issues opinions
    challenge = advance(world, clock, "call_opinion")
    porteur = member(world.chambre, "porteur", Role.PORTEURS)
    login(porteur)
    url = task_url(challenge, "call_opinion")

    assert client.get(url).status_code == 404
    assert client.post(url, {"verdict": "favorable"}).status_code == 404
    # while the call itself (a draft under review) is readable by the Chambre's members
    assert client.get(reverse("portal:challenge", args=[challenge.pk])).status_code == 200


@pytest.mark.django_db
def test_publish_refused_keeps_the_deadlines_typed_and_explains_next_to_the_field(
    client, world, clock, login
):
    challenge = advance(world, clock, "publish")
    url = task_url(challenge, "publish")
    login(world.buyer_agent)

    # when the proposals deadline comes before the positioning deadline
    response = client.post(
        url,
        {"positioning_deadline": "2026-09-20T12:00", "proposal_deadline": "2026-09-10T12:00"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    # (the window is also under a MAPA's floor of 15 days, said next to it)
    assert field_error(html, "id_proposal_deadline").startswith(
        "La date limite des propositions doit suivre la fin des positionnements."
    )
    assert 'value="2026-09-20T12:00"' in html
    assert 'value="2026-09-10T12:00"' in html
    assert "Les échéances de l&#x27;appel ne sont pas valables." in html

    # and when they are right, the call is published
    response = client.post(
        url,
        {"positioning_deadline": "2026-09-20T12:00", "proposal_deadline": "2026-10-20T12:00"},
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.POSITIONING
    assert challenge.positioning_deadline.isoformat() == "2026-09-20T10:00:00+00:00"


@pytest.mark.django_db
def test_publish_refuses_a_date_it_cannot_read(client, world, clock, login):
    challenge = advance(world, clock, "publish")
    login(world.buyer_agent)

    response = client.post(
        task_url(challenge, "publish"),
        {"positioning_deadline": "demain", "proposal_deadline": "2026-10-20T12:00"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        field_error(html, "id_positioning_deadline") == "Saisissez une date et une heure valides."
    )
    assert 'value="demain"' in html


@pytest.mark.django_db
def test_assign_evaluators_page_offers_the_buyers_evaluators(client, world, clock, login):
    challenge = advance(world, clock, "assign_evaluators")
    url = task_url(challenge, "assign_evaluators")
    login(world.buyer_agent)
    html = client.get(url).content.decode()
    for evaluator in world.evaluators:
        assert f'value="{evaluator.pk}"' in html
    assert f'value="{world.buyer_agent.pk}"' not in html

    refused = client.post(url, {})
    assert refused.status_code == 400
    assert field_error(refused.content.decode(), "id_evaluators") == "Ce champ est obligatoire."

    response = client.post(url, {"evaluators": [u.pk for u in world.evaluators]})
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SCORING


def score_data(challenge, evaluator_marks: str = "7"):
    from scoring.queries import marked_criteria

    data = {}
    for proposal in challenge.proposals.all():
        for criterion in marked_criteria(challenge):
            data[f"p{proposal.pk}_score_{criterion.code}"] = evaluator_marks
    return data


def declare_none(evaluator, challenge):
    """The evaluator declares no conflict on each proposal (through the service)."""
    from scoring.models import Assignment
    from scoring.services import conflict_declare

    for assignment in Assignment.objects.filter(
        evaluator=evaluator, proposal__challenge=challenge
    ).select_related("proposal__challenge"):
        conflict_declare(actor=evaluator, assignment=assignment, conflict=False)


@pytest.mark.django_db
def test_score_page_asks_for_the_declaration_of_interests_before_showing_a_proposal(
    client, world, clock, login
):
    from scoring.models import Assignment

    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    url = task_url(challenge, "score", owner=evaluator)
    login(evaluator)
    first = challenge.proposals.order_by("pk").first()
    assignment = Assignment.objects.get(evaluator=evaluator, proposal=first)

    # before declaring: the title and the group, not the content
    page = client.get(url).content.decode()
    assert first.title in page
    assert world.partners[0].name in page
    assert first.summary not in page
    assert f'name="p{first.pk}_score_prix"' not in page

    # a declaration without its choice is refused next to the field
    refused = client.post(url, {"action": "declare", "assignment": assignment.pk})
    assert refused.status_code == 400
    assert field_error(refused.content.decode(), f"id_d{assignment.pk}-conflict") == (
        "Ce champ est obligatoire."
    )

    # declaring no conflict opens the proposal to marking
    response = client.post(
        url, {"action": "declare", "assignment": assignment.pk, f"d{assignment.pk}-conflict": "0"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert first.summary in page
    assert f'name="p{first.pk}_score_technique"' in page
    # the price is marked by the published formula (R2152-7), not by the evaluator
    assert f'name="p{first.pk}_score_prix"' not in page
    assignment.refresh_from_db()
    assert assignment.conflict is False


@pytest.mark.django_db
def test_evaluator_declares_a_conflict_and_does_not_mark_that_proposal(client, world, clock, login):
    from scoring.models import Assignment

    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    url = task_url(challenge, "score", owner=evaluator)
    login(evaluator)
    first = challenge.proposals.order_by("pk").first()
    assignment = Assignment.objects.get(evaluator=evaluator, proposal=first)

    client.post(
        url,
        {
            "action": "declare",
            "assignment": assignment.pk,
            f"d{assignment.pk}-conflict": "1",
            f"d{assignment.pk}-note": "J'ai conseillé ce groupe.",
        },
    )

    assignment.refresh_from_db()
    assert (assignment.conflict, assignment.conflict_note) == (True, "J'ai conseillé ce groupe.")
    page = client.get(url).content.decode()
    assert "Conflit d'intérêts déclaré : l'acheteur désigne un autre évaluateur" in page
    assert f'name="p{first.pk}_score_technique"' not in page


@pytest.mark.django_db
def test_score_page_refuses_a_missing_mark_next_to_it_and_keeps_the_others(
    client, world, clock, login
):
    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    declare_none(evaluator, challenge)
    url = task_url(challenge, "score", owner=evaluator)
    login(evaluator)
    page = client.get(url).content.decode()
    for proposal in challenge.proposals.all():
        assert proposal.summary in page

    data = score_data(challenge)
    first = challenge.proposals.order_by("pk").first()
    data[f"p{first.pk}_score_environnement"] = ""
    data[f"p{first.pk}_comment_technique"] = "Solide."
    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, f"id_p{first.pk}_score_environnement") == "Ce champ est obligatoire."
    assert f'name="p{first.pk}_score_technique" value="7"' in html
    assert "Solide.</textarea>" in html


@pytest.mark.django_db
def test_score_page_shows_the_scoring_services_refusal(client, world, clock, login):
    # given an extreme mark without the comment the service requires
    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    declare_none(evaluator, challenge)
    url = task_url(challenge, "score", owner=evaluator)
    login(evaluator)
    data = score_data(challenge)
    first = challenge.proposals.order_by("pk").first()
    data[f"p{first.pk}_score_environnement"] = "10"

    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Un commentaire est requis pour la note la plus basse ou la plus haute." in html
    assert f'name="p{first.pk}_score_environnement" value="10"' in html


@pytest.mark.django_db
def test_score_page_is_refused_while_a_declaration_is_missing(client, world, clock, login):
    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    login(evaluator)

    response = client.post(task_url(challenge, "score", owner=evaluator), {"action": "submit"})

    assert response.status_code == 400
    assert "Toutes les propositions confiées doivent être évaluées." in response.content.decode()


@pytest.mark.django_db
def test_score_page_submits_every_assigned_proposal(client, world, clock, login):
    from scoring.models import Evaluation

    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    declare_none(evaluator, challenge)
    login(evaluator)

    response = client.post(
        task_url(challenge, "score", owner=evaluator), {**score_data(challenge), "action": "submit"}
    )

    assert response.status_code == 302
    assert (
        Evaluation.objects.filter(
            assignment__evaluator=evaluator, submitted_at__isnull=False
        ).count()
        == challenge.proposals.count()
    )


@pytest.mark.django_db
def test_an_evaluator_cannot_open_another_evaluators_scoring_task(client, world, clock, login):
    challenge = advance(world, clock, "score")
    url = task_url(challenge, "score", owner=world.evaluators[0])

    login(world.evaluators[1])

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_select_page_shows_the_ranking_and_selects_with_a_cofunding_deadline(
    client, world, clock, login
):
    challenge = advance(world, clock, "select")
    url = task_url(challenge, "select")
    login(world.buyer_agent)
    html = client.get(url).content.decode()
    # one ranking per lot (L2113-10), each proposal labelled with its lot
    for lot in challenge.lots.all():
        assert f'id="classement-lot-{lot.number}"' in html
        assert f"Lot n° {lot.number} – {lot.title}" in html
    assert "(lot n° 1)" in html
    assert "Moyenne pondérée" in html
    export = client.get(f"/api/v1/challenges/{challenge.pk}/ranking/export.csv")
    assert f"/api/v1/challenges/{challenge.pk}/ranking/export.csv" in html
    assert export.status_code == 200
    assert export.content.decode("utf-8-sig").startswith("Lot;Rang;Proposition;")

    first, second, _third = challenge.proposals.order_by("pk")
    refused = client.post(url, {"proposals": [first.pk], "cofunding_deadline": "2026-01-01T12:00"})
    assert refused.status_code == 400
    assert field_error(refused.content.decode(), "id_cofunding_deadline") == (
        "La clôture du cofinancement doit être future."
    )

    response = client.post(
        url,
        {
            "proposals": [first.pk, second.pk],
            "cofunding_deadline": "2026-11-10T18:00",
            "justification": "Le troisième lot attend une seconde consultation.",
        },
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SELECTION_REVIEW


@pytest.mark.django_db
def test_selection_opinion_page_shows_the_selection_to_the_chambre(client, world, clock, login):
    challenge = advance(world, clock, "selection_opinion")
    url = task_url(challenge, "selection_opinion")
    login(world.moderator)
    html = client.get(url).content.decode()
    for proposal in challenge.proposals.filter(status="selected"):
        assert proposal.title in html
    # the referral's draft is not submitted yet: publishing is refused
    assert client.post(url, {}).status_code == 409
    referral = open_referral(challenge, "selection")
    referral_name_rapporteur(actor=world.moderator, referral=referral, rapporteur=world.rapporteur)
    referral_draft(actor=world.rapporteur, referral=referral, verdict="favorable", submit=True)

    response = client.post(url, {})

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.COFUNDING


@pytest.mark.django_db
def test_award_and_sign_pages_award_a_selected_proposal_and_end_the_process(
    client, world, clock, login, django_capture_on_commit_callbacks
):
    challenge = advance(world, clock, "award")
    url = task_url(challenge, "award")
    login(world.buyer_agent)
    selected = list(challenge.proposals.filter(status="selected").order_by("pk"))
    rejected = challenge.proposals.exclude(status="selected").get()
    html = client.get(url).content.decode()
    assert f'value="{rejected.pk}"' not in html
    # the second selected proposal's lot has its field for the reason not to award it
    assert 'name="lot_reason_2"' in html

    # when the buyer awards lot 1 alone, without saying why lot 2 is not awarded
    refused = client.post(url, {"proposals": [selected[0].pk], "standstill": "on"})
    # then the page says so next to lot 2's field (article R2185-1), keeping the choice
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "R2185-1" in page
    assert '<a href="#id_lot_reason_2">' in page
    assert "Le lot n° 2, dont une proposition était retenue, n&#x27;est pas attribué" in page
    assert f'name="proposals" value="{selected[0].pk}" checked' in page
    assert (
        'name="standstill" aria-describedby="id_standstill-hint" id="id_standstill" checked' in page
    )
    challenge.refresh_from_db()
    assert challenge.award_decided_at is None

    # (the letters' job runs once the decision is committed)
    reason = "La mutualisation régionale couvre le lot 2."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"proposals": [selected[0].pk], "lot_reason_2": reason})

    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARD
    assert challenge.award_decided_at is not None
    assert challenge.lots.get(number=2).outcome_reason == reason
    # a MAPA: the sign task opens at once
    sign = task_url(challenge, "sign")
    assert "Signer le marché" in client.get(sign).content.decode()
    assert client.post(sign, {}).status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARDED
    assert challenge.process.status == "DONE"


@pytest.mark.django_db
def test_a_finished_task_page_says_so_and_refuses_a_late_post(client, world, clock, login):
    challenge = advance(world, clock, "call_opinion")
    from workflows.models import ChallengeProcess

    draft = (
        ChallengeProcess.objects.get(challenge=challenge)
        .task_set.filter(flow_task_type="HUMAN")
        .order_by("pk")
        .first()
    )
    url = reverse("portal:task", args=[draft.pk])
    login(world.buyer_agent)

    assert "Cette étape est terminée" in client.get(url).content.decode()
    assert client.post(url, {"note": "encore"}).status_code == 409
