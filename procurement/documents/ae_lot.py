"""Acte d'engagement of one lot, as published in the DCE: a blank form for the candidate
to fill (identity, groupement, the price of that lot only). It is drawn from the call
alone: no candidate, no price is printed."""

from __future__ import annotations

from kernel.formats import format_eur, format_percent

from .base import PieceWriter, Strong
from .context import LotContext, Party

TITLE = "Acte d'engagement (formulaire)"
BLANK = "…………………………………………………………"


def render_ae_lot(ctx: LotContext) -> bytes:
    challenge, lot = ctx.challenge, ctx.lot
    writer = PieceWriter(challenge, f"{TITLE} — lot {lot.number}")

    writer.article("Acheteur")
    writer.party(challenge.buyer)

    writer.article("Objet du marché et lot")
    writer.paragraph(challenge.object)
    writer.facts(
        (
            ("Référence", challenge.reference),
            ("Procédure", challenge.procedure_label),
            ("Lot", f"{lot.number} — {lot.title}"),
            ("Ressources du lot", " ; ".join(r.title for r in lot.resources) or "—"),
            ("Durée du marché", challenge.contract_duration_label),
        )
    )
    writer.paragraph(
        "Le présent acte d'engagement ne vaut que pour ce lot : un candidat qui répond à "
        "plusieurs lots remplit un acte d'engagement par lot."
    )

    writer.article("Identification du candidat")
    writer.facts(
        (
            ("Dénomination sociale", BLANK),
            ("Forme juridique", BLANK),
            ("SIRET", BLANK),
            ("Adresse du siège", BLANK),
            ("Nom et qualité du signataire", BLANK),
            ("Courriel et téléphone", BLANK),
        )
    )

    writer.article("Groupement")
    writer.paragraph(
        "☐ Le candidat se présente seul.\n"
        "☐ Le candidat est le mandataire d'un groupement conjoint.\n"
        "☐ Le candidat est le mandataire d'un groupement solidaire."
    )
    writer.table(
        ("Membre du groupement", "SIRET", "Prestations exécutées", "Part du prix (HT)"),
        [("", "", "", "")] * 3,
        widths=(0.3, 0.2, 0.3, 0.2),
        numeric=(3,),
    )

    writer.article("Engagement")
    writer.paragraph(
        "Après avoir pris connaissance du règlement de la consultation, du cahier des clauses "
        "administratives particulières (CCAP), du cahier des clauses techniques particulières "
        "(CCTP) et de la décomposition du prix global et forfaitaire (DPGF) du lot, le "
        "candidat s'engage, sans réserve, à exécuter les prestations du lot dans les "
        "conditions de ces documents, pour le prix indiqué ci-après. L'offre le lie pendant "
        f"{challenge.offer_validity_days} jours à compter de la date limite de remise des "
        "propositions."
    )

    writer.article("Prix du lot")
    writer.paragraph(
        "Prix global et forfaitaire du lot, égal au total de sa DPGF. ",
        Strong("Ce prix est celui du marché seul"),
        " : il ne comprend aucun montant financé par ailleurs par un cofinancement.",
    )
    writer.table(
        ("Montant", "En chiffres", "En lettres"),
        (
            ("Hors taxes", "", ""),
            (f"TVA ({format_percent(ctx.vat_rate)})", "", ""),
            ("Toutes taxes comprises", "", ""),
        ),
        widths=(0.24, 0.2, 0.56),
        numeric=(1,),
        strong_last_row=True,
    )
    if lot.estimated_amount is not None:
        writer.mention(
            f"Montant estimé du lot par l'acheteur : {format_eur(lot.estimated_amount)} HT."
        )

    writer.article("Paiement")
    writer.paragraph(
        "Compte à créditer (joindre un relevé d'identité bancaire) : " + BLANK + "\n"
        "☐ Le candidat renonce à l'avance prévue par le CCAP."
    )

    writer.article("Signatures")
    writer.signatures(
        [
            ("le candidat (ou le mandataire du groupement)", Party(name=BLANK)),
            ("l'acheteur — acceptation de l'offre", challenge.buyer),
        ]
    )
    return writer.finish()
