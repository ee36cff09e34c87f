"""A call that plans a collective vote, brought to its vote through the services and the
engine (the set-up of the vote's tests: flow, API, portal)."""

from procurement.services.hosting import resource_host_designate
from scoring.services.votes import vote_plan_set
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.journey import (
    COFUNDING_END,
    LOTS_LEFT_ASIDE,
    POSITIONING_END,
    PROPOSALS_END,
    complete,
    give_opinion,
    score_all,
    sweep,
)


def scored(world, clock, *, vote: dict | None = None, **overrides):
    """Drafted (planning ``vote`` if given: ``vote_plan_set``'s arguments), published,
    one proposal per lot, scored; the selection waits for the buyer."""
    challenge = journey.start(world, **overrides)
    if vote is not None:
        vote_plan_set(challenge=challenge, actor=world.buyer_agent, planned=True, **vote)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": paris(*POSITIONING_END).isoformat(),
            "proposal_deadline": paris(*PROPOSALS_END).isoformat(),
        },
    )
    journey.position_and_propose(world, challenge)
    clock.move_to(later(paris(*POSITIONING_END), seconds=1))
    sweep()
    journey.submit_proposals(world, challenge)
    clock.move_to(later(paris(*PROPOSALS_END), seconds=1))
    sweep()
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    score_all(world, challenge)
    return challenge


def selected_all(world, clock, *, vote: dict | None = None, **overrides):
    """``scored``, then the three proposals selected; the selection waits for the
    Chambre's opinion."""
    challenge = scored(world, clock, vote=vote, **overrides)
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": list(challenge.proposals.order_by("pk").values_list("pk", flat=True)),
            "cofunding_deadline": paris(*COFUNDING_END).isoformat(),
        },
    )
    return challenge


def in_vote(world, clock, vote: dict | None = None, **overrides):
    """The Chambre approved the selection: the vote is open (7 days by default)."""
    challenge = selected_all(world, clock, vote=vote or {"days": 7}, **overrides)
    give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    return challenge


def proposals(challenge) -> list:
    """The call's proposals, first resource first (partner i proposed on resource i)."""
    return list(challenge.proposals.order_by("pk"))


def select_first_two(world, challenge):
    """A scored call's first two proposals selected (lot 3 left aside), the host of the
    first one's commons designated, the Chambre's opinion given; returns the call and
    the two proposals."""
    first, second = challenge.proposals.order_by("pk")[:2]
    resource_host_designate(actor=world.buyer_agent, resource=first.group.resource, host=world.host)
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk, second.pk],
            "cofunding_deadline": paris(*COFUNDING_END).isoformat(),
            "justification": LOTS_LEFT_ASIDE,
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    return challenge, first, second
