"""Matching funds ("doublonnage"), as pure functions: what each matching offer adds to
the pledges of a cofunding round. No Django here; ``services.cofunding.matching`` feeds
these from the database and writes what the close honours.

The rules, as the round page, the API and the convention de cofinancement state them:

- **Who offers.** The buyer or a funder of the round: ``ratio`` euros per euro pledged
  (0 < ratio <= 5), up to ``cap`` euros in all, on every bucket of the round or on the
  buckets it names only.
- **Which pledges are matched.** The active pledges of *others* on those buckets: never
  the matcher's own pledges, never a pledge that itself honours a match (no matching of
  matching). A funder's pledge may be matched by another funder's offer, even when that
  funder offers a match itself.
- **How much.** Each pledge calls ``amount × ratio`` rounded down to the cent, limited by
  what is left of the offer's cap and by what the bucket still takes: its maximum, or its
  minimum when the round stops there (``BeyondMinimum``), less its pledges, subsidies and
  the matches already counted on it. Pledges come first: a match only fills the room they
  leave, and never makes a bucket overfunded.
- **Sharing the cap.** Offers in the order they were made; within an offer, pledges in
  the order they were made (time, then id). When the cap is exhausted the later pledges
  get nothing from that offer — deterministic, and the same on every page.
- **Live.** Computed from the current pledges on every read: withdrawing or moving a
  pledge recomputes every match (a moved pledge is a new pledge, at the end of the
  order).
- **At close** (``settle``): a bucket is funded when its pledges, subsidies and matches
  reach its minimum (or when the round keeps a funded bucket funded after a budget edit);
  the other buckets' pledges are released, so they call no match, and the matches are
  computed again without them — the cap they held goes to the pledges of the buckets
  still in (which ones drop first: ``settle``). What remains on funded buckets is
  honoured: it becomes the matcher's committed pledges, and the rest of each cap is not
  due.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketRoom:
    """A bucket as the match sees it: what it holds and how far it may go."""

    id: int
    total: Decimal  # active (or committed) pledges and subsidies
    ceiling: Decimal  # its maximum, or its minimum when the round stops there
    minimum: Decimal = ZERO
    kept_funded: bool = False  # funded whatever its total (EditAfterFunded.STAY_FUNDED)


@dataclass(frozen=True, slots=True, kw_only=True)
class PledgeLine:
    """An active pledge, given in the order the pledges were made."""

    id: int
    bucket: int
    funder: int
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer:
    """An active matching offer, given in the order the offers were made."""

    id: int
    matcher: int
    ratio: Decimal
    cap: Decimal
    buckets: frozenset[int] = field(default_factory=frozenset)  # empty: every bucket


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """What ``offer`` adds to ``pledge`` on ``bucket``."""

    offer: int
    pledge: int
    bucket: int
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Settlement:
    funded: frozenset[int]
    not_funded: frozenset[int]
    matches: tuple[Match, ...]


def matched_amount(amount: Decimal, ratio: Decimal) -> Decimal:
    """What ``ratio`` calls for on a pledge of ``amount``, rounded down to the cent (a
    match never promises a cent more than the ratio gives)."""
    return (amount * ratio).quantize(CENT, rounding=ROUND_DOWN)


def _cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT, rounding=ROUND_DOWN) * 100)


def matches(
    *, buckets: Iterable[BucketRoom], pledges: Sequence[PledgeLine], offers: Sequence[Offer]
) -> tuple[Match, ...]:
    """Every offer's match on every pledge, by the rules of the module docstring.
    Pledges on a bucket not given are not matched. Computed in whole cents (the ratio
    exactly, as a fraction), so a round of many pledges is read in milliseconds."""
    room = {bucket.id: max(_cents(bucket.ceiling - bucket.total), 0) for bucket in buckets}
    lines = [(p.id, p.bucket, p.funder, _cents(p.amount)) for p in pledges if p.bucket in room]
    found: list[Match] = []
    for offer in offers:
        left = _cents(offer.cap)
        numerator, denominator = offer.ratio.as_integer_ratio()
        only = offer.buckets
        for pledge_id, bucket, funder, cents in lines:
            if left <= 0:
                break
            if funder == offer.matcher or (only and bucket not in only):
                continue
            amount = min(cents * numerator // denominator, left, room[bucket])
            if amount > 0:
                found.append(
                    Match(
                        offer=offer.id,
                        pledge=pledge_id,
                        bucket=bucket,
                        amount=Decimal(amount).scaleb(-2),
                    )
                )
                left -= amount
                room[bucket] -= amount
    return tuple(found)


def per_bucket(found: Iterable[Match]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for match in found:
        totals[match.bucket] = totals.get(match.bucket, ZERO) + match.amount
    return totals


def per_offer(found: Iterable[Match]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for match in found:
        totals[match.offer] = totals.get(match.offer, ZERO) + match.amount
    return totals


def _reached(bucket: BucketRoom, matched: Decimal) -> bool:
    return bucket.kept_funded or bucket.total + matched >= bucket.minimum


def settle(
    *, buckets: Sequence[BucketRoom], pledges: Sequence[PledgeLine], offers: Sequence[Offer]
) -> Settlement:
    """The round's close: which buckets are funded, and the matches honoured on them.

    A bucket short of its minimum even with its matches drops out (its pledges are
    released, so they call no match) and the matches are computed again over the others,
    until none is short. First drop together the buckets that would stay short even as
    the only bucket of the round (every cap for them alone: no choice frees enough for
    them); then, while some are short, the one furthest from its minimum (the latest
    bucket on a tie), one at a time — the cap it held may be enough for the others.
    Deterministic, and at most one pass per bucket."""
    alive = {bucket.id: bucket for bucket in buckets}
    while True:
        live_pledges = [pledge for pledge in pledges if pledge.bucket in alive]
        found = matches(buckets=alive.values(), pledges=live_pledges, offers=offers)
        matched = per_bucket(found)
        short = [pk for pk, bucket in alive.items() if not _reached(bucket, matched.get(pk, ZERO))]
        if not short:
            funded = frozenset(alive)
            return Settlement(
                funded=funded,
                not_funded=frozenset(bucket.id for bucket in buckets) - funded,
                matches=found,
            )
        hopeless = [
            pk
            for pk in short
            if not _reached(
                alive[pk],
                sum(
                    (
                        m.amount
                        for m in matches(
                            buckets=[alive[pk]],
                            pledges=[p for p in live_pledges if p.bucket == pk],
                            offers=offers,
                        )
                    ),
                    ZERO,
                ),
            )
        ]
        dropped = hopeless or [
            max(
                short,
                key=lambda pk: (alive[pk].minimum - alive[pk].total - matched.get(pk, ZERO), pk),
            )
        ]
        for pk in dropped:
            del alive[pk]
