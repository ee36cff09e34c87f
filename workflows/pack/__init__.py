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
from procurement.models import (
    CONTRACT_NOTIFICATION,
    DISCONTINUATION_LETTER,
    REJECTION_LETTER,
    Challenge,
    DocumentStage,
)
from procurement.services.award import award_letters_date
from scoring.models import Assignment
from workflows.pack.analysis import ranking_context
from workflows.pack.attribution import attribution_context
from workflows.pack.call import challenge_context
from workflows.pack.conventions import cofunding_contexts, reciprocity_contexts
from workflows.pack.engagement import award_contexts, notification_contexts
from workflows.pack.hosting import hosting_contexts
from workflows.pack.opinions import opinion_contexts
from workflows.pack.refusals import Gap, Missing, Refusal
from workflows.pack.rejection import discontinuation_contexts, rejection_contexts


@dataclass(frozen=True)
class PackPiece:
    piece: str
    key: str
    title: str
    render: Callable[[], bytes]
    stage: str = DocumentStage.AWARD
    addressee: int | None = None  # the proposal a letter is addressed to
    # Why the piece may not be generated yet (a party to sign it is missing): the job
    # stores the others and reports this, in French, instead of rendering it.
    refusal: str = ""


def _piece(key: str, context, object_key: str = "", stage=DocumentStage.AWARD) -> PackPiece:
    title, render = PIECES[key]
    if isinstance(context, Refusal):
        return PackPiece(
            piece=key,
            key=object_key,
            title=title,
            render=lambda: b"",
            stage=stage,
            refusal=context.message,
        )
    return PackPiece(
        piece=key, key=object_key, title=title, render=lambda: render(context), stage=stage
    )


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
        analysis = ranking_context(challenge, base)
        pieces.append(piece("rapport_analyse", analysis))
        if base.procedure_formal:  # article R2184-1: formal procedures only
            pieces.append(piece("rapport_presentation", analysis))
    if challenge.awarded_at is not None and base.procedure_formal:  # article R2183-1
        pieces.append(piece("avis_attribution", attribution_context(challenge, base)))
    pieces += [piece("avis_chambre", c, k) for k, c in opinion_contexts(challenge, base)]
    pieces += [piece("acte_engagement", c, k) for k, c in award_contexts(challenge, base)]
    if challenge.awarded_at is not None:  # signed: each titulaire is notified (R2182-4)
        title, render = PIECES[CONTRACT_NOTIFICATION]
        pieces += [
            PackPiece(
                piece=CONTRACT_NOTIFICATION,
                key=key,
                title=f"{title} — lot n° {context.award.lot.number}",
                render=lambda context=context, render=render: render(context),
                addressee=proposal_id,
            )
            for key, proposal_id, context in notification_contexts(challenge, base)
        ]
    pieces += [
        piece("convention_cofinancement", c, k) for k, c in cofunding_contexts(challenge, base)
    ]
    pieces += [piece("contrat_reciprocite", c, k) for k, c in reciprocity_contexts(challenge, base)]
    pieces += [piece("contrat_hebergement", c, k) for k, c in hosting_contexts(challenge, base)]
    return pieces


def pack_refusals(challenge: Challenge) -> list[Refusal]:
    """What keeps award pieces from being drawn up with the data as it is now: the
    refusals ``build_pack`` would report, in its order, read from the same contexts
    without rendering anything — for the buyer's page, which says what is missing and
    where it is entered. Empty when nothing is missing (or before anything is retained)."""
    base = challenge_context(challenge)
    contexts = [
        *award_contexts(challenge, base),
        *cofunding_contexts(challenge, base),
        *reciprocity_contexts(challenge, base),
        *hosting_contexts(challenge, base),
    ]
    return [context for _key, context in contexts if isinstance(context, Refusal)]


def build_letters(challenge: Challenge) -> list[PackPiece]:
    """The letters of a decided award, each addressed to its candidate's proposal and
    dated when they are issued: on an awarded lot, a rejection letter per unsuccessful
    candidate (articles R2181-1 and R2181-3) giving the end of the standstill
    (``award_letters_date``, recorded once so that a run again renders the same
    letters); on a lot left unawarded, a letter per candidate with the reasons (article
    R2185-1)."""
    sent_at, signature_from = award_letters_date(challenge=challenge)
    base = challenge_context(challenge)
    letters = [
        (REJECTION_LETTER, key, proposal_id, context)
        for key, proposal_id, context in rejection_contexts(
            challenge, base, sent_at=sent_at, signature_from=signature_from
        )
    ]
    letters += [
        (DISCONTINUATION_LETTER, key, proposal_id, context)
        for key, proposal_id, context in discontinuation_contexts(challenge, base, sent_at=sent_at)
    ]
    pieces = []
    for piece, key, proposal_id, context in letters:
        title, render = PIECES[piece]
        pieces.append(
            PackPiece(
                piece=piece,
                key=key,
                title=f"{title} — lot n° {context.lot_number}",
                render=lambda context=context, render=render: render(context),
                stage=DocumentStage.LETTERS,
                addressee=proposal_id,
            )
        )
    return pieces


__all__ = [
    "Gap",
    "Missing",
    "PackPiece",
    "Refusal",
    "build_dce",
    "build_letters",
    "build_pack",
    "challenge_context",
    "pack_refusals",
]
