"""Contrat d'hébergement de commun: the structure hébergeuse, the buyer and the
contributors' organisations agree how the host receives the funds of a commons and
passes them on to its contributors, without any right over the commons.

Seed 003 (Lille): « L'hébergeur n'a pas de droit de décision sur le commun. La communauté
décide de l'utilisation des fonds hébergés par la structure hébergeuse. L'hébergement
consiste en accueillir des fonds des financeurs et les redistribuer aux contributeurs qui
travaillent à l'amélioration du commun », and the jurists' question: « à quoi
ressemblerait un contrat d'hébergement de commun ». Legal frame: code général des
collectivités territoriales, article L1611-4 (a subsidised body passes funds on to others
only where the convention provides for it; the cofunding convention does), loi n°
2000-321 du 12 avril 2000, article 10 (the compte rendu financier)."""

from __future__ import annotations

from decimal import Decimal

from kernel.formats import amount_in_words_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .common import commons_line
from .context import HostingContext

TITLE = "Contrat d'hébergement de commun"
BUDGET_ARTICLE = "Budget reversé aux contributeurs"
GOVERNANCE_ARTICLE = "Gouvernance du commun"
AMICABLE_MONTHS = "deux mois"


def _months(n: int) -> str:
    return f"{n} mois"


def _write_parties(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.paragraph("Entre les soussignés,")
    writer.party(ctx.host)
    writer.paragraph("ci-après « la structure hébergeuse », d'une part,")
    writer.party(ctx.challenge.buyer)
    writer.paragraph(
        "acheteur à l'origine de l'appel à communs, ci-après « l'acheteur », d'autre part,"
    )
    writer.paragraph("et les organisations contributrices du commun :")
    for party in ctx.contributors:
        writer.party(party)
    writer.paragraph(
        "ci-après ensemble « le groupe des contributeurs », coordonné par "
        f"{ctx.coordinator}, d'autre part encore,"
    )
    writer.paragraph("il est convenu ce qui suit.")


def _write_duties(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.article("Obligations de la structure hébergeuse")
    limit = (
        f"dans la limite de {format_eur(ctx.budget_total)} HT et de la répartition fixée à"
        if ctx.budget_total
        else "comme le prévoit"
    )
    writer.bullets(
        (
            "Recevoir les fonds destinés au commun (apports des financeurs, subventions, "
            "contributions de réciprocité), en délivrer reçu et les inscrire au registre du "
            "commun dès leur réception.",
            "Reverser ces fonds aux contributeurs selon le budget de la proposition retenue, "
            f"{limit} l'article « {BUDGET_ARTICLE} », dépense par dépense "
            "approuvée par le groupe des contributeurs, sur facture ou justificatif ; "
            "l'approbation d'une dépense et son paiement sont deux actes distincts, et qui "
            "paie n'approuve pas.",
            "Tenir les comptes du commun ouverts à tout moment aux contributeurs et aux "
            "financeurs : le registre public des recettes et des dépenses, dont aucune "
            "écriture n'est modifiée, seulement contre-passée, et les pièces justificatives "
            "sur simple demande.",
            f"Garder les ressources du commun accessibles sous sa licence ({ctx.commons.licence}) "
            "pendant toute la durée du contrat : dépôts, données, documentation et comptes "
            "qu'elle détient pour lui restent ouverts au groupe des contributeurs.",
            "Ne jamais s'approprier le commun : elle n'acquiert aucun droit de propriété "
            "intellectuelle sur lui ni sur ses livrables, ne dépose en son nom ni marque ni "
            "nom de domaine qui le désigne, et n'affecte ses fonds à aucun autre objet.",
        )
    )


def _write_governance(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.article(GOVERNANCE_ARTICLE)
    writer.paragraph(
        "La structure hébergeuse n'a pas de droit de décision sur le commun : le groupe "
        "des contributeurs décide de l'utilisation des fonds hébergés selon ses règles de "
        "gouvernance publiées. Une dépense est approuvée par "
        f"{ctx.approval_rule}, la structure qui la soumet ne votant pas sur elle-même."
    )
    writer.paragraph(
        "L'acheteur n'intervient pas dans ces décisions ; il est informé de chaque compte "
        "rendu et peut demander les pièces justificatives."
    )


def _write_fee(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.article("Rémunération de l'hébergement")
    if ctx.fee_percent == 0:
        writer.paragraph(
            "La structure hébergeuse héberge le commun à titre gratuit : elle ne retient "
            "rien sur les fonds qu'elle reçoit pour lui."
        )
        return
    example = (Decimal(1000) * ctx.fee_percent / 100).quantize(Decimal("0.01"))
    writer.paragraph(
        "En rémunération de l'hébergement, la structure hébergeuse retient ",
        Strong(format_percent(ctx.fee_percent)),
        " de chaque somme reçue pour le commun, inscrite au registre comme frais "
        f"d'hébergement au jour de la réception (pour 1 000,00 € reçus : {format_eur(example)}). "
        "Elle ne retient rien d'autre, sous quelque forme que ce soit.",
    )


def _write_duration_and_exit(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.article("Durée")
    writer.paragraph(
        f"Le contrat prend effet à sa signature par toutes les parties pour une durée de "
        f"{_months(ctx.duration_months)}. Il se poursuit au-delà, par périodes d'un an, tant "
        "que des fonds du commun restent à reverser, sauf sortie dans les conditions de "
        "l'article suivant."
    )
    writer.article("Sortie et transfert du commun à une autre structure hébergeuse")
    writer.paragraph(
        "Le groupe des contributeurs, selon ses règles de gouvernance, peut confier "
        "l'hébergement à une autre structure ; la structure hébergeuse peut y renoncer. "
        f"Dans les deux cas, un préavis de {_months(ctx.notice_months)} est donné par écrit "
        "à toutes les parties."
    )
    writer.paragraph(
        f"Dans les {ctx.transfer_days} jours qui suivent la fin de l'hébergement, la "
        "structure hébergeuse transfère à la structure que désigne le groupe des "
        "contributeurs : le solde des fonds du commun, son registre et ses pièces "
        "justificatives, les engagements en cours, et l'accès aux dépôts, données, "
        "documentation et comptes qu'elle détenait pour le commun. Elle arrête le registre "
        "par un dernier compte rendu financier. Jusqu'au transfert, elle ne paie que les "
        "dépenses déjà approuvées."
    )


def _write_reporting(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.article("Compte rendu")
    funded = (
        f" Le tour de cofinancement a réuni {format_eur(ctx.funded_total)} pour le commun."
        if ctx.funded_total
        else ""
    )
    writer.paragraph(
        "Dans les six mois suivant la fin de chaque exercice, la structure hébergeuse "
        "adresse au groupe des contributeurs, à l'acheteur et à chaque financeur un compte "
        "rendu financier des fonds reçus, retenus, engagés et reversés (article 10 de la "
        "loi n° 2000-321 du 12 avril 2000)." + funded
    )


def _write_disputes(writer: PieceWriter, ctx: HostingContext) -> None:
    writer.article("Règlement des litiges")
    court_name = ctx.challenge.recourse_court
    court = (
        f"le {court_name[0].lower()}{court_name[1:]}"
        if court_name
        else "le tribunal administratif compétent"
    )
    writer.paragraph(
        "Les parties recherchent d'abord un règlement amiable de tout différend relatif à "
        "l'interprétation ou à l'exécution du contrat : la partie la plus diligente saisit "
        "les autres par écrit, et elles se réunissent dans le mois qui suit. À défaut "
        f"d'accord dans un délai de {AMICABLE_MONTHS} à compter de cette saisine, le litige "
        f"est porté devant {court}."
    )


def _amount(amount: Decimal) -> str:
    """An amount HT in figures and in words, as a deed writes it."""
    return f"{format_eur(amount)} HT ({amount_in_words_fr(amount)})"


def _numbers(numbers: list[int]) -> str:
    """« 1 et 2 », « 1, 2 et 3 »."""
    *first, last = (str(n) for n in numbers)
    return f"{', '.join(first)} et {last}" if first else last


def _price_of(ctx: HostingContext) -> str:
    """The contract price named as the lawyer who signs reads it: each lot is a marché
    of its own (article L2113-10), so a price over several lots is « le prix des lots
    n° 1 et 2 », that of one lot of a call in several « le prix du lot n° 2 », and only
    that of a call in one lot « le prix du marché »."""
    numbers = sorted(lot.number for lot in ctx.contract_lots)
    if len(numbers) > 1:
        return f"prix des lots n° {_numbers(numbers)}"
    if numbers and len(ctx.challenge.lots) > 1:
        return f"prix du lot n° {numbers[0]}"
    return "prix du marché"


def _write_price(writer: PieceWriter, ctx: HostingContext) -> None:
    """The contract price, set apart: paid by the buyer to the titulaire (to the
    titulaires of a groupement, as their acte d'engagement splits it), lot by lot,
    never passed on by the host."""
    several = len(ctx.contract_lots) > 1
    if len(ctx.contributors) == 1:
        payee = f"au titulaire, {ctx.contributors[0].name}, selon l'acte d'engagement" + (
            " de chaque lot" if several else ""
        )
    else:
        payee = "aux titulaires, selon la répartition entre eux que fixe l'acte d'engagement" + (
            " de chaque lot" if several else ""
        )
    writer.paragraph(
        f"Le {_price_of(ctx)}, ",
        Strong(_amount(ctx.contract_price)),
        f"{' au total' if several else ''}, est payé par l'acheteur directement {payee} : il "
        "ne transite pas par la structure hébergeuse et le présent contrat ne le reverse pas."
        + (" Chaque lot est un marché distinct, à son prix :" if several else ""),
    )
    if several:
        writer.bullets(
            f"lot n° {lot.number} : {_amount(lot.price)}"
            for lot in sorted(ctx.contract_lots, key=lambda lot: lot.number)
        )


def _write_budget(writer: PieceWriter, ctx: HostingContext) -> None:
    """Who receives how much of what the host passes on. The contract price of a
    marché public is set apart first: the buyer pays it to the titulaires under the
    acte d'engagement, so the host never passes it on. Then the budget passed on and
    who receives it: all of it for a sole contributor; among several, what the group
    approves line by line — never an amount the group did not give."""
    writer.article(BUDGET_ARTICLE)
    if ctx.contract_price:
        _write_price(writer, ctx)
        if not ctx.budget_total:
            writer.paragraph(
                f"La proposition retenue n'a aucune ligne hors du {_price_of(ctx)} : la "
                "structure hébergeuse ne reverse que les fonds qu'elle reçoit pour le commun "
                "par ailleurs, selon les décisions du groupe des contributeurs inscrites au "
                "registre."
            )
            return
        writer.paragraph(
            f"Le budget de la proposition retenue hors du {_price_of(ctx)}, reversé par la "
            "structure hébergeuse, s'élève à ",
            Strong(_amount(ctx.budget_total)),
            ". Les fonds reçus sont reversés aux contributeurs dans la limite de ses lignes ; "
            "un écart entre lignes est approuvé par le groupe des contributeurs et inscrit au "
            "registre.",
        )
    else:
        writer.paragraph(
            "Le budget de la proposition retenue, reversé par la structure hébergeuse, s'élève à ",
            Strong(_amount(ctx.budget_total)),
            ". Les fonds reçus sont reversés aux contributeurs dans la limite de ses lignes ; "
            "un écart entre lignes est approuvé par le groupe des contributeurs et inscrit au "
            "registre.",
        )
    if len(ctx.contributors) == 1:
        [contributor] = ctx.contributors
        writer.paragraph(
            f"{contributor.name}, seule organisation contributrice, reçoit la totalité "
            "de ce budget : ",
            Strong(_amount(ctx.budget_total)),
            ".",
        )
        return
    writer.paragraph(
        "Le groupe des contributeurs n'a pas fixé la part de chacun de ses membres dans "
        "ce budget, et le présent contrat n'en fixe aucune. Chaque contributeur reçoit "
        "le montant des lignes de la proposition retenue qu'il exécute, tel que le groupe "
        f"des contributeurs l'approuve selon l'article « {GOVERNANCE_ARTICLE} » ; la "
        "structure hébergeuse inscrit au registre la part ainsi approuvée avant tout "
        "versement, et le total reversé ne dépasse pas le budget ci-dessus. Les "
        "contributeurs entre lesquels il est réparti sont :"
    )
    writer.bullets(party.name for party in ctx.contributors)


def render_contrat_hebergement(ctx: HostingContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, f"{TITLE} – {ctx.commons.name}")
    _write_parties(writer, ctx)

    writer.heading("Préambule", level=1)
    writer.paragraph(
        f"Dans le cadre de l'appel à communs « {challenge.title} » (référence "
        f"{challenge.reference}), le commun ci-dessous est produit par le groupe des "
        "contributeurs. Il n'a pas de structure propre : une structure hébergeuse reçoit les "
        "fonds qui lui sont destinés et les reverse aux contributeurs, sans droit de "
        "décision sur lui. Le présent contrat fixe les conditions de cet hébergement."
    )

    writer.article("Objet")
    writer.paragraph("Le contrat organise l'hébergement du commun :")
    writer.paragraph(Strong(commons_line(ctx.commons)))
    writer.paragraph(
        f"publié sous la licence {ctx.commons.licence}, que l'hébergement ne modifie pas."
    )

    _write_duties(writer, ctx)
    _write_governance(writer, ctx)

    _write_budget(writer, ctx)

    _write_fee(writer, ctx)
    _write_duration_and_exit(writer, ctx)
    _write_reporting(writer, ctx)
    _write_disputes(writer, ctx)

    signatories = [("la structure hébergeuse", ctx.host), ("l'acheteur", challenge.buyer)]
    signatories += [("le contributeur", party) for party in ctx.contributors]
    writer.signatures(signatories)
    return writer.finish()
