"""Deadlines hold to the second, on the server: the process moves on at the deadline with
nobody acting, and whatever arrives at or after it is refused."""

import pytest

from procurement.models import ChallengeResource, Position, Proposal
from tests.api.scenarios import POSITIONING_END, PROPOSAL_END, in_proposals, published
from tests.api.steps import challenge_url, error, ok, process_of
from tests.conftest import later
from tests.workflows import journey
from workflows.tasks import sweep


def post_position(client, challenge, resource, organisation):
    return client.post(
        challenge_url(challenge.pk, "positions/"),
        {
            "resource": resource.pk,
            "organisation": organisation.pk,
            "intent": "contribute",
            "contributions": [{"kind": "skills", "days": "10"}],
        },
        format="json",
    )


def post_proposal(client, challenge, resource):
    return client.post(
        challenge_url(challenge.pk, "proposals/"),
        {
            "group": resource.working_group.pk,
            "title": f"Proposition — {resource.title}",
            "summary": "Produire le commun avec sa communauté.",
            "deliverables": "Code, documentation",
            "licence": "EUPL-1.2",
            **journey.proposal_json("30000.00"),
        },
        format="json",
    )


def stage(client, challenge) -> tuple[str, set[str]]:
    """The challenge's status and the process's current steps, as a client sees them."""
    status = ok(client.get(challenge_url(challenge.pk)))["status"]
    steps = {s["step"] for s in process_of(client, challenge.process.pk)["current_steps"]}
    return status, steps


@pytest.mark.parametrize(
    "after", [{"seconds": 0}, {"seconds": 1}, {"days": 3}], ids=["at", "1s-after", "days-after"]
)
@pytest.mark.django_db(transaction=True)
def test_positioning_closes_at_its_deadline_to_the_second_with_nobody_acting(
    world, clock, api, after
):
    # given a published challenge, one second before the end of its positioning
    challenge = published(world)
    buyer = api(world.buyer_agent)
    clock.move_to(later(POSITIONING_END, seconds=-1))

    # when the periodic job sweeps
    sweep()

    # then nothing moved
    assert stage(buyer, challenge) == ("positioning", {"positioning"})

    # when the deadline is reached (or passed) and the job sweeps again, twice
    clock.move_to(later(POSITIONING_END, **after))
    sweep()
    sweep()

    # then positioning is closed and proposals are open, once
    assert stage(buyer, challenge) == ("proposals", {"proposals"})
    events = ok(buyer.get(challenge_url(challenge.pk, "audit/")))["events"]
    assert [e["verb"] for e in events].count("positioning.closed") == 1


@pytest.mark.django_db(transaction=True)
def test_position_posted_at_the_exact_deadline_second_is_refused(world, clock, api):
    # given a published challenge; a partner positions one second before the deadline
    challenge = published(world)
    first, second = ChallengeResource.objects.filter(challenge=challenge).order_by("order")[:2]
    clock.move_to(later(POSITIONING_END, seconds=-1))
    ok(post_position(api(world.partner_users[0]), challenge, first, world.partners[0]), 201)

    # when another posts at the deadline's very second, before any sweep ran
    clock.move_to(POSITIONING_END)
    response = post_position(api(world.partner_users[1]), challenge, second, world.partners[1])

    # then it is refused as too late, and only the first position exists
    error(response, 409, "deadline_passed")
    assert list(
        Position.objects.filter(resource__challenge=challenge).values_list(
            "organisation", flat=True
        )
    ) == [world.partners[0].pk]


@pytest.mark.django_db(transaction=True)
def test_proposal_submitted_one_second_late_is_refused(world, clock, api):
    # given open proposals; one group submits one second before the deadline
    challenge = in_proposals(world, clock)
    first, second, _third = ChallengeResource.objects.filter(challenge=challenge).order_by("order")
    clock.move_to(later(PROPOSAL_END, seconds=-1))
    on_time = ok(post_proposal(api(world.partner_users[0]), challenge, first), 201)

    # when another group submits one second after the deadline, before any sweep ran,
    # and the first group tries to replace its proposal
    clock.move_to(later(PROPOSAL_END, seconds=1))
    late = post_proposal(api(world.partner_users[1]), challenge, second)
    replaced = post_proposal(api(world.partner_users[0]), challenge, first)

    # then both are refused, and only the proposal on time is kept, unchanged
    error(late, 409, "deadline_passed")
    error(replaced, 409, "deadline_passed")
    kept = Proposal.objects.get(challenge=challenge)
    assert kept.pk == on_time["id"]
    assert kept.submitted_at == later(PROPOSAL_END, seconds=-1)

    # and once the sweep opened the proposals, a late one is still refused
    sweep()
    error(post_proposal(api(world.partner_users[1]), challenge, second), 409)
    assert Proposal.objects.filter(challenge=challenge).count() == 1
