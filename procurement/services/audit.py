"""The append-only, hash-chained audit trail."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from procurement.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def sealed_chain(challenge) -> str:
    return f"sealed:{challenge.pk}"


def _chain_for(challenge) -> str:
    return f"challenge:{challenge.pk}" if challenge is not None else "global"


def _event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
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


@transaction.atomic
def audit_record(
    *,
    verb: str,
    actor=None,
    challenge=None,
    obj=None,
    data: dict[str, Any] | None = None,
    sealed: bool = False,
) -> AuditEvent:
    """Append one event to the challenge's chain, in the caller's transaction.

    The chain head row is locked (``select_for_update``; SQLite's IMMEDIATE
    transactions serialise writers anyway), so concurrent appends stay in order.
    """
    chain = _chain_for(challenge)
    if sealed:
        # What happens under seal (a proposal submitted, a file attached) is chained
        # apart, outside the challenge's trail: before the opening, even when and how
        # many would tell too much. The opening event then records this chain's head.
        chain, challenge = sealed_chain(challenge), None
    AuditChainHead.objects.get_or_create(chain=chain)
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
    event.hash = _event_hash(event.prev_hash, _hashed_fields(event))
    event.save()
    AuditChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainVerification:
    valid: bool
    count: int
    first_broken_seq: int | None = None
    reason: str = ""


def audit_verify(*, challenge=None) -> ChainVerification:
    """Recompute a chain: any edited, inserted or deleted row makes it invalid."""
    chain = _chain_for(challenge)
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator():
        count += 1
        if event.seq != expected_seq:
            return ChainVerification(False, count, expected_seq, "missing_event")
        if event.prev_hash != prev:
            return ChainVerification(False, count, event.seq, "broken_link")
        if _event_hash(prev, _hashed_fields(event)) != event.hash:
            return ChainVerification(False, count, event.seq, "altered_event")
        prev = event.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return ChainVerification(False, count, count + 1, "missing_event")
    return ChainVerification(True, count)
