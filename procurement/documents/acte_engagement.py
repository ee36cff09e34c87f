"""Acte d'engagement of one lot: who commits (the titulaire identified, the groupement and
each member's share), to what (that lot's resources only, under their licences), for how
much (in figures and in words, with the VAT of the titulaire's regime), by when (the
proposal's milestones), and whether it takes the advance."""

from __future__ import annotations

from decimal import Decimal

from kernel.formats import amount_in_words_fr, format_date_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .context import (
    ADVANCE_RATE,
    GROUPEMENT_LABELS,
    VAT_MENTIONS,
    AwardContext,
    GroupementForm,
    VatRegime,
    vat_rate_of,
)

TITLE = "Acte d'engagement"
BOX = "☐"


def _amount(amount: Decimal) -> str:
    return f"{format_eur(amount)} ({amount_in_words_fr(amount)})"


def _vat_label(regime: VatRegime) -> str:
    return VAT_MENTIONS.get(regime) or f"TVA ({format_percent(vat_rate_of(regime))})"


def _write_price(writer: PieceWriter, ctx: AwardContext) -> None:
    mention = ctx.vat_mention
    if ctx.amount_vat == 0 and mention:
        # No VAT is due: the price TTC is the price HT, and the deed says why.
        writer.paragraph(
            "Le montant du lot, à prix global et forfaitaire, est arrêté à ",
            Strong(_amount(ctx.amount_ht)),
            f" hors taxes. {mention} : le montant toutes taxes comprises est égal au montant "
            "hors taxes.",
        )
        vat_row = (mention, format_eur(Decimal(0)), "—")
    else:
        writer.paragraph(
            "Le montant du lot, à prix global et forfaitaire, est arrêté à ",
            Strong(_amount(ctx.amount_ttc)),
            " toutes taxes comprises, soit ",
            Strong(_amount(ctx.amount_ht)),
            " hors taxes.",
        )
        label = mention or f"TVA ({format_percent(vat_rate_of(ctx.vat_regime))})"
        vat_row = (label, format_eur(ctx.amount_vat), amount_in_words_fr(ctx.amount_vat))
    writer.table(
        ("Montant", "En chiffres", "En lettres"),
        (
            ("Hors taxes", format_eur(ctx.amount_ht), amount_in_words_fr(ctx.amount_ht)),
            vat_row,
            (
                "Toutes taxes comprises",
                format_eur(ctx.amount_ttc),
                amount_in_words_fr(ctx.amount_ttc),
            ),
        ),
        widths=(0.3, 0.2, 0.5),
        numeric=(1,),
        strong_last_row=True,
    )


def _write_groupement(writer: PieceWriter, ctx: AwardContext) -> None:
    writer.article("Groupement")
    writer.paragraph(GROUPEMENT_LABELS[ctx.groupement])
    if ctx.groupement is GroupementForm.NONE:
        return
    writer.paragraph(
        f"Le mandataire du groupement est {ctx.awardee.name}. Répartition du prix du lot "
        "entre les membres (articles R2142-19 à R2142-27 du code de la commande publique) :"
    )
    rows = [
        (
            member.party.name,
            member.party.siret or "",
            format_eur(member.amount_ht),
            _vat_label(member.vat_regime),
            format_eur(member.amount_ttc),
        )
        for member in ctx.members
    ]
    rows.append(("Total", "", format_eur(ctx.amount_ht), "", format_eur(ctx.amount_ttc)))
    writer.table(
        ("Membre", "SIRET", "Part HT", "TVA", "Part TTC"),
        rows,
        widths=(0.28, 0.2, 0.16, 0.2, 0.16),
        numeric=(2, 4),
        strong_last_row=True,
    )


def _write_duration(writer: PieceWriter, ctx: AwardContext) -> None:
    writer.article("Délai d'exécution")
    steps = ctx.milestones
    if not steps:
        writer.paragraph(
            f"Le délai d'exécution est celui du CCAP : {ctx.challenge.contract_duration_label}."
        )
        return
    first, last = steps[0].due_on, steps[-1].due_on
    if first == last:
        writer.paragraph(
            "Les prestations du lot sont exécutées à compter de la notification du marché et "
            f"jusqu'au {format_date_fr(last)}, échéance de l'unique jalon de la proposition."
        )
    else:
        writer.paragraph(
            "Les prestations du lot sont exécutées selon le calendrier de la proposition, du "
            f"{format_date_fr(first)} (premier jalon) au {format_date_fr(last)} (dernier jalon) :"
        )
    writer.table(
        ("Jalon", "Échéance", "Livrable"),
        ((s.label, format_date_fr(s.due_on), s.deliverable or "—") for s in steps),
        widths=(0.35, 0.2, 0.45),
    )


def _write_advance(writer: PieceWriter, ctx: AwardContext) -> None:
    writer.article("Avance")
    if ctx.advance_due:
        writer.paragraph(
            f"Le montant du lot dépasse 50 000 € HT et sa durée deux mois : une avance de "
            f"{format_percent(ADVANCE_RATE)} du montant initial toutes taxes comprises est "
            "versée au titulaire dans les conditions du CCAP (articles R2191-3 et R2191-7 du "
            "code de la commande publique), sauf s'il y renonce (article R2191-5) :"
        )
        writer.paragraph(
            f"{BOX} Le titulaire renonce au bénéfice de l'avance.\n"
            f"{BOX} Le titulaire ne renonce pas au bénéfice de l'avance."
        )
    else:
        writer.paragraph(
            "Le montant du lot ne dépasse pas 50 000 € HT, ou sa durée deux mois : aucune "
            "avance n'est due (article R2191-3 du code de la commande publique)."
        )


def render_acte_engagement(ctx: AwardContext) -> bytes:
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
        )
    )

    writer.article("Identification du titulaire")
    writer.party(ctx.awardee)
    for member in ctx.members[1:] if ctx.members else ():
        writer.party(member.party)

    _write_groupement(writer, ctx)

    writer.article("Engagement")
    writer.paragraph(
        "Après avoir pris connaissance du règlement de la consultation, du cahier des clauses "
        "administratives particulières (CCAP), du cahier des clauses techniques "
        "particulières (CCTP) et de la décomposition du prix global et forfaitaire (DPGF) du "
        f"lot {lot.number}, le titulaire s'engage, sans réserve, à exécuter les prestations "
        "de ce lot dans les conditions de ces documents, pour le prix indiqué ci-après."
    )

    writer.article("Prix")
    _write_price(writer, ctx)

    _write_duration(writer, ctx)

    writer.article("Licence des livrables")
    writer.paragraph(
        "Le titulaire s'engage à publier les livrables du lot sous la licence ouverte prévue "
        "pour chacune de ses ressources et à respecter la licence des communs qu'il réutilise :"
    )
    writer.bullets(f"{r.title} : licence {r.licence_spdx}" for r in lot.resources)

    _write_advance(writer, ctx)

    writer.article("Paiement")
    writer.paragraph(
        "Les sommes dues sont réglées par virement sur le compte désigné par le titulaire "
        "(relevé d'identité bancaire joint)"
        + (", ou sur celui de chaque membre pour sa part" if ctx.members else "")
        + f", dans un délai global de paiement de {challenge.payment_delay_days} jours."
    )

    writer.article("Signatures")
    writer.paragraph(
        "Le titulaire affirme, sous peine de résiliation, l'exactitude des renseignements "
        "ci-dessus."
    )
    writer.paragraph(
        f"Est acceptée la présente offre pour valoir acte d'engagement du lot {lot.number}, "
        f"pour le montant de {format_eur(ctx.amount_ttc)} toutes taxes comprises."
    )
    signatories = [("le titulaire (mandataire)" if ctx.members else "le titulaire", ctx.awardee)]
    signatories += [("un membre du groupement", m.party) for m in ctx.members[1:]]
    signatories.append(("l'acheteur", challenge.buyer))
    writer.signatures(signatories)

    return writer.finish()
