"""A piece the pack may not generate yet, and why (in French, for the buyer)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Stands for a piece's context when a party to sign it is missing: the piece is not
    rendered and the document job reports ``message``."""

    message: str
