"""How long the tender pack takes to render, against a plain python-docx floor.

Run from the repository root::

    .venv/bin/python bench/documents.py

A marché public of 5 lots (one resource each) and 12 criteria, 20 proposals (4 per lot)
ranked by 7 evaluators. For each kind of piece: the best of 5 runs, and the best of 5
for a plain python-docx document with the same number of paragraphs and tables of the
same shape, written through python-docx's API (the floor: what python-docx costs before
any styling, fields or zip stamping). Then the award pieces as a whole — the rapport
d'analyse and the rapport de présentation, an acte d'engagement and a convention per
lot, two opinions, two reciprocity contracts, a rejection letter per unsuccessful offer,
the avis d'attribution and the notification of each lot — against the sum of their
floors, the consultation documents likewise, then the whole pack (both together, 50
documents: issue 20's target, under 1 s and within 1.5× its floor), what any piece costs
before its first line (the base opened, its header, footer, metadata and title, the zip
written), and the peak memory. Every floor is measured in the same run as the pieces.

The pieces write their paragraphs and tables as XML in one go
(``procurement/documents/wordml.py``) rather than element by element through
python-docx's API, so a piece can take less than its floor: the floor is kept as the issue
defines it, a bare python-docx document of the same length, not lowered to the pieces'
own way of writing."""

from __future__ import annotations

import gc
import io
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from docx import Document

from procurement.documents import PIECES
from procurement.documents.base import PieceWriter
from procurement.documents.context import (
    AttributionContext,
    AttributionLine,
    AwardContext,
    ChallengeContext,
    CofundingContext,
    CommonsRef,
    ConflictLine,
    CriterionComparison,
    CriterionLine,
    CriterionResult,
    DiscontinuationContext,
    EliminationLine,
    EvaluatorMark,
    FunderLine,
    HostingContext,
    LotContext,
    LotLine,
    Milestone,
    NotificationContext,
    OpinionContext,
    OpinionTopic,
    Party,
    RankingContext,
    RankingRow,
    ReciprocityContext,
    ReciprocityKind,
    RejectionContext,
    ReservationLine,
    ResourceLine,
)

PARIS = ZoneInfo("Europe/Paris")
RUNS = 5
PROPOSALS, CRITERIA, EVALUATORS, RESOURCES = 20, 12, 7, 5
TARGET_SECONDS, TARGET_RATIO = 1.0, 1.5

BUYER = Party(
    name="Métropole Européenne de Lille",
    legal_form="Métropole",
    siret="20009320100016",
    address="2 boulevard des Cités Unies, 59040 Lille Cedex",
    representative="Mme Claire Dumont, vice-présidente",
)
CONTRIBUTORS = (
    Party(
        name="Véloflux SAS",
        legal_form="SAS",
        siret="82000000800012",
        address="5 place de la Gare, 59800 Lille",
        representative="Mme Inès Petit, présidente",
    ),
    Party(
        name="Atelier Vélo Solidaire",
        legal_form="association loi 1901",
        siret="79000000800034",
        address="12 rue Gambetta, 59000 Lille",
        representative="M. Karim Haddad, président",
    ),
)
IDENTIFIED_HOST = Party(
    name="Association Communs Mobilités Nord",
    legal_form="Association loi 1901",
    siret="77000000800019",
    address="8 rue du Molinel, 59000 Lille",
    representative="Mme Amina Benali, co-présidente",
)
OSM = CommonsRef(name="OpenStreetMap", licence="ODbL-1.0", url="https://www.openstreetmap.org")


def build_challenge() -> ChallengeContext:
    weights = [Decimal(9)] * 4 + [Decimal(8)] * (CRITERIA - 4)  # sums to 100
    criteria = tuple(
        CriterionLine(
            code=f"C{number}",
            label=f"Critère numéro {number} de la grille",
            weight=weight,
            is_commons=number in (2, 3, 4),
            is_environmental=number == 5,
            scale_label="de 0 à 10",
            description=f"Ce que le critère {number} apprécie, en une phrase.",
        )
        for number, weight in enumerate(weights, start=1)
    )
    resources = tuple(
        ResourceLine(
            title=f"Ressource partagée numéro {number}",
            description="Une ressource utile à tout l'écosystème de la mobilité partagée.",
            licence_spdx="EUPL-1.2",
            deliverables=("Code source", "Documentation", "Jeu de données"),
            referenced_commons=(OSM,),
            governance="Comité des contributeurs ouvert.",
            community="Opérateurs, communes, usagers.",
        )
        for number in range(1, RESOURCES + 1)
    )
    lots = tuple(
        LotLine(
            number=number,
            title=resource.title,
            estimated_amount=Decimal("36000.00"),
            resources=(resource,),
        )
        for number, resource in enumerate(resources, start=1)
    )
    return ChallengeContext(
        reference="AAC-2026-014",
        title="Mobilités partagées : des communs pour la métropole",
        object="Production de communs numériques pour la mobilité partagée.",
        buyer=BUYER,
        procedure_label="Procédure adaptée",
        estimated_amount=Decimal("180000.00"),
        lots=lots,
        published_at=datetime(2026, 10, 1, 9, tzinfo=PARIS),
        positioning_deadline=datetime(2026, 11, 2, 12, tzinfo=PARIS),
        proposal_deadline=datetime(2026, 11, 22, 12, tzinfo=PARIS),
        resources=resources,
        criteria=criteria,
        licence_requirements="Licences libres ; licences à réciprocité respectées.",
        chambre_recommended_commons=(OSM,),
        generated_at=datetime(2026, 12, 1, 7, 30, tzinfo=UTC),
    )


def build_contexts() -> dict[str, object]:
    challenge = build_challenge()
    evaluators = tuple(f"Évaluatrice ou évaluateur {n}" for n in range(1, EVALUATORS + 1))
    rows = []
    for rank in range(1, PROPOSALS + 1):
        results = tuple(
            CriterionResult(
                criterion_code=criterion.code,
                marks=tuple(
                    EvaluatorMark(evaluator=name, mark=Decimal((rank + i + j) % 11))
                    for j, name in enumerate(evaluators)
                ),
                score=Decimal("6.50"),
                weighted_score=criterion.weight * Decimal("0.65"),
            )
            for i, criterion in enumerate(challenge.criteria)
        )
        lot, rank_in_lot = divmod(rank - 1, PROPOSALS // RESOURCES)
        rows.append(
            RankingRow(
                lot=lot + 1,
                rank=rank_in_lot + 1,
                proposal=f"Proposition {rank}",
                members=("Membre A", "Membre B"),
                total=Decimal("65.00") - rank_in_lot,
                price=Decimal("30000.00") + 1000 * rank_in_lot,
                results=results,
                selected=rank_in_lot == 0,
            )
        )
    host = Party(name="Association Communs Mobilités Nord")
    analysis = RankingContext(
        challenge=challenge,
        method_label="Moyenne pondérée",
        method_description="Moyenne des notes des évaluateurs, pondérée par critère.",
        evaluators=evaluators,
        rows=tuple(rows),
        conflicts=(ConflictLine(evaluator=evaluators[0], proposal="Proposition 3", nature="Lien"),),
        eliminations=(EliminationLine(proposal="Proposition 21", reason="Hors délai."),),
    )
    lot = LotContext(challenge=challenge, lot=challenge.lots[0])
    award = AwardContext(
        challenge=challenge,
        lot=lot.lot,
        awardee=Party(
            name="Mobicoop SCIC",
            siret="80000000000017",
            address="10 rue de la Coopération, 59000 Lille",
            representative="M. Paul Girard, gérant",
        ),
        amount_ht=Decimal("12500.00"),
    )
    return {
        "reglement": challenge,
        "reglement_appel": challenge,
        "cctp": challenge,
        "ccap": challenge,
        "ae_lot": lot,
        "dpgf": lot,
        "demande_subvention": lot,
        "acte_engagement": award,
        "notification_marche": NotificationContext(
            challenge=challenge, award=award, signed_at=datetime(2026, 12, 12, 10, tzinfo=PARIS)
        ),
        "lettre_non_attribution": DiscontinuationContext(
            challenge=challenge,
            lot_number=2,
            lot_title=challenge.lots[1].title,
            candidate=(Party(name="Véloflux SAS", address="8 rue de Nancy, 67000 Strasbourg"),),
            candidate_offer="Proposition 5",
            decided_at=datetime(2026, 12, 1, 9, tzinfo=PARIS),
            reason="Le besoin du lot est couvert par la mutualisation régionale.",
            rank=1,
            ranked=PROPOSALS // RESOURCES,
            total=Decimal("65.00"),
            sent_at=datetime(2026, 12, 1, 10, tzinfo=PARIS),
        ),
        "rapport_analyse": analysis,
        "rapport_presentation": analysis,
        "avis_attribution": AttributionContext(
            challenge=challenge,
            awarded_at=datetime(2026, 12, 20, 10, tzinfo=PARIS),
            lots=tuple(
                AttributionLine(
                    number=lot_line.number,
                    title=lot_line.title,
                    offers=PROPOSALS // RESOURCES,
                    titulaire=Party(name="Mobicoop SCIC", siret="80000000000017"),
                    amount_ht=Decimal("30000.00"),
                )
                for lot_line in challenge.lots
            ),
        ),
        "lettre_rejet": RejectionContext(
            challenge=challenge,
            lot_number=1,
            lot_title=challenge.lots[0].title,
            candidate=(Party(name="Véloflux SAS", address="8 rue de Nancy, 67000 Strasbourg"),),
            candidate_offer="Proposition 2",
            awardee=(Party(name="Mobicoop SCIC"),),
            awardee_offer="Proposition 1",
            rank=2,
            ranked=PROPOSALS // RESOURCES,
            total=Decimal("64.00"),
            awardee_total=Decimal("65.00"),
            criteria=tuple(
                CriterionComparison(
                    code=criterion.code,
                    label=criterion.label,
                    weight=criterion.weight,
                    scale_max=Decimal(10),
                    candidate_mark=Decimal("6.4"),
                    candidate_points=criterion.weight * Decimal("0.64"),
                    awardee_mark=Decimal("6.5"),
                    awardee_points=criterion.weight * Decimal("0.65"),
                    reasons=("Une proposition solide, moins détaillée sur la gouvernance.",),
                )
                for criterion in challenge.criteria
            ),
            sent_at=datetime(2026, 12, 1, 10, tzinfo=PARIS),
            signature_from=datetime(2026, 12, 12, 10, tzinfo=PARIS),
        ),
        "avis_chambre": OpinionContext(
            challenge=challenge,
            topic=OpinionTopic.SELECTION,
            verdict_label="Avis favorable",
            reasons=("La sélection fait toute sa place aux communs.",),
            reservations=(ReservationLine(reservation="Associer les usagers."),),
            recommended_commons=(OSM,),
            licence_requirements="Licences libres.",
            chambre=Party(name="Chambre des communs de Lille"),
            issued_at=datetime(2026, 12, 1, 10, tzinfo=PARIS),
            moderator_name="Sylvain Delattre",
            place="Lille",
        ),
        "convention_cofinancement": CofundingContext(
            challenge=challenge,
            commons=CommonsRef(name="Ressource partagée numéro 1", licence="EUPL-1.2"),
            host=host,
            funders=(
                FunderLine(funder=BUYER, amount=Decimal("20000.00")),
                FunderLine(funder=Party(name="ADEME"), amount=Decimal("15000.00")),
            ),
            milestones=(
                Milestone(label="Lancement", due_on=date(2027, 1, 1), amount=Decimal("35000.00")),
            ),
        ),
        "contrat_reciprocite": ReciprocityContext(
            challenge=challenge,
            partner=Party(name="Véloflux SAS"),
            commons=CommonsRef(name="Ressource partagée numéro 2", licence="EUPL-1.2"),
            beneficiary=host,
            kind=ReciprocityKind.REVENUE_SHARE,
            revenue_share=Decimal("3"),
            period_label="trimestre",
            starts_on=date(2027, 1, 1),
            commercial_use="Application vendue sur abonnement.",
        ),
        "contrat_hebergement": HostingContext(
            challenge=challenge,
            commons=CommonsRef(name="Ressource partagée numéro 1", licence="EUPL-1.2"),
            host=IDENTIFIED_HOST,
            contributors=CONTRIBUTORS,
            coordinator="Véloflux SAS",
            # hors marché: the whole budget passed on, split as the group approves it
            budget_total=Decimal("42000.00"),
            funded_total=Decimal("35000.00"),
            fee_percent=Decimal("3"),
            duration_months=12,
            approval_rule="la majorité des autres organisations membres du groupe",
        ),
    }


def best_of(runs: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def shape_of(data: bytes) -> tuple[int, list[tuple[int, int]]]:
    """Paragraphs outside tables, and (rows, columns) of each table, of a rendered piece."""
    document = Document(io.BytesIO(data))
    return len(document.paragraphs), [(len(t.rows), len(t.columns)) for t in document.tables]


def plain_document(paragraphs: int, tables: list[tuple[int, int]]) -> bytes:
    """The floor: the same number of paragraphs and tables, plain text, default template."""
    document = Document()
    per_gap = max(paragraphs // (len(tables) + 1), 1)
    written = 0
    for rows, columns in tables:
        for _ in range(per_gap):
            document.add_paragraph("Texte courant d'une pièce du dossier de consultation.")
            written += 1
        table = document.add_table(rows=rows, cols=columns)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "valeur"
    for _ in range(paragraphs - written):
        document.add_paragraph("Texte courant d'une pièce du dossier de consultation.")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# How many documents of each piece a pack holds: the award pieces of 5 lots, and the
# consultation documents of a marché public of 5 lots.
AWARD_PACK = {
    "rapport_analyse": 1,
    "rapport_presentation": 1,
    "acte_engagement": RESOURCES,
    "avis_chambre": 2,
    "convention_cofinancement": RESOURCES,
    "contrat_reciprocite": 2,
    "contrat_hebergement": RESOURCES,  # one per retained proposal's commons
    "lettre_rejet": PROPOSALS - RESOURCES,  # one per unsuccessful offer and lot
    "avis_attribution": 1,
    "notification_marche": RESOURCES,  # each titulaire notified its lot
}
DCE = {"reglement": 1, "cctp": 1, "ccap": 1, "ae_lot": RESOURCES, "dpgf": RESOURCES}
# The whole pack of the call: what issue 20's target is about.
WHOLE_PACK = {**AWARD_PACK, **DCE}


def render_pack(contexts: dict[str, object], pack: dict[str, int]) -> list[bytes]:
    return [PIECES[key].render(contexts[key]) for key, count in pack.items() for _ in range(count)]


def measure_pack(name, contexts, pack, timings, floors) -> tuple[float, float]:
    """The pack rendered as a whole, against the sum of its documents' floors; returns
    both, in seconds."""
    whole = best_of(RUNS, lambda: render_pack(contexts, pack))
    floor = sum(floors[key] * count for key, count in pack.items())
    documents = sum(pack.values())
    ratio = whole / floor
    verdict = "OK" if whole < TARGET_SECONDS and ratio <= TARGET_RATIO else "OVER TARGET"
    print(
        f"{name + f' ({documents} docs)':<26}{whole * 1000:>8.1f}ms{floor * 1000:>8.1f}ms"
        f"{ratio:>7.2f}x  (target < {TARGET_SECONDS:.0f} s and <= {TARGET_RATIO}x: {verdict})"
    )
    return whole, floor


def main() -> None:
    contexts = build_contexts()
    rendered = {key: render(contexts[key]) for key, (_title, render) in PIECES.items()}
    print(
        f"{len(PIECES)} kinds of piece; {RESOURCES} lots, {PROPOSALS} proposals, {CRITERIA} "
        f"criteria, {EVALUATORS} evaluators; best of {RUNS} runs"
    )
    print(f"{'piece':<26}{'render':>10}{'floor':>10}{'ratio':>8}{'size':>10}  shape")
    timings: dict[str, float] = {}
    floors: dict[str, float] = {}
    for key, (_title, render) in PIECES.items():
        paragraphs, tables = shape_of(rendered[key])
        timings[key] = best_of(RUNS, lambda render=render, key=key: render(contexts[key]))
        floors[key] = best_of(RUNS, lambda p=paragraphs, t=tables: plain_document(p, t))
        cells = sum(rows * columns for rows, columns in tables)
        print(
            f"{key:<26}{timings[key] * 1000:>8.1f}ms{floors[key] * 1000:>8.1f}ms"
            f"{timings[key] / floors[key]:>7.1f}x{len(rendered[key]) / 1024:>8.1f}kB  "
            f"{paragraphs} paragraphs, {len(tables)} tables, {cells} cells"
        )
    measure_pack("award pieces", contexts, AWARD_PACK, timings, floors)
    measure_pack("consultation documents", contexts, DCE, timings, floors)
    whole, floor = measure_pack("whole pack", contexts, WHOLE_PACK, timings, floors)
    print(
        f"whole pack, {RESOURCES} lots and {PROPOSALS} proposals: {whole:.3f} s against a bare "
        f"python-docx floor of {floor:.3f} s in this run, ratio {whole / floor:.2f}x "
        f"(target: under {TARGET_SECONDS:.0f} s and within {TARGET_RATIO}x)"
    )
    challenge = contexts["reglement"]
    empty = best_of(RUNS * 4, lambda: PieceWriter(challenge, "Pièce vide").finish())
    print(f"{'empty piece (fixed cost)':<26}{empty * 1000:>8.1f}ms")
    gc.collect()
    tracemalloc.start()
    render_pack(contexts, AWARD_PACK)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory while rendering the award pieces (tracemalloc): {peak / 2**20:.1f} MiB "
        "(Python objects only: lxml's C-level XML trees are not traced)"
    )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"process peak RSS over the whole benchmark: {max_rss:.0f} MiB")


if __name__ == "__main__":
    main()
