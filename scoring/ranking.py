"""The ranking of a challenge's proposals: the grid and the submitted marks read from
the database, aggregated by the pure functions of ``scoring.aggregation``."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from kernel import exports
from kernel.errors import WrongState
from procurement.models import BudgetLine, Framing, Lot, Proposal, ProposalStatus
from procurement.models.proposal_parts import BudgetScope
from scoring import aggregation as agg
from scoring.models import (
    SCALE_MAX,
    Criterion,
    CriterionKind,
    ScaleKind,
    StoredRanking,
)
from scoring.queries import counted_scores, criteria_of

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


def offered_prices(challenge) -> dict[int, dict[int, Decimal | None]]:
    """The price each proposal offers on each lot (by lot id, then proposal id), for the
    price formula (R2152-7), HT: the sum of its budget lines pricing that lot, each lot
    being awarded separately (L2113-10). Under a *marché public* it is the contract
    price: the lines inside the contract, never what lies outside and is cofunded
    (``procurement.calculations.budget_split``); hors marché, every line. Drafts never
    opened are not compared; a proposal answering a lot with no line counted there has
    no price on it (``None``). One query."""
    lines = BudgetLine.objects.filter(proposal__challenge=challenge).exclude(
        proposal__status=ProposalStatus.DRAFT
    )
    if challenge.framing == Framing.PUBLIC_CONTRACT:
        lines = lines.filter(scope=BudgetScope.CONTRACT)
    prices: dict[int, dict[int, Decimal | None]] = {}
    for lot_id, proposal_id, price in (
        lines.values("lot_id", "proposal_id")
        .annotate(price=Sum("amount"))
        .values_list("lot_id", "proposal_id", "price")
    ):
        prices.setdefault(lot_id, {})[proposal_id] = price
    return prices


@dataclass(frozen=True)
class LotRanking:
    """The ranking of one lot: the proposals answering it, compared together."""

    lot: Lot
    ranking: agg.Ranking


def compute_rankings(challenge) -> list[LotRanking]:
    """Rank the proposals of each lot of the challenge, lot by lot: each lot is awarded
    separately (article L2113-10), so a booking module is never ranked against a wiki.
    A proposal answering several lots is ranked in each, on the same marks and on its
    price for that lot. Five queries, whatever the number of lots and proposals.

    The marks counted are ``counted_scores``', read in one query. The price criterion
    is marked by the published formula (R2152-7) from the prices offered on the lot."""
    criteria = criteria_of(challenge)
    scores = counted_scores(challenge).values_list(
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
    answering: dict[int, set[int]] = {}
    for lot_id, proposal_id in (
        Proposal.lots.through.objects.filter(proposal__challenge=challenge)
        .exclude(proposal__status=ProposalStatus.DRAFT)
        .values_list("lot_id", "proposal_id")
    ):
        answering.setdefault(lot_id, set()).add(proposal_id)
    prices = offered_prices(challenge) if any(c.by_formula for c in criteria) else None
    spec = grid_spec(criteria)
    rankings = []
    for lot in challenge.lots.all():
        ids = answering.get(lot.pk, set())
        lot_prices = None
        if prices is not None:
            lot_prices = {pk: prices.get(lot.pk, {}).get(pk) for pk in ids}
        rankings.append(
            LotRanking(
                lot=lot,
                ranking=agg.rank(
                    spec,
                    [mark for mark in marks if mark.proposal_id in ids],
                    agg.Method(challenge.aggregation_method),
                    prices=lot_prices,
                ),
            )
        )
    return rankings


def ranking_leaders(rankings: Sequence[LotRanking], grid: agg.GridSpec) -> dict[int, int | None]:
    """Each lot's first-ranked proposal that was not eliminated (by lot number), or
    ``None`` when the lot has none. Proposals ex aequo at the first rank are told apart
    by the rule the règlement states (``aggregation.break_tie``); if it leaves them
    tied, the first by the ranking's order is named, and choosing another among them
    is justified like any departure."""
    leaders: dict[int, int | None] = {}
    for item in rankings:
        eligible = [e for e in item.ranking.entries if not e.eliminated]
        if not eligible:
            leaders[item.lot.number] = None
            continue
        tied = [e for e in eligible if e.rank == eligible[0].rank]
        leaders[item.lot.number] = int(agg.break_tie(tied, grid).order[0])
    return leaders


def ranking_for(challenge) -> dict:
    """The rankings of the challenge's lots with their breakdown, for the API, its
    exports and the portal: the copy stored when the scoring closed
    (``scoring.services.rankings``), one query; while the scoring is under way, computed
    on each read (the marks still come in). A call closed before rankings were stored
    gets its copy on the first read."""
    from scoring.services.rankings import RANKED_STAGES, ranking_store_missing

    stored = (
        StoredRanking.objects.filter(challenge_id=challenge.pk)
        .values_list("data", flat=True)
        .first()
    )
    if stored is not None:
        return stored
    if challenge.status in RANKED_STAGES:
        return ranking_store_missing(challenge=challenge)
    return ranking_compute(challenge)


def ranking_json(challenge) -> str:
    """``ranking_for`` as JSON text, for the API: the stored copy's text as the database
    holds it, neither decoded nor encoded again (for 200 proposals, most of a request's
    cost would be spent there); the same data, whose keys PostgreSQL may order
    differently."""
    text = (
        StoredRanking.objects.filter(challenge_id=challenge.pk)
        .annotate(text=Cast("data", TextField()))
        .values_list("text", flat=True)
        .first()
    )
    if text is not None:
        return text
    return json.dumps(ranking_for(challenge), ensure_ascii=False, separators=(",", ":"))


def ranking_compute(challenge) -> dict:
    """The rankings of the challenge's lots with their breakdown, computed from the
    marks: ``lots`` lists each lot with its entries, ranked within the lot; ``entries``
    gives every lot's entries one after the other, each naming its lot. Seven queries.

    A call whose grid cannot rank yet (a draft without criteria, weights not summing to
    100) has no ranking: 409 ``grid_incomplete``, saying why, rather than a server
    error — the grid is checked whole when it is frozen, at publication."""
    try:
        rankings = compute_rankings(challenge)
    except agg.GridError as error:
        raise WrongState(
            _("Pas encore de classement : la grille de l'appel est incomplète (%(reason)s).")
            % {"reason": error},
            code="grid_incomplete",
        ) from None
    titles = dict(Proposal.objects.filter(challenge=challenge).values_list("pk", "title"))
    label, description = METHOD_DESCRIPTIONS[challenge.aggregation_method]
    data: dict = {"method": challenge.aggregation_method, "lots": [], "entries": []}
    for item in rankings:
        lot_data = item.ranking.to_dict()
        for entry in lot_data["entries"]:
            entry["title"] = titles.get(entry["proposal_id"], "")
            entry["lot"] = item.lot.number
        data["lots"].append(
            {"number": item.lot.number, "title": item.lot.title, "entries": lot_data["entries"]}
        )
        data["entries"].extend(lot_data["entries"])
        # a call has at least one lot, and every lot the same threshold
        data["disagreement_threshold"] = lot_data["disagreement_threshold"]
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
    """The ranking as a table: one row per proposal and lot, lot by lot, best first.
    Cells are ``int``, ``Decimal`` or ``str``."""

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
    """The rows of the exports, lot by lot: lot, rank in the lot, title, total on 100,
    commons share, elimination, then the aggregated mark on each criterion (on the
    criterion's scale)."""
    commons_weight = ranking["entries"][0]["commons_weight"] if ranking["entries"] else "0"
    headings = (
        "Lot",
        "Rang",
        "Proposition",
        "Note finale (sur 100)",
        f"Part des communs (sur {commons_weight})",
        "Éliminée",
        "Motifs d'élimination",
        *(column.heading for column in columns),
    )
    rows = []
    for entry in sorted(ranking["entries"], key=lambda e: (e["lot"], e["rank"], e["proposal_id"])):
        marks = {c["code"]: Decimal(c["aggregated"]) for c in entry["criteria"]}
        rows.append(
            (
                entry["lot"],
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
    """The ranking as a workbook; the lot, rank and title columns stay in view."""
    return exports.render_xlsx(table.headings, table.rows, title=title, freeze_panes="D2")
