"""The mails of a challenge's events (one call from each service)."""

from datetime import datetime, time

from django.db import transaction
from django.urls import reverse

from procurement.calculations import answers_due_by
from procurement.models import (
    DISCONTINUATION_LETTER,
    REJECTION_LETTER,
    Challenge,
    Facilitation,
    MotionStatus,
    ProposalStatus,
    Role,
)
from procurement.queries import (
    OPINION_ROLES,
    collective_electorate,
    explorer_recipients,
    funder_recipients,
    group_member_recipients,
    letter_recipients,
    member_recipients,
    positioned_recipients,
    proposer_recipients,
    settled_pledge_recipients,
    staff_recipients,
    subscriber_recipients,
    user_recipients,
)
from procurement.queries.execution import holder_organisation_ids
from procurement.services.notifications.sending import PARIS, _iso, _notify


@transaction.atomic
def notify_challenge_published(challenge: Challenge) -> int:
    """To the subscribers of the buyer's calls (or of all calls)."""
    return _notify(
        kind="challenge_published",
        key=f"challenge.published:{challenge.pk}",
        challenge=challenge,
        recipients=subscriber_recipients(challenge),
        data={"deadline": _iso(challenge.positioning_deadline)},
    )


@transaction.atomic
def notify_answers_published(challenge: Challenge) -> int:
    """To the partners positioned on the challenge and its subscribers. One event per
    state of the published answers: calling it again with no new answer mails nobody."""
    answered = challenge.questions.filter(answered_at__isnull=False)
    count = answered.count()
    if not count:
        return 0
    return _notify(
        kind="answers_published",
        key=f"answers.published:{challenge.pk}:{count}",
        challenge=challenge,
        recipients=positioned_recipients(challenge) | subscriber_recipients(challenge),
        data={"count": count, "deadline": _iso(challenge.proposal_deadline)},
    )


@transaction.atomic
def notify_deadline_extended(notice) -> int:
    """To the partners positioned on the challenge and its subscribers: a deadline moved,
    with the buyer's published notice. One event per notice."""
    challenge = notice.challenge
    return _notify(
        kind="deadline_extended",
        key=f"deadline.extended:{notice.pk}",
        challenge=challenge,
        recipients=positioned_recipients(challenge) | subscriber_recipients(challenge),
        data={
            "which": notice.get_which_display(),
            "deadline": _iso(notice.new_deadline),
            "notice": notice.notice,
        },
    )


@transaction.atomic
def notify_call_amended(amendment) -> int:
    """To the partners positioned on the challenge and its subscribers: the published
    call changed and its consultation documents have a new version. One event per
    change."""
    challenge = amendment.challenge
    return _notify(
        kind="call_amended",
        key=f"call.amended:{amendment.pk}",
        challenge=challenge,
        recipients=positioned_recipients(challenge) | subscriber_recipients(challenge),
        data={"summary": amendment.summary, "substantial": amendment.substantial},
    )


@transaction.atomic
def notify_proposals_opened(challenge: Challenge) -> int:
    """To the working groups' members and the buyer's staff."""
    return _notify(
        kind="proposals_opened",
        key=f"proposals.opened:{challenge.pk}",
        challenge=challenge,
        recipients=group_member_recipients(challenge) | staff_recipients([challenge.buyer_id]),
        data={
            "count": challenge.proposals.exclude(status=ProposalStatus.DRAFT).count(),
        },
    )


@transaction.atomic
def notify_proposals_selected(challenge: Challenge) -> int:
    """To the partners who proposed: retained or not."""
    recipients = {
        pk: {
            "retained": titles.get(ProposalStatus.SELECTED, []),
            "not_retained": titles.get(ProposalStatus.REJECTED, []),
        }
        for pk, titles in proposer_recipients(
            challenge, [ProposalStatus.SELECTED, ProposalStatus.REJECTED]
        ).items()
    }
    return _notify(
        kind="proposals_selected",
        key=f"proposals.selected:{challenge.pk}",
        challenge=challenge,
        recipients=recipients,
        data={"deadline": _iso(challenge.cofunding_deadline)},
    )


@transaction.atomic
def notify_challenge_awarded(challenge: Challenge) -> int:
    """To the partners who proposed: awarded or not."""
    recipients = {
        pk: {
            "awarded": titles.get(ProposalStatus.AWARDED, []),
            "not_awarded": titles.get(ProposalStatus.SELECTED, [])
            + titles.get(ProposalStatus.REJECTED, []),
        }
        for pk, titles in proposer_recipients(
            challenge,
            [ProposalStatus.AWARDED, ProposalStatus.SELECTED, ProposalStatus.REJECTED],
        ).items()
    }
    return _notify(
        kind="challenge_awarded",
        key=f"challenge.awarded:{challenge.pk}",
        challenge=challenge,
        recipients=recipients,
    )


@transaction.atomic
def notify_rejection_letters(challenge: Challenge, letters) -> int:
    """To the members of each unsuccessful candidate's working group: its rejection
    letters (articles R2181-1 and R2181-3), attached, with the date from which the
    contract may be signed, and its letters on lots left unawarded (article R2185-1).
    Sent electronically to every candidate, which sets the
    standstill at eleven days (article R2182-1)."""
    recipients = {
        pk: {
            "letters": [
                {"document": letter.pk, "title": letter.title, "key": letter.key} for letter in mine
            ],
            "documents": [letter.pk for letter in mine],
            "rejected": any(letter.piece == REJECTION_LETTER for letter in mine),
            "unawarded": any(letter.piece == DISCONTINUATION_LETTER for letter in mine),
        }
        for pk, mine in letter_recipients(letters).items()
    }
    return _notify(
        kind="rejection_letters",
        key=f"rejection.letters:{challenge.pk}",
        challenge=challenge,
        recipients=recipients,
        data={
            "standstill_ends_at": _iso(challenge.standstill_ends_at),
            "letters_sent_at": _iso(challenge.letters_sent_at),
        },
    )


# --- hand-offs: the person who must act next gets a mail (and an inbox item) ----------


def _path(name: str, *args) -> str:
    return reverse(name, args=args)


def _referral_data(referral, **extra) -> dict:
    """What every mail about a referral says: its subject, its deadline (the one deadline
    of the opinion) and the referral's page, plus what the event adds."""
    return {
        "subject": referral.subject,
        "deadline": _iso(referral.deadline),
        **extra,
        "path": _path("portal:referral", referral.challenge_id, referral.pk),
    }


@transaction.atomic
def notify_referral_opened(referral) -> int:
    """To the modérateurs of the Chambre: a call (or a selection) is referred to it;
    they name the rapporteur. One event per referral."""
    challenge = referral.challenge
    return _notify(
        kind="referral_opened",
        key=f"referral.opened:{referral.pk}",
        challenge=challenge,
        recipients=member_recipients([referral.chambre_id], OPINION_ROLES),
        data=_referral_data(referral, note=referral.note),
    )


@transaction.atomic
def notify_rapporteur_named(referral) -> int:
    """To the rapporteur just named: write the draft opinion. A rapporteur named again
    after a replacement is a new event for the new one only."""
    challenge = referral.challenge
    return _notify(
        kind="rapporteur_named",
        key=f"referral.rapporteur:{referral.pk}:{referral.rapporteur_id}",
        challenge=challenge,
        recipients=user_recipients(referral.rapporteur),
        data=_referral_data(referral),
    )


@transaction.atomic
def notify_draft_submitted(referral) -> int:
    """To the modérateurs: the rapporteur submitted the draft opinion; they validate and
    publish it (or return it). A draft returned and submitted again is a new event."""
    challenge = referral.challenge
    return _notify(
        kind="draft_submitted",
        key=f"referral.submitted:{referral.pk}:{int(referral.drafted_at.timestamp())}",
        challenge=challenge,
        recipients=member_recipients([referral.chambre_id], OPINION_ROLES),
        data=_referral_data(
            referral,
            rapporteur=referral.rapporteur.get_full_name() or referral.rapporteur.get_username(),
        ),
    )


@transaction.atomic
def notify_opinion_published(opinion) -> int:
    """To the buyer's staff: the Chambre's opinion (or the record that none came in
    time) is published; on the call the buyer publishes or revises it."""
    challenge = opinion.challenge
    return _notify(
        kind="opinion_published",
        key=f"opinion.published:{opinion.pk}",
        challenge=challenge,
        recipients=staff_recipients([challenge.buyer_id]),
        data={
            "subject": opinion.subject,
            "verdict": opinion.verdict,
            "path": _path("portal:inbox"),
        },
    )


@transaction.atomic
def notify_question_asked(question) -> int:
    """To the buyer's staff: a partner asked a question; they answer it (in a formal
    procedure at the latest six days before the proposal deadline, article R2132-6)."""
    challenge = question.challenge
    deadline = challenge.proposal_deadline
    return _notify(
        kind="question_asked",
        key=f"question.asked:{question.pk}",
        challenge=challenge,
        recipients=staff_recipients([challenge.buyer_id]),
        data={
            "text": question.text,
            "deadline": _iso(answers_due_by(deadline) if deadline else None),
            "path": _path("portal:answers", challenge.pk),
        },
    )


@transaction.atomic
def notify_evaluations_done(challenge, scoring_round: int) -> int:
    """To the buyer's staff: the last evaluation is handed in and the ranking is ready;
    they select. One event per scoring round."""
    return _notify(
        kind="evaluations_done",
        key=f"scoring.closed:{challenge.pk}:{scoring_round}",
        challenge=challenge,
        recipients=staff_recipients([challenge.buyer_id]),
        data={"path": _path("portal:inbox")},
    )


@transaction.atomic
def notify_cofunding_opened(round_) -> int:
    """To the staff of every funder and of the buyer: the cofunding round is open until
    its deadline; they set an envelope, then pledge on the commons. One event per round."""
    challenge = round_.challenge
    return _notify(
        kind="cofunding_opened",
        key=f"cofunding.opened:{round_.pk}",
        challenge=challenge,
        recipients=funder_recipients() | staff_recipients([challenge.buyer_id]),
        data={
            "deadline": _iso(round_.deadline),
            "buckets": round_.buckets.count(),
            "path": _path("portal:cofunding", challenge.pk),
        },
    )


@transaction.atomic
def notify_pledges_released(round_) -> int:
    """At the round's close, to the staff of every organisation that pledged or offered
    a match: per commons, what was taken (its pledges committed, its matched funds
    included) and what was released (its pledges given back, the commons having missed
    its minimum), and what its matching offer gave. In the recipient's language
    (``MailPreference``). One event per round: a second close mails nobody again."""
    challenge = round_.challenge
    return _notify(
        kind="cofunding_settled",
        key=f"cofunding.settled:{round_.pk}",
        challenge=challenge,
        recipients=settled_pledge_recipients(round_),
        data={"path": _path("portal:my_cofunding")},
    )


# --- execution follow-up: the holder submits, the buyer decides ----------------------------


@transaction.atomic
def notify_deliverable_submitted(deliverable, event) -> int:
    """To the buyer's staff: the holder submitted a deliverable (again, after a
    refusal); they admit or refuse it. One event per submission: its audit ``event``."""
    challenge = deliverable.lot.challenge
    return _notify(
        kind="deliverable_submitted",
        key=f"deliverable.submitted:{event.pk}",
        challenge=challenge,
        recipients=staff_recipients([challenge.buyer_id]),
        data={
            "title": deliverable.title,
            "lot": deliverable.lot.number,
            "evidence_url": deliverable.evidence_url,
            "path": _path("portal:execution", challenge.pk),
        },
    )


@transaction.atomic
def notify_deliverable_decided(deliverable, event) -> int:
    """To the staff of the holder's organisations: the buyer admitted or refused their
    deliverable (with the reason). One event per decision: its audit ``event``."""
    challenge = deliverable.lot.challenge
    return _notify(
        kind="deliverable_decided",
        key=f"deliverable.decided:{event.pk}",
        challenge=challenge,
        recipients=staff_recipients(holder_organisation_ids(deliverable.proposal)),
        data={
            "title": deliverable.title,
            "lot": deliverable.lot.number,
            "admitted": deliverable.status == "admitted",
            "reason": deliverable.refusal_reason,
            "path": _path("portal:execution", challenge.pk),
        },
    )


# --- facilitation and community --------------------------------------------------------


@transaction.atomic
def notify_meeting_scheduled(meeting) -> int:
    """To the staff of the group's member organisations and to the call's facilitator:
    a meeting of the working group is scheduled (when, where, its agenda). One event per
    meeting."""
    group = meeting.group
    challenge = group.resource.challenge
    recipients = staff_recipients(group.members.values("organisation"))
    facilitation = Facilitation.objects.filter(
        challenge=challenge, conflict_at__isnull=True
    ).first()
    if facilitation is not None:
        recipients |= user_recipients(facilitation.facilitator)
    return _notify(
        kind="meeting_scheduled",
        key=f"meeting.scheduled:{meeting.pk}",
        challenge=challenge,
        recipients=recipients,
        data={
            "group": group.resource.title,
            "deadline": _iso(meeting.starts_at),
            "place": meeting.place,
            "visio_url": meeting.visio_url,
            "agenda": meeting.agenda,
            "path": _path("portal:group_space", challenge.pk, group.pk),
        },
    )


@transaction.atomic
def notify_facilitation_conflict(facilitation) -> int:
    """To the buyer's staff: the call's facilitator lost its neutrality (its
    organisation became a candidate); the facilitation is suspended, they designate
    another facilitator. Once per flag."""
    challenge = facilitation.challenge
    return _notify(
        kind="facilitation_conflict",
        key=f"facilitation.conflict:{facilitation.pk}:{int(facilitation.conflict_at.timestamp())}",
        challenge=challenge,
        recipients=staff_recipients([challenge.buyer_id]),
        data={
            "reason": facilitation.conflict_reason,
            "path": _path("portal:facilitation", challenge.pk),
        },
    )


def _motion_data(motion, **extra) -> dict:
    return {
        "title": motion.title,
        "about": motion.commons.name if motion.commons_id else motion.challenge.title,
        **extra,
        "path": _path("portal:motion", motion.chambre_id, motion.pk),
    }


@transaction.atomic
def notify_motion_filed(motion) -> int:
    """To the Chambre's modérateurs: the contributors' group filed a motion; they adopt
    it with an action plan, or reject it. One event per motion."""
    return _notify(
        kind="motion_filed",
        key=f"motion.filed:{motion.pk}",
        challenge=motion.challenge,
        recipients=member_recipients([motion.chambre_id], [Role.MODERATOR]),
        data=_motion_data(motion, text=motion.text),
    )


@transaction.atomic
def notify_motion_decided(motion) -> int:
    """To the motion's author: the modérateur adopted it (with its action plan) or
    rejected it, and why. One event per motion."""
    return _notify(
        kind="motion_decided",
        key=f"motion.decided:{motion.pk}",
        challenge=motion.challenge,
        recipients=user_recipients(motion.filed_by),
        data=_motion_data(
            motion,
            adopted=motion.status == MotionStatus.ADOPTED,
            reason=motion.decision_reason,
            actions=[
                {"title": a.title, "owner": a.owner, "due_date": a.due_date.isoformat()}
                for a in motion.actions.order_by("due_date", "id")
            ],
        ),
    )


@transaction.atomic
def notify_action_overdue(action) -> int:
    """To the Chambre's modérateurs: an action of the plan is past its due date and not
    done; they follow it up or update it. Once per action and due date."""
    motion = action.motion
    return _notify(
        kind="action_overdue",
        key=f"motion.action_overdue:{action.pk}:{action.due_date.isoformat()}",
        challenge=motion.challenge,
        recipients=member_recipients([motion.chambre_id], [Role.MODERATOR]),
        data=_motion_data(
            motion,
            action=action.title,
            owner=action.owner,
            deadline=_iso(datetime.combine(action.due_date, time(0), tzinfo=PARIS)),
        ),
    )


@transaction.atomic
def notify_vote_opened(challenge: Challenge, *, ends_at, candidates: int) -> int:
    """To the staff of every organisation that votes (the funders, the working groups'
    organisations): the collective vote on the commons to cofinance is open until
    ``ends_at``; they grade each commons. One event per call's vote."""
    return _notify(
        kind="vote_opened",
        key=f"vote.opened:{challenge.pk}",
        challenge=challenge,
        recipients=staff_recipients(collective_electorate(challenge).values("pk")),
        data={
            "deadline": _iso(ends_at),
            "candidates": candidates,
            "path": _path("portal:vote", challenge.pk),
        },
    )


@transaction.atomic
def notify_vote_result(
    challenge: Challenge, *, retained: list[str], not_retained: list[str]
) -> int:
    """To the voters and the buyer's staff: the vote is counted; the commons retained
    (they get a bucket in the round) and the others, with a link to the result."""
    voters = staff_recipients(collective_electorate(challenge).values("pk"))
    return _notify(
        kind="vote_result",
        key=f"vote.result:{challenge.pk}",
        challenge=challenge,
        recipients=voters | staff_recipients([challenge.buyer_id]),
        data={
            "retained": retained,
            "not_retained": not_retained,
            "path": _path("portal:vote_result", challenge.pk),
        },
    )


@transaction.atomic
def notify_exploration_started(challenge: Challenge) -> int:
    """To the staff of the exploring teams: their exploration starts, with its budget
    and end, before any cofunding (seed 003). One event per call."""
    return _notify(
        kind="exploration_started",
        key=f"exploration.started:{challenge.pk}",
        challenge=challenge,
        recipients=explorer_recipients(challenge),
        data={
            "budget": str(challenge.exploration_budget),
            "deadline": _iso(challenge.exploration_end),
            "path": _path("portal:challenge", challenge.pk),
        },
    )


@transaction.atomic
def notify_exploration_decided(challenge: Challenge) -> int:
    """To the staff of the exploring teams: whether their commons proved itself (and so
    goes to cofunding), with the buyer's reason on the call's page. One event per call."""
    return _notify(
        kind="exploration_decided",
        key=f"exploration.decided:{challenge.pk}",
        challenge=challenge,
        recipients=explorer_recipients(challenge),
        data={"path": _path("portal:challenge", challenge.pk)},
    )
