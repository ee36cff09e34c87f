"""The facilitator of a call and the neutrality the role asks for."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import field_error, validated_save
from procurement.models import Challenge, ChallengeStatus, Facilitation, Membership
from procurement.queries import (
    candidate_memberships,
    candidate_organisations,
    facilitators_of_buyer,
)
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications.events import notify_facilitation_conflict

# A call cancelled or ended without an award has nothing left to facilitate.
ENDED = [ChallengeStatus.CANCELLED, ChallengeStatus.UNSUCCESSFUL]


def not_neutral(field: str, person: str, organisations: list[str]) -> ApplicationError:
    message = _(
        "L'animateur doit rester neutre entre les candidats : %(person)s est membre de "
        "%(organisations)s, candidat à cet appel."
    ) % {"person": person, "organisations": ", ".join(organisations)}
    return ApplicationError(
        message, code="facilitator_not_neutral", extra={"fields": {field: [message]}}
    )


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def facilitator_designate(*, actor, challenge, facilitator) -> Facilitation:
    """The buyer's staff designate the call's facilitator (« animateur, personne
    ressource », seed 004) among the buyer's resource persons (``Role.FACILITATOR``),
    at any stage until the call ends; a new designation replaces the former one (and
    clears a neutrality flag).

    Neutrality: the facilitator may not belong, whatever the role, to an organisation
    that is a candidate to the call (positioned to produce or contribute, member of a
    working group). ``workflows.operations.facilitator_designate`` also refuses one of
    the call's evaluators (scoring is above this layer). Audited
    (``facilitator.designated``)."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur désigne l'animateur.")
    )
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status in ENDED:
        raise WrongState(_("Cet appel est clos : il n'y a plus rien à animer."), code="wrong_stage")
    if (
        facilitator is None
        or not facilitators_of_buyer(challenge).filter(pk=facilitator.pk).exists()
    ):
        raise field_error(
            "facilitator",
            _("Choisissez une personne ressource de l'acheteur (rôle « animateur »)."),
            "not_a_facilitator",
        )
    organisations = candidate_memberships(facilitator, challenge)
    if organisations:
        raise not_neutral("facilitator", _name(facilitator), organisations)
    facilitation = Facilitation.objects.filter(challenge=challenge).first() or Facilitation(
        challenge=challenge
    )
    facilitation.facilitator = facilitator
    facilitation.designated_by = actor
    facilitation.designated_at = timezone.now()
    facilitation.conflict_at = None
    facilitation.conflict_reason = ""
    validated_save(facilitation)
    audit_record(
        verb="facilitator.designated",
        actor=actor,
        challenge=challenge,
        obj=facilitation,
        data={"facilitator": facilitator.pk},
    )
    return facilitation


def _flag(facilitation: Facilitation, organisation, reason: str, actor=None) -> None:
    facilitation.conflict_at = timezone.now()
    facilitation.conflict_reason = reason
    facilitation.save(update_fields=["conflict_at", "conflict_reason"])
    audit_record(
        verb="facilitator.conflict",
        actor=actor,
        challenge=facilitation.challenge,
        obj=facilitation,
        data={"facilitator": facilitation.facilitator_id, "organisation": organisation.pk},
    )
    notify_facilitation_conflict(facilitation)


def facilitation_neutrality_check(*, challenge, organisation, actor=None) -> bool:
    """An organisation becomes a candidate of the call (it positions to produce or
    contribute): if the call's facilitator belongs to it, the facilitation is flagged
    and suspended — the candidate keeps its right to compete (égalité de traitement;
    article L2141-10 du code de la commande publique excludes a candidate for a conflict
    of interest only when it cannot be remedied otherwise), and the remedy is the buyer's:
    designate another facilitator (its staff are mailed, and their inbox asks for it).
    Runs in the caller's transaction; audited (``facilitator.conflict``). Returns
    whether a facilitation was flagged."""
    facilitation = (
        Facilitation.objects.select_for_update()
        .select_related("facilitator", "challenge")
        .filter(challenge=challenge, conflict_at__isnull=True)
        .first()
    )
    if facilitation is None:
        return False
    if not Membership.objects.filter(
        user=facilitation.facilitator, organisation=organisation
    ).exists():
        return False
    reason = _(
        "%(person)s est membre de %(organisation)s, qui s'est positionnée pour rejoindre un "
        "groupe de travail de l'appel : l'animation est suspendue jusqu'à la désignation "
        "d'un autre animateur."
    ) % {"person": _name(facilitation.facilitator), "organisation": organisation.name}
    _flag(facilitation, organisation, reason, actor)
    return True


def facilitations_recheck(*, user, organisation) -> int:
    """``user`` has just joined ``organisation`` (an invitation accepted): each call the
    user facilitates where that organisation is a candidate is flagged, as above.
    Returns how many were flagged."""
    flagged = 0
    facilitations = (
        Facilitation.objects.select_for_update()
        .select_related("facilitator", "challenge")
        .filter(facilitator=user, conflict_at__isnull=True)
    )
    for facilitation in facilitations:
        if not candidate_organisations(facilitation.challenge).filter(pk=organisation.pk).exists():
            continue
        reason = _(
            "%(person)s a rejoint %(organisation)s, candidat à cet appel : l'animation est "
            "suspendue jusqu'à la désignation d'un autre animateur."
        ) % {"person": _name(user), "organisation": organisation.name}
        _flag(facilitation, organisation, reason)
        flagged += 1
    return flagged
