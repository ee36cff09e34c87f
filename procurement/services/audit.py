"""The append-only, hash-chained audit trail: one chain per call (``challenge:<id>``),
one for what happens under seal (``sealed:<id>``), one per commons' ledger
(``ledger:<commons id>``) and ``global`` for the rest. ``procurement.services.chains``
verifies them and anchors their heads."""

import hashlib
import json
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from procurement.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def sealed_chain(challenge) -> str:
    return f"sealed:{challenge.pk}"


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


@transaction.atomic
def audit_record(
    *,
    verb: str,
    actor=None,
    challenge=None,
    obj=None,
    data: dict[str, Any] | None = None,
    sealed: bool = False,
    ledger=None,
) -> AuditEvent:
    """Append one event to the challenge's chain (or the ledger's, given ``ledger``), in
    the caller's transaction.

    The chain head row is locked (``select_for_update``; SQLite's IMMEDIATE
    transactions serialise writers anyway), so concurrent appends stay in order.
    """
    chain = challenge_chain(challenge)
    if ledger is not None:
        # A commons' money is chained per ledger: its rows are reconciled with this chain.
        chain = ledger_chain(ledger.commons_id)
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
    event.hash = event_hash(event.prev_hash, hashed_fields(event))
    event.save()
    AuditChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event
