"""Which French procedure applies to an estimated amount (HT), from dated thresholds.

Thresholds are data: next year's values are one more row in ``THRESHOLDS``. The
European threshold depends on who buys and what: a local authority's supplies and
services, the State's (central government authorities), or works, whoever buys them.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class BuyerCategory(StrEnum):
    """Who buys: the thresholds of supplies and services differ (``Thresholds``)."""

    LOCAL = "local"  # collectivités territoriales, their groupings and établissements
    STATE = "state"  # l'État and its établissements publics (autorités centrales)


class ContractNature(StrEnum):
    """What is bought: works have their own threshold."""

    SERVICES = "services"
    SUPPLIES = "supplies"
    WORKS = "works"


@dataclass(frozen=True)
class Thresholds:
    valid_from: date
    # Below them no publicity nor competition is required (article R2122-8): supplies
    # and services, and works.
    no_publicity: Decimal
    no_publicity_works: Decimal
    # European thresholds for supplies and services: local authorities, the State; works.
    formal_local: Decimal
    formal_state: Decimal
    formal_works: Decimal


# Décret n° 2025-1386 of 29 December 2025 (article R2122-8): works 100 000 € HT from
# 1 January 2026, supplies and services 60 000 € HT from 1 April 2026 (40 000 € HT
# until then). European thresholds for 2026-2027: Regulation (EU) 2025/2152, notice
# of 26 December 2025 (annex 2 of the code). An earlier date takes the first row.
THRESHOLDS = [
    Thresholds(
        valid_from=date(2026, 1, 1),
        no_publicity=Decimal("40000"),
        no_publicity_works=Decimal("100000"),
        formal_local=Decimal("216000"),
        formal_state=Decimal("140000"),
        formal_works=Decimal("5404000"),
    ),
    Thresholds(
        valid_from=date(2026, 4, 1),
        no_publicity=Decimal("60000"),
        no_publicity_works=Decimal("100000"),
        formal_local=Decimal("216000"),
        formal_state=Decimal("140000"),
        formal_works=Decimal("5404000"),
    ),
]


@dataclass(frozen=True)
class Procedure:
    code: str
    label: str
    # Minimum days between publication and the offers' deadline (0: a reasonable delay).
    min_offer_days: int
    # A formal procedure: answers to questions at the latest 6 days before the offers'
    # deadline (article R2132-6 of the code de la commande publique).
    formal: bool = False


NO_PUBLICITY = Procedure(
    "no_publicity", "marché sans publicité ni mise en concurrence préalables", 0
)
MAPA = Procedure("mapa", "procédure adaptée (MAPA)", 0)
# Open formal procedure: 35 days from the notice (article R2161-2), 30 when offers are
# submitted electronically (article R2161-3), as on this service.
FORMAL_OPEN = Procedure(
    "formal_open", "appel d'offres ouvert (procédure formalisée)", 30, formal=True
)


# The standstill between sending the rejection letters and signing a contract awarded
# under a formal procedure (article R2182-1): 16 days, 11 when the letters go to every
# candidate electronically — as this service sends them. A MAPA has none.
STANDSTILL_DAYS = 11
STANDSTILL_DAYS_NOT_ELECTRONIC = 16


def thresholds_on(day: date) -> Thresholds:
    applicable = [t for t in THRESHOLDS if t.valid_from <= day]
    return max(applicable, key=lambda t: t.valid_from) if applicable else THRESHOLDS[0]


def formal_threshold(
    thresholds: Thresholds, buyer: BuyerCategory | str, nature: ContractNature | str
) -> Decimal:
    """From this amount HT the procedure is formal: works whoever buys them, else the
    supplies and services of a local authority or of the State."""
    if ContractNature(nature) is ContractNature.WORKS:
        return thresholds.formal_works
    if BuyerCategory(buyer) is BuyerCategory.STATE:
        return thresholds.formal_state
    return thresholds.formal_local


class MissingEstimate(ValueError):
    """No estimated amount: the procedure cannot be told (the call is not publishable)."""


def procedure_for(
    amount: Decimal | None,
    *,
    on: date,
    buyer: BuyerCategory | str = BuyerCategory.LOCAL,
    nature: ContractNature | str = ContractNature.SERVICES,
) -> Procedure:
    """The procedure for a contract of ``amount`` HT estimated on ``on``: below the
    no-publicity threshold of ``nature`` none (R2122-8), below the formal threshold of ``buyer`` and
    ``nature`` a MAPA, from it a formal procedure (each threshold belongs to the
    procedure above it). Raises ``MissingEstimate`` without an amount: an estimate is
    required, never guessed."""
    if amount is None:
        raise MissingEstimate("an estimated amount is required to choose the procedure")
    thresholds = thresholds_on(on)
    no_publicity = (
        thresholds.no_publicity_works
        if ContractNature(nature) is ContractNature.WORKS
        else thresholds.no_publicity
    )
    if amount < no_publicity:
        return NO_PUBLICITY
    if amount < formal_threshold(thresholds, buyer, nature):
        return MAPA
    return FORMAL_OPEN
