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
    # Below it no publicity nor competition is required (article R2122-8).
    no_publicity: Decimal
    # European thresholds for supplies and services: local authorities, the State; works.
    formal_local: Decimal
    formal_state: Decimal
    formal_works: Decimal


THRESHOLDS = [
    Thresholds(
        valid_from=date(2026, 1, 1),
        no_publicity=Decimal("40000"),
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
# Open formal procedure with electronic submission: 35 days, 30 with electronic means.
FORMAL_OPEN = Procedure(
    "formal_open", "appel d'offres ouvert (procédure formalisée)", 30, formal=True
)


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
    no-publicity threshold none (R2122-8), below the formal threshold of ``buyer`` and
    ``nature`` a MAPA, from it a formal procedure (each threshold belongs to the
    procedure above it). Raises ``MissingEstimate`` without an amount: an estimate is
    required, never guessed."""
    if amount is None:
        raise MissingEstimate("an estimated amount is required to choose the procedure")
    thresholds = thresholds_on(on)
    if amount < thresholds.no_publicity:
        return NO_PUBLICITY
    if amount < formal_threshold(thresholds, buyer, nature):
        return MAPA
    return FORMAL_OPEN
