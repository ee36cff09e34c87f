"""The rapport d'analyse des offres' context: each lot's ranking with every evaluator's
marks, the conflicts of interest declared and the eliminations."""

from decimal import Decimal

from procurement.documents import context as ctx
from procurement.models import Challenge, Proposal, WorkingGroupMember
from scoring import aggregation as agg
from scoring.models import Assignment
from scoring.ranking import METHOD_DESCRIPTIONS, compute_rankings


def ranking_context(challenge: Challenge, base: ctx.ChallengeContext) -> ctx.RankingContext:
    """The rapport d'analyse des offres' context: the ranking of each lot with each
    evaluator's marks, the declared conflicts of interest and the eliminations."""
    rankings = compute_rankings(challenge)
    proposals = {
        p.pk: p for p in Proposal.objects.filter(challenge=challenge).select_related("group")
    }
    members: dict[int, list[str]] = {}
    for member in WorkingGroupMember.objects.filter(
        group__resource__challenge=challenge
    ).select_related("organisation"):
        members.setdefault(member.group_id, []).append(member.organisation.name)
    entries = [(item.lot, entry) for item in rankings for entry in item.ranking.entries]
    evaluators = sorted(
        {ev for _lot, e in entries for c in e.criteria for ev, _mark in c.evaluator_marks}
    )
    rows = []
    for lot, entry in entries:
        proposal = proposals[entry.proposal_id]
        rows.append(
            ctx.RankingRow(
                lot=lot.number,
                rank=entry.rank,
                proposal=proposal.title,
                members=tuple(members.get(proposal.group_id, ())),
                total=entry.total,
                selected=proposal.status in ("selected", "awarded"),
                results=tuple(
                    ctx.CriterionResult(
                        criterion_code=c.code,
                        marks=tuple(
                            ctx.EvaluatorMark(
                                evaluator=ev,
                                mark=v if isinstance(v, Decimal) else agg.grade_value(v),
                            )
                            for ev, v in c.evaluator_marks
                        ),
                        score=c.aggregated,
                        weighted_score=c.contribution,
                    )
                    for c in entry.criteria
                ),
            )
        )
    conflicts = tuple(
        ctx.ConflictLine(
            evaluator=a.evaluator.username,
            proposal=a.proposal.title,
            nature=a.conflict_note or "Conflit d'intérêts déclaré",
        )
        for a in Assignment.objects.filter(proposal__challenge=challenge, conflict=True)
        .select_related("evaluator", "proposal")
        .order_by("proposal_id", "evaluator_id")
    )
    eliminated = {e.proposal_id: e for _lot, e in entries if e.eliminated}
    eliminations = tuple(
        ctx.EliminationLine(
            proposal=proposals[e.proposal_id].title, reason="; ".join(e.elimination_reasons)
        )
        for e in eliminated.values()
    )
    label, description = METHOD_DESCRIPTIONS[challenge.aggregation_method]
    return ctx.RankingContext(
        challenge=base,
        method_label=label,
        method_description=description,
        evaluators=tuple(evaluators),
        rows=tuple(rows),
        selection_justification=challenge.selection_justification,
        conflicts=conflicts,
        eliminations=eliminations,
    )
