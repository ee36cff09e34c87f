"""Every chain verified at once: a constant number of queries, whatever the number of
chains and rows (the events are read once, in order, chain after chain)."""

import itertools
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from procurement.models import AuditChainHead, AuditEvent, ChainAnchor, Ledger
from procurement.services.audit import GENESIS, proposal_chains_q, sealed_digest
from procurement.services.chains.anchors import anchor_list_problems, forged_anchors
from procurement.services.chains.ledger import ledger_problems
from procurement.services.chains.problems import (
    ANCHORS,
    ChainReport,
    ChainVerification,
    Verification,
    chain_key,
    first_problem,
    id_of,
)
from procurement.services.chains.rows import (
    Scan,
    anchor_problems,
    head_problems,
    scan,
    sealed_length,
    sealed_problems,
)
from procurement.services.chains.sealed import digest_problems, family_of


def chains_verify(*, chains: Iterable[str] | None = None) -> Verification:
    """Verify every chain (or only ``chains``): each row, the recorded head, the heads
    anchored, what the opening recorded of a sealed chain, a ledger's rows. Verifying
    every chain verifies the anchors' own list too (the report named ``anchors``)."""
    only = set(chains) if chains is not None else None
    heads_qs = AuditChainHead.objects.all()
    events_qs = AuditEvent.objects.order_by("chain", "seq")
    anchors_qs = ChainAnchor.objects.order_by("seq")
    opened_qs = AuditEvent.objects.filter(verb="proposals.opened").order_by("chain", "seq")
    if only is not None:
        scope = Q(chain__in=only)
        for name in only:  # a call's sealed chain brings its proposals' chains
            if name.startswith("sealed:") and family_of(name) is None:
                scope |= proposal_chains_q(name)
        heads_qs = heads_qs.filter(scope)
        events_qs = events_qs.filter(scope)
        anchors_qs = anchors_qs.filter(scope)
        opened_qs = opened_qs.filter(
            chain__in=[f"challenge:{id_of(c)}" for c in only if c.startswith("sealed:")]
        )
    heads = {head.chain: head for head in heads_qs}
    every_anchor = list(anchors_qs)
    anchors = defaultdict(list)
    for anchor in every_anchor:
        anchors[anchor.chain].append(anchor)
    # the opening of a call recorded its sealed chain's length and head
    opened = {f"sealed:{id_of(event.chain)}": event for event in opened_qs}

    if only is None:
        money = ledger_problems(None)
        names = set(heads) | set(anchors) | set(opened)
        names |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
        names |= {f"ledger:{pk}" for pk in Ledger.objects.values_list("commons_id", flat=True)}
        names |= {f"ledger:{pk}" for pk in money}
    else:
        names = set(only)
        money = ledger_problems(
            {pk for c in names if c.startswith("ledger:") and (pk := id_of(c)) is not None}
        )
    # the anchors' own list is whole only when read whole
    listed = forged_anchors(every_anchor)
    if only is None:
        listed += anchor_list_problems(every_anchor)

    scans: dict[str, Scan] = {}
    for chain, events in itertools.groupby(events_qs.iterator(chunk_size=2000), lambda e: e.chain):
        wanted = {anchor.chain_seq for anchor in anchors[chain]}
        if chain in opened:
            wanted.add(sealed_length(opened[chain]))
        scans[chain] = scan(chain, events, wanted)

    # the proposals' sealed chains, reported with their call's sealed chain
    families: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(heads) | set(scans) | set(anchors), key=chain_key):
        family = family_of(name)
        if family is not None and (only is None or name not in only):
            families[family].append(name)
    names = {name for name in names if family_of(name) is None or (only and name in only)}
    names |= set(families)

    reports = []
    for chain in sorted(names, key=chain_key):
        result = scans.get(chain) or Scan(chain)
        head = heads.get(chain)
        problems = [
            *result.problems,
            *head_problems(result, head),
            *anchor_problems(result, anchors[chain]),
            *(sealed_problems(result, opened.get(chain)) if chain.startswith("sealed:") else []),
            *(money.get(id_of(chain) or 0, []) if chain.startswith("ledger:") else []),
            *(p for p in listed if p.chain == chain),
        ]
        count, head_seq = result.count, head.seq if head is not None else 0
        head_hash = head.hash if head is not None else GENESIS
        members = [scans.get(name) or Scan(name) for name in families.get(chain, [])]
        for member in members:
            member_head = heads.get(member.chain)
            problems += [
                *member.problems,
                *head_problems(member, member_head),
                *anchor_problems(member, anchors[member.chain]),
                *(p for p in listed if p.chain == member.chain),
            ]
            count += member.count
            head_seq += member_head.seq if member_head is not None else 0
        if chain.startswith("sealed:") and family_of(chain) is None:
            problems += digest_problems(chain, opened.get(chain), members)
        if members:
            head_hash = sealed_digest(
                (m.chain, heads[m.chain].seq, heads[m.chain].hash)
                for m in members
                if m.chain in heads
            )
        last = anchors[chain][-1] if anchors[chain] else None
        reports.append(
            ChainReport(
                chain=chain,
                count=count,
                head_seq=head_seq,
                head_hash=head_hash,
                anchored_seq=last.chain_seq if last is not None else None,
                anchored_at=last.anchored_at if last is not None else None,
                problems=tuple(sorted(problems, key=lambda p: p.seq or 0)),
            )
        )
    if only is None:
        last = every_anchor[-1] if every_anchor else None
        reports.append(
            ChainReport(
                chain=ANCHORS,
                count=len(every_anchor),
                head_seq=last.seq if last is not None else 0,
                head_hash=last.signature if last is not None else "",
                problems=tuple(p for p in listed if p.chain == ANCHORS),
            )
        )
    return Verification(tuple(reports))


def challenge_chains(challenge) -> list[str]:
    """The chains of a call its buyer and its Chambre may verify: its audit trail, and
    its sealed chain once the proposals are opened."""
    chains = [f"challenge:{challenge.pk}"]
    if challenge.proposals_opened_at is not None:
        chains.append(f"sealed:{challenge.pk}")
    return chains


def audit_verify(*, challenge=None) -> ChainVerification:
    """A call's trail (or ``global``): valid, or its first wrong row and why."""
    chain = f"challenge:{challenge.pk}" if challenge is not None else "global"
    [report] = chains_verify(chains=[chain]).reports
    return first_problem(report)
