"""Challenges brought to a given stage through the services and the engine (the set-up of
the API tests; what is under test goes through the API)."""

from procurement.models import OrganisationKind, Role
from tests.conftest import later, member, paris
from tests.factories import OrganisationFactory
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion
from workflows.services import process_start
from workflows.tasks import sweep

POSITIONING_END = paris(2026, 9, 15, 17, 0)
PROPOSAL_END = paris(2026, 10, 15, 17, 0)
COFUNDING_END = paris(2026, 11, 5, 17, 0)


def other_buyers_draft(world):
    """A draft of another buyer (the Région), started by its agent: what the world's
    buyer and its staff must not see. Returns the call and that agent."""
    other_buyer = OrganisationFactory(name="Région Hauts-de-France", kind=OrganisationKind.BUYER)
    other_agent = member(other_buyer, "agent.region", Role.ADMIN)
    challenge = process_start(
        actor=other_agent,
        buyer=other_buyer,
        chambre=world.chambre,
        title="Autre appel",
        context="Un appel d'un autre acheteur.",
        resources=journey.RESOURCES[:1],
    ).challenge
    return challenge, other_agent


def published(world, **fields):
    """Drafted, approved by the Chambre and published with the deadlines above."""
    challenge = journey.start(world, **fields)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": POSITIONING_END.isoformat(),
            "proposal_deadline": PROPOSAL_END.isoformat(),
        },
    )
    return challenge


def in_proposals(world, clock, **fields):
    """Published, each partner positioned on one resource, the positioning closed."""
    challenge = published(world, **fields)
    journey.position_and_propose(world, challenge)
    clock.move_to(POSITIONING_END)
    sweep()
    return challenge


def sealed(world, clock, **fields):
    """Each group has submitted its proposal; the proposal deadline has not come yet."""
    challenge = in_proposals(world, clock, **fields)
    journey.submit_proposals(world, challenge)
    return challenge


def opened(world, clock, **fields):
    """The proposal deadline passed: the proposals are opened, evaluators to assign."""
    challenge = sealed(world, clock, **fields)
    clock.move_to(later(PROPOSAL_END, seconds=1))
    sweep()
    return challenge


def scoring(world, clock, **fields):
    """Both evaluators assigned every proposal; each has its own scoring task."""
    challenge = opened(world, clock, **fields)
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    return challenge
