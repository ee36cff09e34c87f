"""How long the tender pack takes to render, against a plain python-docx floor.

Run from the repository root::

    .venv/bin/python bench/documents.py

A challenge with 5 resources and 12 criteria, ranked over 20 proposals by 7
evaluators; every piece is rendered once per pack. For each piece: the best of 5
runs, and the best of 5 for a plain python-docx document with the same number of
paragraphs and tables of the same shape (the floor: what python-docx costs before any
styling, fields or zip stamping). Then the pack as a whole (target: under 2 s) and its
peak memory under tracemalloc.
"""

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
from procurement.documents.context import (
    AwardContext,
    ChallengeContext,
    CofundingContext,
    CommonsRef,
    ConflictLine,
    CriterionLine,
    CriterionResult,
    EliminationLine,
    EvaluatorMark,
    FunderLine,
    LotContext,
    LotLine,
    Milestone,
    OpinionContext,
    Party,
    RankingContext,
    RankingRow,
    ReciprocityContext,
    ReciprocityKind,
    ReservationLine,
    ResourceLine,
)

PARIS = ZoneInfo("Europe/Paris")
RUNS = 5
PROPOSALS, CRITERIA, EVALUATORS, RESOURCES = 20, 12, 7, 5
TARGET_SECONDS = 2.0

BUYER = Party(
    name="Métropole Européenne de Lille",
    siret="20009320100016",
    address="2 boulevard des Cités Unies, 59040 Lille Cedex",
    representative="Mme Claire Dumont, vice-présidente",
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
    return ChallengeContext(
        reference="AAC-2026-014",
        title="Mobilités partagées : des communs pour la métropole",
        object="Production de communs numériques pour la mobilité partagée.",
        buyer=BUYER,
        procedure_label="Procédure adaptée",
        estimated_amount=Decimal("180000.00"),
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
        rows.append(
            RankingRow(
                rank=rank,
                proposal=f"Proposition {rank}",
                members=("Membre A", "Membre B"),
                total=Decimal("65.00"),
                results=results,
                selected=rank == 1,
            )
        )
    host = Party(name="Association Communs Mobilités Nord")
    lot = LotContext(
        challenge=challenge,
        lot=LotLine(
            number=1,
            title="Lot unique",
            estimated_amount=Decimal("180000.00"),
            resources=challenge.resources,
        ),
    )
    return {
        "reglement": challenge,
        "reglement_appel": challenge,
        "cctp": challenge,
        "ccap": challenge,
        "ae_lot": lot,
        "dpgf": lot,
        "demande_subvention": lot,
        "acte_engagement": AwardContext(
            challenge=challenge,
            lot=lot.lot,
            awardee=Party(
                name="Mobicoop SCIC",
                siret="80000000000017",
                address="10 rue de la Coopération, 59000 Lille",
                representative="M. Paul Girard, gérant",
            ),
            amount_ht=Decimal("12500.00"),
        ),
        "rapport_analyse": RankingContext(
            challenge=challenge,
            method_label="Moyenne pondérée",
            method_description="Moyenne des notes des évaluateurs, pondérée par critère.",
            evaluators=evaluators,
            rows=tuple(rows),
            conflicts=(
                ConflictLine(evaluator=evaluators[0], proposal="Proposition 3", nature="Lien"),
            ),
            eliminations=(EliminationLine(proposal="Proposition 21", reason="Hors délai."),),
        ),
        "avis_chambre": OpinionContext(
            challenge=challenge,
            subject_label="sur la sélection des propositions",
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


def render_pack(contexts: dict[str, object]) -> dict[str, bytes]:
    return {key: render(contexts[key]) for key, (_title, render) in PIECES.items()}


def main() -> None:
    contexts = build_contexts()
    pack = render_pack(contexts)  # warm-up: imports, base document cache
    print(
        f"Pack: {len(PIECES)} pieces, {PROPOSALS} proposals, {CRITERIA} criteria, "
        f"{EVALUATORS} evaluators; best of {RUNS} runs"
    )
    print(f"{'piece':<26}{'render':>10}{'floor':>10}{'ratio':>8}{'size':>10}  shape")
    total_floor = 0.0
    for key, (_title, render) in PIECES.items():
        paragraphs, tables = shape_of(pack[key])
        rendered = best_of(RUNS, lambda render=render, key=key: render(contexts[key]))
        floor = best_of(RUNS, lambda p=paragraphs, t=tables: plain_document(p, t))
        total_floor += floor
        cells = sum(rows * columns for rows, columns in tables)
        print(
            f"{key:<26}{rendered * 1000:>8.1f}ms{floor * 1000:>8.1f}ms{rendered / floor:>7.1f}x"
            f"{len(pack[key]) / 1024:>8.1f}kB  {paragraphs} paragraphs, {len(tables)} tables, "
            f"{cells} cells"
        )
    whole = best_of(RUNS, lambda: render_pack(contexts))
    verdict = "OK" if whole < TARGET_SECONDS else "OVER TARGET"
    print(
        f"{'whole pack':<26}{whole * 1000:>8.1f}ms{total_floor * 1000:>8.1f}ms"
        f"{whole / total_floor:>7.1f}x  (target < {TARGET_SECONDS:.0f} s: {verdict})"
    )
    gc.collect()
    tracemalloc.start()
    render_pack(contexts)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak memory while rendering the pack (tracemalloc): {peak / 2**20:.1f} MiB "
        "(Python objects only: lxml's C-level XML trees are not traced)"
    )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"process peak RSS over the whole benchmark: {max_rss:.0f} MiB")


if __name__ == "__main__":
    main()
