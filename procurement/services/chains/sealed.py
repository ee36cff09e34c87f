"""A call's sealed chains: one per proposal (``sealed:<call>:<proposal>``), verified and
reported together under the call's sealed chain, ``sealed:<call>`` (which also holds
the sealed events written before the chains were split per proposal).

Chained per proposal, a submission locks only its own proposal's chain head, never a
row every other submission needs (issue 20, the deadline rush). The tamper evidence is
kept: each proposal's chain is a hash chain with its recorded head, anchored like the
others; at the opening, the call's chain records the digest of every proposal chain's
head (``proposals.opened``: ``sealed_chains``, ``sealed_digest``). The verification
recomputes that digest from the rows: a proposal chain cut short with its head moved
back, removed whole, rewritten, or one added or lengthened after the opening, no longer
gives the digest the opening recorded."""

import re

from django.utils.translation import gettext as _

from procurement.models import AuditEvent
from procurement.services.audit import sealed_digest
from procurement.services.chains.problems import ChainProblem
from procurement.services.chains.rows import Scan

PROPOSAL_CHAIN = re.compile(r"^sealed:(\d+):(\d+)$")


def family_of(chain: str) -> str | None:
    """``sealed:7`` for a proposal's chain ``sealed:7:12``; None for any other chain."""
    match = PROPOSAL_CHAIN.match(chain)
    return f"sealed:{match[1]}" if match else None


def digest_problems(
    family: str, opened: AuditEvent | None, scans: list[Scan]
) -> list[ChainProblem]:
    """The proposal chains of a call, as their rows now stand, against the digest the
    opening recorded (no check before the opening, nor for an opening that predates
    the split)."""
    if opened is None or "sealed_digest" not in (opened.data or {}):
        return []
    heads = [(scan.chain, scan.last_seq, scan.last_hash) for scan in scans if scan.last_seq > 0]
    if len(heads) == opened.data.get("sealed_chains") and (
        sealed_digest(heads) == opened.data["sealed_digest"]
    ):
        return []
    return [
        ChainProblem(
            family,
            "sealed_head_mismatch",
            _(
                "les chaînes scellées des propositions ne sont plus celles que l'ouverture "
                "des plis a enregistrées (%(count)s chaînes, événement n° %(opened)s de "
                "l'appel) : des événements scellés ont été supprimés, ajoutés ou réécrits."
            )
            % {"count": opened.data.get("sealed_chains"), "opened": opened.seq},
        )
    ]
