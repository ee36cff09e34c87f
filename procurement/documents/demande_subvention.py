"""Formulaire de demande de subvention of one lot, for an appel à communs hors marché:
instead of an acte d'engagement, the applicant states who it is, its partners, its
budget and the amount it asks for. Drawn from the call alone."""

from __future__ import annotations

from kernel.formats import format_eur

from .base import PieceWriter
from .context import LotContext, Party

TITLE = "Formulaire de demande de subvention"
BLANK = "…………………………………………………………"


def render_demande_subvention(ctx: LotContext) -> bytes:
    challenge, lot = ctx.challenge, ctx.lot
    writer = PieceWriter(challenge, f"{TITLE} — lot {lot.number}")
    writer.article("Appel et lot")
    writer.facts(
        (
            ("Référence", challenge.reference),
            ("Lot", f"{lot.number} — {lot.title}"),
            ("Ressources du lot", " ; ".join(r.title for r in lot.resources) or "—"),
            (
                "Enveloppe indicative du lot",
                format_eur(lot.estimated_amount) if lot.estimated_amount is not None else "—",
            ),
        )
    )
    writer.article("Porteur du projet")
    writer.facts(
        (
            ("Nom", BLANK),
            ("Statut juridique", BLANK),
            ("SIRET ou numéro RNA", BLANK),
            ("Adresse", BLANK),
            ("Représentant légal", BLANK),
        )
    )
    writer.article("Partenaires du projet")
    writer.table(
        ("Partenaire", "SIRET ou RNA", "Rôle dans le projet"),
        [("", "", "")] * 3,
        widths=(0.35, 0.25, 0.4),
    )
    writer.article("Budget prévisionnel et montant demandé")
    writer.table(
        ("Poste", "Montant (€)"),
        (
            ("Dépenses du projet", ""),
            ("Autres financements obtenus ou demandés", ""),
            ("Subvention demandée", ""),
        ),
        widths=(0.7, 0.3),
        numeric=(1,),
        strong_last_row=True,
    )
    writer.article("Attestation")
    writer.paragraph(
        "Le représentant légal certifie exactes les informations ci-dessus et que le porteur "
        "est en règle de ses obligations sociales et fiscales."
    )
    writer.signatures([("le porteur du projet", Party(name=BLANK))])
    return writer.finish()
