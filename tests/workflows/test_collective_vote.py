"""The collective vote in the process: planned or not, opened after the Chambre's opinion
on the selection, closed by its timer to the second, and only the commons it retains
get a bucket in the round."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import AuditEvent
from scoring.models import CollectiveVote
from scoring.services.votes import ballot_submit, vote_plan_set
from tests.workflows import journey
from tests.workflows.journey import current_steps, give_opinion, sweep
from tests.workflows.vote_journey import in_vote, proposals, selected_all

pytestmark = pytest.mark.django_db


def _grades(challenge, *mentions):
    """A ballot: the proposals in order with these mentions."""
    return {str(p.pk): m for p, m in zip(proposals(challenge), mentions, strict=True)}


def test_a_call_without_vote_opens_the_round_on_every_selected_proposal(world, clock):
    # given a call that plans no vote, its three proposals selected
    challenge = selected_all(world, clock)
    # when the Chambre gives its opinion on the selection
    give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    # then the round opens at once, a bucket per selected proposal, and no vote exists
    assert challenge.cofunding_round.buckets.count() == 3
    assert not CollectiveVote.objects.filter(challenge=challenge).exists()
    assert "cofunding" in current_steps(challenge)
    assert "vote" not in current_steps(challenge)


def test_a_planned_vote_opens_before_the_round_until_its_end(world, clock):
    # given a call planning a 7-day vote, its selection approved by the Chambre
    challenge = in_vote(world, clock)
    vote = challenge.collective_vote
    # then the vote is open on the three commons, the round is not open yet
    assert vote.is_open
    assert vote.ends_at - vote.opened_at == timedelta(days=7)
    assert vote.candidates.count() == 3
    assert "vote" in current_steps(challenge)
    assert not hasattr(challenge, "cofunding_round") or challenge.cofunding_round is None


def test_only_the_commons_the_vote_retains_get_a_bucket(world, clock):
    # given an open vote on three commons (partner i made proposal i)
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    vote = challenge.collective_vote
    # when both funders and two contributors vote
    ballot_submit(
        actor=world.funder_users[0],
        vote=vote,
        organisation=world.funders[0],
        grades=_grades(challenge, "Très bien", "Passable", "Bien"),
    )
    ballot_submit(
        actor=world.funder_users[1],
        vote=vote,
        organisation=world.funders[1],
        grades=_grades(challenge, "Bien", "Insuffisant", "Assez bien"),
    )
    ballot_submit(
        actor=world.partner_users[0],
        vote=vote,
        organisation=world.partners[0],
        grades={str(second.pk): "Passable", str(third.pk): "Bien"},
    )
    ballot_submit(
        actor=world.partner_users[1],
        vote=vote,
        organisation=world.partners[1],
        grades={str(first.pk): "Excellent", str(third.pk): "Assez bien"},
    )
    # and the vote's end passes, to the second
    clock.move_to(vote.ends_at)
    sweep()
    challenge.refresh_from_db()
    vote.refresh_from_db()
    # then the vote is counted: first (Très bien, Bien, Excellent → Très bien) and third
    # (Bien, Assez bien, Bien, Assez bien → lower median Assez bien) ...
    results = {c.proposal_id: c for c in vote.candidates.all()}
    assert vote.closed_at is not None
    assert results[first.pk].majority_grade == 5
    assert results[third.pk].majority_grade == 3
    assert results[second.pk].majority_grade == 2
    # ... only the first reaches « Bien »: the round opens with its bucket alone
    assert [b.proposal_id for b in challenge.cofunding_round.buckets.all()] == [first.pk]
    assert "cofunding" in current_steps(challenge)
    closed = AuditEvent.objects.get(challenge=challenge, verb="vote.closed")
    assert [o["candidate"] for o in closed.data["outcomes"] if o["retained"]] == [first.pk]


def test_the_vote_is_not_counted_a_second_before_its_end(world, clock):
    # given an open vote
    challenge = in_vote(world, clock)
    vote = challenge.collective_vote
    # when the sweep runs one second before its end
    clock.move_to(vote.ends_at - timedelta(seconds=1))
    sweep()
    vote.refresh_from_db()
    # then it is still open, and a ballot is still taken
    assert vote.closed_at is None
    ballot_submit(
        actor=world.funder_users[0],
        vote=vote,
        organisation=world.funders[0],
        grades=_grades(challenge, "Bien", "Bien", "Bien"),
    )
    # at its end itself, a ballot is too late
    clock.move_to(vote.ends_at)
    with pytest.raises(WrongState) as refused:
        ballot_submit(
            actor=world.funder_users[0],
            vote=vote,
            organisation=world.funders[0],
            grades=_grades(challenge, "Excellent", "Bien", "Bien"),
        )
    assert refused.value.code == "vote_closed"


def test_no_ballot_leaves_the_selection_as_it_is(world, clock):
    # given an open vote nobody votes in
    challenge = in_vote(world, clock)
    vote = challenge.collective_vote
    # when it ends
    clock.move_to(vote.ends_at)
    sweep()
    challenge.refresh_from_db()
    # then every selected commons gets its bucket, and the reason says so
    assert challenge.cofunding_round.buckets.count() == 3
    assert set(vote.candidates.values_list("reason", flat=True)) == {"no_ballot"}


def test_a_ballot_is_changed_until_the_close_and_the_last_one_counts(world, clock):
    challenge = in_vote(world, clock)
    vote = challenge.collective_vote
    first = proposals(challenge)[0]
    # given a funder's ballot rejecting the first commons
    ballot_submit(
        actor=world.funder_users[0],
        vote=vote,
        organisation=world.funders[0],
        grades=_grades(challenge, "À rejeter", "Bien", "Bien"),
    )
    # when it changes it before the close
    ballot_submit(
        actor=world.funder_users[0],
        vote=vote,
        organisation=world.funders[0],
        grades=_grades(challenge, "Excellent", "Bien", "Bien"),
    )
    clock.move_to(vote.ends_at)
    sweep()
    # then one ballot is counted, the last one
    vote.refresh_from_db()
    assert vote.ballots_counted == 1
    assert vote.candidates.get(proposal=first).majority_grade == 6


def test_ballot_rules(world, clock):
    challenge = in_vote(world, clock)
    vote = challenge.collective_vote
    first, second, third = proposals(challenge)
    # a contributor does not grade its own group's commons
    with pytest.raises(ApplicationError) as own:
        ballot_submit(
            actor=world.partner_users[0],
            vote=vote,
            organisation=world.partners[0],
            grades=_grades(challenge, "Excellent", "Bien", "Bien"),
        )
    assert list(own.value.extra["fields"]["grades"]) == [str(first.pk)]
    # a ballot names every other commons
    with pytest.raises(ApplicationError) as missing:
        ballot_submit(
            actor=world.funder_users[0],
            vote=vote,
            organisation=world.funders[0],
            grades={str(first.pk): "Bien"},
        )
    assert set(missing.value.extra["fields"]["grades"]) == {str(second.pk), str(third.pk)}
    # a mention off the scale is refused
    with pytest.raises(ApplicationError):
        ballot_submit(
            actor=world.funder_users[0],
            vote=vote,
            organisation=world.funders[0],
            grades=_grades(challenge, "Parfait", "Bien", "Bien"),
        )
    # neither the buyer nor a stranger votes, nor a user for another organisation
    for actor, organisation in (
        (world.buyer_agent, world.buyer),
        (world.stranger, world.funders[0]),
        (world.funder_users[0], world.funders[1]),
    ):
        with pytest.raises(Forbidden):
            ballot_submit(
                actor=actor,
                vote=vote,
                organisation=organisation,
                grades=_grades(challenge, "Bien", "Bien", "Bien"),
            )
    # the audit trail says who voted, never how
    ballot_submit(
        actor=world.funder_users[0],
        vote=vote,
        organisation=world.funders[0],
        grades=_grades(challenge, "Bien", "Bien", "Bien"),
    )
    event = AuditEvent.objects.get(challenge=challenge, verb="vote.ballot_cast")
    assert event.data == {"organisation": world.funders[0].pk, "changed": False}


def test_the_vote_is_planned_while_drafting_only(world, clock):
    # given a draft
    challenge = journey.start(world)
    # a non-buyer may not plan it
    with pytest.raises(Forbidden):
        vote_plan_set(challenge=challenge, actor=world.funder_users[0], planned=True)
    # the buyer plans it, then withdraws it
    vote_plan_set(challenge=challenge, actor=world.buyer_agent, planned=True, days=10)
    assert challenge.collective_vote.days == 10
    vote_plan_set(challenge=challenge, actor=world.buyer_agent, planned=False)
    assert not CollectiveVote.objects.filter(challenge=challenge).exists()
    # a planned end in the past is refused on its field
    with pytest.raises(ApplicationError) as past:
        vote_plan_set(
            challenge=challenge,
            actor=world.buyer_agent,
            planned=True,
            planned_end=timezone.now() - timedelta(days=1),
        )
    assert "vote_planned_end" in past.value.extra["fields"]
    # once referred to the Chambre, the plan no longer changes
    journey.complete(challenge, "draft", world.buyer_agent)
    challenge.refresh_from_db()
    with pytest.raises(WrongState):
        vote_plan_set(challenge=challenge, actor=world.buyer_agent, planned=True)


def test_a_cofunding_deadline_before_the_vote_end_is_postponed(world, clock):
    # given a vote planned for 40 days, past the cofunding deadline set at selection
    challenge = in_vote(world, clock, vote={"days": 40})
    vote = challenge.collective_vote
    # then the round's deadline leaves the funders the vote's length after it
    assert challenge.cofunding_deadline == vote.ends_at + timedelta(days=40)
    assert AuditEvent.objects.filter(
        challenge=challenge, verb="cofunding.deadline_postponed"
    ).exists()


def test_voters_are_told_the_vote_opens_and_its_result_in_their_language(
    world, clock, mailoutbox, django_capture_on_commit_callbacks
):
    from procurement.services.notifications import mail_language_set

    # given the second funder reads its mails in English
    mail_language_set(actor=world.funder_users[1], language="en")
    # when the vote opens
    with django_capture_on_commit_callbacks(execute=True):
        challenge = in_vote(world, clock)
    opened = [m for m in mailoutbox if "Vote" in m.subject]
    by_address = {m.to[0]: m for m in opened}
    # then every funder and contributor is told, each in its language; not the buyer
    assert set(by_address) == {u.email for u in [*world.funder_users, *world.partner_users]}
    french = by_address[world.funder_users[0].email]
    english = by_address[world.funder_users[1].email]
    assert french.subject.startswith("Vote ouvert : quels communs cofinancer ?")
    assert "jugement majoritaire" in french.body
    assert f"/espace/defis/{challenge.pk}/vote/" in french.body
    assert english.subject.startswith("Vote open: which commons to cofund?")
    assert "majority judgment" in english.body
    # when it is counted
    mailoutbox.clear()
    vote = challenge.collective_vote
    with django_capture_on_commit_callbacks(execute=True):
        clock.move_to(vote.ends_at)
        sweep()
    results = [m for m in mailoutbox if "vote" in m.subject.lower()]
    addresses = {m.to[0] for m in results}
    # then the voters and the buyer's staff are told the result, with its link
    assert world.buyer_agent.email in addresses
    assert world.funder_users[0].email in addresses
    result = next(m for m in results if m.to == [world.funder_users[0].email])
    assert result.subject.startswith("Résultat du vote collectif")
    assert f"/defis/{challenge.pk}/vote/" in result.body


def test_a_cancelled_call_takes_no_more_ballots_and_leaves_no_inbox_item(world, clock):
    from scoring.votes import open_votes_for
    from workflows.services import process_cancel

    # given an open vote the funder sees in its inbox
    challenge = in_vote(world, clock)
    assert [v.challenge_id for v in open_votes_for(world.funder_users[0])] == [challenge.pk]
    # when the buyer cancels the call
    process_cancel(actor=world.buyer_agent, challenge=challenge, reason="Budget supprimé.")
    # then the vote is gone from the inbox, and a ballot is refused
    assert open_votes_for(world.funder_users[0]) == []
    with pytest.raises(WrongState):
        ballot_submit(
            actor=world.funder_users[0],
            vote=challenge.collective_vote,
            organisation=world.funders[0],
            grades=_grades(challenge, "Bien", "Bien", "Bien"),
        )


def test_the_chambre_s_snapshot_and_the_rc_show_the_planned_vote(world, clock):
    from scoring.models import Grade
    from workflows.pack.call import challenge_context
    from workflows.snapshots import call_snapshot, snapshot_diff

    # given a call as the Chambre saw it, without a vote
    challenge = journey.start(world)
    before = call_snapshot(challenge)
    assert challenge_context(challenge).vote is None
    # when the buyer plans one for a day, retaining the best commons judged « Très bien »
    vote_plan_set(
        challenge=challenge,
        actor=world.buyer_agent,
        planned=True,
        days=1,
        min_grade=Grade.TRES_BIEN,
        max_retained=1,
    )
    # then the changes since the snapshot show it, and nothing else
    changes = snapshot_diff(before, call_snapshot(challenge))
    assert [c.title for c in changes] == ["Vote collectif avant le cofinancement"]
    assert [text for sign, text in changes[0].lines if sign == "+"] == [
        "Mention majoritaire minimale : Très bien",
        "Communs retenus : au plus 1",
        "Durée du vote : 1 jour après son ouverture",
    ]
    # and the RC's context states it, its mention in French whatever the language
    with translation.override("en"):
        plan = challenge_context(challenge).vote
    assert (plan.min_grade, plan.max_retained, plan.days, plan.planned_end) == (
        "Très bien",
        1,
        1,
        None,
    )
    # and a snapshot kept before votes were in it reads as « none »
    old = {k: v for k, v in before.items() if k != "vote"}
    assert snapshot_diff(old, before) == []
