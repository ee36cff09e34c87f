"""Acte d'engagement: who commits to what, for how much (in figures and in words)."""

from __future__ import annotations

from decimal import Decimal

from kernel.formats import amount_in_words_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .context import AwardContext

TITLE = "Acte d'engagement"


def _amount(amount: Decimal) -> str:
    return f"{format_eur(amount)} ({amount_in_words_fr(amount)})"


def render_acte_engagement(ctx: AwardContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, TITLE)

    writer.article("Acheteur")
    writer.party(challenge.buyer)

    writer.article("Objet du marché")
    writer.paragraph(challenge.object)
    writer.facts(
        (
            ("Référence", challenge.reference),
            ("Procédure", challenge.procedure_label),
        )
    )

    writer.article("Engagement du titulaire")
    writer.party(ctx.awardee)
    if ctx.co_contractors:
        writer.paragraph("Membres du groupement dont le titulaire ci-dessus est le mandataire :")
        for member in ctx.co_contractors:
            writer.party(member)
    writer.paragraph(
        "Après avoir pris connaissance du règlement de la consultation, du cahier des clauses "
        "administratives particulières (CCAP) et du cahier des clauses techniques "
        "particulières (CCTP), le titulaire s'engage, sans réserve, à exécuter les prestations "
        "dans les conditions de ces documents, pour le prix indiqué ci-après."
    )

    writer.article("Prix")
    writer.paragraph(
        "Le montant du marché, à prix global et forfaitaire, est arrêté à ",
        Strong(_amount(ctx.amount_ttc)),
        " toutes taxes comprises, soit ",
        Strong(_amount(ctx.amount_ht)),
        " hors taxes.",
    )
    writer.table(
        ("Montant", "En chiffres", "En lettres"),
        (
            ("Hors taxes", format_eur(ctx.amount_ht), amount_in_words_fr(ctx.amount_ht)),
            (
                f"TVA ({format_percent(ctx.vat_rate)})",
                format_eur(ctx.amount_vat),
                amount_in_words_fr(ctx.amount_vat),
            ),
            (
                "Toutes taxes comprises",
                format_eur(ctx.amount_ttc),
                amount_in_words_fr(ctx.amount_ttc),
            ),
        ),
        widths=(0.24, 0.2, 0.56),
        numeric=(1,),
        strong_last_row=True,
    )

    writer.article("Durée d'exécution")
    writer.paragraph(
        f"Durée d'exécution du marché : {ctx.duration_label}."
        if ctx.duration_label
        else "Le délai d'exécution est celui fixé par le CCAP."
    )

    writer.article("Licence des livrables")
    writer.paragraph(
        "Le titulaire s'engage à publier les livrables sous la licence ouverte prévue pour "
        "chaque ressource et à respecter la licence des communs qu'il réutilise :"
    )
    writer.bullets(
        f"{resource.title} : licence {resource.licence_spdx}" for resource in challenge.resources
    )

    writer.article("Paiement")
    writer.paragraph(
        "Les sommes dues sont réglées par virement sur le compte désigné par le titulaire "
        "(relevé d'identité bancaire joint), dans un délai global de paiement de "
        f"{challenge.payment_delay_days} jours."
    )

    writer.article("Signatures")
    writer.paragraph(
        "Le titulaire affirme, sous peine de résiliation, l'exactitude des renseignements "
        "ci-dessus."
    )
    writer.paragraph(
        "Est acceptée la présente offre pour valoir acte d'engagement, pour le montant de "
        f"{format_eur(ctx.amount_ttc)} toutes taxes comprises."
    )
    signatories = [("le titulaire", ctx.awardee)]
    signatories += [("un membre du groupement", member) for member in ctx.co_contractors]
    signatories.append(("l'acheteur", challenge.buyer))
    writer.signatures(signatories)

    return writer.finish()
