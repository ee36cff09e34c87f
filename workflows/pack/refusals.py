"""A piece the pack may not generate yet, and why (in French, for the buyer), with what
is missing named by its kind and its object, so a page can point to where it is
entered."""

from dataclasses import dataclass
from enum import StrEnum


class Missing(StrEnum):
    """What a piece waits for, each entered in one place."""

    # An organisation's identity as titulaire (SIRET, address, representative and
    # capacity), stated by its members: ``procurement.services.organisations``.
    IDENTITY = "identity"
    # A proposal's groupement (its form and each member's share), declared by the
    # working group's coordinator with the proposal: ``proposal_submit``.
    GROUPEMENT = "groupement"
    # A resource's structure hébergeuse, designated by the buyer:
    # ``procurement.services.hosting.resource_host_designate``.
    HOST = "host"


@dataclass(frozen=True)
class Gap:
    """One thing missing: its kind, and the id of the organisation (identity), the
    proposal (groupement) or the challenge's resource (host) it is missing from."""

    missing: Missing
    pk: int


@dataclass(frozen=True)
class Refusal:
    """Stands for a piece's context when a party to sign it is missing: the piece is not
    rendered and the document job reports ``message``; ``gaps`` say what to complete."""

    message: str
    gaps: tuple[Gap, ...] = ()
