"""The price criterion's published formula: the offered prices give the marks, not the
evaluators (article R2152-7 of the code de la commande publique asks for a price or
cost criterion; the formula is published with the grid, so candidates can check it).

    mark = lowest offered price ÷ offered price × maximum mark

rounded half up to the hundredth (the engine counts marks in hundredths). The lowest
price earns the maximum, twice the lowest price half of it, equal prices equal marks,
and no offer is marked against a price that is not among those compared together.

A missing price, or a price of zero or less, cannot be put in the formula (a zero
would divide by zero, and as the lowest price it would make every other offer worth
0): such an offer gets no mark — the ranking counts it as the lowest mark and flags it
``unmarked``, for the buyer to examine (a zero price is an abnormally low offer to
question, articles R2152-3 to R2152-5) — and it is not the reference price of the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .grid import Id

_HUNDREDTH = Decimal("0.01")


def is_comparable(price: Decimal | None) -> bool:
    """Whether ``price`` can enter the formula: a finite ``Decimal`` above zero."""
    return isinstance(price, Decimal | int) and not isinstance(price, bool) and price > 0


def lowest_price(prices: Mapping[Id, Decimal | None]) -> Decimal | None:
    """The reference of the formula: the lowest comparable price, if any."""
    comparable = [Decimal(p) for p in prices.values() if p is not None and is_comparable(p)]
    return min(comparable) if comparable else None


def price_mark(lowest: Decimal, price: Decimal, maximum: Decimal) -> Decimal:
    """``lowest ÷ price × maximum``, rounded half up to the hundredth.

    Raises ``ValueError`` on a price or lowest price of zero or less, and on a price
    below ``lowest`` (the reference is the lowest of the prices compared)."""
    if not (is_comparable(lowest) and is_comparable(price)):
        raise ValueError(f"un prix comparable est supérieur à zéro, pas {price} ni {lowest}")
    if price < lowest:
        raise ValueError(f"le prix {price} est plus bas que le prix de référence {lowest}")
    mark = Decimal(lowest) * Decimal(maximum) / Decimal(price)
    return mark.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def price_marks(prices: Mapping[Id, Decimal | None], maximum: Decimal) -> dict[Id, Decimal]:
    """The mark of every offer whose price is comparable, against the lowest of them;
    the others (missing, zero or negative price) get none (see the module docstring)."""
    lowest = lowest_price(prices)
    if lowest is None:
        return {}
    return {
        proposal: price_mark(lowest, Decimal(price), maximum)
        for proposal, price in prices.items()
        if price is not None and is_comparable(price)
    }
