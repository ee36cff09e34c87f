"""One chain, row by row: its sequence, its links, its hashes, its recorded head, the
heads anchored, and for a sealed chain what the opening recorded of it."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from procurement.models import AuditChainHead, AuditEvent, ChainAnchor
from procurement.services.audit import GENESIS, event_hash, hashed_fields
from procurement.services.chains.problems import (
    ChainProblem,
    altered,
    broken,
    head_replaced,
    inserted,
    missing,
    when,
)


@dataclass
class Scan:
    chain: str
    count: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    # The stored hash at the positions asked for (the anchored heads, the sealed head).
    hashes: dict[int, str] = field(default_factory=dict)
    problems: list[ChainProblem] = field(default_factory=list)


def scan(
    chain: str,
    events: Iterable[AuditEvent],
    wanted: set[int],
    *,
    after: int = 0,
    after_hash: str = GENESIS,
) -> Scan:
    """Check each row: its place in the sequence (a gap is a deleted row), its link to
    the previous row (broken when that row was replaced, or its hash recomputed), its
    own hash (wrong when its content was edited). From the chain's start, or from the
    row ``after`` whose hash is ``after_hash`` (the rows that follow it)."""
    result = Scan(chain)
    expected, prev, resync = after + 1, after_hash, False
    for event in events:
        result.count += 1
        if event.seq < expected:  # a seq 0: the sequence starts at 1
            result.problems.append(inserted(chain, event.seq, expected - 1))
            continue
        if event.seq > expected:
            result.problems.append(missing(chain, expected, event.seq - 1))
            resync = True  # the missing row's hash is unknown: no link to check
        if not resync and event.prev_hash != prev:
            result.problems.append(broken(chain, event.seq))
        if event_hash(event.prev_hash, hashed_fields(event)) != event.hash:
            result.problems.append(altered(chain, event.seq))
        if event.seq in wanted:
            result.hashes[event.seq] = event.hash
        prev, expected, resync = event.hash, event.seq + 1, False
    result.last_seq, result.last_hash = expected - 1, prev
    return result


def head_problems(result: Scan, head: AuditChainHead | None) -> list[ChainProblem]:
    """The recorded head is where the chain ends: rows beyond it were inserted, a chain
    that stops short of it lost its newest rows."""
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    if result.last_seq > head_seq:
        return [inserted(result.chain, head_seq + 1, head_seq)]
    if result.last_seq < head_seq:
        return [missing(result.chain, result.last_seq + 1, head_seq)]
    if result.last_hash != head_hash:
        return [head_replaced(result.chain, head_seq)]
    return []


def anchor_problems(result: Scan, anchors: list[ChainAnchor]) -> list[ChainProblem]:
    """The chain must still pass through every head anchored: a chain rewritten from an
    edit onwards is whole again row by row, but no longer where it was anchored."""
    return [
        ChainProblem(
            result.chain,
            "anchor_mismatch",
            _("chaîne réécrite ou tronquée : elle ne passe plus par sa tête ancrée le %(date)s.")
            % {"date": when(anchor.anchored_at)},
            anchor.chain_seq,
            f"anchor:{anchor.seq}",
        )
        for anchor in anchors
        if result.hashes.get(anchor.chain_seq) != anchor.hash
    ]


def sealed_length(opened: AuditEvent) -> int:
    try:
        return int(opened.data.get("sealed_events") or 0)
    except (AttributeError, TypeError, ValueError):
        return -1


def sealed_problems(result: Scan, opened: AuditEvent | None) -> list[ChainProblem]:
    """At the opening, the call's chain recorded the sealed chain's length and head
    (``proposals.opened``): the sealed chain must still end there, nothing being
    chained under seal after the deadline."""
    if opened is None:
        return []
    length = sealed_length(opened)
    recorded = opened.data.get("sealed_head") or GENESIS
    if length == result.last_seq and result.hashes.get(length, GENESIS) == recorded:
        return []
    return [
        ChainProblem(
            result.chain,
            "sealed_head_mismatch",
            _(
                "la chaîne scellée n'est plus celle que l'ouverture des plis a enregistrée "
                "(%(count)s événements, événement n° %(opened)s de l'appel) : des "
                "événements scellés ont été supprimés, ajoutés ou réécrits."
            )
            % {"count": length, "opened": opened.seq},
            length if length > 0 else None,
        )
    ]
