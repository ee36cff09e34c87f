"""A call's chains verified from their checkpoint, for its audit endpoint: the cost of
a request does not grow with the chain.

``chains_verify`` re-hashes every row of a chain; ``manage.py verify_chains`` and
``GET /api/v1/chains/verification/`` still do, whatever a checkpoint says. The audit
endpoint instead keeps, per chain, the last row it found whole (``ChainCheckpoint``)
and on each request:

- re-hashes the rows after the checkpoint, with their links, from the checkpoint's
  hash: an edit, a recomputed hash, a deletion or an insertion there is named as the
  full verification names it;
- checks that the chain still passes through the checkpoint (the row at its seq has its
  hash: a chain rewritten from an earlier edit onwards no longer does), through its
  anchored heads and, for a sealed chain, through what the opening recorded; that it
  has exactly as many rows up to the checkpoint as the checkpoint's seq (a row deleted
  or inserted before it); that it ends at its recorded head;
- re-hashes the rows of the page it serves, with their links (``page_problems``): every
  event a reader is shown is verified.

When the chain no longer passes through its checkpoint (or its count before it is
wrong), the request falls back to the full verification of that chain, which names the
row. What it does not see: a row before the checkpoint and off the page edited in place
with its stored hash left as it was. The full verification finds it, and nothing moves
a checkpoint back: the checkpoint only moves forward, over rows that verify.
"""

from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import AuditChainHead, AuditEvent, ChainAnchor, ChainCheckpoint
from procurement.services.audit import (
    GENESIS,
    event_hash,
    hashed_fields,
    proposal_chains_q,
    sealed_digest,
)
from procurement.services.chains.anchors import forged_anchors
from procurement.services.chains.problems import (
    ChainProblem,
    ChainReport,
    altered,
    broken,
    id_of,
    missing,
    when,
)
from procurement.services.chains.rows import (
    anchor_problems,
    head_problems,
    scan,
    sealed_length,
    sealed_problems,
)
from procurement.services.chains.sealed import family_of
from procurement.services.chains.verify import chains_verify


def _count_problem(chain: str, checkpoint: int, count: int) -> ChainProblem:
    if count < checkpoint:
        return ChainProblem(
            chain,
            "missing_event",
            _(
                "lignes supprimées : %(missing)s événements manquent avant l'événement "
                "n° %(seq)s, déjà vérifié."
            )
            % {"missing": checkpoint - count, "seq": checkpoint},
            checkpoint,
        )
    return ChainProblem(
        chain,
        "inserted_event",
        _("lignes ajoutées : %(extra)s événements de trop avant l'événement n° %(seq)s.")
        % {"extra": count - checkpoint, "seq": checkpoint},
        checkpoint,
    )


def chain_verify_incremental(chain: str) -> ChainReport:
    """One chain verified from its checkpoint (see the module), which then moves to the
    chain's head if every check passed. A constant number of queries; the rows re-hashed
    are those written since the last verification."""
    if chain.startswith("sealed:") and family_of(chain) is None:
        return sealed_verify_incremental(chain)
    checkpoint = ChainCheckpoint.objects.filter(chain=chain).first()
    after, after_hash = (checkpoint.seq, checkpoint.hash) if checkpoint else (0, GENESIS)
    head = AuditChainHead.objects.filter(chain=chain).first()
    anchors = list(ChainAnchor.objects.filter(chain=chain).order_by("seq"))
    opened = None
    if chain.startswith("sealed:"):
        opened = (
            AuditEvent.objects.filter(chain=f"challenge:{id_of(chain)}", verb="proposals.opened")
            .order_by("seq")
            .last()
        )
    wanted = {anchor.chain_seq for anchor in anchors}
    if opened is not None:
        wanted.add(sealed_length(opened))
    # the rows the chain must still pass through, up to the checkpoint
    pinned = {seq for seq in wanted | {after} if 0 < seq <= after}
    stored = dict(AuditEvent.objects.filter(chain=chain, seq__in=pinned).values_list("seq", "hash"))
    earlier = AuditEvent.objects.filter(chain=chain, seq__lte=after).count()
    result = scan(
        chain,
        AuditEvent.objects.filter(chain=chain, seq__gt=after).order_by("seq"),
        wanted,
        after=after,
        after_hash=after_hash,
    )
    result.hashes.update(stored)
    problems: list[ChainProblem] = []
    if after and stored.get(after) is None:
        problems.append(missing(chain, after))
    elif after and stored[after] != after_hash:
        problems.append(
            ChainProblem(
                chain,
                "checkpoint_mismatch",
                _(
                    "chaîne réécrite : elle ne passe plus par l'événement n° %(seq)s, "
                    "vérifié le %(date)s."
                )
                % {"seq": after, "date": when(checkpoint.verified_at)},
                after,
            )
        )
    elif earlier != after:
        problems.append(_count_problem(chain, after, earlier))
    if problems:
        # Something changed before the checkpoint: the rare case pays the full scan, to
        # name the row as the full verification does.
        # A chain rewritten whole since (every hash recomputed) verifies row by row: the
        # checkpoint is then what still tells, as an anchor would.
        full = chains_verify(chains=[chain]).reports[0]
        return full if full.problems else merged(full, problems)
    problems += [
        *result.problems,
        *head_problems(result, head),
        *anchor_problems(result, anchors),
        *forged_anchors(anchors),
        *(sealed_problems(result, opened) if chain.startswith("sealed:") else []),
    ]
    if not problems and result.last_seq > after:
        _advance(chain, result.last_seq, result.last_hash)
    last = anchors[-1] if anchors else None
    return ChainReport(
        chain=chain,
        count=earlier + result.count,
        head_seq=head.seq if head is not None else 0,
        head_hash=head.hash if head is not None else GENESIS,
        anchored_seq=last.chain_seq if last is not None else None,
        anchored_at=last.anchored_at if last is not None else None,
        problems=tuple(sorted(problems, key=lambda p: p.seq or 0)),
    )


def sealed_verify_incremental(chain: str) -> ChainReport:
    """A call's sealed chain with its proposals' chains (``chains.sealed``): opened, it
    no longer grows. Verified whole once, then its checkpoint keeps the number of rows
    and the digest of the heads found whole; a later request re-hashes nothing while
    the chains still have that many rows and those heads (three queries), and verifies
    them whole again otherwise, which names the row. As for the other chains, a row
    edited in place with its stored hash left as it was is what only the full
    verification finds."""
    checkpoint = ChainCheckpoint.objects.filter(chain=chain).first()
    members = _family(chain)
    if checkpoint is not None:
        heads = list(
            AuditChainHead.objects.filter(members, seq__gt=0).values_list("chain", "seq", "hash")
        )
        count = AuditEvent.objects.filter(members).count()
        if count == checkpoint.seq and sealed_digest(heads) == checkpoint.hash:
            return ChainReport(
                chain=chain,
                count=count,
                head_seq=sum(seq for _chain, seq, _hash in heads),
                head_hash=checkpoint.hash,
            )
    full = chains_verify(chains=[chain]).reports[0]
    if not full.problems and full.count:
        heads = list(
            AuditChainHead.objects.filter(members, seq__gt=0).values_list("chain", "seq", "hash")
        )
        _advance(chain, full.count, sealed_digest(heads))
    return full


def _family(chain: str) -> Q:
    """The rows of the sealed chain ``chain`` and of its proposals' chains
    (``sealed:7``, ``sealed:7:<proposal>``), through the index on ``chain``
    (``proposal_chains_q``)."""
    return Q(chain=chain) | proposal_chains_q(chain)


def _advance(chain: str, seq: int, hash_: str) -> None:
    """Move the checkpoint forward (never back: two readers may verify at once)."""
    now = timezone.now()
    moved = ChainCheckpoint.objects.filter(chain=chain, seq__lt=seq).update(
        seq=seq, hash=hash_, verified_at=now
    )
    if not moved:
        ChainCheckpoint.objects.bulk_create(
            [ChainCheckpoint(chain=chain, seq=seq, hash=hash_, verified_at=now)],
            ignore_conflicts=True,
        )


def page_problems(chain: str, events: Sequence[AuditEvent]) -> list[ChainProblem]:
    """The rows of a page (in order) re-hashed, with their links to each other and to
    the row before the page: what a reader is shown is verified, wherever the
    checkpoint stands. One query at most (the row before the page)."""
    if not events:
        return []
    first = events[0]
    prev = GENESIS
    if first.seq > 1:
        prev = (
            AuditEvent.objects.filter(chain=chain, seq=first.seq - 1)
            .values_list("hash", flat=True)
            .first()
        )
    problems = []
    expected = first.seq
    for event in events:
        if event.seq > expected:
            problems.append(missing(chain, expected, event.seq - 1))
            prev = None  # the missing row's hash is unknown: no link to check
        if prev is not None and event.prev_hash != prev:
            problems.append(broken(chain, event.seq))
        if event_hash(event.prev_hash, hashed_fields(event)) != event.hash:
            problems.append(altered(chain, event.seq))
        prev, expected = event.hash, event.seq + 1
    return problems


def merged(report: ChainReport, extra: list[ChainProblem]) -> ChainReport:
    """``report`` with the problems found on the page, each named once, by seq."""
    seen = {(p.code, p.seq) for p in report.problems}
    problems = [*report.problems, *(p for p in extra if (p.code, p.seq) not in seen)]
    return ChainReport(
        chain=report.chain,
        count=report.count,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        anchored_seq=report.anchored_seq,
        anchored_at=report.anchored_at,
        problems=tuple(sorted(problems, key=lambda p: p.seq or 0)),
    )
