"""The append-only, hash-chained audit trail: one chain per call (``challenge:<id>``),
what happens under seal chained per proposal (``sealed:<id>:<proposal id>``; the
opening records the digest of their heads, and ``sealed:<id>`` keeps the sealed events
written before the chains were split), one per commons' ledger (``ledger:<commons id>``)
and ``global`` for the rest. ``procurement.services.chains`` verifies them and anchors
their heads."""

import hashlib
import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from procurement.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def sealed_chain(challenge) -> str:
    return f"sealed:{challenge.pk}"


def proposal_chain(proposal) -> str:
    """A proposal's own sealed chain: what its working group did under seal (its
    submissions and attachments). Chained per proposal, a submission locks no row that
    the other groups' submissions need (issue 20: the deadline rush)."""
    return f"sealed:{proposal.challenge_id}:{proposal.pk}"


def proposal_chains_q(sealed: str) -> Q:
    """The rows of the proposals' chains of a call (``sealed:7:<proposal>``), given its
    sealed chain ``sealed`` (``sealed:7``), read through an index on ``chain`` on both
    databases: the opening, the verification and the audit endpoint read a call's
    proposals' chains by this one condition.

    On PostgreSQL a LIKE prefix, which only an index in a byte order serves: the
    ``varchar_pattern_ops`` index ``audit_event_chain_prefix`` (and the one Django adds
    beside the unique ``AuditChainHead.chain``); a plain index in a linguistic collation
    cannot, nor can a range there, since such a collation does not order names as their
    bytes. SQLite's LIKE never uses an index (it ignores case): there the names from
    ``sealed:7:`` up to ``sealed:7;`` (``;`` follows ``:``), the same rows under its
    binary collation, read through the index leading with ``chain``."""
    if connection.vendor == "sqlite":
        return Q(chain__gte=f"{sealed}:", chain__lt=f"{sealed};")
    return Q(chain__startswith=f"{sealed}:")


def sealed_digest(heads) -> str:
    """The digest of a call's proposal chains, from their ``(chain, seq, hash)`` heads:
    the opening records it, the verification recomputes it from the rows."""
    lines = sorted(
        heads, key=lambda head: [int(p) if p.isdigit() else p for p in head[0].split(":")]
    )
    payload = "".join(f"{chain} {seq} {hash_}\n" for chain, seq, hash_ in lines)
    return hashlib.sha256(payload.encode()).hexdigest()


def ledger_chain(commons_id: int) -> str:
    return f"ledger:{commons_id}"


def challenge_chain(challenge) -> str:
    return f"challenge:{challenge.pk}" if challenge is not None else "global"


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "chain": event.chain,
        "seq": event.seq,
        "challenge": event.challenge_id,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
    }


# The columns of an event, in the order _insert_first writes them.
_EVENT_COLUMNS = (
    "chain",
    "seq",
    "challenge_id",
    "actor_id",
    "actor_label",
    "verb",
    "object_type",
    "object_id",
    "data",
    "created_at",
    "prev_hash",
    "hash",
)


def _insert_first(event: AuditEvent, head: AuditChainHead) -> None:
    """A new chain's first event and its head, written by one statement on PostgreSQL
    (a data-modifying ``WITH``) where the ORM sends two: the deadline rush writes one
    per submission (``proposal_chain``). The same rows as ``save()`` would write; the
    head's uniqueness still refuses a second first event."""
    quote = connection.ops.quote_name
    head.seq, head.hash = event.seq, event.hash
    values = [getattr(event, name) for name in _EVENT_COLUMNS]
    values[_EVENT_COLUMNS.index("data")] = json.dumps(event.data)
    placeholders = ", ".join("%s::jsonb" if name == "data" else "%s" for name in _EVENT_COLUMNS)
    sql = (
        f"WITH e AS (INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608 — names
        f"({', '.join(quote(name) for name in _EVENT_COLUMNS)}) VALUES ({placeholders}) "
        "RETURNING id) "
        f"INSERT INTO {quote(AuditChainHead._meta.db_table)} (chain, seq, hash) "
        "VALUES (%s, %s, %s) RETURNING id, (SELECT id FROM e)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, head.chain, head.seq, head.hash])
        head.pk, event.pk = cursor.fetchone()
    for row in (event, head):
        row._state.adding, row._state.db = False, connection.alias


# No savepoint: a failed append fails the caller's whole transaction, as it must.
@transaction.atomic(savepoint=False)
def audit_record(
    *,
    verb: str,
    actor=None,
    challenge=None,
    obj=None,
    data: dict[str, Any] | None = None,
    sealed: bool = False,
    ledger=None,
    new_chain: bool = False,
) -> AuditEvent:
    """Append one event to the challenge's chain (or the ledger's, given ``ledger``), in
    the caller's transaction.

    The chain head row is locked (``select_for_update``; SQLite's IMMEDIATE
    transactions serialise writers anyway), so concurrent appends stay in order.

    ``sealed``: the event goes to the sealed chain of ``obj``, a proposal
    (``proposal_chain``). ``new_chain``: the caller knows the chain has no event yet (a
    proposal just inserted, whose row's uniqueness already serialises its writers): its
    head is inserted with the event (one statement on PostgreSQL: ``_insert_first``), no
    lock waited for; a concurrent creator would fail on the head's uniqueness, never fork
    the chain.
    """
    chain = challenge_chain(challenge)
    if ledger is not None:
        # A commons' money is chained per ledger: its rows are reconciled with this chain.
        chain = ledger_chain(ledger.commons_id)
    if sealed:
        # What happens under seal (a proposal submitted, a file attached) is chained
        # apart, outside the challenge's trail: before the opening, even when and how
        # many would tell too much. Chained per proposal, so that the submissions of
        # different groups share no row; the opening event then records the digest of
        # these chains' heads.
        chain, challenge = proposal_chain(obj), None
    if new_chain:
        head = AuditChainHead(chain=chain)
    else:
        head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:
            # the chain's first event: its head row, created once whoever races for it
            AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
            head = AuditChainHead.objects.select_for_update().get(chain=chain)
    # Store exactly what is hashed: Decimals and dates become strings.
    clean = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    event = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        challenge=challenge,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=str(actor) if actor is not None and actor.is_authenticated else "système",
        verb=verb,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=clean,
        created_at=timezone.now(),
        prev_hash=head.hash,
    )
    event.hash = event_hash(event.prev_hash, hashed_fields(event))
    if head.pk is None and connection.vendor == "postgresql":
        _insert_first(event, head)
        return event
    event.save()
    if head.pk is None:
        head.seq, head.hash = event.seq, event.hash
        head.save(force_insert=True)
    else:
        AuditChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event
