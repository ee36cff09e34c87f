"""The Chambre des communs' opinion, as a letter to the buyer."""

from __future__ import annotations

from docx.shared import Cm

from kernel.formats import format_date_fr

from .base import PieceWriter, Strong
from .common import write_commons_list
from .context import OpinionContext

TITLE = "Avis de la Chambre des communs"
RECIPIENT_INDENT = Cm(9)  # the usual window position of a French letter's recipient


def render_avis_chambre(ctx: OpinionContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, TITLE)

    writer.party(ctx.chambre)
    buyer = challenge.buyer
    recipient_lines = [f"\n{buyer.address}"] if buyer.address else []
    if buyer.representative:
        recipient_lines.append(f"\nÀ l'attention de {buyer.representative}")
    recipient = writer.paragraph(Strong(buyer.name), *recipient_lines)
    recipient.paragraph_format.left_indent = RECIPIENT_INDENT
    date_line = f"le {format_date_fr(ctx.issued_at)}"
    dated = writer.paragraph(f"{ctx.place}, {date_line}" if ctx.place else date_line.capitalize())
    dated.paragraph_format.left_indent = RECIPIENT_INDENT

    writer.paragraph(
        Strong("Objet : "),
        f"avis {ctx.subject_label} « {challenge.title} » (référence {challenge.reference})",
    )
    writer.paragraph("Madame, Monsieur,")
    writer.paragraph(
        f"La Chambre des communs a examiné l'appel à communs « {challenge.title} » que lui a "
        f"soumis {buyer.name}. Au terme de sa délibération, elle rend l'avis suivant :"
    )
    writer.paragraph(Strong(ctx.verdict_label), center=True)

    writer.heading("Motifs")
    writer.bullets(ctx.reasons)

    writer.heading("Réserves et réponses de l'acheteur")
    if ctx.reservations:
        writer.table(
            ("N°", "Réserve", "Réponse de l'acheteur"),
            (
                (str(number), line.reservation, line.answer or "En attente de réponse")
                for number, line in enumerate(ctx.reservations, start=1)
            ),
            widths=(0.07, 0.47, 0.46),
        )
    else:
        writer.paragraph("La Chambre n'émet pas de réserve.")

    writer.heading("Communs recommandés")
    writer.paragraph(
        "La Chambre demande que les prestataires incluent dans leurs réponses les communs "
        "qu'elle référence ci-dessous et qu'ils respectent la licence de chacun, notamment sa "
        "licence à réciprocité :"
    )
    write_commons_list(writer, ctx.recommended_commons)

    writer.heading("Exigences de licence")
    writer.paragraph(ctx.licence_requirements)

    writer.paragraph(
        "Cet avis est consultatif : il éclaire la décision de l'acheteur, qui en reste seul "
        "responsable. Il est publié avec l'appel à communs, accompagné des réponses de "
        "l'acheteur aux réserves."
    )
    writer.paragraph(
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
    )
    signature = writer.paragraph(Strong(ctx.moderator_name), f"\nModérateur, {ctx.chambre.name}")
    signature.paragraph_format.left_indent = RECIPIENT_INDENT

    return writer.finish()
