"""Avis d'attribution (article R2183-1 of the code de la commande publique): once a
formal procedure's contracts are signed, the buyer publishes within 30 days who was
awarded each lot and at what price, and which lots were awarded to nobody, with the
recourse then open. From its publication the référé contractuel may be brought within
31 days (article R551-7 of the code de justice administrative), and the Tarn-et-Garonne
action within two months.
"""

from __future__ import annotations

from kernel.formats import format_datetime_fr, format_eur

from .base import PieceWriter
from .common import write_recourse
from .context import AttributionContext, AttributionLine

TITLE = "Avis d'attribution"


def _unawarded(line: AttributionLine) -> str:
    if line.discontinued:
        return "Non attribué : lot déclaré sans suite"
    return "Non attribué : lot infructueux"


def render_avis_attribution(ctx: AttributionContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, TITLE)

    writer.article("Acheteur et objet")
    writer.party(challenge.buyer)
    writer.facts(
        (
            ("Objet", challenge.object),
            ("Procédure", challenge.procedure_label),
            ("Référence", challenge.reference),
            ("Attribution décidée le", format_datetime_fr(ctx.awarded_at)),
        )
    )

    writer.article("Attribution par lot")
    writer.table(
        ("Lot", "Intitulé", "Offres reçues", "Titulaire", "Montant HT"),
        (
            (
                str(line.number),
                line.title,
                str(line.offers),
                line.titulaire.name if line.titulaire else _unawarded(line),
                format_eur(line.amount_ht) if line.amount_ht is not None else "—",
            )
            for line in ctx.lots
        ),
        widths=(0.08, 0.32, 0.14, 0.28, 0.18),
        numeric=(0, 2, 4),
    )
    writer.paragraph(
        "Les offres ont été remises par voie électronique sur le service de l'appel à "
        "communs ; le classement et ses motifs figurent au rapport d'analyse des offres."
    )

    write_recourse(writer, challenge)
    writer.paragraph(
        "Le référé contractuel peut être introduit dans les trente et un jours suivant la "
        "publication du présent avis (article R551-7 du code de justice administrative)."
    )
    return writer.finish()
