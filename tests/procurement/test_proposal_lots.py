"""Which lots a proposal answers (article L2113-10 of the code de la commande publique:
each lot is awarded separately): its working group's resource's lot, and other lots of
the call only when the call allows a proposal to answer several; refused on the ``lots``
field otherwise, with nothing written."""

import pytest

from kernel.errors import ApplicationError
from procurement.models import ChallengeResource, Proposal
from procurement.services.proposals import proposal_submit
from tests.conftest import later, paris
from tests.workflows import journey

pytestmark = pytest.mark.django_db


def proposals_open(world, clock, **fields):
    challenge = journey.published(world, **fields)
    journey.position_and_propose(world, challenge)
    clock.move_to(later(paris(*journey.POSITIONING_END), seconds=1))
    journey.sweep()
    return list(ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order"))


def submit(world, resource, lots=None):
    """The group's proposal; answering several lots, the same lines price each of them
    (each lot has its price)."""
    lines = journey.budget_lines()
    if lots:
        answered = dict.fromkeys([resource.lot.number, *lots])
        lines = [{**line, "lot": number} for number in answered for line in lines]
    return proposal_submit(
        actor=world.partner_users[0],
        group=resource.working_group,
        title="Standard et réservation",
        summary="Les deux communs ensemble.",
        deliverables="Code, documentation",
        licence="EUPL-1.2",
        budget_lines=lines,
        milestones=journey.milestones(),
        lots=lots,
    )


def numbers(proposal) -> list[int]:
    return sorted(proposal.lots.values_list("number", flat=True))


def test_a_proposal_answers_its_resource_lot_by_default(world, clock):
    # given a call with one lot per resource
    resources = proposals_open(world, clock)

    # when the first resource's group submits without naming lots
    proposal = submit(world, resources[0])

    # then it answers lot 1, its resource's
    assert numbers(proposal) == [1]


def test_a_second_lot_is_refused_when_the_call_takes_one_lot_per_proposal(world, clock):
    """L2113-10: the call decides whether one offer may answer several lots."""
    # given a call that takes one lot per proposal
    resources = proposals_open(world, clock)

    # when a group's proposal also names lot 2
    with pytest.raises(ApplicationError) as refused:
        submit(world, resources[0], lots=[1, 2])

    # then it is refused on the lots field, in French, and nothing is written
    assert refused.value.code == "single_lot_only"
    assert "un lot par proposition" in refused.value.extra["fields"]["lots"][0]
    assert not Proposal.objects.exists()


def test_a_proposal_answers_several_lots_when_the_call_allows_it(world, clock):
    # given a call that lets a proposal answer several lots
    resources = proposals_open(world, clock, multi_lot_proposals=True)

    # when the first group's proposal names lot 2 too
    proposal = submit(world, resources[0], lots=[2])

    # then it answers lots 1 and 2 (its own is always in)
    assert numbers(proposal) == [1, 2]


def test_a_lot_the_call_does_not_have_is_refused(world, clock):
    # given a call of three lots that allows several lots per proposal
    resources = proposals_open(world, clock, multi_lot_proposals=True)

    # when a proposal names lot 4 (the bound: one past the last lot)
    with pytest.raises(ApplicationError) as refused:
        submit(world, resources[0], lots=[3, 4])

    # then it is refused on the lots field and nothing is written
    assert refused.value.code == "unknown_lot"
    assert "lots" in refused.value.extra["fields"]
    assert not Proposal.objects.exists()
