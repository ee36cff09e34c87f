"""Contrat de réciprocité: the template filled for one partner that earns money from a
commons and gives part of it back."""

from __future__ import annotations

from kernel.formats import amount_in_words_fr, format_date_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .common import commons_line
from .context import ReciprocityContext, ReciprocityKind

TITLE = "Contrat de réciprocité"
PAYMENT_DAYS = 30


def _contribution(ctx: ReciprocityContext) -> tuple[str, ...]:
    if ctx.kind is ReciprocityKind.REVENUE_SHARE:
        return (
            "Le partenaire reverse au commun ",
            Strong(f"{format_percent(ctx.revenue_share)} du chiffre d'affaires hors taxes"),
            f" qu'il tire de l'usage marchand déclaré ci-dessus, par {ctx.period_label}.",
        )
    return (
        "Le partenaire verse au commun un montant fixe de ",
        Strong(f"{format_eur(ctx.fixed_amount)} ({amount_in_words_fr(ctx.fixed_amount)})"),
        f" par {ctx.period_label}.",
    )


def render_contrat_reciprocite(ctx: ReciprocityContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, TITLE)

    writer.paragraph("Entre les soussignés,")
    writer.party(ctx.partner)
    writer.paragraph("ci-après « le partenaire », d'une part,")
    writer.party(ctx.beneficiary)
    writer.paragraph(
        "structure hébergeuse des fonds du commun, agissant pour sa communauté, ci-après "
        "« la structure hébergeuse », d'autre part,"
    )
    writer.paragraph("il est convenu ce qui suit.")

    writer.heading("Préambule", level=1)
    writer.paragraph(
        "Un commun est produit et entretenu par une communauté ; celui qui en tire un revenu "
        "doit contribuer à sa pérennité. La Chambre des communs recommande un contrat de "
        "réciprocité pour chaque usage marchand d'un commun. Le présent contrat s'inscrit dans "
        f"l'appel à communs « {challenge.title} » (référence {challenge.reference}) de "
        f"{challenge.buyer.name}."
    )

    writer.article("Objet")
    writer.paragraph("Le contrat fixe la contribution du partenaire au commun :")
    writer.paragraph(Strong(commons_line(ctx.commons)))

    writer.article("Usage marchand déclaré")
    writer.paragraph(ctx.commercial_use)

    writer.article("Contribution du partenaire")
    writer.paragraph(*_contribution(ctx))
    writer.paragraph(
        "La contribution s'ajoute aux contributions en nature (code, données, documentation, "
        "animation) que le partenaire apporte librement à la communauté."
    )

    writer.article("Déclaration et versement")
    writer.bullets(
        (
            f"À la fin de chaque {ctx.period_label}, le partenaire déclare à la structure "
            "hébergeuse le chiffre d'affaires tiré de l'usage déclaré et la contribution due.",
            f"Il la verse dans les {PAYMENT_DAYS} jours suivant sa déclaration.",
            "La structure hébergeuse en délivre reçu et l'inscrit au registre public du commun ; "
            "la communauté décide de son utilisation.",
        )
    )

    writer.article("Respect de la licence")
    writer.paragraph(
        f"Le partenaire respecte la licence {ctx.commons.licence} du commun, notamment ses "
        "clauses de réciprocité, cite le commun dans les offres qui l'utilisent et propose à "
        "la communauté les améliorations qu'il y apporte."
    )

    writer.article("Visibilité")
    writer.paragraph(
        "Le partenaire figure publiquement parmi les acteurs qui contribuent au commun et peut "
        "en faire état. Les montants versés sont publiés au registre du commun."
    )

    writer.article("Durée et résiliation")
    writer.paragraph(
        f"Le contrat prend effet le {format_date_fr(ctx.starts_on)} pour une durée de "
        f"{ctx.duration_label}. Chaque partie peut le résilier par écrit avec un préavis de "
        "trois mois ; les contributions dues pour les périodes écoulées restent dues."
    )

    writer.signatures(
        (("le partenaire", ctx.partner), ("la structure hébergeuse", ctx.beneficiary))
    )
    return writer.finish()
