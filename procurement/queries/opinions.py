"""The Chambre's referrals and published opinions, and what it did (its public page)."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import Challenge, ChallengeStatus, Opinion, Referral, Verdict
from procurement.models.opinions import OPEN_REFERRAL
from procurement.queries.challenges import _public_q
from procurement.queries.membership import (
    CHAMBRE_ROLES,
    OPINION_ROLES,
    is_buyer_staff,
    is_chambre_member,
    org_ids,
)


def opinions_of(challenge) -> QuerySet[Opinion]:
    """The published opinions of a challenge, with the buyer's answers to their
    reservations (public)."""
    return (
        challenge.opinions.select_related("referral")
        .prefetch_related("recommended_commons", "answers")
        .order_by("issued_at", "id")
    )


def access_opinion(*, challenge, pk) -> Opinion:
    try:
        return opinions_of(challenge).get(pk=pk)
    except (Opinion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Avis introuvable."), code="opinion_not_found") from None


def latest_opinion(challenge, subject: str) -> Opinion | None:
    return (
        Opinion.objects.filter(challenge=challenge, subject=subject)
        .order_by("-issued_at", "-id")
        .first()
    )


def referrals_of(challenge) -> QuerySet[Referral]:
    """A challenge's referrals to the Chambre. Their drafts and comments are the
    Chambre's own: the views show them to its members only."""
    return (
        challenge.referrals.select_related("rapporteur", "opinion")
        .prefetch_related("draft_recommended_commons", "comments__author")
        .order_by("opened_at", "id")
    )


def access_referral(*, user, challenge, pk) -> Referral:
    """One referral, for the Chambre's members and the buyer's staff (404 otherwise)."""
    if not (is_chambre_member(user, challenge) or is_buyer_staff(user, challenge)):
        raise NotFound(_("Saisine introuvable."), code="referral_not_found")
    try:
        return referrals_of(challenge).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Saisine introuvable."), code="referral_not_found") from None


def open_referral(challenge, subject: str) -> Referral | None:
    return (
        Referral.objects.select_related("challenge", "chambre")
        .filter(challenge=challenge, subject=subject, status__in=OPEN_REFERRAL)
        .first()
    )


def referrals_due():
    """Open referrals whose deadline has passed (the sweep expires them)."""
    return Referral.objects.filter(status__in=OPEN_REFERRAL, deadline__lte=timezone.now()).exclude(
        challenge__status=ChallengeStatus.CANCELLED
    )


def referrals_open_for(user) -> list[Referral]:
    """The open referrals of the Chambres ``user`` belongs to, each with what is expected
    of that user now (``expected``), soonest deadline first."""
    if not user.is_authenticated:
        return []
    moderated = set(org_ids(user, OPINION_ROLES).values_list("organisation_id", flat=True))
    referrals = list(
        Referral.objects.filter(status__in=OPEN_REFERRAL, chambre__in=org_ids(user, CHAMBRE_ROLES))
        .select_related("challenge", "rapporteur")
        .order_by("deadline", "id")
    )
    for referral in referrals:
        moderator = referral.chambre_id in moderated
        referral.expected_of_me = True
        if referral.rapporteur_id == user.pk and referral.status == "drafting":
            referral.expected = _("Rédiger le projet d'avis")
        elif moderator and referral.status == "awaiting_rapporteur":
            referral.expected = _("Nommer le rapporteur")
        elif moderator and referral.status == "submitted":
            referral.expected = _("Valider et publier l'avis")
        else:
            referral.expected = _("Commenter la saisine")
            referral.expected_of_me = False
    return referrals


def chambre_activity(chambre) -> dict:
    """What a Chambre did, for its public page: each closed referral (challenge,
    subject, verdict, days taken) and totals per verdict, in a fixed number of queries."""
    closed = list(
        Referral.objects.filter(chambre=chambre, opinion__isnull=False)
        .select_related("challenge", "opinion")
        .filter(challenge__in=Challenge.objects.filter(_public_q()))
        .order_by("-closed_at", "-id")
    )
    rows = [
        {
            "challenge": r.challenge,
            "subject": r.subject,
            "subject_label": r.get_subject_display(),
            "verdict": r.opinion.verdict,
            "verdict_label": r.opinion.get_verdict_display(),
            "opened_at": r.opened_at,
            "issued_at": r.opinion.issued_at,
            "days": round((r.opinion.issued_at - r.opened_at).total_seconds() / 86400, 1),
            "opinion": r.opinion,
        }
        for r in closed
    ]
    given = [row["days"] for row in rows if row["verdict"] != Verdict.NONE_IN_TIME]
    verdicts = {value: 0 for value in Verdict.values}
    for row in rows:
        verdicts[row["verdict"]] += 1
    return {
        "chambre": chambre,
        "delay_days": chambre.opinion_delay_days,
        "opinions": rows,
        "given": len(given),
        "none_in_time": verdicts[Verdict.NONE_IN_TIME],
        "mean_days": round(sum(given) / len(given), 1) if given else None,
        "verdicts": [
            {"verdict": value, "label": label, "count": verdicts[value]}
            for value, label in Verdict.choices
        ],
        # published calls only: a draft's referral must not reveal that it exists
        "pending": Referral.objects.filter(
            chambre=chambre,
            status__in=OPEN_REFERRAL,
            challenge__in=Challenge.objects.filter(_public_q()),
        ).count(),
    }
