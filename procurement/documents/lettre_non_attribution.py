"""The letter to a candidate of a lot the buyer did not award, one per candidate and lot.

Article R2185-1 of the code de la commande publique: a buyer that declares a procedure
— here, one lot of it — without follow-up communicates, as soon as possible, the
reasons of its decision to the economic operators that took part. Two cases:

* the lot received at least one valid offer and the buyer chose not to award it (sans
  suite): its reason, which must be one of general interest, is quoted;
* every offer received was eliminated as irregular, unacceptable or inappropriate
  (articles L2152-1 to L2152-4): the lot is infructueux, and the letter gives why this
  candidate's offer was.

No standstill date: no contract will be signed on that lot. The decision may be
challenged before the administrative judge within two months (recours pour excès de
pouvoir, article R421-1 of the code de justice administrative).
"""

from __future__ import annotations

from kernel.formats import format_datetime_fr

from .base import PieceWriter, Strong
from .context import DiscontinuationContext
from .letters import CLOSING, ordinal, points, write_head, write_signature

TITLE = "Lettre de non-attribution"


def render_lettre_non_attribution(ctx: DiscontinuationContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, f"{TITLE} — lot n° {ctx.lot_number}")
    lot = f"lot n° {ctx.lot_number} « {ctx.lot_title} »"
    write_head(
        writer,
        challenge,
        ctx.candidate,
        dated=ctx.sent_at,
        subject=(
            f"non-attribution du {lot} de l'appel à communs « {challenge.title} » "
            f"(référence {challenge.reference}) — votre offre « {ctx.candidate_offer} »"
        ),
    )
    outcome = (
        "déclaré infructueux : aucune offre régulière, acceptable et appropriée n'a été "
        "remise pour ce lot"
        if ctx.infructueux
        else "déclaré sans suite"
    )
    writer.paragraph(
        f"Vous avez remis une offre pour le {lot} de la consultation citée en objet, passée "
        f"selon la procédure suivante : {challenge.procedure_label}. Par décision du "
        f"{format_datetime_fr(ctx.decided_at)}, ce lot n'est pas attribué : il est ",
        Strong(outcome),
        ". Conformément à l'article R2185-1 du code de la commande publique, je vous en "
        "communique ci-après les motifs. Aucun marché ne sera signé pour ce lot dans le "
        "cadre de la présente consultation.",
    )

    writer.facts(
        (
            ("Lot", f"n° {ctx.lot_number} — {ctx.lot_title}"),
            ("Votre offre", ctx.candidate_offer),
            ("Décision", f"lot {outcome.split(' :')[0]}"),
            ("Date de la décision", format_datetime_fr(ctx.decided_at)),
        )
    )

    writer.heading("Motifs de la décision")
    if not ctx.infructueux:
        writer.paragraph("L'acheteur a décidé de ne pas attribuer ce lot pour le motif suivant :")
        writer.paragraph(Strong(ctx.reason.strip()))
    else:
        writer.paragraph(
            "Les offres irrégulières, inacceptables ou inappropriées sont éliminées (articles "
            "L2152-1 à L2152-4 du code de la commande publique) ; toutes celles remises pour "
            "ce lot l'ont été."
        )
    if ctx.eliminated:
        writer.paragraph("Votre offre a été écartée pour les motifs suivants :")
        writer.bullets(ctx.eliminated)

    if ctx.rank is not None and ctx.total is not None:
        writer.heading("Votre classement")
        writer.paragraph(
            "Votre offre avait obtenu la note globale de ",
            Strong(f"{points(ctx.total)} sur 100"),
            " et se classait ",
            Strong(f"{ordinal(ctx.rank, feminine=False)} sur {ctx.ranked}"),
            " des offres classées pour ce lot, selon les critères pondérés publiés au "
            "règlement de la consultation.",
        )

    writer.heading("Suite de la procédure")
    writer.paragraph(
        "Si l'acheteur consulte de nouveau pour ce besoin, la nouvelle consultation fera "
        "l'objet de sa propre publicité ; vous pourrez y répondre."
    )

    writer.heading("Voies et délais de recours")
    court = challenge.recourse_court or (
        "le tribunal administratif dans le ressort duquel se trouve le siège de l'acheteur"
    )
    writer.paragraph("Instance chargée des procédures de recours : ", Strong(court), ".")
    writer.bullets(
        (
            "Recours gracieux auprès de l'acheteur.",
            "Recours pour excès de pouvoir contre la présente décision : dans les deux mois "
            "de sa notification (article R421-1 du code de justice administrative), "
            "éventuellement assorti d'un référé-suspension (article L521-1 du même code).",
        )
    )
    write_signature(
        writer,
        challenge,
        "Je vous remercie de l'intérêt que vous avez porté à cette consultation. " + CLOSING,
    )
    return writer.finish()
