"""Writes on grids, evaluator assignments and evaluations."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import ApplicationError, Forbidden, NotFound, WrongState
from procurement.models import Challenge, ChallengeStatus, ProposalStatus, Role
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
    ScoringRound,
)
from scoring.queries import current_round

# Evaluations are taken while the evaluators score and until the buyer has selected:
# a reassigned evaluator or a new round may come after the scoring tasks are done.
EVALUATION_OPEN = (ChallengeStatus.SCORING, ChallengeStatus.SELECTION)

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


def _levels(criterion: Criterion, raw: list[dict]) -> list[dict]:
    """The descriptions of the scale's levels, checked and in the scale's order (numeric
    levels from 0 up, mentions from the best). Raises ``ValueError`` with the reason."""
    seen: dict[str, str] = {}
    for item in raw or []:
        level = str(item.get("level", "")).strip()
        description = str(item.get("description", "")).strip()
        if criterion.scale == ScaleKind.MAJORITY:
            if level not in MJ_GRADES:
                raise ValueError(
                    _("Niveau attendu parmi les mentions : %(grades)s.")
                    % {"grades": ", ".join(MJ_GRADES)}
                )
        else:
            maximum = SCALE_MAX[criterion.scale]
            if not re.fullmatch(r"[0-9]{1,3}", level) or int(level) > maximum:
                raise ValueError(_("Niveau entier attendu, de 0 à %(max)s.") % {"max": maximum})
            level = str(int(level))
        if not description:
            raise ValueError(_("Décrivez le niveau %(level)s.") % {"level": level})
        if level in seen:
            raise ValueError(_("Le niveau %(level)s est décrit deux fois.") % {"level": level})
        seen[level] = description
    if criterion.scale == ScaleKind.MAJORITY:
        order = sorted(seen, key=MJ_GRADES.index)
    else:
        order = sorted(seen, key=int)
    return [{"level": level, "description": seen[level]} for level in order]


def _grid_replace(*, challenge, criteria: list[dict]) -> Grid:
    """Replace the criteria of the challenge's grid, unless it is frozen."""
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
    level_errors: dict[str, dict] = {}
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
        if criterion.scale in ScaleKind.values:
            try:
                criterion.levels = _levels(criterion, item.get("levels") or [])
            except ValueError as exc:
                level_errors[criterion.code] = {"levels": [str(exc)]}
                continue
        validated_save(criterion)
    if level_errors:
        raise ApplicationError(
            _("Certains niveaux d'échelle ne sont pas valables."),
            code="invalid_levels",
            extra={"fields": {"criteria": level_errors}},
        )
    return grid


@transaction.atomic
def grid_set(*, challenge, actor=None, criteria: list[dict]) -> Grid:
    """Replace the challenge's grid while it is not frozen (frozen once proposals open).

    Each criterion may describe the levels of its scale (``levels``: ``[{"level",
    "description"}]``), a numeric level or a mention of the criterion's scale."""
    if actor is not None:
        require_member(
            actor, challenge.buyer, message=_("Seul un agent de l'acheteur fixe la grille.")
        )
    grid = _grid_replace(challenge=challenge, criteria=criteria)
    audit_record(
        verb="grid.set",
        actor=actor,
        challenge=challenge,
        obj=grid,
        data={"criteria": [{"code": c["code"], "weight": c["weight"]} for c in criteria]},
    )
    return grid


def _criterion_data(criterion: Criterion) -> dict:
    return {
        "code": criterion.code,
        "label": criterion.label,
        "description": criterion.description,
        "kind": criterion.kind,
        "weight": criterion.weight,
        "scale": criterion.scale,
        "threshold": criterion.threshold,
        "levels": criterion.levels,
    }


@transaction.atomic
def grid_copy(*, challenge, source, actor) -> Grid:
    """Copy onto ``challenge`` the grid of ``source``, another challenge of the same
    buyer: criteria, weights, scales, thresholds and level descriptions.

    Preconditions: the actor is on the buyer's staff (403); ``source`` is another
    challenge of the same buyer with a grid (400) — that the actor may see it is
    checked when it is fetched (``access_challenge``, 404); the target grid is not
    frozen (409). Replaces the target's criteria; audited as ``grid.copied``."""
    require_member(actor, challenge.buyer, message=_("Seul un agent de l'acheteur fixe la grille."))
    if source.pk == challenge.pk or source.buyer_id != challenge.buyer_id:
        raise ApplicationError(
            _("La grille doit venir d'un autre appel du même acheteur."),
            code="invalid_source",
            extra={"fields": {"source": [_("Choisissez un autre appel de votre organisation.")]}},
        )
    criteria = [_criterion_data(c) for c in Criterion.objects.filter(grid__challenge=source)]
    if not criteria:
        raise ApplicationError(
            _("L'appel choisi n'a pas de grille de notation."),
            code="empty_grid",
            extra={"fields": {"source": [_("Cet appel n'a aucun critère.")]}},
        )
    grid = _grid_replace(challenge=challenge, criteria=criteria)
    audit_record(
        verb="grid.copied",
        actor=actor,
        challenge=challenge,
        obj=grid,
        data={
            "source": source.pk,
            "criteria": [{"code": c["code"], "weight": c["weight"]} for c in criteria],
        },
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
    Assignment.objects.bulk_create(
        [
            Assignment(proposal_id=proposal, evaluator_id=evaluator)
            for proposal, evaluators in sorted(plan.items())
            for evaluator in sorted(evaluators)
        ],
        ignore_conflicts=True,
    )
    challenge.status = ChallengeStatus.SCORING
    challenge.save(update_fields=["status", "updated_at"])
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
    """Before reading a proposal, the evaluator declares a conflict of interest or none;
    it reads the proposal only after declaring none.

    A declared conflict voids the assignment: the buyer is to reassign the proposal
    (``assignments/?needs_reassignment=true``). Declared once (409 after); by the
    assigned evaluator only (403); while scoring or selection is under way (409).
    Audited as ``evaluation.conflict_declared``. Updates ``assignment`` in place."""
    if assignment.evaluator_id != actor.pk:
        raise Forbidden(_("Cette désignation ne vous concerne pas."), code="not_allowed")
    challenge = assignment.proposal.challenge
    require_status(challenge, *EVALUATION_OPEN, message=_("L'évaluation n'est pas ouverte."))
    declared = (
        Assignment.objects.select_for_update()
        .filter(pk=assignment.pk)
        .values_list("conflict", flat=True)
        .get()
    )
    if declared is not None:
        raise WrongState(_("La déclaration d'intérêts a déjà été faite."), code="already_declared")
    assignment.conflict = conflict
    assignment.conflict_note = note
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["conflict", "conflict_note", "declared_at"])
    audit_record(
        verb="evaluation.conflict_declared",
        actor=actor,
        challenge=challenge,
        obj=assignment,
        data={
            "proposal": assignment.proposal_id,
            "conflict": conflict,
            "needs_reassignment": conflict,
        },
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
    """Submit one evaluator's scores on one proposal (every criterion, on its scale), in
    the challenge's current scoring round.

    A comment is required for the lowest and highest grades. Submitted scores are final
    for the round; those of earlier rounds stay. Preconditions: the assigned evaluator
    (403), scoring or selection under way (409), no conflict declared, and the
    declaration made (409)."""
    challenge = assignment.proposal.challenge
    if assignment.evaluator_id != actor.pk:
        raise Forbidden(_("Cette évaluation ne vous est pas confiée."), code="not_allowed")
    require_status(challenge, *EVALUATION_OPEN, message=_("L'évaluation n'est pas ouverte."))
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
        assignment=assignment, round=current_round(challenge)
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
        data={"proposal": assignment.proposal_id, "round": evaluation.round, "scores": clean},
    )
    return evaluation


@transaction.atomic
def evaluation_record(
    *,
    actor,
    assignment: Assignment,
    conflict: bool | None = None,
    conflict_note: str = "",
    scores: dict[str, object] | None = None,
    comments: dict[str, str] | None = None,
    comment: str = "",
) -> Evaluation | None:
    """One evaluator's answer on one proposal outside its scoring task (a reassigned
    evaluator, a new round): the declaration of interests if ``conflict`` is given and
    not made yet, then, without a conflict, the scores of the current round.

    All or nothing: a declaration is not kept if the scores are refused. Returns the
    evaluation, or ``None`` when a conflict is declared. A declaration that contradicts
    the one made is refused (409)."""
    if conflict is not None:
        if assignment.conflict is None:
            conflict_declare(
                actor=actor, assignment=assignment, conflict=conflict, note=conflict_note
            )
        elif assignment.conflict != conflict:
            raise WrongState(
                _("La déclaration d'intérêts a déjà été faite."), code="already_declared"
            )
        if conflict:
            return None
    return evaluation_submit(
        actor=actor,
        assignment=assignment,
        scores=scores or {},
        comments=comments,
        comment=comment,
    )


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
def scoring_round_open(*, challenge, actor, reason: str) -> ScoringRound:
    """The buyer opens a new scoring round, after a deliberation for instance.

    Evaluators then submit round N+1 through the evaluations endpoint; the evaluations
    of earlier rounds stay, in the database with their round and in the audit trail,
    and the ranking takes each assignment's latest submitted round. Preconditions: the
    actor is on the buyer's staff (403); the challenge in scoring or selection (409);
    at least one evaluation submitted in the current round (409); a reason (400).
    Audited as ``scoring.round_opened``."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur ouvre un tour de notation.")
    )
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    require_status(
        challenge, *EVALUATION_OPEN, message=_("Un nouveau tour s'ouvre pendant l'évaluation.")
    )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Motivez l'ouverture d'un nouveau tour."),
            code="reason_required",
            extra={"fields": {"reason": [_("Ce champ est obligatoire.")]}},
        )
    number = current_round(challenge)
    if not Evaluation.objects.filter(
        assignment__proposal__challenge=challenge, round=number, submitted_at__isnull=False
    ).exists():
        raise WrongState(
            _("Aucune évaluation n'a encore été soumise dans le tour %(round)s.")
            % {"round": number},
            code="round_not_scored",
        )
    scoring_round = ScoringRound(
        challenge=challenge, number=number + 1, reason=reason, opened_by=actor
    )
    validated_save(scoring_round)
    audit_record(
        verb="scoring.round_opened",
        actor=actor,
        challenge=challenge,
        obj=scoring_round,
        data={"round": scoring_round.number, "reason": reason},
    )
    return scoring_round


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
