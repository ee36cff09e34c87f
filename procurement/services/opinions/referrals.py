"""A referral (saisine) to the Chambre des communs and the opinion it ends with.

The modérateur names a rapporteur from the engagement group → members comment →
the rapporteur drafts and submits the opinion → the modérateur validates and
publishes it (or returns it to the rapporteur). Past the Chambre's delay the
process goes on and the record says no opinion was given in time."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import require_before, validated_save
from procurement.calculations import calendar_days_later
from procurement.models import (
    ChallengeStatus,
    Commons,
    Opinion,
    OpinionSubject,
    Referral,
    ReferralComment,
    ReferralStatus,
    Role,
    Verdict,
)
from procurement.models.opinions import OPEN_REFERRAL
from procurement.queries import CHAMBRE_ROLES, OPINION_ROLES, is_member, open_referral
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import (
    notify_draft_submitted,
    notify_opinion_published,
    notify_rapporteur_named,
    notify_referral_opened,
)
from procurement.services.stages import challenge_stage_move

STAGE_FOR = {
    OpinionSubject.CALL: ChallengeStatus.IN_REVIEW,
    OpinionSubject.SELECTION: ChallengeStatus.SELECTION_REVIEW,
}


RAPPORTEUR_ROLES = [Role.ENGAGEMENT]


def _only_moderator(actor, referral, message: str) -> None:
    require_member(actor, referral.chambre, OPINION_ROLES, message=message)


def _require_open(referral: Referral, *statuses: str) -> None:
    if referral.status not in (statuses or OPEN_REFERRAL):
        raise WrongState(
            _("Cette saisine n'est pas à cette étape."),
            code="wrong_referral_stage",
            extra={"status": referral.status},
        )


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("challenge", "chambre")
        .get(pk=referral.pk)
    )


def opinion_deadline(opened_at, delay_days: int):
    """``delay_days`` calendar days later, at the same time on the clock in Paris (so a
    daylight-saving change in between moves neither the hour nor the day)."""
    return calendar_days_later(timezone.localtime(opened_at), delay_days)


@transaction.atomic
def referral_open(
    *, challenge, subject: str, note: str = "", snapshot: dict | None = None
) -> Referral:
    """Refer the call (or the selection) to the challenge's Chambre, with its delay.
    A referral already open on the same subject is kept, not doubled. ``snapshot`` is
    the call as referred (built by ``workflows.snapshots``), kept for the revision."""
    existing = open_referral(challenge, subject)
    if existing is not None:
        return existing
    now = timezone.now()
    referral = Referral(
        challenge=challenge,
        chambre=challenge.chambre,
        subject=subject,
        note=note,
        opened_at=now,
        deadline=opinion_deadline(now, challenge.chambre.opinion_delay_days),
        call_snapshot=snapshot,
    )
    validated_save(referral)
    audit_record(
        verb="referral.opened",
        challenge=challenge,
        obj=referral,
        data={"subject": subject, "deadline": referral.deadline},
    )
    notify_referral_opened(referral)
    return referral


@transaction.atomic
def referral_name_rapporteur(*, actor, referral: Referral, rapporteur) -> Referral:
    """The modérateur names the rapporteur, a member of the engagement group (again, to
    replace one, while the opinion is not submitted)."""
    referral = _lock(referral)
    _only_moderator(actor, referral, _("Seul le modérateur de la Chambre nomme le rapporteur."))
    _require_open(referral, ReferralStatus.AWAITING_RAPPORTEUR, ReferralStatus.DRAFTING)
    if rapporteur is None or not is_member(rapporteur, referral.chambre, RAPPORTEUR_ROLES):
        raise ApplicationError(
            _("Le rapporteur est choisi dans le groupe engagement de la Chambre."),
            code="not_engagement",
            extra={"fields": {"rapporteur": [_("Choisissez un membre du groupe engagement.")]}},
        )
    referral.rapporteur = rapporteur
    referral.status = ReferralStatus.DRAFTING
    referral.save(update_fields=["rapporteur", "status"])
    audit_record(
        verb="referral.rapporteur",
        actor=actor,
        challenge=referral.challenge,
        obj=referral,
        data={"rapporteur": rapporteur.pk},
    )
    notify_rapporteur_named(referral)
    return referral


@transaction.atomic
def referral_comment(*, actor, referral: Referral, body: str) -> ReferralComment:
    """A member of the Chambre (any group) comments on an open referral."""
    referral = _lock(referral)
    require_member(
        actor,
        referral.chambre,
        CHAMBRE_ROLES,
        message=_("Seuls les membres de la Chambre commentent une saisine."),
    )
    _require_open(referral)
    body = (body or "").strip()
    if not body:
        raise ApplicationError(
            _("Le commentaire est vide."),
            code="empty_comment",
            extra={"fields": {"body": [_("Ce champ est obligatoire.")]}},
        )
    comment = ReferralComment.objects.create(referral=referral, author=actor, body=body)
    audit_record(verb="referral.commented", actor=actor, challenge=referral.challenge, obj=comment)
    return comment


def _clean_draft(verdict, reasons, reservations, recommended_commons) -> list[str]:
    errors: dict[str, list[str]] = {}
    reservations = [r.strip() for r in (reservations or []) if r and r.strip()]
    if verdict not in Verdict.values or verdict == Verdict.NONE_IN_TIME:
        errors["verdict"] = [_("Choisissez un avis.")]
    if verdict == Verdict.RESERVATIONS and not reservations:
        errors["reservations"] = [_("Indiquez au moins une réserve.")]
    if verdict == Verdict.UNFAVORABLE and not reasons.strip():
        errors["reasons"] = [_("Indiquez les motifs de l'avis.")]
    outside = [c.name for c in recommended_commons if not c.referenced]
    if outside:
        errors["recommended_commons"] = [
            _("Ces communs ne sont pas au catalogue de la Chambre : %(names)s.")
            % {"names": ", ".join(outside)}
        ]
    if errors:
        raise ApplicationError(
            _("Le projet d'avis n'est pas valable."),
            code="invalid_opinion",
            extra={"fields": errors},
        )
    return reservations


@transaction.atomic
def referral_draft(
    *,
    actor,
    referral: Referral,
    verdict: str,
    reasons: str = "",
    reservations: list[str] | None = None,
    recommended_commons=(),
    licence_requirements: str = "",
    submit: bool = False,
) -> Referral:
    """The named rapporteur writes the draft opinion and, with ``submit``, hands it to
    the modérateur for validation."""
    referral = _lock(referral)
    if referral.rapporteur_id != getattr(actor, "pk", None):
        raise Forbidden(
            _("Seul le rapporteur nommé rédige le projet d'avis."), code="not_rapporteur"
        )
    _require_open(referral, ReferralStatus.DRAFTING)
    require_before(
        referral.deadline,
        message=_("Le délai de la Chambre pour rendre son avis est dépassé."),
        code="opinion_late",
    )
    # as the catalogue stands now, not as the caller's copies say
    recommended_commons = list(
        Commons.objects.filter(pk__in=[c.pk for c in recommended_commons]).order_by("name")
    )
    referral.draft_reservations = _clean_draft(verdict, reasons, reservations, recommended_commons)
    referral.draft_verdict = verdict
    referral.draft_reasons = reasons.strip()
    referral.draft_licence_requirements = licence_requirements.strip()
    referral.drafted_at = timezone.now()
    if submit:
        referral.status = ReferralStatus.SUBMITTED
    referral.save()
    referral.draft_recommended_commons.set(recommended_commons)
    audit_record(
        verb="referral.submitted" if submit else "referral.drafted",
        actor=actor,
        challenge=referral.challenge,
        obj=referral,
    )
    if submit:
        notify_draft_submitted(referral)
    return referral


@transaction.atomic
def referral_return(*, actor, referral: Referral, comment: str) -> Referral:
    """The modérateur sends the draft back to the rapporteur, saying why."""
    referral = _lock(referral)
    _only_moderator(actor, referral, _("Seul le modérateur valide le projet d'avis."))
    _require_open(referral, ReferralStatus.SUBMITTED)
    if not (comment or "").strip():
        raise ApplicationError(
            _("Dites au rapporteur ce qui est à reprendre."),
            code="comment_required",
            extra={"fields": {"comment": [_("Ce champ est obligatoire.")]}},
        )
    ReferralComment.objects.create(referral=referral, author=actor, body=comment.strip())
    referral.status = ReferralStatus.DRAFTING
    referral.save(update_fields=["status"])
    audit_record(verb="referral.returned", actor=actor, challenge=referral.challenge, obj=referral)
    return referral


def _record_opinion(referral: Referral, *, actor, verdict, reasons, reservations, **rest):
    challenge = referral.challenge
    if challenge.status != STAGE_FOR[referral.subject]:
        raise WrongState(
            _("Aucun avis n'est attendu à cette étape."),
            code="wrong_stage",
            extra={"status": challenge.status},
        )
    now = timezone.now()
    commons = rest.pop("recommended_commons", ())
    opinion = Opinion(
        challenge=challenge,
        subject=referral.subject,
        verdict=verdict,
        reasons=reasons,
        reservations=reservations,
        issued_by=actor,
        issued_at=now,
        **rest,
    )
    validated_save(opinion)
    opinion.recommended_commons.set(commons)
    referral.opinion = opinion
    referral.closed_at = now
    referral.save()
    if referral.subject == OpinionSubject.CALL:
        go_on = verdict in (Verdict.FAVORABLE, Verdict.NONE_IN_TIME)
        stage = ChallengeStatus.READY if go_on else ChallengeStatus.REVISION
    elif challenge.exploration_planned:
        # The selected teams explore first (seed 003): ``services.exploration``.
        stage = ChallengeStatus.EXPLORATION
    else:
        stage = ChallengeStatus.COFUNDING
    challenge_stage_move(challenge=challenge, to=stage, actor=actor)
    audit_record(
        verb=f"opinion.{referral.subject}",
        actor=actor,
        challenge=challenge,
        obj=opinion,
        data={
            "verdict": verdict,
            "reservations": reservations,
            "referral": referral.pk,
            "days": round((now - referral.opened_at).total_seconds() / 86400, 1),
        },
    )
    notify_opinion_published(opinion)
    return opinion


@transaction.atomic
def referral_publish(*, actor, challenge, subject: str) -> Opinion:
    """The modérateur validates the submitted draft and publishes it as the Chambre's
    opinion; the process moves on. On the call: favorable → ready to publish; with
    reservations or unfavorable → the buyer revises (the opinion is advisory)."""
    referral = open_referral(challenge, subject)
    if referral is None:
        raise WrongState(_("Aucun avis n'est attendu à cette étape."), code="wrong_stage")
    referral = _lock(referral)
    _only_moderator(actor, referral, _("Seul le modérateur de la Chambre publie l'avis."))
    if referral.status != ReferralStatus.SUBMITTED:
        raise WrongState(
            _("Le rapporteur n'a pas encore soumis de projet d'avis."),
            code="no_draft",
            extra={"status": referral.status},
        )
    require_before(
        referral.deadline,
        message=_("Le délai de la Chambre pour rendre son avis est dépassé."),
        code="opinion_late",
    )
    recommended = list(referral.draft_recommended_commons.all())
    _clean_draft(
        referral.draft_verdict, referral.draft_reasons, referral.draft_reservations, recommended
    )
    referral.status = ReferralStatus.PUBLISHED
    return _record_opinion(
        referral,
        actor=actor,
        verdict=referral.draft_verdict,
        reasons=referral.draft_reasons,
        reservations=referral.draft_reservations,
        licence_requirements=referral.draft_licence_requirements,
        recommended_commons=recommended,
    )


@transaction.atomic
def referral_expire(*, referral: Referral) -> Opinion | None:
    """Past the Chambre's delay, record that no opinion was given in time and let the
    process go on. Does nothing before the deadline or on a closed referral."""
    referral = _lock(referral)
    if not referral.is_open or timezone.now() < referral.deadline:
        return None
    referral.status = ReferralStatus.EXPIRED
    days = referral.chambre.opinion_delay_days
    return _record_opinion(
        referral,
        actor=None,
        verdict=Verdict.NONE_IN_TIME,
        reasons=_("La Chambre des communs n'a pas rendu d'avis dans son délai de %(days)s jours.")
        % {"days": days},
        reservations=[],
    )
