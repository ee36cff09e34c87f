"""The rejection letter to an unsuccessful candidate, one per candidate and lot.

Articles R2181-1 and R2181-3 of the code de la commande publique: the buyer notifies
each candidate whose offer it rejects, with the reasons of the rejection and, after the
award, the awardee's name, the reasons for choosing its offer and the date from which it
may sign the contract (article R2182-1). The Conseil d'État holds the candidate's own
scores and rank, with the awardee's name and scores, enough (CE 6 mars 2009, Syndicat
mixte de la région d'Auray Belz Quiberon, n° 321217); the letter gives more: the
evaluators' reasons per criterion and the criteria on which the awarded offer is ahead.
The recourse is the candidate's to know: the référé précontractuel until the signature
(article L551-1 of the code de justice administrative), then the référé contractuel
(L551-13) and the action against the contract's validity (CE Ass. 4 avril 2014,
Département de Tarn-et-Garonne, n° 358994).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from kernel.formats import CENT, format_datetime_fr, format_number, format_percent

from .base import PieceWriter, Strong
from .context import CriterionComparison, RejectionContext
from .letters import CLOSING, names, ordinal, points, write_head, write_signature

TITLE = "Lettre de rejet"


def _mark(value: Decimal, scale_max: Decimal | None) -> str:
    mark = format_number(value.quantize(CENT, rounding=ROUND_HALF_UP))  # "6", "6,5", "6,25"
    return f"{mark} / {format_number(scale_max)}" if scale_max is not None else mark


def _write_scores(writer: PieceWriter, ctx: RejectionContext) -> None:
    rows = [
        (
            c.label,
            format_percent(c.weight),
            _mark(c.candidate_mark, c.scale_max),
            points(c.candidate_points),
            _mark(c.awardee_mark, c.scale_max),
            points(c.awardee_points),
        )
        for c in ctx.criteria
    ]
    rows.append(
        ("Note globale (sur 100)", "", "", points(ctx.total), "", points(ctx.awardee_total))
    )
    writer.table(
        (
            "Critère",
            "Pondération",
            "Votre note",
            "Vos points",
            "Note de l'offre retenue",
            "Ses points",
        ),
        rows,
        widths=(0.3, 0.12, 0.14, 0.12, 0.18, 0.14),
        numeric=(1, 2, 3, 4, 5),
        strong_last_row=True,
    )


def _reasons(criterion: CriterionComparison) -> tuple[str, ...]:
    if criterion.reasons:
        return criterion.reasons
    return ("Les évaluateurs n'ont pas assorti leur note d'un commentaire sur ce critère.",)


def _advantage(criterion: CriterionComparison) -> str:
    gap = criterion.awardee_points - criterion.candidate_points
    return (
        f"{criterion.label} : {_mark(criterion.awardee_mark, criterion.scale_max)} contre "
        f"{_mark(criterion.candidate_mark, criterion.scale_max)} pour votre offre, soit "
        f"{points(gap)} point{'s' if gap > 1 else ''} de plus sur la note globale."
    )


def render_lettre_rejet(ctx: RejectionContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, f"{TITLE} — lot n° {ctx.lot_number}")

    write_head(
        writer,
        challenge,
        ctx.candidate,
        dated=ctx.sent_at,
        subject=(
            f"rejet de votre offre « {ctx.candidate_offer} » pour le lot n° {ctx.lot_number} "
            f"« {ctx.lot_title} » de l'appel à communs « {challenge.title} » "
            f"(référence {challenge.reference})"
        ),
    )
    writer.paragraph(
        f"Vous avez remis une offre pour le lot n° {ctx.lot_number} « {ctx.lot_title} » de la "
        f"consultation citée en objet, passée selon la procédure suivante : "
        f"{challenge.procedure_label}. J'ai le regret de vous "
        "informer que votre offre n'a pas été retenue. Conformément aux articles R2181-1 et "
        "R2181-3 du code de la commande publique, je vous en communique ci-après les motifs, "
        "le nom de l'attributaire et les motifs du choix de son offre, ainsi que la date à "
        "compter de laquelle le marché est susceptible d'être signé."
    )

    writer.heading("Vos notes et votre classement")
    writer.paragraph(
        "Votre offre a obtenu la note globale de ",
        Strong(f"{points(ctx.total)} sur 100"),
        " et se classe ",
        Strong(f"{ordinal(ctx.rank, feminine=False)} sur {ctx.ranked}"),
        f" des offres classées pour ce lot. L'offre retenue a obtenu {points(ctx.awardee_total)} "
        "sur 100. Les offres ont été jugées sur les critères pondérés publiés au règlement de "
        "la consultation :",
    )
    _write_scores(writer, ctx)

    writer.heading("Motifs du rejet, critère par critère")
    if ctx.eliminated:
        writer.paragraph("Votre offre a été écartée : ")
        writer.bullets(ctx.eliminated)
    for criterion in ctx.criteria:
        writer.paragraph(
            Strong(criterion.label),
            f" — votre note : {_mark(criterion.candidate_mark, criterion.scale_max)}",
        )
        writer.bullets(_reasons(criterion))
    if ctx.general_remarks:
        writer.paragraph(Strong("Appréciation d'ensemble des évaluateurs"))
        writer.bullets(ctx.general_remarks)

    writer.heading("L'attributaire et les avantages de son offre")
    writer.paragraph(
        "Le lot est attribué à ",
        Strong(names(ctx.awardee)),
        f" pour son offre « {ctx.awardee_offer} », classée {ordinal(ctx.awardee_rank)} avec "
        f"la note globale de {points(ctx.awardee_total)} sur 100.",
    )
    if ctx.departure_reason:
        writer.paragraph(
            "L'acheteur s'est écarté du classement pour ce lot, pour le motif suivant : ",
            ctx.departure_reason,
        )
    advantages = ctx.advantages
    if advantages:
        writer.paragraph(
            "Les caractéristiques et avantages de l'offre retenue tiennent aux critères sur "
            "lesquels elle devance la vôtre :"
        )
        writer.bullets(_advantage(c) for c in advantages)
    else:
        writer.paragraph(
            "L'offre retenue ne devance la vôtre sur aucun critère pris isolément ; elle "
            "l'emporte par sa note globale, selon la pondération publiée."
        )

    writer.heading("Date de signature du marché")
    if ctx.standstill:
        rule = (
            "Conformément à l'article R2182-1 du code de la commande publique"
            if challenge.procedure_formal
            else "Bien que la consultation soit passée selon une procédure adaptée"
        )
        writer.paragraph(
            f"{rule}, un délai de onze jours est respecté entre l'envoi de la présente lettre "
            "par voie électronique et la signature du marché. Le marché ne sera pas signé "
            "avant le ",
            Strong(format_datetime_fr(ctx.signature_from)),
            ".",
        )
    else:
        writer.paragraph(
            "La consultation est passée selon une procédure adaptée : aucun délai de suspension "
            "n'est imposé avant la signature. Le marché est susceptible d'être signé à compter "
            "du ",
            Strong(format_datetime_fr(ctx.signature_from)),
            ".",
        )

    writer.heading("Voies et délais de recours")
    court = challenge.recourse_court or (
        "le tribunal administratif dans le ressort duquel se trouve le siège de l'acheteur"
    )
    writer.paragraph("Instance chargée des procédures de recours : ", Strong(court), ".")
    writer.bullets(
        (
            "Référé précontractuel : jusqu'à la signature du marché, devant le juge des "
            "référés du tribunal administratif (article L551-1 du code de justice "
            "administrative).",
            "Référé contractuel : après la signature, dans les trente et un jours de la "
            "publication de l'avis d'attribution ou, à défaut, dans les six mois de la "
            "conclusion du marché (articles L551-13 et R551-7 du même code).",
            "Recours en contestation de la validité du contrat : dans les deux mois de la "
            "publication de l'avis d'attribution (Conseil d'État, assemblée, 4 avril 2014, "
            "Département de Tarn-et-Garonne, n° 358994).",
        )
    )
    write_signature(
        writer,
        challenge,
        "Je vous remercie de l'intérêt que vous avez porté à cette consultation. " + CLOSING,
    )
    return writer.finish()
