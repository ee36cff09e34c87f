"""The domain actions of the timed stages, the buyer's process view and documents page."""

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from procurement import queries
from procurement.models import Allocation, Pledge, Position
from procurement.services.questions import question_ask
from tests.portal.steps import advance
from tests.portal.test_tasks import field_error
from tests.workflows import journey
from workflows.documents import documents_request


@pytest.mark.django_db
def test_partner_positions_on_a_resource(client, world, clock, login):
    challenge = advance(world, clock, "positioning")
    resource = challenge.resources.order_by("order").first()
    url = reverse("portal:position", args=[challenge.pk])
    login(world.partner_users[0])
    assert resource.title in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "action": "create",
            "organisation": world.partners[0].pk,
            "resource": resource.pk,
            "intent": "produce",
            "c0_kind": "skills",
            "c0_days": "12,5",
            "c0_profile": "Développeuse",
            "c1_kind": "money",
            "c1_amount": "5 000",
        },
    )

    assert response.status_code == 302
    position = Position.objects.get()
    assert (position.organisation, position.resource, position.intent) == (
        world.partners[0],
        resource,
        "produce",
    )
    assert [(c.kind, c.days, c.profile, c.amount) for c in position.contributions.all()] == [
        ("skills", Decimal("12.5"), "Développeuse", None),
        ("money", None, "", Decimal("5000")),
    ]
    assert (
        "Développeuse"
        not in client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    )


@pytest.mark.django_db
def test_empty_position_is_refused_next_to_the_contribution_and_keeps_the_input(
    client, world, clock, login
):
    challenge = advance(world, clock, "positioning")
    resource = challenge.resources.order_by("order").first()
    login(world.partner_users[0])

    response = client.post(
        reverse("portal:position", args=[challenge.pk]),
        {
            "action": "create",
            "organisation": world.partners[0].pk,
            "resource": resource.pk,
            "intent": "contribute",
            "c0_kind": "skills",
            "c0_profile": "Juriste",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        field_error(html, "id_c0_days") == "Indiquez un nombre de jours-personne supérieur à zéro."
    )
    assert 'value="Juriste"' in html
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_partner_withdraws_its_position(client, world, clock, login):
    from tests.workflows import journey

    challenge = advance(world, clock, "positioning")
    journey.position_and_propose(world, challenge)
    own = Position.objects.get(organisation=world.partners[0])
    other = Position.objects.get(organisation=world.partners[1])
    login(world.partner_users[0])
    url = reverse("portal:position", args=[challenge.pk])

    # another organisation's position is not found
    assert client.post(url, {"action": "withdraw", "position": other.pk}).status_code == 404
    response = client.post(url, {"action": "withdraw", "position": own.pk})

    assert response.status_code == 302
    assert set(Position.objects.values_list("organisation", flat=True)) == {
        world.partners[1].pk,
        world.partners[2].pk,
    }


@pytest.mark.django_db
def test_only_partners_open_the_positioning_page(client, world, clock, login):
    challenge = advance(world, clock, "positioning")
    login(world.buyer_agent)

    response = client.get(reverse("portal:position", args=[challenge.pk]))

    assert response.status_code == 403
    assert "Seuls les partenaires se positionnent" in response.content.decode()


@pytest.mark.django_db
def test_working_group_member_submits_its_sealed_proposal(client, world, clock, login):
    challenge = advance(world, clock, "proposals")
    group = challenge.resources.order_by("order").first().working_group
    url = reverse("portal:proposal", args=[challenge.pk])
    login(world.partner_users[0])
    data = {
        "group": group.pk,
        f"g{group.pk}-title": "Standard ouvert du covoiturage",
        f"g{group.pk}-summary": "Un schéma de données commun.",
        f"g{group.pk}-deliverables": "Spécification, validateur",
        f"g{group.pk}-licence": "pas-une-licence",
        f"g{group.pk}-line0_category": "development",
        f"g{group.pk}-line0_label": "Développement",
        f"g{group.pk}-line0_quantity": "85",
        f"g{group.pk}-line0_unit": "day",
        f"g{group.pk}-line0_rate": "300",
        f"g{group.pk}-line1_category": "coordination",
        f"g{group.pk}-line1_label": "Animation",
        f"g{group.pk}-line1_quantity": "15",
        f"g{group.pk}-line1_unit": "day",
        f"g{group.pk}-line1_rate": "300",
        f"g{group.pk}-milestone0_title": "Version 1",
        f"g{group.pk}-milestone0_due_on": "2027-03-01",
    }

    refused = client.post(url, data)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert field_error(html, f"id_g{group.pk}-licence")
    assert "Un schéma de données commun.</textarea>" in html

    data[f"g{group.pk}-licence"] = "ODbL-1.0"
    response = client.post(url, data)

    assert response.status_code == 302
    proposal = challenge.proposals.get()
    assert (proposal.title, proposal.amount) == ("Standard ouvert du covoiturage", Decimal("30000"))
    # the same page offers to replace it, pre-filled
    assert 'value="Standard ouvert du covoiturage"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_partner_outside_every_group_has_no_proposal_form(client, world, clock, login):
    challenge = advance(world, clock, "proposals")
    login(world.stranger)

    html = client.get(reverse("portal:proposal", args=[challenge.pk])).content.decode()

    assert "ne font partie d'aucun groupe de travail" in html
    assert '<form method="post" novalidate>' not in html


def pledge_data(bucket, funder, amount: str) -> dict:
    return {
        "action": "pledge",
        "pledge-bucket": bucket.pk,
        "pledge-funder": funder.pk,
        "pledge-amount": amount,
    }


@pytest.mark.django_db
def test_funder_declares_its_envelope_and_pledges(client, world, clock, login):
    challenge = advance(world, clock, "cofunding", **journey.SUBSIDISED)
    bucket = challenge.cofunding_round.buckets.order_by("pk").first()
    url = reverse("portal:cofunding", args=[challenge.pk])
    funder, user = world.funders[0], world.funder_users[0]
    login(user)
    assert bucket.proposal.title in client.get(url).content.decode()

    assert (
        client.post(
            url,
            {"action": "allocation", "allocation-funder": funder.pk, "allocation-amount": "20000"},
        )
    ).status_code == 302
    refused = client.post(url, pledge_data(bucket, funder, "25000"))
    assert refused.status_code == 409
    # the refusal says what remains in the envelope
    assert (
        "Cet engagement dépasserait votre enveloppe : il y reste 20\u202f000,00\xa0€ à engager."
        in refused.content.decode()
    )
    assert 'value="25000"' in refused.content.decode()

    response = client.post(url, pledge_data(bucket, funder, "15000"))

    assert response.status_code == 302
    assert Allocation.objects.get(funder=funder).pledged == Decimal("15000")
    pledge = Pledge.objects.get()
    assert client.post(url, {"action": "withdraw", "pledge": pledge.pk}).status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RELEASED


@pytest.mark.django_db
def test_a_partner_cannot_pledge_nor_open_the_page_outside_the_groups(client, world, clock, login):
    challenge = advance(world, clock, "cofunding")
    url = reverse("portal:cofunding", args=[challenge.pk])
    bucket = challenge.cofunding_round.buckets.order_by("pk").first()

    # a member of a working group opens the page to edit its commons, but cannot pledge
    login(world.partner_users[0])
    response = client.get(url)
    assert response.status_code == 200
    assert b'id="form-engagement"' not in response.content
    assert client.post(url, pledge_data(bucket, world.partners[0], "10")).status_code == 403

    # an organisation of no group, funding nothing, may not open it
    login(world.stranger)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_buyer_drafts_then_publishes_answers_and_partners_may_not(client, world, clock, login):
    challenge = advance(world, clock, "positioning")
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Quelle licence pour les données ?",
    )
    url = reverse("portal:answers", args=[challenge.pk])
    page = reverse("portal:challenge", args=[challenge.pk])
    login(world.partner_users[0])
    assert client.get(url).status_code == 403

    login(world.buyer_agent)
    draft = {"action": "draft", "question": question.pk}
    refused = client.post(url, {**draft, f"q{question.pk}-answer": ""})
    assert refused.status_code == 400
    assert field_error(refused.content.decode(), f"id_q{question.pk}-answer")
    response = client.post(url, {**draft, f"q{question.pk}-answer": "ODbL, comme attendu."})
    assert response.status_code == 302

    # the draft is not public yet, not even for the partner who asked
    login(world.partner_users[0])
    assert "ODbL, comme attendu." not in client.get(page).content.decode()

    login(world.buyer_agent)
    assert "Publier la réponse rédigée" in client.get(url).content.decode()
    assert client.post(url, {"action": "publish"}).status_code == 302

    login(world.partner_users[1])
    assert "ODbL, comme attendu." in client.get(page).content.decode()
    question.refresh_from_db()
    assert question.answer == "ODbL, comme attendu."


@pytest.mark.django_db
def test_process_page_draws_the_graph_with_the_current_step_and_the_history(
    client, world, clock, login
):
    challenge = advance(world, clock, "publish")
    login(world.buyer_agent)

    response = client.get(reverse("portal:process", args=[challenge.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-step="publish" data-state="current"' in html
    assert 'data-step="draft" data-state="done"' in html
    assert 'data-step="award" data-state="todo"' in html
    assert "<strong>Publier l&#x27;appel</strong>" in html
    # the opinion was favorable: the revision's branch is marked as not taken
    assert 'data-step="revise" data-state="skipped"' in html
    assert 'data-step="check_revision" data-state="skipped"' in html
    # the compact bar: the call is at its second macro-step of eight
    bar = re.search(r'<ol class="portal-stages".*?</ol>', html, re.S).group(0)
    assert bar.count("<li") == 8
    assert 'class="stage--done">1. Rédaction' in bar
    assert 'class="stage--current" aria-current="step">2. Avis sur l&#x27;appel' in bar
    # the chart fits a page's width (it was 3,375 px wide); the phases the call does not
    # plan (exploration, collective vote) are left out of it, their edges joined
    width = int(re.search(r'class="process-chart" width="(\d+)"', html).group(1))
    assert width <= 1100
    assert 'data-step="decide_exploration"' not in html
    assert 'data-step="vote"' not in html
    assert 'data-step="open_cofunding" data-state="todo"' in html
    # the audit trail speaks French and names people, not codes
    assert "Chambre des communs saisie" in html
    assert "challenge.referred_to_chambre" not in html
    assert "Rapporteur nommé" in html
    assert "moderateur" in html  # who issued the opinion
    assert "Chaîne intègre" in html


@pytest.mark.django_db
def test_process_page_is_refused_to_partners_and_hidden_from_strangers(client, world, clock, login):
    published = advance(world, clock, "positioning")
    draft = advance(world, clock, "draft")
    login(world.partner_users[0])

    assert client.get(reverse("portal:process", args=[published.pk])).status_code == 403
    assert client.get(reverse("portal:process", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
def test_documents_page_shows_the_pack_and_its_status_feed(client, world, clock, login):
    challenge = advance(world, clock, "award")
    login(world.buyer_agent)

    html = client.get(reverse("portal:documents", args=[challenge.pk])).content.decode()
    status = client.get(reverse("portal:documents_status", args=[challenge.pk]))

    data = json.loads(status.content)
    assert data["job"]["status"] == "done"
    assert data["job"]["done"] == data["job"]["total"] > 0
    assert data["job"]["status_label"] == "Terminé"
    # the page lists the newest version of every piece: the consultation's (drawn up at
    # publication) and the award pieces, all of them from the latest generation
    latest = queries.latest_documents(challenge)
    assert len(data["documents"]) == len(latest)
    assert sum(document.job_id == data["job"]["id"] for document in latest) == data["job"]["total"]
    assert data["documents"][0]["url"].startswith(f"/api/v1/challenges/{challenge.pk}/documents/")
    assert "Terminé" in html
    assert data["documents"][0]["title"] in unescape(html)
    total = data["job"]["total"]
    assert data["job"]["progress_label"] == f"{total} pièces sur {total}"
    assert f"{total} pièces sur {total}" in html


@pytest.mark.django_db
def test_documents_progress_is_written_with_the_plural_of_the_page_language(
    client, world, clock, login
):
    # given a generated pack
    challenge = advance(world, clock, "award")
    login(world.buyer_agent)
    url = reverse("portal:documents_status", args=[challenge.pk])

    # when the page asks in English
    data = json.loads(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)

    # then the progress says "pieces" for several of them, not "piece(s)"
    total = data["job"]["total"]
    assert data["job"]["progress_label"] == f"{total} of {total} pieces"


@pytest.mark.django_db
def test_a_new_generation_shows_as_pending_in_the_status_feed(
    client, world, clock, login, monkeypatch
):
    challenge = advance(world, clock, "award")
    login(world.buyer_agent)
    # the Celery worker has not picked the job up yet
    monkeypatch.setattr("workflows.tasks.generate_documents.delay", lambda pk: None)
    documents_request(challenge=challenge, actor=world.buyer_agent)

    data = json.loads(client.get(reverse("portal:documents_status", args=[challenge.pk])).content)

    assert data["job"]["status"] == "pending"
    assert data["job"]["finished"] is False


@pytest.mark.django_db
def test_documents_are_for_the_buyers_staff_only(client, world, clock, login):
    challenge = advance(world, clock, "positioning")
    login(world.partner_users[0])

    assert client.get(reverse("portal:documents", args=[challenge.pk])).status_code == 403
    assert client.get(reverse("portal:documents_status", args=[challenge.pk])).status_code == 403


@pytest.mark.django_db
def test_the_process_chart_shows_the_exploration_and_the_vote_a_call_plans(
    client, world, clock, login
):
    from scoring.services.votes import vote_plan_set
    from tests.workflows.test_exploration import PLAN

    # given a draft that plans an exploration and a collective vote
    challenge = journey.start(world, **PLAN)
    vote_plan_set(challenge=challenge, actor=world.buyer_agent, planned=True, days=7)
    login(world.buyer_agent)
    # then its process chart draws both phases, still to come, and fits the page
    html = client.get(reverse("portal:process", args=[challenge.pk])).content.decode()
    for step in ("check_exploration", "decide_exploration", "check_vote", "vote"):
        assert f'data-step="{step}" data-state="todo"' in html
    width = int(re.search(r'class="process-chart" width="(\d+)"', html).group(1))
    assert width <= 1300
