"""A call's collective vote: which of the selected commons its round cofinances.

Seed 003 of the appel à communs: « identifier quels sont les communs les plus judicieux
(par un jugement majoritaire par exemple) à financer ». The buyer plans the vote with
its call; after the Chambre's opinion on the selection, the call's funders and
contributors grade each selected commons on the majority-judgment mentions; at the
close the grades are counted (``scoring.aggregation.collective``) and only the commons
retained get a bucket in the cofunding round (``workflows.operations.cofunding_open``).

Rules, and why:

* **Who votes**: the staff of every funder (a round is open to all funders) and of the
  organisations of the call's working groups (``procurement.queries.
  collective_electorate``). Not the buyer: it made its choice at the selection; the vote
  is the others' judgment on it.
* **One ballot per organisation**, cast and changed by any of its staff (the last one
  counts, who cast it is recorded). The money of a round is an organisation's (its
  envelope), and counting persons would let an organisation weigh by the number of
  accounts it opens.
* **Own commons**: an organisation does not grade the commons of a working group it
  belongs to (refused, 400): its grade would judge its own work, the bias the seed's
  critique of the 2021 campaign points at. The tally counts each commons in shares of
  the grades it received, so a commons graded by fewer voters is not disadvantaged.
* **Complete ballots**: every other commons gets a mention (400 naming the ones
  missing): majority judgment reads each voter's judgment of every candidate.
* **Secret until the close**: only its own ballot is shown to an organisation; the
  results exist only once counted. The audit trail records who voted, never the grades.
* **Counted at the close, to the second**: a ballot at ``ends_at`` itself is too late
  (409); the flow's timer fires at ``ends_at`` and ``vote_close`` counts.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, NotFound, WrongState
from kernel.guards import require_before, require_status, validated_save
from procurement.models import ChallengeStatus, Organisation
from procurement.queries import (
    STAFF_ROLES,
    budget_split_of,
    collective_electorate,
    is_buyer_staff,
    org_ids,
    own_group_proposals,
)
from procurement.services.audit import audit_record
from procurement.services.cofunding import cofunding_deadline_postpone
from procurement.services.exploration import proposals_to_cofund
from procurement.services.notifications import (
    notify_vote_opened,
    notify_vote_result,
    reminders_send,
)
from scoring.aggregation import MJ_GRADES, grade_value
from scoring.aggregation.collective import collective_choice
from scoring.models import Ballot, BallotGrade, CollectiveVote, Grade, VoteCandidate
from scoring.queries import votes_to_remind

# The call's vote is planned with the call, while its buyer drafts or revises it.
PLANNABLE = (ChallengeStatus.DRAFT, ChallengeStatus.REVISION)


def _field(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, extra={"fields": {field: [message]}})


@transaction.atomic
def vote_plan_set(
    *,
    challenge,
    actor,
    planned: bool,
    days: int | None = None,
    planned_end: datetime | None = None,
    min_grade: int | None = None,
    max_retained: int | None = None,
) -> CollectiveVote | None:
    """The buyer plans (or withdraws) a collective vote with its call: its length in days
    once opened, or the date it ends (which wins when given), the minimum majority grade
    a commons needs (« Bien » by default) and at most how many commons are retained
    (none: no cap). Only while the call is drafted or revised; audited when it changes."""
    if not is_buyer_staff(actor, challenge):
        raise Forbidden(_("Réservé aux agents de l'acheteur de l'appel."), code="not_allowed")
    require_status(
        challenge, *PLANNABLE, message=_("Le vote collectif se prévoit en rédigeant l'appel.")
    )
    vote = CollectiveVote.objects.select_for_update().filter(challenge=challenge).first()
    if not planned:
        if vote is not None:
            vote.delete()
            audit_record(verb="vote.unplanned", actor=actor, challenge=challenge, obj=challenge)
        return None
    if planned_end is not None and planned_end <= timezone.now():
        raise _field("vote_planned_end", _("La fin du vote doit être future."))
    before = None
    if vote is None:
        vote = CollectiveVote(challenge=challenge)
    else:
        before = _plan(vote)
    if days is not None:
        vote.days = days
    vote.planned_end = planned_end
    if min_grade is not None:
        vote.min_grade = min_grade
    vote.max_retained = max_retained
    try:
        validated_save(vote)
    except ValidationError as exc:
        fields = {f"vote_{name}": [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        raise ApplicationError(
            _("Le vote collectif prévu est incorrect."), code="invalid", extra={"fields": fields}
        ) from None
    if _plan(vote) != before:
        audit_record(
            verb="vote.planned", actor=actor, challenge=challenge, obj=vote, data=_plan(vote)
        )
    return vote


def _plan(vote: CollectiveVote) -> dict:
    return {
        "days": vote.days,
        "planned_end": vote.planned_end,
        "min_grade": vote.min_grade,
        "max_retained": vote.max_retained,
    }


def vote_planned(challenge) -> bool:
    """Whether the call holds a collective vote before its cofunding round."""
    return CollectiveVote.objects.filter(challenge_id=challenge.pk).exists()


@transaction.atomic
def vote_open(*, challenge) -> CollectiveVote:
    """After the Chambre's opinion on the selection: the vote opens on the selected
    proposals that would get a bucket (something to cofund: ``budget_split_of``), until
    the planned end, or ``days`` days from now. The cofunding round opens after the vote;
    if its deadline would not leave the funders at least the vote's length to pledge,
    it is postponed by that much (audited). Voters are told by mail. Opening twice
    changes nothing."""
    require_status(
        challenge, ChallengeStatus.COFUNDING, message=_("Le vote s'ouvre avec le cofinancement.")
    )
    vote = CollectiveVote.objects.select_for_update().get(challenge=challenge)
    if vote.opened_at is not None:
        return vote
    now = timezone.now()
    ends_at = vote.planned_end
    if ends_at is None or ends_at <= now:
        ends_at = now + timedelta(days=vote.days)
    vote.opened_at, vote.ends_at = now, ends_at
    vote.save(update_fields=["opened_at", "ends_at"])
    # The selected proposals, or after an exploration those whose commons proved itself.
    selected = proposals_to_cofund(challenge).prefetch_related("budget_lines")
    candidates = [
        VoteCandidate(vote=vote, proposal=proposal)
        for proposal in selected.order_by("pk")
        if budget_split_of(proposal).cofundable > 0
    ]
    VoteCandidate.objects.bulk_create(candidates)
    if challenge.cofunding_deadline is None or challenge.cofunding_deadline < ends_at + (
        ends_at - now
    ):
        cofunding_deadline_postpone(
            challenge=challenge,
            deadline=ends_at + (ends_at - now),
            reason="vote",
        )
    audit_record(
        verb="vote.opened",
        challenge=challenge,
        obj=vote,
        data={"ends_at": ends_at, "candidates": [c.proposal_id for c in candidates]},
    )
    notify_vote_opened(challenge, ends_at=ends_at, candidates=len(candidates))
    return vote


def voter_organisations(user, challenge):
    """The user's organisations (as staff) that vote in the call's collective vote."""
    return collective_electorate(challenge).filter(pk__in=org_ids(user, STAFF_ROLES))


@transaction.atomic
def ballot_submit(*, actor, vote: CollectiveVote, organisation: Organisation, grades: Mapping):
    """Cast or change ``organisation``'s ballot: ``grades`` maps each candidate's
    proposal id to a mention (« Excellent » … « À rejeter »). Refused: by a non-voter
    (403), after the close, to the second (409), with a grade on the organisation's own
    commons, a commons missing, unknown or off the scale (400, naming the field)."""
    if not voter_organisations(actor, vote.challenge).filter(pk=organisation.pk).exists():
        raise Forbidden(
            _(
                "Seuls les financeurs et les contributeurs de l'appel votent, "
                "pour leur organisation."
            ),
            code="not_a_voter",
        )
    vote = CollectiveVote.objects.select_for_update().select_related("challenge").get(pk=vote.pk)
    require_status(
        vote.challenge, ChallengeStatus.COFUNDING, message=_("Le vote n'est plus ouvert.")
    )
    if vote.opened_at is None:
        raise WrongState(_("Le vote n'est pas encore ouvert."), code="vote_not_open")
    if vote.closed_at is not None:
        raise WrongState(_("Le vote est clos."), code="vote_closed")
    require_before(vote.ends_at, message=_("Le vote est clos."), code="vote_closed")
    candidates = {c.proposal_id: c for c in vote.candidates.all()}
    own = own_group_proposals(vote.challenge, [organisation.pk]).get(organisation.pk, set())
    errors: dict[str, list[str]] = {}
    clean: dict[int, int] = {}
    for raw_key, mention in grades.items():
        key = str(raw_key)
        proposal_id = int(key) if key.isdigit() else None
        if proposal_id not in candidates:
            errors[key] = [_("Ce commun n'est pas soumis au vote.")]
        elif proposal_id in own:
            errors[key] = [
                _("Votre organisation ne note pas le commun de son propre groupe de travail.")
            ]
        elif mention not in MJ_GRADES:
            errors[key] = [
                _("Mention attendue parmi : %(grades)s.") % {"grades": ", ".join(MJ_GRADES)}
            ]
        else:
            clean[proposal_id] = int(grade_value(mention))
    for proposal_id in candidates:
        if proposal_id not in own and proposal_id not in clean and str(proposal_id) not in errors:
            errors[str(proposal_id)] = [_("Donnez une mention à ce commun.")]
    if errors:
        raise ApplicationError(
            _("Le bulletin est incomplet ou incorrect."),
            code="invalid_ballot",
            extra={"fields": {"grades": errors}},
        )
    ballot, created = Ballot.objects.get_or_create(
        vote=vote, organisation=organisation, defaults={"cast_by": actor}
    )
    if not created:
        ballot.cast_by = actor
        ballot.save(update_fields=["cast_by", "updated_at"])
        ballot.grades.all().delete()
    BallotGrade.objects.bulk_create(
        [
            BallotGrade(ballot=ballot, candidate=candidates[pid], grade=grade)
            for pid, grade in clean.items()
        ]
    )
    # who voted, never how: the ballot stays secret
    audit_record(
        verb="vote.ballot_cast",
        actor=actor,
        challenge=vote.challenge,
        obj=ballot,
        data={"organisation": organisation.pk, "changed": not created},
    )
    return ballot


@transaction.atomic
def vote_close(*, challenge) -> CollectiveVote:
    """At the vote's end: count the ballots by majority judgment
    (``scoring.aggregation.collective.collective_choice``: the order, the tie-breaks and
    the retention rule are there), record each commons' result, audit the whole count
    (profiles, majority grades, ranks, retained) and tell the voters. Closing twice
    changes nothing. Precondition: the vote's end has come (409 otherwise)."""
    vote = CollectiveVote.objects.select_for_update().get(challenge=challenge)
    if vote.closed_at is not None:
        return vote
    if vote.opened_at is None or timezone.now() < vote.ends_at:
        raise WrongState(_("Le vote n'est pas encore clos."), code="vote_open")
    candidates = list(vote.candidates.select_related("proposal").order_by("pk"))
    grades: dict[int, list[int]] = {c.proposal_id: [] for c in candidates}
    for proposal_id, grade in BallotGrade.objects.filter(ballot__vote=vote).values_list(
        "candidate__proposal_id", "grade"
    ):
        grades[proposal_id].append(grade)
    ballots = vote.ballots.count()
    result = collective_choice(
        grades, ballots=ballots, min_grade=vote.min_grade, max_retained=vote.max_retained
    )
    by_proposal = {c.proposal_id: c for c in candidates}
    for outcome in result.outcomes:
        candidate = by_proposal[int(outcome.candidate)]
        data = result.as_dict()["outcomes"]
        row = next(o for o in data if o["candidate"] == outcome.candidate)
        candidate.counts = row["counts"]
        candidate.majority_grade = outcome.majority_grade
        candidate.rank = outcome.rank
        candidate.retained = outcome.retained
        candidate.reason = str(outcome.reason)
        candidate.tie_break = row["tie_break"]
    VoteCandidate.objects.bulk_update(
        candidates, ["counts", "majority_grade", "rank", "retained", "reason", "tie_break"]
    )
    vote.closed_at = timezone.now()
    vote.ballots_counted = ballots
    vote.save(update_fields=["closed_at", "ballots_counted"])
    audit_record(verb="vote.closed", challenge=challenge, obj=vote, data=result.as_dict())
    notify_vote_result(
        challenge,
        retained=[c.proposal.title for c in candidates if c.retained],
        not_retained=[c.proposal.title for c in candidates if not c.retained],
    )
    return vote


def vote_reminders_send_due(now: datetime) -> int:
    """Called by the periodic sweep: 7 days and 1 day before a vote closes, the staff of
    each organisation entitled to vote that has not cast its ballot are reminded, once
    each, that the vote closes at that moment and that an incomplete ballot is refused
    (the calls' reminders' loop: ``procurement.services.notifications.reminders_send``).
    A reminder that would fall due by the opening is not sent: the opening mail told
    the close. Returns the number of new notifications."""
    return reminders_send(votes_to_remind(now), now)


def vote_retained(challenge) -> list[int] | None:
    """The proposals a closed vote retained (they get a bucket); ``None`` when the call
    held no vote, so the round takes every selected proposal as before."""
    vote = CollectiveVote.objects.filter(challenge_id=challenge.pk).first()
    if vote is None or vote.closed_at is None:
        return None
    return list(vote.candidates.filter(retained=True).values_list("proposal_id", flat=True))


def vote_of(challenge) -> CollectiveVote:
    vote = CollectiveVote.objects.filter(challenge_id=challenge.pk).first()
    if vote is None:
        raise NotFound(_("Cet appel ne prévoit pas de vote collectif."), code="no_vote")
    return vote


__all__ = [
    "Grade",
    "ballot_submit",
    "vote_close",
    "vote_of",
    "vote_open",
    "vote_plan_set",
    "vote_planned",
    "vote_reminders_send_due",
    "vote_retained",
    "voter_organisations",
]
