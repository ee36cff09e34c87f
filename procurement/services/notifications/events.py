"""The mails of a challenge's events (one call from each service)."""

from django.db import transaction

from procurement.models import (
    DISCONTINUATION_LETTER,
    REJECTION_LETTER,
    Challenge,
    ProposalStatus,
)
from procurement.queries import (
    group_member_recipients,
    letter_recipients,
    positioned_recipients,
    proposer_recipients,
    staff_recipients,
    subscriber_recipients,
)
from procurement.services.notifications.sending import _iso, _notify


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
