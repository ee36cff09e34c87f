"""How long the open-data export takes, and how much memory, against a bare floor.

Run from the repository root::

    .venv/bin/python bench/opendata.py [--contracts 10000] [--keep]

The bench creates its own SQLite database in a temporary directory (it never touches
another), migrates it and writes, row by row in bulk, ``--contracts`` signed contracts:
calls of two lots, each lot awarded to one proposal of a partner identified by its
SIRET (a pool of 200), priced by two budget lines inside the contract, with a grid of
four criteria and five public consultation documents per call. Then, for each format —
the données essentielles (DECP), the OCDS releases, the OCDS records — it writes the
whole export to a file as ``manage.py export_opendata`` does (built 200 calls at a time,
written item by item), once for the time and once under tracemalloc for the peak.

The floor is what the same number of items costs with nothing of the service: building
that many plain dicts of the DECP item's shape in a list and ``json.dumps`` of the
whole. The export is streamed, so its peak should stay flat whatever the number of
contracts: the bench exports a quarter of the contracts too (``since``) and prints both
peaks. Target (issue 16): under 10 s for 10,000 contracts, flat memory.

The temporary directory is removed at the end, unless ``--keep``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script

from setup_django import configure_django  # noqa: E402  (bench/, the script's folder)

BATCH = 2000
PARTNERS = 200
LOTS_PER_CALL = 2


def configure(workdir: Path) -> None:
    configure_django(workdir)


def siret(n: int) -> str:
    """A Luhn-valid SIRET for the n-th partner."""
    from stdnum import luhn

    body = f"9{n:012d}"
    return body + luhn.calc_check_digit(body)


def populate(contracts: int) -> tuple[datetime, datetime]:
    """``contracts`` signed contracts, two per call; returns the first and last
    signature."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from procurement.models import (
        BudgetLine,
        Challenge,
        ChallengeResource,
        ChallengeStatus,
        DocumentStage,
        Lot,
        LotOutcome,
        Organisation,
        OrganisationKind,
        Proposal,
        ProposalStatus,
        TenderDocument,
        WorkingGroup,
        WorkingGroupMember,
    )
    from scoring.models import Criterion, Grid, ScaleKind

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create(username="bench")
    buyer = Organisation.objects.create(
        name="Métropole de démonstration",
        kind=OrganisationKind.BUYER,
        siren="200093201",
        siret="20009320100016",
    )
    chambre = Organisation.objects.create(name="Chambre", kind=OrganisationKind.CHAMBRE)
    partners = Organisation.objects.bulk_create(
        Organisation(
            name=f"Coopérative {n}",
            kind=OrganisationKind.PARTNER,
            siret=siret(n),
            address=f"{n} rue des Communs, 59000 Lille",
        )
        for n in range(PARTNERS)
    )
    calls = contracts // LOTS_PER_CALL
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for first in range(0, calls, BATCH // LOTS_PER_CALL):
        numbers = range(first, min(calls, first + BATCH // LOTS_PER_CALL))
        challenges = Challenge.objects.bulk_create(
            Challenge(
                reference=f"BENCH-{i:06d}",
                title=f"Appel à communs n° {i}",
                context="Des communs numériques pour le territoire, sous licence ouverte.",
                buyer=buyer,
                chambre=chambre,
                status=ChallengeStatus.AWARDED,
                estimated_amount=Decimal("120000.00"),
                cpv_code="72260000",
                execution_place_kind="department",
                execution_place_code="59",
                published_at=start + timedelta(minutes=i) - timedelta(days=120),
                proposal_deadline=start + timedelta(minutes=i) - timedelta(days=60),
                award_decided_at=start + timedelta(minutes=i) - timedelta(days=12),
                awarded_at=start + timedelta(minutes=i),
                created_by=user,
            )
            for i in numbers
        )
        lots = Lot.objects.bulk_create(
            Lot(
                challenge=c,
                number=n,
                title=f"Lot {n}",
                estimated_amount=Decimal("60000.00"),
                outcome=LotOutcome.AWARDED,
            )
            for c in challenges
            for n in range(1, LOTS_PER_CALL + 1)
        )
        resources = ChallengeResource.objects.bulk_create(
            ChallengeResource(challenge_id=lot.challenge_id, lot=lot, title=f"Commun {lot.number}")
            for lot in lots
        )
        groups = WorkingGroup.objects.bulk_create(
            WorkingGroup(resource=r, coordinator=partners[(r.pk or 0) % PARTNERS])
            for r in resources
        )
        WorkingGroupMember.objects.bulk_create(
            WorkingGroupMember(group=g, organisation_id=g.coordinator_id) for g in groups
        )
        proposals = Proposal.objects.bulk_create(
            Proposal(
                group=g,
                challenge_id=lot.challenge_id,
                title=f"Proposition {lot.challenge_id}-{lot.number}",
                summary="Produire le commun.",
                deliverables="Code, documentation",
                licence="EUPL-1.2",
                amount=Decimal("48000.00"),
                status=ProposalStatus.AWARDED,
            )
            for g, lot in zip(groups, lots, strict=True)
        )
        Proposal.lots.through.objects.bulk_create(
            Proposal.lots.through(proposal=p, lot=lot)
            for p, lot in zip(proposals, lots, strict=True)
        )
        BudgetLine.objects.bulk_create(
            BudgetLine(
                proposal=p,
                lot=lot,
                category="development",
                label=label,
                quantity=Decimal("40"),
                unit="day",
                rate=Decimal("600"),
                amount=Decimal("24000.00"),
            )
            for p, lot in zip(proposals, lots, strict=True)
            for label in ("Développement", "Documentation")
        )
        grids = Grid.objects.bulk_create(Grid(challenge=c) for c in challenges)
        Criterion.objects.bulk_create(
            Criterion(
                grid=g,
                code=code,
                label=label,
                kind=kind,
                weight=Decimal(weight),
                scale=ScaleKind.PRICE_FORMULA if kind == "price" else ScaleKind.ZERO_TEN,
                order=order,
            )
            for g in grids
            for order, (code, label, kind, weight) in enumerate(
                (
                    ("technique", "Valeur technique", "technical", "40"),
                    ("prix", "Prix", "price", "30"),
                    ("communs", "Production de communs", "commons_production", "20"),
                    ("environnement", "Sobriété", "environment", "10"),
                )
            )
        )
        TenderDocument.objects.bulk_create(
            TenderDocument(
                challenge=c,
                piece=piece,
                key=key,
                stage=DocumentStage.DCE,
                title=piece.upper(),
                file=f"documents/{c.pk}-{piece}{key}.docx",
                sha256="0" * 64,
                size=20000,
            )
            for c in challenges
            for piece, key in (
                ("reglement", ""),
                ("cctp", ""),
                ("ccap", ""),
                ("ae_lot", "lot-1"),
                ("ae_lot", "lot-2"),
            )
        )
    return start, start + timedelta(minutes=calls - 1)


class Sink:
    """A text file that counts what is written to it."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("w", encoding="utf-8")
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return self.file.write(text)

    def close(self) -> None:
        self.file.close()


def export(key: str, path: Path, since: datetime | None = None) -> tuple[int, int]:
    from workflows.opendata import export_write

    sink = Sink(path)
    count = export_write(key, sink, since=since)
    sink.close()
    return count, sink.size


def timed(fn) -> tuple[tuple[float, float], object]:
    """(wall-clock seconds, CPU seconds of this process) and ``fn``'s result. The CPU
    time holds on a machine shared with other work; the wall time is what a user waits
    for on an idle one."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return (time.perf_counter() - started, time.process_time() - cpu), result


def peak(fn) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    result = fn()
    _current, highest = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return highest, result


def floor_items(count: int) -> str:
    item = {
        "id": "BENCH000000L1",
        "acheteur": {"id": "20009320100016"},
        "nature": "Marché",
        "objet": "Appel à communs n° 0 — lot 1 : Lot 1",
        "codeCPV": "72260000",
        "techniques": {"technique": ["Sans objet"]},
        "modalitesExecution": {"modaliteExecution": ["Sans objet"]},
        "marcheInnovant": False,
        "ccag": "Techniques de l'information et de la communication",
        "offresRecues": 1,
        "attributionAvance": False,
        "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": False,
        "procedure": "Procédure adaptée",
        "lieuExecution": {"code": "59", "typeCode": "Code département"},
        "dureeMois": 12,
        "dateNotification": "2026-01-05",
        "datePublicationDonnees": "2026-01-05",
        "montant": 48000,
        "typesPrix": {"typePrix": ["Définitif ferme"]},
        "formePrix": "Forfaitaire",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "90000000000018"}}],
        "considerationsSociales": {"considerationSociale": ["Pas de considération sociale"]},
        "considerationsEnvironnementales": {
            "considerationEnvironnementale": ["Critère environnemental"]
        },
    }
    items = [dict(item, id=f"BENCH{n:06d}L1") for n in range(count)]
    return json.dumps({"marches": {"marche": items}}, ensure_ascii=False)


def mib(size: int) -> str:
    return f"{size / 2**20:7.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="Garder la base et les fichiers.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-opendata-"))
    try:
        configure(workdir)
        (seconds, _cpu), (first, last) = timed(lambda: populate(args.contracts))
        print(f"{args.contracts} marchés signés écrits en {seconds:.1f} s ({workdir})")
        print(f"charge de la machine : {os.getloadavg()[0]:.1f} ({os.cpu_count()} cœurs)")
        quarter = last - (last - first) / 4

        (floor_time, floor_cpu), _ = timed(lambda: floor_items(args.contracts))
        floor_peak, _ = peak(lambda: floor_items(args.contracts))
        print()
        print(f"{'':36}{'temps':>8}{'CPU':>8}{'pic mémoire':>14}{'pic (¼)':>12}  éléments")
        print(
            f"{'plancher : json.dumps de dicts':36}{floor_time:7.2f}s{floor_cpu:7.2f}s"
            f"{mib(floor_peak):>14}"
        )
        from procurement.opendata import validation
        from workflows.opendata import FORMATS

        for key in FORMATS:
            path = workdir / f"{key}.json"
            (seconds, cpu), (count, size) = timed(lambda key=key, path=path: export(key, path))
            highest, _ = peak(lambda key=key, path=path: export(key, path))
            highest_quarter, _ = peak(
                lambda key=key, path=path: export(key, path.with_suffix(".q.json"), quarter)
            )
            print(
                f"{key + ' (' + mib(size).strip() + ')':36}{seconds:7.2f}s{cpu:7.2f}s"
                f"{mib(highest):>14}{mib(highest_quarter):>12}  {count}"
            )
            if key == "decp":
                with path.open(encoding="utf-8") as f:
                    document = json.load(f)
                sample = {"marches": {"marche": document["marches"]["marche"][:50]}}
                assert validation.decp_errors(sample) == [], "DECP invalide"
                assert len(document["marches"]["marche"]) == args.contracts
        print()
        print("Cible (issue 16) : moins de 10 s pour 10 000 marchés, mémoire constante.")
    finally:
        if args.keep:
            print(f"Conservé : {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
