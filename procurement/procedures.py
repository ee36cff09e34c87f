"""Which French procedure applies to an estimated amount (HT), from dated thresholds.

Thresholds are data: next year's values are one more row in ``THRESHOLDS``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


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


def procedure_for(amount: Decimal | None, *, on: date) -> Procedure:
    """The procedure for a local authority's supplies and services of ``amount`` HT."""
    if amount is None:
        return MAPA
    thresholds = thresholds_on(on)
    if amount < thresholds.no_publicity:
        return NO_PUBLICITY
    if amount < thresholds.formal_local:
        return MAPA
    return FORMAL_OPEN
