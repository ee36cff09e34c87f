"""The Chambre des communs' opinion, as a letter to the buyer."""

from __future__ import annotations

from docx.shared import Cm

from kernel.formats import format_date_fr

from .base import PieceWriter, Strong
from .common import quoted, write_commons_list
from .context import OpinionContext, OpinionTopic

TITLE = "Avis de la Chambre des communs"
RECIPIENT_INDENT = Cm(9)  # the usual window position of a French letter's recipient


ORDINALS = ("premier", "deuxième", "troisième", "quatrième", "cinquième", "sixième")


def ordinal_label(number: int, count: int) -> str:
    """ "premier avis", "second avis" (when there are two), "troisième avis"…; a single
    opinion on its topic is simply "avis"."""
    if count == 1:
        return "avis"
    if number == 2 and count == 2:  # "second" when there is no third
        return "second avis"
    word = ORDINALS[number - 1] if number <= len(ORDINALS) else f"{number}e"
    return f"{word} avis"


def subject_line(ctx: OpinionContext) -> str:
    """What the opinion is about, with the call's reference: the "Objet" of the letter."""
    challenge = ctx.challenge
    call = f"appel à communs « {challenge.title} » (référence {challenge.reference})"
    if ctx.topic is OpinionTopic.SELECTION:
        return (
            f"{ordinal_label(ctx.number, ctx.count)} sur la sélection des propositions de l'{call}"
        )
    return f"{ordinal_label(ctx.number, ctx.count)} sur le projet d'{call}"


def _write_introduction(writer: PieceWriter, ctx: OpinionContext) -> None:
    challenge = ctx.challenge
    referred = f", saisie le {format_date_fr(ctx.referred_at)}," if ctx.referred_at else ""
    if ctx.topic is OpinionTopic.SELECTION:
        writer.paragraph(
            f"La Chambre des communs{referred} a examiné, au regard de la place qu'elles font "
            f"aux communs, les propositions que {challenge.buyer.name} a retenues à l'issue "
            f"de l'évaluation des réponses à l'appel à communs « {challenge.title} »"
            + (" :" if ctx.selected else ".")
        )
        writer.bullets(ctx.selected)
        writer.paragraph(
            "Au terme de sa délibération, elle rend sur cette sélection l'avis suivant :"
        )
        return
    revised = {1: "", 2: ", révisé à la suite de son premier avis,"}.get(
        ctx.number, ", révisé à la suite de ses avis précédents,"
    )
    writer.paragraph(
        f"La Chambre des communs{referred} a examiné le projet d'appel à communs "
        f"« {challenge.title} »{revised} que lui a soumis {challenge.buyer.name} avant sa "
        "publication. Au terme de sa délibération, elle rend l'avis suivant :"
    )


def _write_commons(writer: PieceWriter, ctx: OpinionContext) -> None:
    writer.heading("Communs recommandés")
    if ctx.recommended_commons:
        if ctx.topic is OpinionTopic.SELECTION:
            lead = (
                "La Chambre recommande aux titulaires retenus de s'appuyer sur les communs "
                "suivants, qu'elle référence, et de respecter la licence de chacun, notamment "
                "sa licence à réciprocité :"
            )
        else:
            lead = (
                "La Chambre demande que les prestataires incluent dans leurs réponses les "
                "communs qu'elle référence ci-dessous et qu'ils respectent la licence de "
                "chacun, notamment sa licence à réciprocité :"
            )
        writer.paragraph(lead)
        write_commons_list(writer, ctx.recommended_commons)
        return
    size = ctx.catalogue_size
    catalogue = (
        f" ; son catalogue public référence {size} commun{'s' if size > 1 else ''}" if size else ""
    )
    writer.paragraph(
        f"La Chambre ne recommande aucun commun en particulier dans cet avis{catalogue}."
    )


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

    writer.paragraph(Strong("Objet : "), subject_line(ctx))
    writer.paragraph("Madame, Monsieur,")
    _write_introduction(writer, ctx)
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

    _write_commons(writer, ctx)

    if ctx.licence_requirements.strip():
        writer.heading("Exigences de licence")
        whom = "aux titulaires retenus" if ctx.topic is OpinionTopic.SELECTION else "à l'acheteur"
        writer.paragraph(
            f"La Chambre demande {whom} de faire respecter, pour les livrables, l'exigence de "
            f"licence suivante : {quoted(ctx.licence_requirements)}."
        )

    published = (
        "Il est publié avec les résultats de l'appel, accompagné des réponses de l'acheteur "
        "aux réserves."
        if ctx.topic is OpinionTopic.SELECTION
        else "Il est publié avec l'appel à communs, accompagné des réponses de l'acheteur aux "
        "réserves."
    )
    writer.paragraph(
        "Cet avis est consultatif : il éclaire la décision de l'acheteur, qui en reste seul "
        f"responsable. {published}"
    )
    writer.paragraph(
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
    )
    signature = writer.paragraph(Strong(ctx.moderator_name), f"\nModérateur, {ctx.chambre.name}")
    signature.paragraph_format.left_indent = RECIPIENT_INDENT

    return writer.finish()
