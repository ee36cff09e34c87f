"""The ranking of a challenge's proposals: the grid and the submitted marks read from
the database, aggregated by the pure functions of ``scoring.aggregation``."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum

from kernel import exports
from procurement.models import Framing, Proposal, ProposalStatus
from procurement.models.proposal_parts import BudgetScope
from scoring import aggregation as agg
from scoring.models import (
    SCALE_MAX,
    Criterion,
    CriterionKind,
    Evaluation,
    ScaleKind,
    Score,
)
from scoring.queries import criteria_of

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
                is_price=c.by_formula,
            )
            for c in criteria
        )
    )


def offered_prices(challenge, proposals) -> dict[int, Decimal | None]:
    """The price each proposal offers, for the price formula (R2152-7), HT. Under a
    *marché public* it is the contract price: the budget lines inside the contract,
    never what lies outside and is cofunded (``procurement.calculations.budget_split``);
    hors marché, the whole budget. Drafts never opened are not compared; a proposal
    with no line inside the contract has no price (``None``)."""
    opened = proposals.exclude(status=ProposalStatus.DRAFT)
    if challenge.framing != Framing.PUBLIC_CONTRACT:
        return dict(opened.values_list("pk", "amount"))
    return dict(
        opened.annotate(
            price=Sum("budget_lines__amount", filter=Q(budget_lines__scope=BudgetScope.CONTRACT))
        ).values_list("pk", "price")
    )


def compute_ranking(challenge) -> agg.Ranking:
    """Rank the challenge's proposals from each assignment's latest submitted
    evaluation: an evaluator who scored again in a later round counts for that round
    only, one who did not for its earlier one. The marks are read in one query.

    The price criterion is marked by the published formula (R2152-7) from the prices of
    the proposals compared together: every submitted proposal of the call."""
    criteria = criteria_of(challenge)
    later_submitted = Evaluation.objects.filter(
        assignment_id=OuterRef("evaluation__assignment_id"),
        round__gt=OuterRef("evaluation__round"),
        submitted_at__isnull=False,
    )
    scores = (
        Score.objects.filter(
            ~Exists(later_submitted),
            evaluation__assignment__proposal__challenge=challenge,
            evaluation__submitted_at__isnull=False,
            # marks given on a price criterion before the formula existed are not read
        )
        .exclude(criterion__scale=ScaleKind.PRICE_FORMULA)
        .values_list(
            "evaluation__assignment__proposal_id",
            "evaluation__assignment__evaluator__username",
            "criterion__code",
            "criterion__scale",
            "value",
        )
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
    prices = (
        offered_prices(challenge, Proposal.objects.filter(challenge=challenge))
        if any(c.by_formula for c in criteria)
        else None
    )
    return agg.rank(
        grid_spec(criteria), marks, agg.Method(challenge.aggregation_method), prices=prices
    )


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


# --- exports of the ranking: pure functions of ``ranking_for``'s dict ------------------


@dataclass(frozen=True)
class ExportColumn:
    """A criterion's column: its code in the ranking, its heading in the file."""

    code: str
    heading: str


@dataclass(frozen=True)
class RankingTable:
    """The ranking as a table: one row per proposal, best first. Cells are ``int``,
    ``Decimal`` or ``str``."""

    headings: tuple[str, ...]
    rows: tuple[tuple, ...]


def export_columns(criteria: Sequence[Criterion]) -> tuple[ExportColumn, ...]:
    """One column per criterion, headed with its label and scale."""
    columns = []
    for criterion in criteria:
        if criterion.scale == ScaleKind.MAJORITY:
            scale = "mention, de 0 à 6"
        elif criterion.by_formula:
            scale = "formule sur le prix, sur 10"
        else:
            scale = f"sur {SCALE_MAX[criterion.scale]}"
        columns.append(ExportColumn(criterion.code, f"{criterion.label} ({scale})"))
    return tuple(columns)


def ranking_table(ranking: dict, columns: Sequence[ExportColumn]) -> RankingTable:
    """The rows of the exports: rank, title, total on 100, commons share, elimination,
    then the aggregated mark on each criterion (on the criterion's scale)."""
    commons_weight = ranking["entries"][0]["commons_weight"] if ranking["entries"] else "0"
    headings = (
        "Rang",
        "Proposition",
        "Note finale (sur 100)",
        f"Part des communs (sur {commons_weight})",
        "Éliminée",
        "Motifs d'élimination",
        *(column.heading for column in columns),
    )
    rows = []
    for entry in sorted(ranking["entries"], key=lambda e: (e["rank"], e["proposal_id"])):
        marks = {c["code"]: Decimal(c["aggregated"]) for c in entry["criteria"]}
        rows.append(
            (
                entry["rank"],
                entry["title"],
                Decimal(entry["total"]),
                Decimal(entry["commons_total"]),
                "oui" if entry["eliminated"] else "non",
                " ; ".join(entry["elimination_reasons"]),
                *(marks.get(column.code, "") for column in columns),
            )
        )
    return RankingTable(headings=headings, rows=tuple(rows))


def render_ranking_csv(table: RankingTable) -> bytes:
    """The ranking for French spreadsheet software (``kernel.exports.render_csv``)."""
    return exports.render_csv(table.headings, table.rows)


def render_ranking_xlsx(table: RankingTable, *, title: str = "Classement") -> bytes:
    """The ranking as a workbook; the rank and title columns stay in view."""
    return exports.render_xlsx(table.headings, table.rows, title=title, freeze_panes="C2")
