"""The notification of one lot's contract to its titulaire, once the buyer has signed.

Article R2182-4 of the code de la commande publique: the buyer notifies the contract to
the titulaire, and the contract takes effect on the day the notification is received.
Article R2182-5: the notification is the transmission of a copy of the signed contract
by a means that gives its reception a certain date — hence the acknowledgement the
titulaire dates and returns, from which the contract's duration runs. A groupement is
notified through its mandataire (article R2142-24). For a local authority, a contract
that article L2131-2 of the code général des collectivités territoriales lists is sent to
the prefect before it is notified.
"""

from __future__ import annotations

from kernel.formats import format_datetime_fr, format_eur

from .base import PieceWriter, Strong
from .context import GROUPEMENT_LABELS, GroupementForm, NotificationContext
from .letters import CLOSING, write_head, write_signature

TITLE = "Notification du marché"


def render_notification_marche(ctx: NotificationContext) -> bytes:
    award = ctx.award
    challenge = ctx.challenge
    lot = award.lot
    writer = PieceWriter(challenge, f"{TITLE} — lot n° {lot.number}")
    grouped = award.groupement is not GroupementForm.NONE
    write_head(
        writer,
        challenge,
        (award.awardee,),
        dated=ctx.signed_at,
        subject=(
            f"notification du marché du lot n° {lot.number} « {lot.title} » de l'appel à "
            f"communs « {challenge.title} » (référence {challenge.reference})"
        ),
        sent=(
            "par voie électronique, sur le service de l'appel à communs, "
            + ("au mandataire du groupement titulaire." if grouped else "au titulaire.")
        ),
    )
    writer.paragraph(
        "J'ai l'honneur de vous notifier le marché désigné ci-dessous, que j'ai signé le ",
        Strong(format_datetime_fr(ctx.signed_at)),
        ". Vous trouverez avec la présente lettre une copie de l'acte d'engagement signé ; le "
        "cahier des clauses administratives particulières et le cahier des clauses "
        "techniques particulières, pièces contractuelles, sont ceux du dossier de "
        "consultation.",
    )

    writer.article("Le marché")
    rows = [
        ("Acheteur", challenge.buyer.name),
        ("Titulaire", award.awardee.name + (" (mandataire du groupement)" if grouped else "")),
    ]
    if award.awardee.siret:
        rows.append(("SIRET du titulaire", award.awardee.siret))
    rows += [
        ("Objet", challenge.object),
        ("Lot", f"n° {lot.number} — {lot.title}"),
        ("Procédure", challenge.procedure_label),
        ("Montant hors taxes", format_eur(award.amount_ht)),
        ("Montant toutes taxes comprises", format_eur(award.amount_ttc)),
        ("Durée", challenge.contract_duration_label),
        ("Signé par l'acheteur le", format_datetime_fr(ctx.signed_at)),
    ]
    writer.facts(rows)
    if grouped:
        writer.paragraph(GROUPEMENT_LABELS[award.groupement])
        writer.paragraph(
            "Le mandataire transmet la présente notification à chacun des membres du "
            "groupement : " + ", ".join(m.party.name for m in award.members) + "."
        )

    writer.article("Prise d'effet")
    writer.paragraph(
        "Conformément à l'article R2182-4 du code de la commande publique, le marché prend "
        "effet à la date à laquelle vous recevez la présente notification ; sa durée court à "
        "compter de cette date. Aucune prestation ne doit être exécutée avant."
    )
    if challenge.procedure_formal:
        writer.paragraph(
            "Un avis d'attribution sera publié dans les trente jours suivant la signature du "
            "marché (article R2183-1 du code de la commande publique)."
        )
    if award.advance_due:
        writer.paragraph(
            "Le marché prévoit une avance, versée dans les conditions du cahier des clauses "
            "administratives particulières, sauf si vous y avez renoncé dans l'acte "
            "d'engagement."
        )

    writer.article("Accusé de réception")
    writer.paragraph(
        "Pour que la date de réception soit certaine (article R2182-5 du code de la "
        "commande publique), le titulaire date et signe l'accusé de réception ci-dessous et "
        "le retourne à l'acheteur, par le service de l'appel à communs ou par courrier "
        "électronique."
    )
    signatory = award.awardee.representative or "nom et qualité du signataire"
    writer.paragraph(
        Strong(f"Pour le titulaire, {award.awardee.name}"),
        f"\n{signatory}",
        "\nReçu notification du marché le ……………………………………, à ………… h …………",
        "\nSignature :",
    )
    write_signature(writer, challenge, CLOSING)
    return writer.finish()
