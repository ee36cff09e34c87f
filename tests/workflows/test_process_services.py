"""The whole appel-à-communs process, driven through the services and the engine."""

from decimal import Decimal

import pytest

from procurement.models import Bucket, ChallengeStatus, Pledge
from procurement.services.cofunding import allocation_set, pledge_create
from procurement.services.hosting import resource_host_designate
from tests.conftest import later, paris
from tests.workflows import journey
from tests.workflows.journey import complete, current_steps, give_opinion, sweep


@pytest.mark.django_db(transaction=True)
def test_challenge_runs_from_draft_to_award_through_services(world, clock):
    # given a draft challenge whose process is started
    challenge = journey.start(world)
    assert current_steps(challenge) == {"draft"}

    # when the buyer refers it, the Chambre reserves, the buyer revises and resubmits
    complete(challenge, "draft", world.buyer_agent, {"note": "Merci de votre avis."})
    give_opinion(
        world,
        challenge,
        verdict="reservations",
        reasons="Licence à préciser",
        reservations=["Exiger une licence à réciprocité pour la brique de réservation"],
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.REVISION
    complete(
        challenge,
        "revise",
        world.buyer_agent,
        {
            "resubmit": True,
            "answers": [
                {
                    "reservation": "1",
                    "accepted": True,
                    "answer": "Licence CeCILL-C exigée pour la brique.",
                }
            ],
        },
    )
    assert challenge.opinions.get().answers.get().accepted
    give_opinion(world, challenge)
    assert current_steps(challenge) == {"publish"}

    # and publishes it with its deadlines
    positioning_end = paris(2026, 9, 20, 12, 0)
    proposal_end = paris(2026, 10, 20, 12, 0)
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": positioning_end.isoformat(),
            "proposal_deadline": proposal_end.isoformat(),
        },
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.POSITIONING
    assert current_steps(challenge) == {"positioning"}
    journey.position_and_propose(world, challenge)

    # then the positioning deadline passes with nobody clicking
    clock.move_to(later(positioning_end, seconds=1))
    sweep()
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PROPOSALS
    assert all(r.working_group.members.count() == 1 for r in challenge.resources.all())
    journey.submit_proposals(world, challenge)

    clock.move_to(later(proposal_end, seconds=1))
    sweep()
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.ASSIGNMENT
    assert challenge.proposals_opened_at is not None

    # when evaluators are assigned, each gets its own scoring task, in parallel
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    assert current_steps(challenge) == {"score", "join_scoring"} or current_steps(challenge) == {
        "score"
    }
    journey.score_all(world, challenge)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SELECTION

    proposals = list(challenge.proposals.order_by("pk"))
    cofunding_end = paris(2026, 11, 10, 18, 0)
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [proposals[0].pk, proposals[1].pk],
            "cofunding_deadline": cofunding_end.isoformat(),
            "justification": journey.LOTS_LEFT_ASIDE,
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.COFUNDING

    # funders pledge on what lies outside each contract (the 4 500 € of animation of a
    # 30 000 € proposal); one bucket reaches its minimum, the other does not
    round_ = challenge.cofunding_round
    ademe, bdt = world.funders
    allocation_set(
        actor=world.funder_users[0], round_=round_, funder=ademe, amount=Decimal("40000")
    )
    allocation_set(actor=world.funder_users[1], round_=round_, funder=bdt, amount=Decimal("10000"))
    first, second = round_.buckets.order_by("proposal_id")
    assert (first.min_amount, first.max_amount) == (Decimal("4500.00"), Decimal("4500.00"))
    pledge_create(actor=world.funder_users[0], bucket=first, funder=ademe, amount=Decimal("3000"))
    pledge_create(actor=world.funder_users[1], bucket=first, funder=bdt, amount=Decimal("1500"))
    pledge_create(actor=world.funder_users[1], bucket=second, funder=bdt, amount=Decimal("1000"))
    # and the buyer designates the host that the funded commons' convention names
    resource_host_designate(
        actor=world.buyer_agent, resource=first.proposal.group.resource, host=world.host
    )

    # then the round closes at its deadline and the documents are generated in the background
    clock.move_to(later(cofunding_end, seconds=1))
    sweep()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Bucket.Status.FUNDED
    assert second.status == Bucket.Status.NOT_FUNDED
    assert set(first.pledges.values_list("status", flat=True)) == {Pledge.Status.COMMITTED}
    assert set(second.pledges.values_list("status", flat=True)) == {Pledge.Status.RELEASED}
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARD
    assert challenge.documents.filter(piece="reglement").exists()

    # when the buyer decides the award and signs (a MAPA: at once), the process ends
    complete(
        challenge,
        "award",
        world.buyer_agent,
        {
            "proposals": [proposals[0].pk],
            "lot_reasons": {"2": "Le cofinancement du lot 2 n'a pas atteint son minimum."},
        },
    )
    assert current_steps(challenge) == {"sign"}
    complete(challenge, "sign", world.buyer_agent)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARDED
    assert challenge.process.status == "DONE"
    assert current_steps(challenge) == set()
