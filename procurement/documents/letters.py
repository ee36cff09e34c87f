"""What every letter to a candidate shares: the buyer and the addressee where a French
letter puts them, its date, its subject, how it is sent, and the signature — for the
rejection letter (``lettre_rejet``), the letter on a lot not awarded
(``lettre_non_attribution``) and the notification of the contract
(``notification_marche``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from docx.shared import Cm

from kernel.formats import format_datetime_fr, format_number

from .base import PieceWriter, Strong
from .context import ChallengeContext, Party

RECIPIENT_INDENT = Cm(9)  # the usual window position of a French letter's recipient
SENT_TO_GROUP = "par voie électronique, à chacun des membres du groupe de travail candidat."
CLOSING = "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."


def names(parties: tuple[Party, ...]) -> str:
    return ", ".join(party.name for party in parties)


def points(value: Decimal) -> str:
    """A score on 100, as the letters print it: "72,50"."""
    return format_number(value, 2)


def ordinal(rank: int, feminine: bool = True) -> str:
    if rank == 1:
        return "première" if feminine else "1re"
    return f"{rank}e"


def write_head(
    writer: PieceWriter,
    challenge: ChallengeContext,
    addressees: tuple[Party, ...],
    *,
    dated: datetime,
    subject: str,
    sent: str = SENT_TO_GROUP,
) -> None:
    """The buyer top left, the addressee and the date at the window, the subject and
    how the letter is sent, then the salutation."""
    writer.party(challenge.buyer)
    recipient = writer.paragraph(
        Strong(names(addressees)),
        *(f"\n{party.address}" for party in addressees[:1] if party.address),
    )
    recipient.paragraph_format.left_indent = RECIPIENT_INDENT
    date_line = writer.paragraph(f"Le {format_datetime_fr(dated)}")
    date_line.paragraph_format.left_indent = RECIPIENT_INDENT
    writer.paragraph(Strong("Objet : "), subject)
    writer.paragraph(Strong("Envoi : "), sent)
    writer.paragraph("Madame, Monsieur,")


def write_signature(writer: PieceWriter, challenge: ChallengeContext, closing: str) -> None:
    """The closing sentence and the buyer's signatory, at the window."""
    writer.paragraph(closing)
    buyer = challenge.buyer
    signatory = buyer.representative or "Le représentant de l'acheteur"
    signature = writer.paragraph(Strong(signatory), f"\n{buyer.name}")
    signature.paragraph_format.left_indent = RECIPIENT_INDENT
