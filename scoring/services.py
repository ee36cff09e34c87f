"""Writes on grids, evaluator assignments and evaluations."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import ApplicationError, Forbidden, WrongState
from procurement.models import ChallengeStatus, ProposalStatus, Role
from procurement.services.audit import audit_record
from procurement.services.common import require_member, require_status, validated_save
from scoring.aggregation import MJ_GRADES  # best first, stored in French
from scoring.models import (
    COMMONS_KINDS,
    SCALE_MAX,
    Assignment,
    Criterion,
    CriterionKind,
    Evaluation,
    Grid,
    ScaleKind,
    Score,
)

# A grid in the spirit of the Métropole Européenne de Lille's: commons criteria weigh 30 %.
DEFAULT_GRID = [
    {
        "code": "technique",
        "label": "Valeur technique de la proposition",
        "kind": CriterionKind.TECHNICAL,
        "weight": Decimal(35),
    },
    {
        "code": "prix",
        "label": "Prix et soutenabilité du budget",
        "kind": CriterionKind.PRICE,
        "weight": Decimal(20),
    },
    {
        "code": "usage-communs",
        "label": "Usage de communs existants, dont ceux référencés par la Chambre",
        "kind": CriterionKind.COMMONS_USE,
        "weight": Decimal(10),
    },
    {
        "code": "production-communs",
        "label": "Production de communs sous licence ouverte",
        "kind": CriterionKind.COMMONS_PRODUCTION,
        "weight": Decimal(10),
    },
    {
        "code": "gouvernance",
        "label": "Ouverture de la gouvernance et de la communauté",
        "kind": CriterionKind.COMMONS_GOVERNANCE,
        "weight": Decimal(5),
    },
    {
        "code": "reciprocite",
        "label": "Engagement de réciprocité",
        "kind": CriterionKind.COMMONS_RECIPROCITY,
        "weight": Decimal(5),
    },
    {
        "code": "environnement",
        "label": "Caractéristiques environnementales (sobriété numérique)",
        "kind": CriterionKind.ENVIRONMENT,
        "weight": Decimal(15),
    },
]


@transaction.atomic
def grid_set(*, challenge, actor=None, criteria: list[dict]) -> Grid:
    """Replace the challenge's grid while it is not frozen (frozen once proposals open)."""
    if actor is not None:
        require_member(
            actor, challenge.buyer, message=_("Seul un agent de l'acheteur fixe la grille.")
        )
    grid, _created = Grid.objects.select_for_update().get_or_create(challenge=challenge)
    if grid.frozen_at is not None:
        raise WrongState(
            _("La grille est figée depuis l'ouverture des propositions."), code="grid_frozen"
        )
    if not criteria:
        raise ApplicationError(
            _("La grille compte au moins un critère."),
            code="empty_grid",
            extra={"fields": {"criteria": [_("Ajoutez au moins un critère.")]}},
        )
    grid.criteria.all().delete()
    for order, item in enumerate(criteria):
        criterion = Criterion(
            grid=grid,
            code=item["code"],
            label=item["label"],
            description=item.get("description", ""),
            kind=item.get("kind", CriterionKind.OTHER),
            weight=Decimal(item["weight"]),
            scale=item.get("scale", ScaleKind.ZERO_TEN),
            threshold=item.get("threshold"),
            order=order,
        )
        validated_save(criterion)
    audit_record(
        verb="grid.set",
        actor=actor,
        challenge=challenge,
        obj=grid,
        data={"criteria": [{"code": c["code"], "weight": c["weight"]} for c in criteria]},
    )
    return grid


def grid_check(*, challenge) -> None:
    """A grid can be published only if its weights sum to 100 %, its commons criteria
    weigh at least the buyer's minimum share, and one criterion is environmental
    (loi Climat et résilience, in force since 21 August 2026)."""
    grid = Grid.objects.filter(challenge=challenge).first()
    criteria = list(grid.criteria.all()) if grid else []
    problems = []
    if not criteria:
        problems.append(_("La grille de notation est vide."))
    else:
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != Decimal(100):
            problems.append(
                _("Les poids des critères totalisent %(total)s %% au lieu de 100 %%.")
                % {"total": total}
            )
        commons = sum((c.weight for c in criteria if c.kind in COMMONS_KINDS), Decimal(0))
        minimum = challenge.buyer.commons_min_share
        if commons < minimum:
            problems.append(
                _(
                    "Les critères relatifs aux communs pèsent %(commons)s %%, "
                    "moins que le minimum de %(minimum)s %% fixé par l'acheteur."
                )
                % {"commons": commons, "minimum": minimum}
            )
        if not any(c.kind == CriterionKind.ENVIRONMENT for c in criteria):
            problems.append(
                _(
                    "La grille doit compter au moins un critère sur les caractéristiques "
                    "environnementales (loi Climat et résilience)."
                )
            )
    if problems:
        raise ApplicationError(
            " ".join(problems), code="grid_invalid", extra={"fields": {"grid": problems}}
        )


def grid_freeze(*, challenge) -> None:
    Grid.objects.filter(challenge=challenge, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )


@transaction.atomic
def evaluators_assign(*, challenge, actor, evaluator_ids: list[int]) -> list[int]:
    """The buyer names evaluators (members of its organisation with the evaluator role);
    each is assigned every submitted proposal. Returns the evaluators' ids."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur désigne les évaluateurs.")
    )
    require_status(
        challenge, ChallengeStatus.ASSIGNMENT, message=_("La désignation n'est pas ouverte.")
    )
    ids = sorted(set(evaluator_ids or []))
    users = list(
        get_user_model()
        .objects.filter(
            pk__in=ids,
            memberships__organisation=challenge.buyer,
            memberships__role=Role.EVALUATOR,
        )
        .distinct()
    )
    if not ids or len(users) != len(ids):
        raise ApplicationError(
            _("Désignez des évaluateurs habilités par l'acheteur."),
            code="invalid_evaluators",
            extra={
                "fields": {
                    "evaluators": [
                        _("Chaque évaluateur doit avoir le rôle « évaluateur » chez l'acheteur.")
                    ]
                }
            },
        )
    proposals = list(challenge.proposals.filter(status=ProposalStatus.SUBMITTED))
    Assignment.objects.bulk_create(
        [Assignment(proposal=p, evaluator=u) for p in proposals for u in users],
        ignore_conflicts=True,
    )
    challenge.status = ChallengeStatus.SCORING
    challenge.save(update_fields=["status", "updated_at"])
    audit_record(
        verb="evaluators.assigned", actor=actor, challenge=challenge, data={"evaluators": ids}
    )
    return ids


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


def _check_value(criterion: Criterion, raw) -> str:
    if criterion.scale == ScaleKind.MAJORITY:
        if raw not in MJ_GRADES:
            raise ValueError(
                _("Mention attendue parmi : %(grades)s.") % {"grades": ", ".join(MJ_GRADES)}
            )
        return raw
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Note numérique attendue.")) from None
    maximum = SCALE_MAX[criterion.scale]
    if not value.is_finite() or value < 0 or value > maximum:
        raise ValueError(_("La note doit être comprise entre 0 et %(max)s.") % {"max": maximum})
    return str(int(value)) if value == value.to_integral_value() else str(value)


def _is_extreme(criterion: Criterion, value: str) -> bool:
    if criterion.scale == ScaleKind.MAJORITY:
        return value in (MJ_GRADES[0], MJ_GRADES[-1])
    return Decimal(value) in (Decimal(0), Decimal(SCALE_MAX[criterion.scale]))


@transaction.atomic
def conflict_declare(
    *, actor, assignment: Assignment, conflict: bool, note: str = ""
) -> Assignment:
    """Before seeing a proposal, the evaluator declares a conflict of interest or none.
    A declared conflict voids the assignment; the buyer must reassign."""
    if assignment.evaluator_id != actor.pk:
        raise Forbidden(_("Cette désignation ne vous concerne pas."), code="not_allowed")
    if assignment.conflict is not None:
        raise WrongState(_("La déclaration d'intérêts a déjà été faite."), code="already_declared")
    assignment.conflict = conflict
    assignment.conflict_note = note
    assignment.save(update_fields=["conflict", "conflict_note"])
    audit_record(
        verb="evaluation.conflict_declared",
        actor=actor,
        challenge=assignment.proposal.challenge,
        obj=assignment,
        data={"proposal": assignment.proposal_id, "conflict": conflict},
    )
    return assignment


@transaction.atomic
def evaluation_submit(
    *,
    actor,
    assignment: Assignment,
    scores: dict[str, object],
    comments: dict[str, str] | None = None,
    comment: str = "",
) -> Evaluation:
    """Submit one evaluator's scores on one proposal (every criterion, on its scale).

    A comment is required for the lowest and highest grades. Submitted scores are final
    for the round."""
    challenge = assignment.proposal.challenge
    if assignment.evaluator_id != actor.pk:
        raise Forbidden(_("Cette évaluation ne vous est pas confiée."), code="not_allowed")
    require_status(challenge, ChallengeStatus.SCORING, message=_("L'évaluation n'est pas ouverte."))
    if assignment.conflict is None:
        raise WrongState(
            _("Déclarez d'abord l'absence de conflit d'intérêts."), code="declare_first"
        )
    if assignment.conflict:
        raise WrongState(
            _("Vous avez déclaré un conflit d'intérêts sur cette proposition."),
            code="conflict_declared",
        )
    evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
        assignment=assignment, round=1
    )
    if evaluation.submitted_at is not None:
        raise WrongState(_("Cette évaluation a déjà été soumise."), code="already_submitted")
    comments = comments or {}
    criteria = list(Criterion.objects.filter(grid__challenge=challenge))
    errors: dict[str, list[str]] = {}
    clean = {}
    for criterion in criteria:
        if criterion.code not in scores:
            errors[criterion.code] = [_("Note manquante.")]
            continue
        try:
            clean[criterion.code] = _check_value(criterion, scores[criterion.code])
        except ValueError as exc:
            errors[criterion.code] = [str(exc)]
            continue
        if (
            _is_extreme(criterion, clean[criterion.code])
            and not comments.get(criterion.code, "").strip()
        ):
            errors[criterion.code] = [
                _("Un commentaire est requis pour la note la plus basse ou la plus haute.")
            ]
    unknown = set(scores) - {c.code for c in criteria}
    for code in unknown:
        errors[code] = [_("Critère inconnu.")]
    if errors:
        raise ApplicationError(
            _("Certaines notes ne sont pas valables."),
            code="invalid_scores",
            extra={"fields": {"scores": errors}},
        )
    Score.objects.bulk_create(
        [
            Score(
                evaluation=evaluation,
                criterion=c,
                value=clean[c.code],
                comment=comments.get(c.code, ""),
            )
            for c in criteria
        ]
    )
    evaluation.comment = comment
    evaluation.submitted_at = timezone.now()
    evaluation.save(update_fields=["comment", "submitted_at"])
    audit_record(
        verb="evaluation.submitted",
        actor=actor,
        challenge=challenge,
        obj=evaluation,
        data={"proposal": assignment.proposal_id, "scores": clean},
    )
    return evaluation


@transaction.atomic
def scoring_submit_all(*, actor, challenge, evaluations: list[dict]) -> list[Evaluation]:
    """An evaluator's scoring task: declare interests and score every assigned proposal.

    Each item: ``{"proposal": id, "conflict": bool, "scores": {code: value},
    "comments": {code: text}, "comment": text}``. The task is complete when every
    assignment without a conflict has a submitted evaluation."""
    assignments = {
        a.proposal_id: a
        for a in Assignment.objects.select_for_update()
        .filter(evaluator=actor, proposal__challenge=challenge)
        .select_related("proposal__challenge")
    }
    results = []
    for item in evaluations:
        assignment = assignments.get(item.get("proposal"))
        if assignment is None:
            raise ApplicationError(
                _("Cette proposition ne vous est pas confiée."),
                code="not_assigned",
                extra={
                    "fields": {
                        "evaluations": [
                            _("Proposition %(id)s inconnue.") % {"id": item.get("proposal")}
                        ]
                    }
                },
            )
        if assignment.conflict is None:
            conflict_declare(
                actor=actor,
                assignment=assignment,
                conflict=bool(item.get("conflict")),
                note=item.get("conflict_note", ""),
            )
        if not assignment.conflict:
            results.append(
                evaluation_submit(
                    actor=actor,
                    assignment=assignment,
                    scores=item.get("scores") or {},
                    comments=item.get("comments") or {},
                    comment=item.get("comment", ""),
                )
            )
    missing = [
        pid
        for pid, a in assignments.items()
        if not a.conflict
        and not Evaluation.objects.filter(assignment=a, submitted_at__isnull=False).exists()
    ]
    if missing:
        raise ApplicationError(
            _("Toutes les propositions confiées doivent être évaluées."),
            code="scoring_incomplete",
            extra={
                "fields": {
                    "evaluations": [_("Propositions à évaluer : %(ids)s.") % {"ids": missing}]
                }
            },
        )
    return results


@transaction.atomic
def scoring_close(*, challenge) -> None:
    """After every evaluator's task: the buyer selects."""
    challenge.status = ChallengeStatus.SELECTION
    challenge.save(update_fields=["status", "updated_at"])
    audit_record(
        verb="scoring.closed",
        challenge=challenge,
        data={
            "weights": str(
                Criterion.objects.filter(grid__challenge=challenge).aggregate(s=Sum("weight"))["s"]
            )
        },
    )
