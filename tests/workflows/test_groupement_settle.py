"""The mise au point of a retained groupement (article R2152-13 of the code de la
commande publique): a groupement that declared neither its form nor its split with the
proposal blocks its lot's acte d'engagement; once retained, and until the signature,
its coordinator settles them — the price unchanged, the shares making it to the cent —
and the acte d'engagement is drawn up."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    BudgetLine,
    BudgetScope,
    ChallengeStatus,
    Proposal,
    WorkingGroupMember,
)
from procurement.services.proposals import proposal_groupement_settle
from tests.api.conftest import api  # noqa: F401 (fixture)
from tests.api.steps import challenge_url
from tests.procurement.documents.reading import body_text, open_docx
from tests.workflows import journey
from tests.workflows.journey import complete
from workflows.documents import documents_generate
from workflows.flows import ChallengeFlow
from workflows.models import ChallengeProcess
from workflows.tasks import run_job


def resume_generation(challenge) -> None:
    """Run the process's waiting generation step again, as the sweep does."""
    task = ChallengeProcess.objects.get(challenge=challenge).task_set.get(
        flow_task=ChallengeFlow.generate_documents, status="NEW"
    )
    run_job(task.pk)


def grouped(world, clock):
    """The round closed on a call whose selected proposal (lot 1) comes from a group of
    two organisations — its coordinator and Mobicoop SCIC — that declared no groupement:
    the generation of the award pieces was refused for it. Returns the challenge, the
    proposal, its coordinator's user and its contract price."""
    challenge = journey.in_cofunding(world, clock)
    proposal = challenge.proposals.get(status="selected")
    group = proposal.group
    coordinator = group.coordinator
    other = next(p for p in world.partners if p.pk != coordinator.pk)
    WorkingGroupMember.objects.create(group=group, organisation=other)
    journey.close_cofunding(clock)
    price = BudgetLine.objects.filter(proposal=proposal, scope=BudgetScope.CONTRACT).aggregate(
        total=Sum("amount")
    )["total"]
    user = world.partner_users[world.partners.index(coordinator)]
    return challenge, proposal, user, other, price


def shares(proposal, other, price, first=Decimal("10000.00")):
    return [
        {"organisation": proposal.group.coordinator, "amount": price - first},
        {"organisation": other, "amount": first},
    ]


@pytest.mark.django_db(transaction=True)
def test_r2152_13_the_coordinator_settles_the_groupement_and_the_acte_follows(world, clock):
    challenge, proposal, coordinator, other, price = grouped(world, clock)
    # the pack says what is missing and how it is settled
    with pytest.raises(WrongState) as refused:
        documents_generate(challenge=challenge)
    assert "met au point avant la signature (article R2152-13)" in refused.value.message

    # when the coordinator settles a joint groupement whose shares make the price
    proposal_groupement_settle(
        actor=coordinator,
        proposal=proposal,
        groupement_kind="joint",
        member_shares=shares(proposal, other, price),
    )

    # then the process's generation goes through, the acte d'engagement of lot 1 drawn
    # up with both members and their shares
    resume_generation(challenge)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARD
    piece = challenge.documents.get(piece="acte_engagement", key="lot-1")
    with piece.file.open("rb") as handle:
        text = body_text(open_docx(handle.read()))
    assert "Groupement conjoint" in text
    assert other.name in text
    # and the settlement is audited with its split
    event = challenge.audit_events.get(verb="proposal.groupement_settled")
    assert event.data["groupement_kind"] == "joint"
    assert {Decimal(s["amount"]) for s in event.data["shares"]} == {price - 10000, 10000}


@pytest.mark.django_db(transaction=True)
def test_r2152_13_the_price_does_not_move_shares_must_make_it_to_the_cent(world, clock):
    _challenge, proposal, coordinator, other, price = grouped(world, clock)
    wrong = shares(proposal, other, price)
    wrong[1]["amount"] += Decimal("0.01")
    with pytest.raises(ApplicationError) as refused:
        proposal_groupement_settle(
            actor=coordinator, proposal=proposal, groupement_kind="joint", member_shares=wrong
        )
    assert refused.value.code == "shares_sum"
    assert Proposal.objects.get(pk=proposal.pk).groupement_kind == ""


@pytest.mark.django_db(transaction=True)
def test_only_the_coordinator_settles_the_groupement(world, clock):
    _challenge, proposal, _coordinator, other, price = grouped(world, clock)
    member = world.partner_users[world.partners.index(other)]
    with pytest.raises(Forbidden):
        proposal_groupement_settle(
            actor=member,
            proposal=proposal,
            groupement_kind="several",
            member_shares=shares(proposal, other, price),
        )


@pytest.mark.django_db(transaction=True)
def test_r2152_13_no_mise_au_point_once_the_contract_is_signed(world, clock):
    challenge, proposal, coordinator, other, price = grouped(world, clock)
    settle = {
        "actor": coordinator,
        "groupement_kind": "joint",
        "member_shares": shares(proposal, other, price),
    }
    proposal_groupement_settle(proposal=proposal, **settle)
    resume_generation(challenge)
    complete(challenge, "award", world.buyer_agent, {"proposals": [proposal.pk]})
    complete(challenge, "sign", world.buyer_agent)

    with pytest.raises(WrongState) as refused:
        proposal_groupement_settle(proposal=Proposal.objects.get(pk=proposal.pk), **settle)
    assert refused.value.code == "signed"


@pytest.mark.django_db(transaction=True)
def test_the_api_settles_a_retained_proposal_only(world, clock, api):  # noqa: F811
    challenge, proposal, coordinator, other, price = grouped(world, clock)
    url = challenge_url(challenge.pk, f"proposals/{proposal.pk}/groupement/")
    body = {
        "groupement_kind": "several",
        "member_shares": [
            {"organisation": proposal.group.coordinator.pk, "amount": str(price - 4000)},
            {"organisation": other.pk, "amount": "4000.00"},
        ],
    }
    response = api(coordinator).put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["groupement_kind"] == "several"

    # a proposal that was not selected is not settled
    rejected = challenge.proposals.exclude(pk=proposal.pk).first()
    other_user = world.partner_users[world.partners.index(rejected.group.coordinator)]
    refused = api(other_user).put(
        challenge_url(challenge.pk, f"proposals/{rejected.pk}/groupement/"),
        {"groupement_kind": "joint", "member_shares": []},
        format="json",
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_retained"
