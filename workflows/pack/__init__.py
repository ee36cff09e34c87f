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
from procurement.documents import context as ctx
from procurement.models import Challenge, DocumentStage
from procurement.services.documents import PieceIncomplete
from scoring.models import Assignment
from workflows.pack.analysis import ranking_context
from workflows.pack.call import challenge_context
from workflows.pack.conventions import cofunding_contexts, reciprocity_contexts
from workflows.pack.engagement import award_contexts
from workflows.pack.opinions import opinion_contexts


@dataclass(frozen=True)
class PackPiece:
    piece: str
    key: str
    title: str
    render: Callable[[], bytes]
    stage: str = DocumentStage.AWARD


def _piece(key: str, context, object_key: str = "", stage=DocumentStage.AWARD) -> PackPiece:
    title, render = PIECES[key]
    return PackPiece(
        piece=key, key=object_key, title=title, render=lambda: render(context), stage=stage
    )


def _incomplete(key: str, object_key: str, message: str) -> PackPiece:
    """A piece the data does not allow yet (a party to identify): never rendered — the
    job stores the others and reports ``message``, in French."""

    def refuse() -> bytes:
        raise PieceIncomplete(message)

    return PackPiece(piece=key, key=object_key, title=PIECES[key].title, render=refuse)


def _pieces(key: str, contexts) -> list[PackPiece]:
    """One piece per (object key, context); a message in place of a context is a piece
    that cannot be drawn up yet (``_incomplete``)."""
    return [
        _incomplete(key, k, c) if isinstance(c, str) else _piece(key, c, k) for k, c in contexts
    ]


def build_dce(challenge: Challenge) -> list[PackPiece]:
    """The consultation documents (DCE), from the call alone — never from a position, an
    offer or a proposal. A marché public: the RC, the CCTP, the CCAP, and per lot a blank
    acte d'engagement and a DPGF. Hors marché: the règlement de l'appel, the CCTP and a
    subsidy application form per lot — no acte d'engagement nor CCAP."""
    base = challenge_context(challenge)
    dce = DocumentStage.DCE
    lots = [(f"lot-{lot.number}", ctx.LotContext(challenge=base, lot=lot)) for lot in base.lots]
    if base.is_public_contract:
        pieces = [
            _piece("reglement", base, stage=dce),
            _piece("cctp", base, stage=dce),
            _piece("ccap", base, stage=dce),
        ]
        pieces += [_piece("ae_lot", c, k, stage=dce) for k, c in lots]
        pieces += [_piece("dpgf", c, k, stage=dce) for k, c in lots]
    else:
        pieces = [_piece("reglement_appel", base, stage=dce), _piece("cctp", base, stage=dce)]
        pieces += [_piece("demande_subvention", c, k, stage=dce) for k, c in lots]
    return pieces


def build_pack(challenge: Challenge) -> list[PackPiece]:
    """The award pieces the challenge's data allows, each with its own render thunk (the
    consultation documents were generated at publication: ``build_dce``)."""
    base = challenge_context(challenge)
    piece = _piece
    pieces: list[PackPiece] = []
    if Assignment.objects.filter(proposal__challenge=challenge).exists():
        pieces.append(piece("rapport_analyse", ranking_context(challenge, base)))
    pieces += [piece("avis_chambre", c, k) for k, c in opinion_contexts(challenge, base)]
    pieces += _pieces("acte_engagement", award_contexts(challenge, base))
    pieces += [
        piece("convention_cofinancement", c, k) for k, c in cofunding_contexts(challenge, base)
    ]
    pieces += [piece("contrat_reciprocite", c, k) for k, c in reciprocity_contexts(challenge, base)]
    return pieces


__all__ = ["PackPiece", "build_dce", "build_pack", "challenge_context"]
