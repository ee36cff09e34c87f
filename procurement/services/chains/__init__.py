"""Every hash chain of the service verified, and their heads anchored.

The chains (``procurement.services.audit`` appends to them):

- ``challenge:<id>``: a call's audit trail;
- ``sealed:<id>``: what happened under seal (a proposal submitted, a file attached),
  chained apart until the opening, whose ``proposals.opened`` event (in the call's
  chain) records the sealed chain's length and head;
- ``ledger:<commons id>``: a commons' ledger (money received, expenses submitted,
  decided, paid); its rows (``Income``, ``Expense``, the ``Ledger``'s totals) are
  reconciled with the amounts its events recorded;
- ``global``: the rest (organisations, the catalogue, reciprocity, and the ledger
  events written before each ledger had a chain of its own).

``chains_verify`` reads every row of every chain and says, for each chain, which row is
wrong and how: an edited row (its hash no longer matches), a row whose hash was
recomputed (the next row no longer links to it), a deleted row (a gap in the sequence,
or a chain shorter than its recorded head), an inserted row (a row beyond the recorded
head), a chain rewritten from an edit onwards (it no longer passes through its anchored
heads), a forged or removed anchor, a sealed chain that is no longer what the opening
recorded, a ledger row that no longer says what its event recorded.

``chains_anchor`` signs and stores the head of every chain that moved since its last
anchor (``ChainAnchor``: append-only, the anchors linked to each other, signed by HMAC
with ``CHAIN_ANCHOR_KEY``, a key outside the database); the sweep anchors when the last
anchors are ``CHAIN_ANCHOR_HOURS`` old (a daily head list), and the list is published
(``procurement.queries.anchors_public``). A chain is anchored only when the rows since
its last anchor verify: an anchor never blesses a broken chain.
"""

from procurement.services.chains.anchors import Anchoring, chains_anchor, chains_anchor_due
from procurement.services.chains.problems import (
    ChainProblem,
    ChainReport,
    ChainVerification,
    Verification,
    first_problem,
    row_label,
)
from procurement.services.chains.verify import audit_verify, chains_verify, challenge_chains

__all__ = [
    "Anchoring",
    "ChainProblem",
    "ChainReport",
    "ChainVerification",
    "Verification",
    "audit_verify",
    "chains_anchor",
    "chains_anchor_due",
    "chains_verify",
    "challenge_chains",
    "first_problem",
    "row_label",
]
