"""Exploration before cofunding (issue 21, seed 003): the path of the process with an
exploration phase — the teams explore with a bounded budget, the buyer decides which
commons proved themselves, only those get a bucket; none proven, no round opens and the
award follows. A call without exploration goes on as before."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    AuditEvent,
    Bucket,
    ChallengeStatus,
    CofundingRound,
    Expense,
    ExpenseKind,
    Exploration,
)
from tests.conftest import later, paris
from tests.workflows.journey import (
    COFUNDING_END,
    LOTS_LEFT_ASIDE,
    complete,
    current_steps,
    in_scoring,
    open_task,
    score_all,
    sweep,
)
from tests.workflows.vote_journey import select_first_two

EXPLORATION_END = (2026, 10, 20, 18)
PLAN = {
    "exploration_planned": True,
    "exploration_budget": Decimal("2000.00"),
    "exploration_end": paris(*EXPLORATION_END),
}


def selected_two(world, clock, **plan):
    """Scored; the first two proposals selected (lot 3 left aside); the host of the
    first one's commons designated; the Chambre approves."""
    challenge = in_scoring(world, clock, **plan)
    score_all(world, challenge)
    return select_first_two(world, challenge)


def mails(challenge, kind) -> dict:
    """The mails of an event, rendered as sent: (subject, body) per recipient."""
    from procurement.models import Notification
    from procurement.services.notifications.sending import notification_render

    return {
        n.recipient.username: notification_render(n)
        for n in Notification.objects.filter(challenge=challenge, kind=kind)
    }


def decide(world, challenge, verdicts: dict):
    return complete(
        challenge,
        "decide_exploration",
        world.buyer_agent,
        {
            "decisions": [
                {"proposal": pk, "proven": proven, "reason": f"Motif {pk}"}
                for pk, proven in verdicts.items()
            ]
        },
    )


def test_a_call_without_exploration_opens_its_round_right_after_the_opinion(world, clock):
    # given a call that plans no exploration
    challenge, first, second = selected_two(world, clock)
    # then the round opens at once with a bucket per selected proposal, as before
    assert challenge.status == ChallengeStatus.COFUNDING
    assert set(challenge.cofunding_round.buckets.values_list("proposal", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert not Exploration.objects.exists()
    assert current_steps(challenge) == {"cofunding"}


def test_the_teams_explore_then_only_proven_commons_are_cofunded(world, clock):
    # given a call that plans an exploration of 2,000 € per team
    challenge, first, second = selected_two(world, clock, **PLAN)

    # then after the Chambre's opinion the teams explore, and no round is open yet
    assert challenge.status == ChallengeStatus.EXPLORATION
    assert not CofundingRound.objects.filter(challenge=challenge).exists()
    assert current_steps(challenge) == {"exploration"}
    explorations = {e.proposal_id: e for e in Exploration.objects.filter(challenge=challenge)}
    assert set(explorations) == {first.pk, second.pk}
    assert {e.budget for e in explorations.values()} == {Decimal("2000.00")}
    # the hosted commons' grant is in its ledger, approved, for the host to pay
    payout = explorations[first.pk].payout
    assert payout.kind == ExpenseKind.EXPLORATION
    assert payout.amount == Decimal("2000.00")
    assert payout.organisation == explorations[first.pk].team
    assert payout.income.source == world.buyer
    # the commons without a host is paid by the buyer directly: no ledger line
    assert explorations[second.pk].payout is None
    # and the teams are told their exploration starts
    started = mails(challenge, "exploration_started")
    assert set(started) == {"partenaire1", "partenaire2"}
    subject, body = started["partenaire1"]
    assert subject.startswith("Début de l'exploration")
    assert "dispose de 2\u202f000,00\xa0€ pour" in body  # as French writes it
    assert first.title in body

    # when the exploration's end passes, the buyer's decision opens
    clock.move_to(later(paris(*EXPLORATION_END), seconds=-1))
    sweep()
    assert current_steps(challenge) == {"exploration"}
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    sweep()
    assert current_steps(challenge) == {"decide_exploration"}

    # and the buyer finds the first commons proven, not the second
    decide(world, challenge, {first.pk: True, second.pk: False})

    # then the round opens with a bucket for the proven commons only
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.COFUNDING
    assert list(
        Bucket.objects.filter(round__challenge=challenge).values_list("proposal", flat=True)
    ) == [first.pk]
    assert current_steps(challenge) == {"cofunding"}
    # each decision and its reason is in the audit trail
    decided = AuditEvent.objects.filter(challenge=challenge, verb="exploration.decided")
    assert {(e.data["proposal"], e.data["proven"], e.data["reason"]) for e in decided} == {
        (first.pk, True, f"Motif {first.pk}"),
        (second.pk, False, f"Motif {second.pk}"),
    }
    outcome = mails(challenge, "exploration_decided")
    assert "N'a pas fait ses preuves" in outcome["partenaire2"][1]
    assert second.title in outcome["partenaire2"][1]
    assert "A fait ses preuves" in outcome["partenaire1"][1]


def test_none_proven_opens_no_round_and_goes_on_to_the_award(
    world, clock, django_capture_on_commit_callbacks
):
    # given the exploration over
    challenge, first, second = selected_two(world, clock, **PLAN)
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    sweep()
    # when the buyer finds no commons proven (the award pieces generated by their job)
    with django_capture_on_commit_callbacks(execute=True):
        decide(world, challenge, {first.pk: False, second.pk: False})
    # then no round is opened, and the process goes on to the award pieces then the
    # award, where the buyer still decides (awarding, or a reason per lot, R2185-1)
    challenge.refresh_from_db()
    assert not CofundingRound.objects.filter(challenge=challenge).exists()
    assert challenge.status == ChallengeStatus.AWARD
    assert current_steps(challenge) == {"award"}


def test_the_decision_needs_every_exploration_and_a_reason(world, clock):
    challenge, first, second = selected_two(world, clock, **PLAN)
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    sweep()
    task = open_task(challenge, "decide_exploration")
    # a missing decision is refused, naming what is missing
    with pytest.raises(ApplicationError) as missing:
        decide(world, challenge, {first.pk: True})
    assert second.title in missing.value.message
    # a blank reason is refused by the step's data (400 on the field)
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError):
        complete(
            challenge,
            "decide_exploration",
            world.buyer_agent,
            {
                "decisions": [
                    {"proposal": first.pk, "proven": True, "reason": ""},
                    {"proposal": second.pk, "proven": True, "reason": "Oui"},
                ]
            },
        )
    # a partner may not decide
    with pytest.raises(Forbidden):
        complete(
            challenge,
            "decide_exploration",
            world.partner_users[0],
            {
                "decisions": [
                    {"proposal": first.pk, "proven": True, "reason": "Oui"},
                    {"proposal": second.pk, "proven": True, "reason": "Oui"},
                ]
            },
        )
    # nothing was decided
    assert not Exploration.objects.filter(decided_at__isnull=False).exists()
    assert open_task(challenge, "decide_exploration") == task


def test_the_cofunding_closes_after_the_exploration(world, clock):
    # given a call whose exploration ends on 20 October
    challenge = in_scoring(world, clock, **PLAN)
    score_all(world, challenge)
    first = challenge.proposals.order_by("pk").first()
    # when the buyer would close the cofunding before the exploration ends
    with pytest.raises(ApplicationError) as refused:
        complete(
            challenge,
            "select",
            world.buyer_agent,
            {
                "proposals": [first.pk],
                "cofunding_deadline": paris(2026, 10, 15, 18).isoformat(),
                "justification": LOTS_LEFT_ASIDE,
            },
        )
    # then the selection is refused on that field
    assert "cofunding_deadline" in refused.value.extra["fields"]


def test_the_exploration_starts_once(world, clock):
    from procurement.services.exploration import exploration_start

    challenge, _first, _second = selected_two(world, clock, **PLAN)
    payouts = Expense.objects.filter(kind=ExpenseKind.EXPLORATION).count()
    # starting again (a retried step) grants nothing more
    assert exploration_start(challenge=challenge) == []
    assert Expense.objects.filter(kind=ExpenseKind.EXPLORATION).count() == payouts == 1
    # and a call not in exploration is refused
    challenge.refresh_from_db()
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    sweep()
    decide(
        world,
        challenge,
        {p: True for p in challenge.explorations.values_list("proposal", flat=True)},
    )
    challenge.refresh_from_db()
    with pytest.raises(WrongState):
        exploration_start(challenge=challenge)


def test_the_chambre_s_snapshot_shows_a_changed_exploration_plan(world):
    from procurement.services.challenges import challenge_update
    from tests.workflows.journey import start
    from workflows.snapshots import call_snapshot, snapshot_diff

    # given a call as the Chambre saw it, without exploration
    challenge = start(world)
    before = call_snapshot(challenge)
    # when the buyer plans one in its revision
    challenge_update(
        challenge=challenge,
        actor=world.buyer_agent,
        exploration_planned=True,
        exploration_budget=Decimal("1500.00"),
    )
    # then the revision's changes show it, and nothing else
    changes = snapshot_diff(before, call_snapshot(challenge))
    assert [c.title for c in changes] == ["Exploration avant le cofinancement"]
    assert ("+", "Budget par équipe : 1 500,00 €") in [
        (sign, text.replace("\u202f", " ").replace("\xa0", " ")) for sign, text in changes[0].lines
    ]
    # and a snapshot kept before plans existed reads as « none »
    old = {k: v for k, v in before.items() if k != "exploration"}
    assert snapshot_diff(old, before) == []


def test_the_buyer_extends_the_exploration_and_its_timer_follows(world, clock):
    from workflows.services import deadline_extend

    # given teams exploring until 20 October, the cofunding closing on 1 November
    challenge, _first, _second = selected_two(world, clock, **PLAN)
    # when the buyer would extend it past the cofunding's close, it is refused
    with pytest.raises(ApplicationError) as refused:
        deadline_extend(
            actor=world.buyer_agent,
            challenge=challenge,
            which="exploration",
            new_deadline=paris(*COFUNDING_END),
            notice="Prolongée.",
        )
    assert "new_deadline" in refused.value.extra["fields"]
    # when it extends it by five days, with a published notice
    deadline_extend(
        actor=world.buyer_agent,
        challenge=challenge,
        which="exploration",
        new_deadline=paris(2026, 10, 25, 18),
        notice="Les équipes ont besoin d'une semaine de plus avec les habitants.",
    )
    # then the old end passes without the decision opening, the new one opens it
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    sweep()
    assert current_steps(challenge) == {"exploration"}
    clock.move_to(later(paris(2026, 10, 25, 18), seconds=1))
    sweep()
    assert current_steps(challenge) == {"decide_exploration"}
    # and once past, it is no longer extended
    with pytest.raises(WrongState):
        deadline_extend(
            actor=world.buyer_agent,
            challenge=challenge,
            which="exploration",
            new_deadline=paris(2026, 10, 30, 18),
            notice="Trop tard.",
        )
