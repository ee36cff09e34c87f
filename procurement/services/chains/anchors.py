"""The chains' heads anchored: signed, stored append-only, published.

Recomputing every hash of a chain after an edit makes it whole again row by row; it
then no longer passes through the heads anchored before. An anchor is signed by HMAC
(SHA-256) with ``CHAIN_ANCHOR_KEY``, a key outside the database, over its place in the
anchors' list, its chain, the event and hash of the head, its time and the previous
anchor's signature: a forger who rewrites a chain and its anchors, without the key,
leaves signatures that do not verify; one who removes an anchor leaves a gap. The
anchors are published (``procurement.queries.anchors_public``, ``/api/v1/chains/
anchors/``): a copy kept outside also shows a rewrite by someone holding the key."""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import AuditChainHead, AuditEvent, ChainAnchor
from procurement.services.audit import GENESIS, event_hash, hashed_fields
from procurement.services.chains.problems import ANCHORS, ChainProblem

logger = logging.getLogger(__name__)


def anchor_signature(anchor: ChainAnchor) -> str:
    message = "\n".join(
        (
            str(anchor.seq),
            anchor.chain,
            str(anchor.chain_seq),
            anchor.hash,
            anchor.anchored_at.astimezone(UTC).isoformat(),
            anchor.prev_signature,
        )
    )
    key = settings.CHAIN_ANCHOR_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def anchor_list_problems(anchors: list[ChainAnchor]) -> list[ChainProblem]:
    """The whole list of anchors, in its order: none missing, each linked to the
    previous one."""
    problems = []
    expected, prev = 1, ""
    for anchor in anchors:
        if anchor.seq > expected:
            problems.append(
                ChainProblem(
                    ANCHORS,
                    "anchor_missing",
                    _("ancre supprimée : la liste des ancres a un trou."),
                    row=f"anchor:{expected}",
                )
            )
        elif anchor.prev_signature != prev:
            problems.append(
                ChainProblem(
                    ANCHORS,
                    "anchor_broken_link",
                    _("lien rompu : l'ancre ne se rattache plus à l'ancre précédente."),
                    row=f"anchor:{anchor.seq}",
                )
            )
        expected, prev = anchor.seq + 1, anchor.signature
    return problems


def forged_anchors(anchors: list[ChainAnchor]) -> list[ChainProblem]:
    """The anchors whose signature is not the service key's: their chain's problem."""
    return [
        ChainProblem(
            anchor.chain,
            "anchor_forged",
            _("ancre falsifiée : sa signature n'est pas celle de la clé du service."),
            anchor.chain_seq,
            f"anchor:{anchor.seq}",
        )
        for anchor in anchors
        if not hmac.compare_digest(anchor_signature(anchor), anchor.signature)
    ]


def _verifies_since(anchored: ChainAnchor | None, head: AuditChainHead) -> bool:
    """The rows from the chain's last anchor to its head are all there, link up and
    hash right, starting from the anchored hash."""
    if anchored is None:
        start, expected, prev = 0, 1, GENESIS
    else:  # from the anchored row itself, still there with its hash
        start, expected, prev = anchored.chain_seq, anchored.chain_seq, anchored.hash
    events = AuditEvent.objects.filter(chain=head.chain, seq__gte=max(start, 1), seq__lte=head.seq)
    for event in events.order_by("seq"):
        if anchored is not None and event.seq == start:
            if event.hash != anchored.hash:
                return False
            expected += 1
            continue
        if event.seq != expected or event.prev_hash != prev:
            return False
        if event_hash(event.prev_hash, hashed_fields(event)) != event.hash:
            return False
        expected, prev = event.seq + 1, event.hash
    return expected == head.seq + 1 and prev == head.hash


@dataclass(frozen=True)
class Anchoring:
    anchors: list[ChainAnchor]
    refused: list[str]  # the chains whose rows since their last anchor do not verify


@transaction.atomic
def chains_anchor(*, now: datetime | None = None) -> Anchoring:
    """Sign and store the head of every chain that moved since its last anchor, if the
    rows since that anchor verify: an anchor never blesses a broken chain (it is
    logged and refused)."""
    now = now or timezone.now()
    tops = ChainAnchor.objects.values("chain").annotate(top=Max("seq")).values("top")
    latest = {anchor.chain: anchor for anchor in ChainAnchor.objects.filter(seq__in=tops)}
    last = ChainAnchor.objects.order_by("-seq").first()
    seq, prev = (last.seq, last.signature) if last is not None else (0, "")
    created, refused = [], []
    for head in AuditChainHead.objects.filter(seq__gt=0).order_by("chain"):
        anchored = latest.get(head.chain)
        if anchored is not None and head.seq <= anchored.chain_seq:
            continue
        if not _verifies_since(anchored, head):
            logger.error("Chain %s does not verify: its head is not anchored", head.chain)
            refused.append(head.chain)
            continue
        seq += 1
        anchor = ChainAnchor(
            seq=seq,
            chain=head.chain,
            chain_seq=head.seq,
            hash=head.hash,
            anchored_at=now,
            prev_signature=prev,
        )
        anchor.signature = anchor_signature(anchor)
        anchor.save()
        created.append(anchor)
        prev = anchor.signature
    return Anchoring(created, refused)


def chains_anchor_due(now: datetime | None = None) -> int:
    """Anchor the moved heads when the last anchors are ``CHAIN_ANCHOR_HOURS`` old: the
    sweep calls it, which makes a daily head list. Returns the number of heads anchored."""
    now = now or timezone.now()
    last = ChainAnchor.objects.order_by("-seq").only("anchored_at").first()
    if last is not None and now - last.anchored_at < timedelta(hours=settings.CHAIN_ANCHOR_HOURS):
        return 0
    try:
        return len(chains_anchor(now=now).anchors)
    except IntegrityError:  # another process anchored the same heads meanwhile
        return 0
