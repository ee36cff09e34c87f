"""Writes on evaluations: declarations of interest, scores, rounds, closing."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import require_status, validated_save
from procurement.models import Challenge, ChallengeStatus
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import notify_evaluations_done
from procurement.services.stages import challenge_stage_move
from scoring.aggregation import MJ_GRADES  # best first, stored in French
from scoring.models import (
    SCALE_MAX,
    Assignment,
    Criterion,
    Evaluation,
    ScaleKind,
    Score,
    ScoringRound,
)
from scoring.queries import current_round

# Evaluations are taken while the evaluators score and until the buyer has selected:
# a reassigned evaluator or a new round may come after the scoring tasks are done.
from scoring.services.grids import EVALUATION_OPEN
from scoring.services.rankings import RANKED_STAGES, ranking_store


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


def _score_problems(
    every: list[Criterion], scores: dict, comments: dict, *, partial: bool = False
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(errors by criterion code, clean values) for one proposal's marks: every criterion
    marked on its scale but the price (R2152-7: marked by the published formula, never
    by an evaluator), a comment for the lowest and highest marks. ``partial`` (a draft):
    blank marks are allowed and the comment rule waits for the submission."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for criterion in every:
        if criterion.by_formula:
            if criterion.code in scores and not (partial and scores[criterion.code] in ("", None)):
                errors[criterion.code] = [
                    _("Le prix est noté par la formule publiée, pas par les évaluateurs.")
                ]
            continue
        raw = scores.get(criterion.code)
        if raw in (None, ""):
            if not partial:
                errors[criterion.code] = [_("Note manquante.")]
            continue
        try:
            clean[criterion.code] = _check_value(criterion, raw)
        except ValueError as exc:
            errors[criterion.code] = [str(exc)]
            continue
        if (
            not partial
            and _is_extreme(criterion, clean[criterion.code])
            and not comments.get(criterion.code, "").strip()
        ):
            errors[criterion.code] = [
                _("Un commentaire est requis pour la note la plus basse ou la plus haute.")
            ]
    for code in set(scores) - {c.code for c in every}:
        errors[code] = [_("Critère inconnu.")]
    return errors, clean


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


def _open_evaluation(actor, assignment: Assignment) -> Evaluation:
    """The evaluation of the current round ``actor`` may still write on ``assignment``
    (locked): its evaluator (403), scoring or selection under way (409), the declaration
    made without a conflict (409), not submitted yet (409)."""
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
    return evaluation


def _own_assignments(actor, challenge) -> dict[int, Assignment]:
    return {
        a.proposal_id: a
        for a in Assignment.objects.select_for_update()
        .filter(evaluator=actor, proposal__challenge=challenge)
        .select_related("proposal__challenge")
    }


def _by_proposal(errors: dict[int, dict[str, list[str]]]) -> ApplicationError:
    """One refusal naming each proposal and criterion in fault:
    ``fields = {"proposals": {<proposal id>: {"scores": {<code>: [why]}}}}``."""
    return ApplicationError(
        _("Certaines notes ne sont pas valables."),
        code="invalid_scores",
        extra={
            "fields": {
                "proposals": {str(pid): {"scores": problems} for pid, problems in errors.items()}
            }
        },
    )


@transaction.atomic
def scoring_draft_save(*, actor, challenge, evaluations: list[dict]) -> list[Evaluation]:
    """The evaluator's scoring page, saved as a draft: the marks given so far are kept
    on each assigned proposal's evaluation of the current round, which stays unsubmitted
    — no one else reads it, the ranking does not count it (``counted_evaluations``), and
    the task stays open. Blank marks are allowed; a mark off its criterion's scale is
    refused, named by proposal and criterion. Each item as in ``scoring_submit_all``.
    Audited as ``evaluation.draft_saved`` without the marks (they stay blind)."""
    assignments = _own_assignments(actor, challenge)
    every = list(Criterion.objects.filter(grid__challenge=challenge))
    errors: dict[int, dict[str, list[str]]] = {}
    saved = []
    for item in evaluations:
        assignment = assignments.get(item.get("proposal"))
        if assignment is None:
            raise Forbidden(_("Cette proposition ne vous est pas confiée."), code="not_assigned")
        evaluation = _open_evaluation(actor, assignment)
        comments = item.get("comments") or {}
        problems, clean = _score_problems(every, item.get("scores") or {}, comments, partial=True)
        if problems:
            errors[assignment.proposal_id] = problems
            continue
        evaluation.scores.all().delete()
        Score.objects.bulk_create(
            [
                Score(
                    evaluation=evaluation,
                    criterion=c,
                    value=clean[c.code],
                    comment=comments.get(c.code, ""),
                )
                for c in every
                if c.code in clean
            ]
        )
        evaluation.comment = item.get("comment", "")
        evaluation.save(update_fields=["comment"])
        saved.append(evaluation)
    if errors:
        raise _by_proposal(errors)
    audit_record(
        verb="evaluation.draft_saved",
        actor=actor,
        challenge=challenge,
        data={"proposals": [e.assignment.proposal_id for e in saved]},
    )
    return saved


def scoring_check(*, challenge, evaluations: list[dict]) -> None:
    """Before the irrevocable submission, the marks as ``evaluation_submit`` will check
    them (scale, every criterion but the price, comments on extreme marks), for every
    proposal at once; raises one refusal naming each proposal and criterion. Writes
    nothing."""
    every = list(Criterion.objects.filter(grid__challenge=challenge))
    errors = {}
    for item in evaluations:
        if item.get("conflict"):
            continue
        problems, _clean = _score_problems(
            every, item.get("scores") or {}, item.get("comments") or {}
        )
        if problems:
            errors[item["proposal"]] = problems
    if errors:
        raise _by_proposal(errors)


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
    evaluation = _open_evaluation(actor, assignment)
    comments = comments or {}
    every = list(Criterion.objects.filter(grid__challenge=challenge))
    criteria = [c for c in every if not c.by_formula]
    errors, clean = _score_problems(every, scores, comments)
    if errors:
        raise ApplicationError(
            _("Certaines notes ne sont pas valables."),
            code="invalid_scores",
            extra={"fields": {"scores": errors}, "proposal": assignment.proposal_id},
        )
    # the draft's marks, if any, give way to the submitted ones
    evaluation.scores.all().delete()
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
    if challenge.status in RANKED_STAGES:
        # Past the close (a reassigned evaluator, a new round): the stored ranking moves.
        ranking_store(challenge=challenge, cause="evaluation.submitted")
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
    """After every evaluator's task: the buyer selects, and is told so. The ranking is
    computed once and stored (``ranking_store``): the ranking endpoint, its exports and
    the selection page read that copy."""
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.SELECTION)
    notify_evaluations_done(challenge, current_round(challenge))
    audit_record(
        verb="scoring.closed",
        challenge=challenge,
        data={
            "weights": str(
                Criterion.objects.filter(grid__challenge=challenge).aggregate(s=Sum("weight"))["s"]
            )
        },
    )
    ranking_store(challenge=challenge, cause="scoring.closed")
