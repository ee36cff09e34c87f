"""Writes on evaluators' assignments: naming them, per proposal, and reassigning."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, NotFound
from kernel.guards import require_status, validated_save
from procurement.models import Challenge, ChallengeStatus, Facilitation, ProposalStatus, Role
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.stages import challenge_stage_move
from scoring.models import (
    Assignment,
)
from scoring.services.grids import EVALUATION_OPEN


# Evaluations are taken while the evaluators score and until the buyer has selected:
# a reassigned evaluator or a new round may come after the scoring tasks are done.
def _buyer_evaluators(challenge, ids) -> set[int]:
    """Those of ``ids`` who are evaluators of the challenge's buyer."""
    return set(
        get_user_model()
        .objects.filter(
            pk__in=ids,
            memberships__organisation=challenge.buyer,
            memberships__role=Role.EVALUATOR,
        )
        .values_list("pk", flat=True)
    )


def _invalid_evaluators(field: str):
    return ApplicationError(
        _("Désignez des évaluateurs habilités par l'acheteur."),
        code="invalid_evaluators",
        extra={
            "fields": {
                field: [_("Chaque évaluateur doit avoir le rôle « évaluateur » chez l'acheteur.")]
            }
        },
    )


def _require_not_facilitator(challenge, ids, field: str) -> None:
    """The call's facilitator (``procurement.models.Facilitation``) stays neutral: it
    helps every working group shape its proposal, so it scores none of them."""
    facilitation = Facilitation.objects.filter(
        challenge=challenge, conflict_at__isnull=True, facilitator_id__in=ids
    ).first()
    if facilitation is not None:
        message = _(
            "L'animateur de l'appel doit rester neutre : il ne peut pas évaluer ses propositions."
        )
        raise ApplicationError(
            message, code="evaluator_is_facilitator", extra={"fields": {field: [message]}}
        )


def _assignment_plan(assignments: list[dict], proposal_ids: set[int]) -> dict[int, set[int]]:
    """``[{"proposal", "evaluators"}]`` as proposal → evaluators; every submitted
    proposal of the challenge, and only those, with at least one evaluator."""
    plan: dict[int, set[int]] = {}
    errors: dict[str, list[str]] = {}
    for item in assignments:
        proposal = item.get("proposal")
        if proposal not in proposal_ids:
            errors[str(proposal)] = [_("Proposition inconnue dans cet appel.")]
            continue
        plan.setdefault(proposal, set()).update(item.get("evaluators") or [])
    for proposal in sorted(proposal_ids):
        if not plan.get(proposal):
            errors[str(proposal)] = [_("Désignez au moins un évaluateur sur cette proposition.")]
    if errors:
        raise ApplicationError(
            _("Chaque proposition déposée doit avoir au moins un évaluateur."),
            code="invalid_assignments",
            extra={"fields": {"assignments": errors}},
        )
    return plan


@transaction.atomic
def evaluators_assign(
    *,
    challenge,
    actor,
    evaluator_ids: list[int] | None = None,
    assignments: list[dict] | None = None,
) -> list[int]:
    """The buyer names the evaluators, members of its organisation with the evaluator
    role, in one of two ways: ``evaluator_ids``, each assigned every submitted
    proposal; or ``assignments`` (``[{"proposal": id, "evaluators": [ids]}]``), which
    must name at least one evaluator on every submitted proposal.

    Moves the challenge to scoring; the engine then opens one scoring task per named
    evaluator. Returns the evaluators' ids."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur désigne les évaluateurs.")
    )
    require_status(
        challenge, ChallengeStatus.ASSIGNMENT, message=_("La désignation n'est pas ouverte.")
    )
    if (evaluator_ids is None) == (assignments is None):
        raise ApplicationError(
            _("Désignez les évaluateurs pour toutes les propositions ou une à une."),
            code="invalid_assignments",
            extra={
                "fields": {"evaluators": [_("Donnez soit « evaluators », soit « assignments ».")]}
            },
        )
    proposal_ids = set(
        challenge.proposals.filter(status=ProposalStatus.SUBMITTED).values_list("pk", flat=True)
    )
    if assignments is not None:
        field = "assignments"
        plan = _assignment_plan(assignments, proposal_ids)
        ids = sorted(set().union(*plan.values()))
    else:
        field = "evaluators"
        ids = sorted(set(evaluator_ids or []))
        plan = {proposal: set(ids) for proposal in proposal_ids}
    if not ids or _buyer_evaluators(challenge, ids) != set(ids):
        raise _invalid_evaluators(field)
    _require_not_facilitator(challenge, ids, field)
    Assignment.objects.bulk_create(
        [
            Assignment(proposal_id=proposal, evaluator_id=evaluator)
            for proposal, evaluators in sorted(plan.items())
            for evaluator in sorted(evaluators)
        ],
        ignore_conflicts=True,
    )
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.SCORING, actor=actor)
    data: dict = {"evaluators": ids}
    if assignments is not None:
        data["assignments"] = {str(p): sorted(e) for p, e in sorted(plan.items())}
    audit_record(verb="evaluators.assigned", actor=actor, challenge=challenge, data=data)
    return ids


@transaction.atomic
def assignment_add(*, challenge, proposal_id: int, evaluator_id: int, actor) -> Assignment:
    """The buyer adds an evaluator to a proposal while scoring is open, typically to
    replace one who declared a conflict of interest.

    The new assignment replaces the proposal's oldest conflicted assignment not yet
    replaced (if any). The evaluator declares its interests, then scores through the
    evaluations endpoint: the engine's scoring tasks were opened at the split and the
    join waits on them only. Preconditions: the actor is on the buyer's staff (403),
    scoring or selection under way (409), a submitted proposal of the challenge (404),
    an evaluator of the buyer not yet assigned to it (400). Audited as
    ``evaluation.reassigned``."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur désigne les évaluateurs.")
    )
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    require_status(challenge, *EVALUATION_OPEN, message=_("L'évaluation n'est pas ouverte."))
    proposal = challenge.proposals.filter(pk=proposal_id, status=ProposalStatus.SUBMITTED).first()
    if proposal is None:
        raise NotFound(_("Proposition introuvable."), code="proposal_not_found")
    if not _buyer_evaluators(challenge, [evaluator_id]):
        raise _invalid_evaluators("evaluator")
    _require_not_facilitator(challenge, [evaluator_id], "evaluator")
    if Assignment.objects.filter(proposal=proposal, evaluator_id=evaluator_id).exists():
        raise ApplicationError(
            _("Cet évaluateur est déjà désigné sur cette proposition."),
            code="already_assigned",
            extra={
                "fields": {
                    "evaluator": [_("Choisissez un évaluateur qui n'y est pas encore désigné.")]
                }
            },
        )
    # The challenge row is locked: concurrent reassignments take their turn.
    voided = (
        Assignment.objects.filter(proposal=proposal, conflict=True)
        .exclude(Exists(Assignment.objects.filter(replaces=OuterRef("pk"))))
        .order_by("declared_at", "id")
        .first()
    )
    assignment = Assignment(proposal=proposal, evaluator_id=evaluator_id, replaces=voided)
    validated_save(assignment)
    audit_record(
        verb="evaluation.reassigned",
        actor=actor,
        challenge=challenge,
        obj=assignment,
        data={
            "proposal": proposal.pk,
            "evaluator": evaluator_id,
            "replaces": voided.pk if voided else None,
        },
    )
    return assignment


def evaluator_task_data(*, challenge) -> list[dict]:
    """One scoring task per evaluator with an assignment on the challenge."""
    ids = (
        Assignment.objects.filter(proposal__challenge=challenge)
        .values_list("evaluator_id", flat=True)
        .distinct()
        .order_by("evaluator_id")
    )
    return [{"evaluator": pk} for pk in ids]


def evaluator_for_task(*, data: dict):
    return get_user_model().objects.get(pk=data["evaluator"])
