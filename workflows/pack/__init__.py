"""Build the tender pack's contexts from the database: the query side of the pure
renderers in ``procurement.documents``. The pack reads both domains (the call and its
offers from ``procurement``, the grid and the ranking from ``scoring``), so it is put
together here, in the process's layer.

Every context carries a ``generated_at`` derived from the data (the last decision it
reflects), never the clock, so unchanged data renders to the same bytes and the same
version.
"""

from collections.abc import Callable
from dataclasses import dataclass

from procurement.documents import PIECES
from procurement.models import Challenge
from scoring.models import Assignment
from workflows.pack.award import (
    award_contexts,
    cofunding_contexts,
    opinion_contexts,
    ranking_context,
    reciprocity_contexts,
)
from workflows.pack.call import challenge_context


@dataclass(frozen=True)
class PackPiece:
    piece: str
    key: str
    title: str
    render: Callable[[], bytes]


def build_pack(challenge: Challenge) -> list[PackPiece]:
    """Every piece the challenge's data allows, each with its own render thunk."""
    base = challenge_context(challenge)

    def piece(key: str, context, object_key: str = "") -> PackPiece:
        title, render = PIECES[key]
        return PackPiece(piece=key, key=object_key, title=title, render=lambda: render(context))

    pieces = [piece("reglement", base), piece("cctp", base), piece("ccap", base)]
    if Assignment.objects.filter(proposal__challenge=challenge).exists():
        pieces.append(piece("rapport_analyse", ranking_context(challenge, base)))
    pieces += [piece("avis_chambre", c, k) for k, c in opinion_contexts(challenge, base)]
    pieces += [piece("acte_engagement", c, k) for k, c in award_contexts(challenge, base)]
    pieces += [
        piece("convention_cofinancement", c, k) for k, c in cofunding_contexts(challenge, base)
    ]
    pieces += [piece("contrat_reciprocite", c, k) for k, c in reciprocity_contexts(challenge, base)]
    return pieces


__all__ = ["PackPiece", "build_pack", "challenge_context"]
