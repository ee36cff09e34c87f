"""The ranking of a challenge's proposals: the grid and the submitted marks read from
the database, aggregated by the pure functions of ``scoring.aggregation``."""

from decimal import Decimal

from procurement.documents import context as ctx
from procurement.models import Proposal, WorkingGroupMember
from scoring import aggregation as agg
from scoring.models import SCALE_MAX, Assignment, Criterion, CriterionKind, ScaleKind, Score

METHOD_DESCRIPTIONS = {
    "weighted_mean": (
        "Moyenne pondérée",
        "Pour chaque critère, la moyenne des notes des évaluateurs, rapportée à la note "
        "maximale du critère, est multipliée par le poids publié du critère ; la note "
        "finale est la somme de ces contributions, sur 100.",
    ),
    "median_weighted": (
        "Médiane par critère puis pondération",
        "Pour chaque critère, la médiane des notes des évaluateurs, rapportée à la note "
        "maximale du critère, est multipliée par le poids publié du critère ; la note "
        "finale est la somme de ces contributions, sur 100.",
    ),
    "majority_judgment": (
        "Jugement majoritaire",
        "Chaque proposition reçoit la mention majoritaire de ses évaluations, chaque "
        "critère comptant selon son poids publié ; les ex aequo sont départagés en "
        "retirant une à une les mentions médianes (méthode de Balinski et Laraki).",
    ),
}


def _scale(criterion: Criterion) -> agg.Scale:
    if criterion.scale == ScaleKind.MAJORITY:
        return agg.Scale.majority()
    return agg.Scale.numeric(Decimal(SCALE_MAX[criterion.scale]))


def grid_spec(criteria: list[Criterion]) -> agg.GridSpec:
    return agg.GridSpec(
        criteria=tuple(
            agg.CriterionSpec(
                code=c.code,
                label=c.label,
                weight=c.weight,
                scale=_scale(c),
                is_commons=c.is_commons,
                is_environmental=c.kind == CriterionKind.ENVIRONMENT,
                threshold=c.threshold,
            )
            for c in criteria
        )
    )


def compute_ranking(challenge) -> agg.Ranking:
    """Rank the challenge's proposals from the submitted evaluations of the last round."""
    from scoring.queries import criteria_of

    criteria = criteria_of(challenge)
    scores = Score.objects.filter(
        evaluation__assignment__proposal__challenge=challenge,
        evaluation__submitted_at__isnull=False,
    ).values_list(
        "evaluation__assignment__proposal_id",
        "evaluation__assignment__evaluator__username",
        "criterion__code",
        "criterion__scale",
        "value",
    )
    marks = [
        agg.Mark(
            proposal_id=proposal_id,
            evaluator_id=evaluator,
            criterion_code=code,
            value=value if scale == ScaleKind.MAJORITY else Decimal(value),
        )
        for proposal_id, evaluator, code, scale, value in scores
    ]
    return agg.rank(grid_spec(criteria), marks, agg.Method(challenge.aggregation_method))


def ranking_for(challenge) -> dict:
    """The ranking with its breakdown, for the API and the portal."""
    ranking = compute_ranking(challenge)
    titles = dict(Proposal.objects.filter(challenge=challenge).values_list("pk", "title"))
    data = ranking.to_dict()
    for entry in data["entries"]:
        entry["title"] = titles.get(entry["proposal_id"], "")
    label, description = METHOD_DESCRIPTIONS[challenge.aggregation_method]
    data["method_label"] = label
    data["method_description"] = description
    return data


def ranking_for_documents(challenge, base: ctx.ChallengeContext) -> ctx.RankingContext:
    """The rapport d'analyse des offres' context."""
    ranking = compute_ranking(challenge)
    proposals = {
        p.pk: p for p in Proposal.objects.filter(challenge=challenge).select_related("group")
    }
    members: dict[int, list[str]] = {}
    for member in WorkingGroupMember.objects.filter(
        group__resource__challenge=challenge
    ).select_related("organisation"):
        members.setdefault(member.group_id, []).append(member.organisation.name)
    evaluators = sorted(
        {ev for e in ranking.entries for c in e.criteria for ev, _ in c.evaluator_marks}
    )
    rows = []
    for entry in ranking.entries:
        proposal = proposals[entry.proposal_id]
        rows.append(
            ctx.RankingRow(
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
    eliminations = tuple(
        ctx.EliminationLine(
            proposal=proposals[e.proposal_id].title, reason="; ".join(e.elimination_reasons)
        )
        for e in ranking.entries
        if e.eliminated
    )
    label, description = METHOD_DESCRIPTIONS[challenge.aggregation_method]
    return ctx.RankingContext(
        challenge=base,
        method_label=label,
        method_description=description,
        evaluators=tuple(evaluators),
        rows=tuple(rows),
        conflicts=conflicts,
        eliminations=eliminations,
    )
