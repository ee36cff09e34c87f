"""A signed call as the exports read it, for the pure tests: the demo's shape (three lots,
two awarded, one to a joint groupement), every field overridable."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from procurement.documents.context import GroupementForm
from procurement.opendata import context as ctx
from procurement.procedures import ContractNature

PARIS = ZoneInfo("Europe/Paris")
BUYER = ctx.Organisation(
    name="Métropole Européenne de Lille",
    siret="20009320100016",
    address="2 boulevard des Cités Unies, 59040 Lille",
)
MOBICOOP = ctx.Organisation(name="Mobicoop SCIC", siret="81000000000010")
COVOIT = ctx.Organisation(name="Covoit'Libre SAS", siret="82000000800012")


def contract(**fields) -> ctx.Contract:
    values = {
        "lot": 1,
        "amount": Decimal("33000.00"),
        "titulaires": (MOBICOOP, COVOIT),
        "groupement": GroupementForm.JOINT,
        "offers_received": 2,
    }
    return ctx.Contract(**(values | fields))


def call(**fields) -> ctx.Call:
    values = {
        "ocid": "ocds-000000-MEL-AAC-2026-001",
        "challenge_id": 7,
        "reference": "MEL-AAC-2026-001",
        "title": "Mobilité partagée dans la métropole",
        "description": "Des communs pour la mobilité partagée.",
        "url": "https://communs.example.fr/defis/7/",
        "buyer": BUYER,
        "cpv_code": "72260000",
        "place_kind": ctx.PlaceKind.DEPARTMENT,
        "place_code": "59",
        "innovative": False,
        "nature": ContractNature.SERVICES,
        "procedure": "mapa",
        "procedure_label": "procédure adaptée (MAPA)",
        "estimated_amount": Decimal("180000.00"),
        "duration_months": 12,
        "published_at": datetime(2026, 6, 1, 9, tzinfo=PARIS),
        "proposal_deadline": datetime(2026, 7, 20, 12, tzinfo=PARIS),
        "questions_deadline": None,
        "award_decided_at": datetime(2026, 10, 12, 10, tzinfo=PARIS),
        "signed_at": datetime(2026, 10, 23, 10, tzinfo=PARIS),
        "tenderers": 3,
        "lots": (
            ctx.Lot(
                number=1,
                title="Standard ouvert",
                estimated_amount=Decimal("60000.00"),
                outcome=ctx.LotOutcome.AWARDED,
                resources=("Standard ouvert de données de covoiturage",),
            ),
            ctx.Lot(
                number=2,
                title="Brique de réservation",
                estimated_amount=Decimal("80000.00"),
                outcome=ctx.LotOutcome.AWARDED,
            ),
            ctx.Lot(
                number=3,
                title="Base de connaissances",
                estimated_amount=Decimal("40000.00"),
                outcome=ctx.LotOutcome.UNSUCCESSFUL,
            ),
        ),
        "contracts": (
            contract(),
            contract(
                lot=2,
                amount=Decimal("52000.00"),
                titulaires=(COVOIT,),
                groupement=GroupementForm.NONE,
                offers_received=1,
            ),
        ),
        "criteria": (
            ctx.Criterion(label="Valeur technique", weight=Decimal("50.00"), kind="technical"),
            ctx.Criterion(label="Prix", weight=Decimal("30.00"), kind="price"),
            ctx.Criterion(label="Sobriété", weight=Decimal("20.00"), kind="environment"),
        ),
        "documents": (
            ctx.Document(
                id="11",
                piece="reglement",
                title="Règlement de la consultation",
                sha256="a" * 64,
                url="https://communs.example.fr/api/v1/challenges/7/documents/11/download/",
                published_at=datetime(2026, 6, 1, 9, 0, 5, tzinfo=PARIS),
                modified_at=datetime(2026, 6, 10, 9, tzinfo=PARIS),
            ),
            ctx.Document(
                id="12",
                piece="dpgf",
                title="DPGF du lot 1",
                sha256="b" * 64,
                url="https://communs.example.fr/api/v1/challenges/7/documents/12/download/",
                published_at=datetime(2026, 6, 1, 9, 0, 5, tzinfo=PARIS),
                modified_at=datetime(2026, 6, 1, 9, 0, 5, tzinfo=PARIS),
                lot=1,
            ),
        ),
        "amendments": (
            ctx.Amendment(
                number=1, made_at=datetime(2026, 6, 10, 9, tzinfo=PARIS), summary="Précision"
            ),
        ),
    }
    return ctx.Call(**(values | fields))


def with_contract(base: ctx.Call, **fields) -> ctx.Call:
    """``base`` whose first contract has ``fields`` changed."""
    first, *others = base.contracts
    return replace(base, contracts=(replace(first, **fields), *others))
