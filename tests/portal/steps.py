"""Bring a challenge to a given step through the services and the engine (the journey of
``tests.workflows.journey``), so each portal test starts where its page is used."""

from decimal import Decimal

from django.test import TestCase

from procurement.models import Challenge, Commons
from procurement.services.cofunding import allocation_set, pledge_create
from procurement.services.hosting import resource_host_designate
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion, sweep

POSITIONING_END = paris(2026, 9, 20, 12, 0)
PROPOSAL_END = paris(2026, 10, 20, 12, 0)
COFUNDING_END = paris(2026, 11, 10, 18, 0)

STEPS = [
    "draft",
    "call_opinion",
    "publish",
    "positioning",
    "proposals",
    "assign_evaluators",
    "score",
    "select",
    "selection_opinion",
    "cofunding",
    "award",
]


def advance(world, clock, to: str, **fields) -> Challenge:
    """A challenge whose open step is ``to`` (``clock`` is the frozen test clock);
    ``fields`` are the call's, as ``journey.start`` takes them."""
    target = STEPS.index(to)
    challenge = journey.start(world, **fields)

    def fresh():
        return Challenge.objects.get(pk=challenge.pk)

    actions = [
        lambda: complete(challenge, "draft", world.buyer_agent, {"note": "Merci."}),
        lambda: give_opinion(world, challenge),
        lambda: complete(
            challenge,
            "publish",
            world.buyer_agent,
            {
                "positioning_deadline": POSITIONING_END.isoformat(),
                "proposal_deadline": PROPOSAL_END.isoformat(),
            },
        ),
        lambda: _close_positioning(world, clock, fresh()),
        lambda: _open_proposals(world, clock, fresh()),
        lambda: complete(
            challenge,
            "assign_evaluators",
            world.buyer_agent,
            {"evaluators": [u.pk for u in world.evaluators]},
        ),
        lambda: journey.score_all(world, fresh()),
        lambda: complete(
            challenge,
            "select",
            world.buyer_agent,
            {
                "proposals": list(
                    fresh().proposals.order_by("pk").values_list("pk", flat=True)[:2]
                ),
                "cofunding_deadline": COFUNDING_END.isoformat(),
                "justification": "Le troisième lot attend une seconde consultation.",
            },
        ),
        lambda: give_opinion(world, challenge, "selection_opinion"),
        lambda: _close_cofunding(world, clock, fresh()),
    ]
    for action in actions[:target]:
        action()
    return fresh()


def _close_positioning(world, clock, challenge):
    journey.position_and_propose(world, challenge)
    clock.move_to(later(POSITIONING_END, seconds=1))
    sweep()


def _open_proposals(world, clock, challenge):
    journey.submit_proposals(world, challenge)
    clock.move_to(later(PROPOSAL_END, seconds=1))
    sweep()


def _close_cofunding(world, clock, challenge):
    round_ = challenge.cofunding_round
    funder, user = world.funders[0], world.funder_users[0]
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal("60000"))
    for bucket in round_.buckets.order_by("proposal_id").select_related("proposal__group"):
        pledge_create(actor=user, bucket=bucket, funder=funder, amount=bucket.max_amount)
        # The conventions name each funded commons' host: the buyer designates it.
        resource_host_designate(
            actor=world.buyer_agent, resource=bucket.proposal.group.resource, host=world.host
        )
    clock.move_to(later(COFUNDING_END, seconds=1))
    # The documents step runs in Celery once the sweep's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        sweep()


def commons(name: str, **fields) -> Commons:
    """A catalogue entry (commons have no service of their own: the catalogue is kept
    by the Chambre in the admin)."""
    from django.utils import timezone
    from django.utils.text import slugify

    fields.setdefault("category", "knowledge")
    if fields.get("referenced"):
        fields.setdefault("referenced_at", timezone.now())
    return Commons.objects.create(name=name, slug=slugify(name), **fields)
