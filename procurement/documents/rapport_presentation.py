"""Rapport de présentation de la procédure de passation (articles R2184-1 to R2184-3 of
the code de la commande publique), established for a formal procedure: the buyer, the
object and value; the candidates; per lot the offers set aside and why, the titulaire
and why its offer was chosen; and where it applies, why the call was not divided, the
conflicts of interest and the measures taken, and why a lot was awarded to nobody.

Drawn from the same context as the rapport d'analyse des offres, which it summarises.
"""

from __future__ import annotations

from kernel.formats import format_datetime_fr, format_eur, format_number

from .base import PieceWriter, Strong
from .context import RankingContext

TITLE = "Rapport de présentation de la procédure"


def _score(row) -> str:
    return f"{format_number(row.total, 2)} sur 100"


def render_rapport_presentation(ctx: RankingContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, TITLE)

    writer.article("Acheteur, objet et valeur du marché (article R2184-2, 1°)")
    buyer = challenge.buyer
    writer.facts(
        (
            ("Acheteur", buyer.name),
            ("Adresse", buyer.address or "Non renseignée"),
            ("Objet", challenge.object),
            (
                "Valeur estimée",
                f"{format_eur(challenge.estimated_amount)} HT"
                if challenge.estimated_amount is not None
                else "Non renseignée",
            ),
            ("Procédure", challenge.procedure_label),
            ("Date limite de remise des offres", format_datetime_fr(challenge.proposal_deadline)),
        )
    )

    writer.article("Candidats (article R2184-2, 2° et 3°)")
    candidates = sorted({(row.proposal, ", ".join(row.members)) for row in ctx.rows})
    if candidates:
        writer.paragraph(
            "Aucune candidature n'a été écartée : chaque groupement ayant remis une offre a "
            "été admis à l'examen des offres. Candidats :"
        )
        writer.table(("Offre", "Groupement candidat"), candidates, widths=(0.45, 0.55))
    else:
        writer.paragraph("Aucune offre n'a été remise.")

    for lot in challenge.lots:
        rows = [row for row in ctx.rows if row.lot == lot.number]
        writer.article(f"Lot n° {lot.number} – {lot.title}")
        retained = [row for row in rows if row.selected]
        if retained:
            for row in retained:
                writer.paragraph(
                    Strong("Titulaire pressenti (R2184-2, 5°) : "),
                    f"{', '.join(row.members) or row.proposal}, pour l'offre « {row.proposal} », "
                    f"classée au rang {row.rank} avec {_score(row)}"
                    + (f" pour un prix de {format_eur(row.price)} HT" if row.price else "")
                    + ". Son offre est l'offre économiquement la plus avantageuse au regard "
                    "des critères pondérés du règlement de la consultation (article L2152-7). "
                    "Sous-traitance : aucune déclarée à ce stade.",
                )
        elif rows:
            writer.paragraph(
                Strong("Aucune offre n'est retenue pour ce lot (R2184-3, 7°). "),
                "Motifs : ",
                ctx.selection_justification or "non indiqués par l'acheteur.",
            )
        else:
            writer.paragraph("Aucune offre n'a été remise pour ce lot.")
        set_aside = [row for row in rows if not row.selected]
        if set_aside:
            writer.paragraph("Offres non retenues et motifs (R2184-2, 4°) :")
            writer.table(
                ("Offre", "Rang", "Note", "Motif"),
                (
                    (
                        row.proposal,
                        str(row.rank),
                        _score(row),
                        next(
                            (e.reason for e in ctx.eliminations if e.proposal == row.proposal),
                            "Offre moins bien classée au regard des critères pondérés.",
                        ),
                    )
                    for row in set_aside
                ),
                widths=(0.3, 0.1, 0.17, 0.43),
                numeric=(1,),
            )
        if lot.outcome:
            writer.paragraph(Strong("Issue du lot : "), lot.outcome.lower(), ".")

    writer.article("Éléments complémentaires (article R2184-3)")
    if len(challenge.lots) == 1 and len(challenge.resources) > 1:
        writer.paragraph(
            "Absence d'allotissement (2°) : les motifs figurent au règlement de la "
            "consultation (article R2113-3)."
        )
    if ctx.conflicts:
        writer.paragraph(
            "Conflits d'intérêts (6°) : chaque évaluateur ayant déclaré un conflit d'intérêts "
            "sur une offre s'est abstenu de la noter ; les autres évaluateurs l'ont notée."
        )
        writer.table(
            ("Évaluateur", "Offre", "Nature du conflit"),
            ((c.evaluator, c.proposal, c.nature) for c in ctx.conflicts),
            widths=(0.35, 0.3, 0.35),
        )
    else:
        writer.paragraph("Conflits d'intérêts (6°) : aucun n'a été déclaré ni détecté.")
    if ctx.selection_justification:
        writer.paragraph(Strong("Motifs de l'acheteur : "), ctx.selection_justification)
    writer.paragraph(
        "Le détail des notes par critère et par évaluateur figure au rapport d'analyse des "
        "offres, annexé au présent rapport."
    )

    writer.signatures((("l'acheteur", buyer),))
    return writer.finish()
