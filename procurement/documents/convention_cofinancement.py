"""Convention de cofinancement of one funded commons: funders, host, amounts, the
proposal's milestones, subsidies, legal basis, redistribution, reporting and disputes.

Legal frame: loi n° 2000-321 du 12 avril 2000, article 10 (a convention fixes the
object, amount, payment and use of a subsidy above the threshold of the décret n°
2001-495 du 6 juin 2001, 23 000 €; the beneficiary gives a compte rendu financier);
code général des collectivités territoriales, article L. 1611-4 (a subsidised body may
pass funds on to others only where the convention provides for it)."""

from __future__ import annotations

from decimal import Decimal

from kernel.formats import amount_in_words_fr, format_date_fr, format_eur, format_percent

from .base import PieceWriter, Strong, describe_party
from .common import commons_line
from .context import CofundingContext

TITLE = "Convention de cofinancement"
SHARE_PRECISION = Decimal("0.1")
# Décret n° 2001-495 du 6 juin 2001, art. 1er: above this amount a convention is required.
CONVENTION_THRESHOLD = Decimal("23000")
AMICABLE_MONTHS = "deux mois"


def convention_required(amount: Decimal) -> bool:
    """Whether the décret n° 2001-495 requires the convention: an aid that exceeds
    23 000 € (23 000,00 € does not, 23 000,01 € does)."""
    return amount > CONVENTION_THRESHOLD


def _write_legal_basis(writer: PieceWriter, ctx: CofundingContext) -> None:
    writer.article("Fondement juridique")
    writer.paragraph(
        "La présente convention est conclue en application de l'article 10 de la loi "
        "n° 2000-321 du 12 avril 2000 relative aux droits des citoyens dans leurs relations "
        "avec les administrations et du décret n° 2001-495 du 6 juin 2001 pris pour son "
        "application : elle définit l'objet, le montant, les modalités de versement et les "
        "conditions d'utilisation des apports."
    )
    threshold = format_eur(CONVENTION_THRESHOLD)
    if convention_required(ctx.total):
        writer.paragraph(
            f"Le montant des apports dépassant {threshold}, la conclusion d'une convention "
            "est obligatoire (article 1er du décret n° 2001-495 du 6 juin 2001)."
        )
    else:
        writer.paragraph(
            f"Le montant des apports n'excédant pas {threshold}, la convention n'est pas "
            "imposée par le décret n° 2001-495 du 6 juin 2001 ; les parties la concluent pour "
            "fixer l'emploi des fonds et leur reversement aux contributeurs."
        )


def _write_subsidies(writer: PieceWriter, ctx: CofundingContext) -> None:
    writer.article("Subventions reçues pour le commun")
    if not ctx.subsidies:
        writer.paragraph(
            "Aucune subvention n'est inscrite au registre du commun à la date de la convention."
        )
        return
    rows = [
        (
            line.grantor,
            line.label or "—",
            format_date_fr(line.received_on) if line.received_on else "—",
            format_eur(line.amount),
        )
        for line in ctx.subsidies
    ]
    rows.append(("Total", "", "", format_eur(ctx.subsidies_total)))
    writer.table(
        ("Accordée par", "Subvention", "Reçue le", "Montant"),
        rows,
        widths=(0.3, 0.32, 0.18, 0.2),
        numeric=(3,),
        strong_last_row=True,
    )
    writer.paragraph(
        "Ces subventions, inscrites au registre du commun tenu par la structure hébergeuse, "
        "s'ajoutent aux apports des financeurs ; elles sont employées selon les conditions "
        "de leur attribution et figurent au compte rendu financier."
    )


def _write_matching(writer: PieceWriter, ctx: CofundingContext) -> None:
    """The matchers' commitment, as the round made it and the close honoured it."""
    matchers = [line for line in ctx.funders if line.matched]
    if not matchers:
        return
    writer.article("Abondement")
    for line in matchers:
        ratio = format_eur(line.ratio or Decimal(0))
        cap = format_eur(line.cap or Decimal(0))
        writer.paragraph(
            f"{line.funder.name} s'est engagé, lors du tour de cofinancement, à abonder les "
            f"engagements des autres financeurs à raison de {ratio} pour un euro engagé, "
            f"dans la limite de {cap} pour l'ensemble des communs du tour. Au titre de cet "
            "abondement, il apporte au commun ",
            Strong(f"{format_eur(line.matched)} ({amount_in_words_fr(line.matched)})"),
            ", compris dans son apport figurant à l'article « Apports des financeurs ».",
        )
    writer.paragraph(
        "L'abondement est assis sur les seuls engagements des autres financeurs : ni sur "
        "l'apport propre de l'abondeur, ni sur l'abondement d'un autre financeur. Il est "
        "dû à proportion des apports effectivement versés : si un financeur ne verse pas "
        "tout ou partie de son apport, l'abondement correspondant est réduit du même "
        "ratio, et la structure hébergeuse en informe sans délai l'abondeur et les autres "
        "parties."
    )


def _write_redistribution(writer: PieceWriter, ctx: CofundingContext) -> None:
    writer.article("Reversement des fonds aux contributeurs")
    writer.paragraph(
        "Par dérogation expresse à l'interdiction de reverser une subvention à d'autres "
        "organismes (article L. 1611-4 du code général des collectivités territoriales), la "
        "structure hébergeuse est autorisée à reverser tout ou partie des apports aux "
        "contributeurs du commun, membres de son groupe de travail"
        + (" :" if ctx.contributors else ".")
    )
    writer.bullets(" – ".join(line for line in describe_party(party)) for party in ctx.contributors)
    writer.paragraph(
        "Chaque reversement rémunère une dépense que la communauté a approuvée selon ses "
        "règles de gouvernance, sur facture ou justificatif ; il est inscrit au registre "
        "public du commun. Un contributeur qui rejoint le groupe de travail en cours "
        "d'exécution peut être payé dans les mêmes conditions, après information des "
        "financeurs."
    )


def _write_reporting(writer: PieceWriter, ctx: CofundingContext) -> None:
    writer.article("Compte rendu financier et suivi")
    writer.paragraph(
        "Conformément à l'article 10 de la loi n° 2000-321 du 12 avril 2000, la structure "
        "hébergeuse produit à chaque financeur un compte rendu financier attestant la "
        "conformité des dépenses à l'objet de la convention, dans les six mois suivant la "
        "fin de chaque exercice au cours duquel elle a reçu des apports."
    )
    writer.paragraph(
        "À chaque jalon, la communauté publie un compte rendu des travaux réalisés et la "
        "structure hébergeuse l'état des fonds reçus, engagés et versés. Les financeurs "
        "peuvent demander les pièces justificatives des dépenses."
    )


def _write_disputes(writer: PieceWriter, ctx: CofundingContext) -> None:
    writer.article("Règlement des litiges")
    court = (
        f"le {ctx.recourse_court[0].lower()}{ctx.recourse_court[1:]}"
        if ctx.recourse_court
        else "le tribunal administratif compétent"
    )
    writer.paragraph(
        "Les parties recherchent d'abord un règlement amiable de tout différend relatif à "
        "l'interprétation ou à l'exécution de la convention : la partie la plus diligente "
        "saisit les autres par écrit, et elles se réunissent dans le mois qui suit. À défaut "
        f"d'accord dans un délai de {AMICABLE_MONTHS} à compter de cette saisine, le litige "
        f"est porté devant {court}."
    )


def render_convention_cofinancement(ctx: CofundingContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, f"{TITLE} – {ctx.commons.name}")

    writer.paragraph("Entre les soussignés,")
    for line in ctx.funders:
        writer.party(line.funder)
    matchers = [line.funder.name for line in ctx.funders if line.matched]
    if matchers:
        writer.paragraph(
            "ci-après « les financeurs », "
            + (
                f"{matchers[0]} intervenant en outre en qualité d'abondeur"
                if len(matchers) == 1
                else f"{', '.join(matchers[:-1])} et {matchers[-1]} intervenant en outre en "
                "qualité d'abondeurs"
            )
            + ", d'une part,"
        )
    else:
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

    _write_legal_basis(writer, ctx)

    writer.article("Objet")
    writer.paragraph("La convention organise le cofinancement du commun :")
    writer.paragraph(Strong(commons_line(ctx.commons)))

    writer.article("Apports des financeurs")
    total = ctx.total
    matched = sum((line.matched for line in ctx.funders), Decimal(0))
    if matched:
        rows = [
            (
                line.funder.name,
                format_eur(line.amount),
                format_eur(line.matched) if line.matched else "—",
                format_percent((line.amount * 100 / total).quantize(SHARE_PRECISION)),
            )
            for line in ctx.funders
        ]
        rows.append(("Total", format_eur(total), format_eur(matched), format_percent(Decimal(100))))
        writer.table(
            ("Financeur", "Montant", "Dont abondement", "Part"),
            rows,
            widths=(0.4, 0.22, 0.22, 0.16),
            numeric=(1, 2, 3),
            strong_last_row=True,
        )
    else:
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

    _write_matching(writer, ctx)

    _write_subsidies(writer, ctx)

    writer.article("Rôle de la structure hébergeuse")
    writer.bullets(
        (
            "Elle reçoit les apports des financeurs, en délivre reçu, et les tient à la "
            "disposition du commun.",
            "Elle n'a pas de droit de décision sur le commun : la communauté décide de "
            "l'utilisation des fonds hébergés, selon ses règles de gouvernance publiées.",
            "Elle paie aux contributeurs les dépenses que la communauté a approuvées ; "
            "l'approbation d'une dépense et son paiement sont deux actes distincts (article "
            "suivant).",
            "Elle tient un registre public des recettes et des dépenses du commun ; une "
            "écriture n'y est jamais modifiée, seulement contre-passée.",
        )
    )

    _write_redistribution(writer, ctx)

    writer.article("Jalons et versements")
    if ctx.milestones:
        writer.paragraph(
            "Les jalons sont ceux de la proposition retenue ; le montant des apports est "
            "réparti entre eux à parts égales, sauf accord écrit des parties."
        )
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

    _write_reporting(writer, ctx)

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

    _write_disputes(writer, ctx)

    signatories = [
        ("le financeur et abondeur" if line.matched else "le financeur", line.funder)
        for line in ctx.funders
    ]
    signatories.append(("la structure hébergeuse", ctx.host))
    writer.signatures(signatories)

    return writer.finish()
