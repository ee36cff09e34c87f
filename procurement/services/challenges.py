"""Writes on challenges: drafting, publication, selection, award, cancellation."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import require_status, validated_save
from procurement.models import Challenge, ChallengeResource, ChallengeStatus, Lot, Organisation
from procurement.models import OrganisationKind as Kind
from procurement.models.opinions import OPEN_REFERRAL, OpinionSubject, ReferralStatus
from procurement.services.audit import audit_record
from procurement.services.award_rules import (
    award_method_problems,
    estimate_required,
    lots_problems,
    offer_window_check,
    procedure_of,
)
from procurement.services.common import require_member
from procurement.services.essential_data import FIELDS as ESSENTIAL_DATA_FIELDS
from procurement.services.essential_data import essential_data_clean
from procurement.services.exploration import exploration_problems, exploration_settings_check
from procurement.services.notifications import (
    notify_challenge_published,
)
from procurement.services.opinions import (
    referral_open,
    require_reservations_answered,
    reservations_answer_all,
)
from procurement.services.stages import CANCELLABLE, challenge_stage_move

EDITABLE = (ChallengeStatus.DRAFT, ChallengeStatus.REVISION)


def _next_reference() -> str:
    year = timezone.localdate().year
    prefix = f"AAC-{year}-"
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in Challenge.objects.filter(reference__startswith=prefix).values_list(
            "reference", flat=True
        )
        if ref.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def challenge_create(
    *,
    actor,
    buyer: Organisation,
    chambre: Organisation,
    title: str,
    context: str,
    resources: list[dict],
    lots: list[dict] | None = None,
    estimated_amount: Decimal | None = None,
    aggregation_method: str | None = None,
    framing: str | None = None,
    multi_lot_proposals: bool = False,
    single_lot_reason: str = "",
    contract_nature: str | None = None,
    reference: str | None = None,
    contract_duration_months: int | None = None,
    personal_data: bool = False,
    cpv_code: str = "",
    execution_place_kind: str = "",
    execution_place_code: str = "",
    innovative: bool = False,
    exploration_planned: bool = False,
    exploration_budget: Decimal | None = None,
    exploration_end: datetime | None = None,
) -> Challenge:
    """Draft a new challenge for ``buyer``; the actor must be on the buyer's staff.

    Its resources are grouped into ``lots`` (each resource names its lot's number in
    ``lot``); without ``lots``, each resource is its own lot (article L2113-10: a call
    is divided into lots unless the buyer states why not). Creating a challenge does
    not start its process: ``workflows.services`` does both. Majority judgment is
    refused as the award method (400 on ``aggregation_method``, ``award_rules``). The
    données essentielles the buyer alone knows (CPV code, place of execution, innovative)
    may be given now or later (``services.essential_data``). An exploration before the
    cofunding may be planned (``exploration_settings_check``: 1,000 € to 3,000 € per
    team, seed 003).
    """
    require_member(actor, buyer, message=_("Seul un agent de l'acheteur peut créer un appel."))
    if buyer.kind != Kind.BUYER:
        raise ApplicationError(
            _("Seul un acheteur public peut créer un appel à communs."),
            code="not_a_buyer",
            extra={"fields": {"buyer": [_("Cette organisation n'est pas un acheteur public.")]}},
        )
    if chambre.kind != Kind.CHAMBRE:
        raise ApplicationError(
            _("L'avis doit être demandé à une Chambre des communs."),
            code="not_a_chambre",
            extra={
                "fields": {"chambre": [_("Cette organisation n'est pas une Chambre des communs.")]}
            },
        )
    if not resources:
        raise ApplicationError(
            _("Un appel à communs demande au moins une ressource."),
            code="no_resource",
            extra={"fields": {"resources": [_("Indiquez au moins une ressource attendue.")]}},
        )
    _require_award_method(aggregation_method)
    challenge = Challenge(
        reference=reference or _next_reference(),
        title=title,
        context=context,
        buyer=buyer,
        chambre=chambre,
        estimated_amount=estimated_amount,
        multi_lot_proposals=multi_lot_proposals,
        single_lot_reason=single_lot_reason,
        personal_data=personal_data,
        exploration_planned=exploration_planned,
        exploration_budget=exploration_budget,
        exploration_end=exploration_end,
        created_by=actor,
        **essential_data_clean(
            {
                "cpv_code": cpv_code,
                "execution_place_kind": execution_place_kind,
                "execution_place_code": execution_place_code,
                "innovative": innovative,
            }
        ),
    )
    if contract_duration_months:
        challenge.contract_duration_months = contract_duration_months
    if aggregation_method:
        challenge.aggregation_method = aggregation_method
    if framing:
        challenge.framing = framing
    if contract_nature:
        challenge.contract_nature = contract_nature
    exploration_settings_check(challenge)
    challenge.full_clean(validate_unique=reference is not None)
    for _attempt in range(5):
        # Two buyers drafting at once may compute the same next reference: take another.
        try:
            with transaction.atomic():
                challenge.save()
            break
        except IntegrityError:
            if reference is not None:
                raise
            challenge.reference = _next_reference()
    else:
        raise WrongState(_("Réessayez : trop d'appels créés au même instant."), code="busy")
    _replace_resources(challenge, resources, lots)
    audit_record(
        verb="challenge.created",
        actor=actor,
        challenge=challenge,
        obj=challenge,
        data={"title": title, "resources": [_resource_title(r) for r in resources]},
    )
    return challenge


def _require_award_method(method: str | None) -> None:
    problems = award_method_problems(method) if method else {}
    if problems:
        raise ApplicationError(
            problems["aggregation_method"][0],
            code="award_method_refused",
            extra={"fields": problems},
        )


def _lots_error(message: str) -> ApplicationError:
    return ApplicationError(
        _("Les lots de l'appel ne sont pas valables."),
        code="invalid_lots",
        extra={"fields": {"lots": [message]}},
    )


def _replace_resources(
    challenge: Challenge, resources: list[dict], lots: list[dict] | None = None
) -> None:
    """Replace the call's resources and lots. ``lots`` are numbered from 1 in the order
    given; each resource names its lot's number (``lot``), and every lot holds at least
    one resource. Without ``lots``, each resource is its own lot, titled after it."""
    challenge.resources.all().delete()
    challenge.lots.all().delete()
    if lots is None:
        lots = [{"title": _resource_title(item)} for item in resources]
        resources = [{**item, "lot": number} for number, item in enumerate(resources, start=1)]
    if not lots:
        raise _lots_error(_("Un appel compte au moins un lot."))
    created = {}
    for number, item in enumerate(lots, start=1):
        lot = Lot(
            challenge=challenge,
            number=number,
            title=(item.get("title") or "").strip() or _("Lot %(n)s") % {"n": number},
            estimated_amount=item.get("estimated_amount"),
            reserved_ess=bool(item.get("reserved_ess", False)),
            reserved_disability=bool(item.get("reserved_disability", False)),
            reserved_insertion=bool(item.get("reserved_insertion", False)),
        )
        validated_save(lot)
        created[number] = lot
    for order, item in enumerate(resources):
        commons = item.get("commons")
        lot = created.get(item.get("lot") or (1 if len(created) == 1 else None))
        if lot is None:
            raise _lots_error(
                _("La ressource « %(title)s » doit nommer le numéro de son lot (1 à %(n)s).")
                % {"title": _resource_title(item), "n": len(created)}
            )
        resource = ChallengeResource(
            challenge=challenge,
            commons=commons,
            title=_resource_title(item),
            description=item.get("description", ""),
            expected_licence=item.get("expected_licence", "")
            or (commons.licence if commons else ""),
            order=order,
            lot=lot,
        )
        validated_save(resource)
    empty = [str(n) for n, lot in created.items() if not lot.resources.exists()]
    if empty:
        raise _lots_error(
            _("Chaque lot demande au moins une ressource ; vide : lot %(numbers)s.")
            % {"numbers": ", ".join(empty)}
        )


def _resource_title(item: dict) -> str:
    commons = item.get("commons")
    return item.get("title") or (commons.name if commons else "")


@transaction.atomic
def challenge_update(*, challenge: Challenge, actor, **fields) -> Challenge:
    """Edit a draft (or a challenge sent back for revision): title, context, resources…

    Among them the fair-pay reference (``fair_rate_min``/``fair_rate_max``, € HT an
    hour, seed 003): positive, the minimum at most the maximum (``Challenge.clean``); and
    the exploration before cofunding (``exploration_planned``, ``exploration_budget`` per
    team within 1,000 € to 3,000 €, ``exploration_end`` after the planned proposals'
    deadline: ``exploration.exploration_settings_check``, seed 003)."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut modifier l'appel.")
    )
    require_status(
        challenge, *EDITABLE, message=_("L'appel ne peut plus être modifié à cette étape.")
    )
    resources = fields.pop("resources", None)
    lots = fields.pop("lots", None)
    if lots is not None and resources is None:
        raise _lots_error(_("Donnez les ressources avec leurs lots."))
    _require_award_method(fields.get("aggregation_method"))
    fields = essential_data_clean(fields)
    for name in (
        "title",
        "context",
        "estimated_amount",
        "aggregation_method",
        "framing",
        "multi_lot_proposals",
        "single_lot_reason",
        "contract_nature",
        "contract_duration_months",
        "personal_data",
        "fair_rate_min",
        "fair_rate_max",
        "exploration_planned",
        "exploration_budget",
        "exploration_end",
        "planned_positioning_deadline",
        "planned_proposal_deadline",
        *ESSENTIAL_DATA_FIELDS,
    ):
        if name in fields:
            setattr(challenge, name, fields[name])
    _require_planned_order(challenge)
    exploration_settings_check(challenge)
    validated_save(challenge)
    if resources is not None:
        if not resources:
            raise ApplicationError(
                _("Un appel à communs demande au moins une ressource."),
                code="no_resource",
                extra={"fields": {"resources": [_("Indiquez au moins une ressource attendue.")]}},
            )
        _replace_resources(challenge, resources, lots)
    audit_record(
        verb="challenge.updated",
        actor=actor,
        challenge=challenge,
        obj=challenge,
        data={k: v for k, v in fields.items() if k != "resources"},
    )
    return challenge


def _require_planned_order(challenge: Challenge) -> None:
    """The planned dates, when both are given, follow the call's order: positions end
    before the proposals' deadline (as ``challenge_publish`` requires of the real ones)."""
    positioning = challenge.planned_positioning_deadline
    proposals = challenge.planned_proposal_deadline
    if positioning is not None and proposals is not None and proposals <= positioning:
        raise ApplicationError(
            _("Les dates prévues ne sont pas dans l'ordre."),
            code="invalid_planned_dates",
            extra={
                "fields": {
                    "planned_proposal_deadline": [
                        _("La date limite des propositions doit suivre la fin des positionnements.")
                    ]
                }
            },
        )


@transaction.atomic
def challenge_submit_for_opinion(
    *, challenge: Challenge, actor, note: str = "", snapshot: dict | None = None
) -> Challenge:
    """The buyer refers its draft (or revised) call to the Chambre des communs;
    ``snapshot`` (the call as referred) is kept on the referral for the revision's diff."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut saisir la Chambre.")
    )
    require_status(challenge, *EDITABLE, message=_("Cet appel n'est pas en cours de rédaction."))
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.IN_REVIEW, actor=actor)
    audit_record(
        verb="challenge.referred_to_chambre", actor=actor, challenge=challenge, data={"note": note}
    )
    referral_open(challenge=challenge, subject=OpinionSubject.CALL, note=note, snapshot=snapshot)
    return challenge


@transaction.atomic
def challenge_revise(
    *,
    challenge: Challenge,
    actor,
    resubmit: bool,
    answers: list[dict] | None = None,
    snapshot: dict | None = None,
) -> Challenge:
    """After an opinion with reservations (or unfavorable), the buyer revises the call,
    then either refers it to the Chambre again or goes on to publication — the
    opinion is advisory. ``answers`` record how each reservation was handled; going on
    to publication needs every reservation answered."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut réviser l'appel.")
    )
    require_status(
        challenge, ChallengeStatus.REVISION, message=_("Aucune révision n'est attendue.")
    )
    reservations_answer_all(
        actor=actor, challenge=challenge, subject=OpinionSubject.CALL, answers=answers or []
    )
    if not resubmit:
        require_reservations_answered(challenge, OpinionSubject.CALL)
    challenge_stage_move(
        challenge=challenge,
        to=ChallengeStatus.IN_REVIEW if resubmit else ChallengeStatus.READY,
        actor=actor,
    )
    audit_record(
        verb="challenge.revised",
        actor=actor,
        challenge=challenge,
        data={"resubmit": resubmit, "answers": answers or []},
    )
    if resubmit:
        referral_open(challenge=challenge, subject=OpinionSubject.CALL, snapshot=snapshot)
    return challenge


@transaction.atomic
def challenge_publish(
    *,
    challenge: Challenge,
    actor,
    positioning_deadline: datetime,
    proposal_deadline: datetime,
    questions_deadline: datetime | None = None,
) -> Challenge:
    """Publish the call: positions open until ``positioning_deadline``, proposals until
    ``proposal_deadline``. Both must lie in the future, in that order (the grid is
    checked by the process, ``workflows.operations.call_publish``). Questions close at
    ``questions_deadline`` if given (future, before the proposal deadline), else at the
    proposal deadline. The lots must be ready (``award_rules.lots_problems``: each
    lot's estimate, their total, the reason for grouping resources). The estimate is
    required and decides the procedure, whose
    offers' window is checked (``award_rules.offer_window_check``: the legal minimum, or
    a MAPA's floor); a MAPA's short window is published with a warning, recorded in the
    audit and left on ``challenge.publication_warnings``."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut publier l'appel.")
    )
    require_status(
        challenge, ChallengeStatus.READY, message=_("L'appel n'est pas prêt à être publié.")
    )
    require_reservations_answered(challenge, OpinionSubject.CALL)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if positioning_deadline <= now:
        errors["positioning_deadline"] = [_("La date de fin des positionnements doit être future.")]
    if proposal_deadline <= positioning_deadline:
        errors["proposal_deadline"] = [
            _("La date limite des propositions doit suivre la fin des positionnements.")
        ]
    if questions_deadline is not None and not now < questions_deadline < proposal_deadline:
        errors["questions_deadline"] = [
            _("La fin des questions doit être future et précéder la date limite des propositions.")
        ]
    warnings: list[str] = []
    errors.update(lots_problems(challenge))
    if challenge.estimated_amount is None:
        errors["estimated_amount"] = [estimate_required()]
    else:
        procedure = procedure_of(challenge, timezone.localdate(now))
        refusals, warnings = offer_window_check(procedure, now, proposal_deadline)
        if refusals:
            errors.setdefault("proposal_deadline", []).extend(refusals)
    if errors.keys() - {"lots", "single_lot_reason", "estimated_amount"}:
        raise ApplicationError(
            _("Les échéances de l'appel ne sont pas valables."),
            code="invalid_deadlines",
            extra={"fields": errors},
        )
    if errors:
        raise ApplicationError(
            _("L'appel ne peut pas être publié : complétez son estimation et ses lots."),
            code="not_publishable",
            extra={"fields": errors},
        )
    exploration = exploration_problems(challenge, proposal_deadline)
    if exploration:
        raise ApplicationError(
            _("L'appel ne peut pas être publié : complétez sa phase d'exploration."),
            code="exploration_incomplete",
            extra={"fields": exploration},
        )
    challenge.positioning_deadline = positioning_deadline
    challenge.proposal_deadline = proposal_deadline
    challenge.questions_deadline = questions_deadline
    challenge.published_at = now
    challenge.full_clean()
    challenge_stage_move(
        challenge=challenge,
        to=ChallengeStatus.POSITIONING,
        actor=actor,
        also=("positioning_deadline", "proposal_deadline", "questions_deadline", "published_at"),
    )
    audit_record(
        verb="challenge.published",
        actor=actor,
        challenge=challenge,
        data={
            "positioning_deadline": positioning_deadline,
            "proposal_deadline": proposal_deadline,
            "questions_deadline": questions_deadline,
            "warnings": warnings,
        },
    )
    notify_challenge_published(challenge)
    challenge.publication_warnings = warnings
    return challenge


@transaction.atomic
def challenge_mark_unsuccessful(*, challenge: Challenge) -> Challenge:
    """No proposal was submitted by the deadline: the call ends without result."""
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.UNSUCCESSFUL)
    audit_record(verb="challenge.unsuccessful", challenge=challenge)
    return challenge


@transaction.atomic
def challenge_cancel(*, challenge: Challenge, actor, reason: str) -> Challenge:
    """Cancel a challenge at any step before award; the reason is published."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut annuler l'appel.")
    )
    if challenge.status not in CANCELLABLE:
        raise WrongState(_("Cet appel ne peut plus être annulé."), code="not_cancellable")
    if not (reason or "").strip():
        raise ApplicationError(
            _("Le motif d'annulation est obligatoire : il est publié."),
            code="reason_required",
            extra={"fields": {"reason": [_("Indiquez le motif de l'annulation.")]}},
        )
    challenge.cancel_reason = reason.strip()
    challenge.cancelled_at = timezone.now()
    challenge_stage_move(
        challenge=challenge,
        to=ChallengeStatus.CANCELLED,
        actor=actor,
        also=("cancel_reason", "cancelled_at"),
    )
    challenge.referrals.filter(status__in=OPEN_REFERRAL).update(
        status=ReferralStatus.CANCELLED, closed_at=challenge.cancelled_at
    )
    audit_record(
        verb="challenge.cancelled", actor=actor, challenge=challenge, data={"reason": reason}
    )
    return challenge
