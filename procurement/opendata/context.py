"""What the open-data exports read: frozen dataclasses of plain values, one ``Call``
per signed appel à communs with its contracts (one per lot awarded).

The Django side builds them from queries (``workflows.opendata``); nothing here imports
Django. As for the documents' contexts: money is ``Decimal`` in euros HT, every
``datetime`` is time-zone aware, collections are tuples. A context holds only what may
be published: the call, its public consultation documents, its award and the signed
contracts — never a proposal that was not awarded, nor the name of an unsuccessful
candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from procurement.documents.context import GroupementForm
from procurement.procedures import ContractNature

SIRET = re.compile(r"[0-9]{14}")
CPV = re.compile(r"[0-9]{8}")


def _require_aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{name} must be a time-zone aware datetime, got {value!r}")


class LotOutcome(StrEnum):
    """``procurement.models.LotOutcome``: what became of a lot at the award."""

    PENDING = "pending"
    AWARDED = "awarded"
    UNSUCCESSFUL = "unsuccessful"


class PlaceKind(StrEnum):
    """``procurement.models.ExecutionPlaceKind``: the type of a place's code."""

    COMMUNE = "commune"
    POSTAL_CODE = "postal_code"
    ARRONDISSEMENT = "arrondissement"
    CANTON = "canton"
    DEPARTMENT = "department"
    REGION = "region"
    COUNTRY = "country"


@dataclass(frozen=True, slots=True, kw_only=True)
class Organisation:
    """A legal person named in the open data: the buyer or a titulaire, by its SIRET."""

    name: str
    siret: str
    address: str = ""

    def __post_init__(self) -> None:
        if not SIRET.fullmatch(self.siret):
            raise ValueError(f"{self.name}: a SIRET has 14 digits, got {self.siret!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Lot:
    number: int
    title: str
    estimated_amount: Decimal | None  # HT
    outcome: LotOutcome
    resources: tuple[str, ...] = ()  # the titles of the commons the lot asks for
    reserved_ess: bool = False  # reserved to the social and solidarity economy (L2113-15)
    reserved_disability: bool = False  # to entreprises adaptées and ESAT (L2113-12)
    reserved_insertion: bool = False  # to structures d'insertion (L2113-13)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionStep:
    """A step of a contract's execution follow-up, public once signed: a deliverable
    (``kind`` "deliverable": met when the buyer admitted it) or a milestone ("milestone":
    met when the holder marked it reached). OCDS calls both implementation milestones."""

    key: str  # "deliverable-12", "milestone-3": unique within the call
    kind: str  # "deliverable" or "milestone"
    title: str
    due: datetime | None  # the day expected or planned, at midnight Paris time
    met_at: datetime | None  # admitted or reached
    modified_at: datetime  # the last act on it

    def __post_init__(self) -> None:
        _require_aware(due=self.due, met_at=self.met_at, modified_at=self.modified_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """The contract of one lot, signed with its titulaires at its price."""

    lot: int  # the lot's number
    amount: Decimal  # HT: the awarded proposal's budget lines inside the contract
    titulaires: tuple[Organisation, ...]  # a groupement's mandataire first
    groupement: GroupementForm
    offers_received: int  # the proposals submitted on the lot
    execution: tuple[ExecutionStep, ...] = ()  # its follow-up since the signature

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError(f"lot {self.lot}: a contract's amount is positive")
        if not self.titulaires:
            raise ValueError(f"lot {self.lot}: a contract has a titulaire")
        if self.offers_received < 1:
            raise ValueError(f"lot {self.lot}: a contract was awarded to an offer received")


@dataclass(frozen=True, slots=True, kw_only=True)
class Criterion:
    label: str
    weight: Decimal  # percent
    kind: str  # ``scoring.models.CriterionKind``: "price", "environment"…


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A public piece of the consultation (DCE), its latest version."""

    id: str
    piece: str  # "reglement", "cctp", "ccap", "ae_lot", "dpgf"…
    title: str
    sha256: str
    url: str
    published_at: datetime  # its first version
    modified_at: datetime  # its latest version
    lot: int | None = None

    def __post_init__(self) -> None:
        _require_aware(published_at=self.published_at, modified_at=self.modified_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class Amendment:
    """A change the buyer made to the published call."""

    number: int
    made_at: datetime
    summary: str
    substantial: bool = False

    def __post_init__(self) -> None:
        _require_aware(made_at=self.made_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One signed appel à communs under a marché public: the tender, its award and its
    contracts. ``ocid`` is its Open Contracting ID (the prefix set in the settings and
    the call's reference)."""

    ocid: str
    challenge_id: int
    reference: str
    title: str
    description: str
    url: str  # its public page
    buyer: Organisation
    cpv_code: str  # eight digits
    place_kind: PlaceKind
    place_code: str
    innovative: bool
    nature: ContractNature
    procedure: str  # ``procurement.procedures.Procedure.code``: "mapa", "formal_open"…
    procedure_label: str
    estimated_amount: Decimal | None
    duration_months: int
    published_at: datetime
    proposal_deadline: datetime
    questions_deadline: datetime | None
    award_decided_at: datetime
    signed_at: datetime
    tenderers: int  # the proposals submitted, all lots together
    lots: tuple[Lot, ...]
    contracts: tuple[Contract, ...]
    criteria: tuple[Criterion, ...] = ()
    documents: tuple[Document, ...] = ()
    amendments: tuple[Amendment, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(
            published_at=self.published_at,
            proposal_deadline=self.proposal_deadline,
            questions_deadline=self.questions_deadline,
            award_decided_at=self.award_decided_at,
            signed_at=self.signed_at,
        )
        if not CPV.fullmatch(self.cpv_code):
            raise ValueError(f"{self.reference}: a CPV code has eight digits")
        numbers = {lot.number for lot in self.lots}
        for contract in self.contracts:
            if contract.lot not in numbers:
                raise ValueError(f"{self.reference}: no lot {contract.lot}")

    def lot(self, number: int) -> Lot:
        return next(lot for lot in self.lots if lot.number == number)
