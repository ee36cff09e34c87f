"""Convention de cofinancement of one funded commons: funders, host, amounts, milestones."""

from __future__ import annotations

from decimal import Decimal

from kernel.formats import amount_in_words_fr, format_date_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .common import commons_line
from .context import CofundingContext

TITLE = "Convention de cofinancement"
SHARE_PRECISION = Decimal("0.1")


def render_convention_cofinancement(ctx: CofundingContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, f"{TITLE} – {ctx.commons.name}")

    writer.paragraph("Entre les soussignés,")
    for line in ctx.funders:
        writer.party(line.funder)
    writer.paragraph("ci-après « les financeurs », d'une part,")
    writer.party(ctx.host)
    writer.paragraph("ci-après « la structure hébergeuse », d'autre part,")
    funder_names = {line.funder.name for line in ctx.funders}
    if challenge.buyer.name not in funder_names:
        writer.paragraph(
            f"en présence de {challenge.buyer.name}, acheteur à l'origine de l'appel à communs,"
        )
    writer.paragraph("il est convenu ce qui suit.")

    writer.heading("Préambule", level=1)
    round_label = f" ({ctx.round_label})" if ctx.round_label else ""
    writer.paragraph(
        f"Dans le cadre de l'appel à communs « {challenge.title} » (référence "
        f"{challenge.reference}), les financeurs ont réparti leurs enveloppes entre les communs "
        f"retenus lors du tour de cofinancement{round_label}. Chacun voit l'engagement des "
        "autres ; la présente convention fixe les apports au commun ci-dessous et la manière "
        "dont ils sont hébergés et versés."
    )

    writer.article("Objet")
    writer.paragraph("La convention organise le cofinancement du commun :")
    writer.paragraph(Strong(commons_line(ctx.commons)))

    writer.article("Apports des financeurs")
    total = ctx.total
    rows = [
        (
            line.funder.name,
            format_eur(line.amount),
            format_percent((line.amount * 100 / total).quantize(SHARE_PRECISION)),
        )
        for line in ctx.funders
    ]
    rows.append(("Total", format_eur(total), format_percent(Decimal(100))))
    writer.table(
        ("Financeur", "Montant", "Part"),
        rows,
        widths=(0.55, 0.27, 0.18),
        numeric=(1, 2),
        strong_last_row=True,
    )
    writer.paragraph(
        "Le montant total des apports est de ",
        Strong(f"{format_eur(total)} ({amount_in_words_fr(total)})"),
        ". Chaque financeur verse son apport à la structure hébergeuse dans les trente jours "
        "suivant la signature de la convention.",
    )

    writer.article("Rôle de la structure hébergeuse")
    writer.bullets(
        (
            "Elle reçoit les apports des financeurs, en délivre reçu, et les tient à la "
            "disposition du commun.",
            "Elle n'a pas de droit de décision sur le commun : la communauté décide de "
            "l'utilisation des fonds hébergés, selon ses règles de gouvernance publiées.",
            "Elle paie aux contributeurs les dépenses que la communauté a approuvées ; "
            "l'approbation d'une dépense et son paiement sont deux actes distincts.",
            "Elle tient un registre public des recettes et des dépenses du commun ; une "
            "écriture n'y est jamais modifiée, seulement contre-passée.",
        )
    )

    writer.article("Jalons et versements")
    if ctx.milestones:
        rows = [
            (
                milestone.label,
                format_date_fr(milestone.due_on),
                milestone.deliverable or "—",
                format_eur(milestone.amount),
            )
            for milestone in ctx.milestones
        ]
        rows.append(("Total", "", "", format_eur(total)))  # the context checks they match
        writer.table(
            ("Jalon", "Échéance", "Livrable attendu", "Montant libéré"),
            rows,
            widths=(0.3, 0.18, 0.32, 0.2),
            numeric=(3,),
            strong_last_row=True,
        )
        writer.paragraph(
            "La structure hébergeuse libère le montant d'un jalon lorsque la communauté "
            "constate que son livrable est publié sous la licence du commun."
        )
    else:
        writer.paragraph("Les fonds sont libérés au fil des dépenses approuvées par la communauté.")

    writer.article("Licence et usage du commun")
    writer.paragraph(
        f"Le commun et ses livrables sont publiés sous la licence {ctx.commons.licence}. Les "
        "financeurs n'acquièrent aucun droit exclusif ; un financeur qui fait un usage marchand "
        "du commun est invité à conclure un contrat de réciprocité avec sa communauté."
    )

    writer.article("Suivi et transparence")
    writer.paragraph(
        "À chaque jalon, la communauté publie un compte rendu des travaux réalisés et la "
        "structure hébergeuse l'état des fonds reçus, engagés et versés."
    )

    writer.article("Fonds non utilisés")
    writer.paragraph(
        "Les sommes qui n'ont pas été engagées à l'échéance du dernier jalon sont restituées aux "
        "financeurs au prorata de leurs apports, sauf accord écrit de ceux-ci pour les "
        "réaffecter au commun."
    )

    writer.article("Durée")
    if ctx.milestones:
        last = max(milestone.due_on for milestone in ctx.milestones)
        writer.paragraph(
            "La convention prend effet à sa signature par toutes les parties et s'achève au "
            f"versement du dernier jalon, prévu le {format_date_fr(last)}."
        )
    else:
        writer.paragraph("La convention prend effet à sa signature par toutes les parties.")

    signatories = [("le financeur", line.funder) for line in ctx.funders]
    signatories.append(("la structure hébergeuse", ctx.host))
    writer.signatures(signatories)

    return writer.finish()
