"""Règlement de la consultation: object, procedure, deadlines, the grid, the commons share."""

from __future__ import annotations

from datetime import timedelta

from kernel.formats import format_date_fr, format_datetime_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .common import (
    referenced_commons,
    write_commons_list,
    write_commons_share,
    write_grid,
)
from .context import ChallengeContext

TITLE = "Règlement de la consultation"
# Answers to candidates' questions are given at the latest six days before the deadline.
ANSWERS_BEFORE_DEADLINE = timedelta(days=6)


def render_reglement(ctx: ChallengeContext) -> bytes:
    writer = PieceWriter(ctx, TITLE)

    writer.article("Acheteur")
    writer.party(ctx.buyer)

    writer.article("Objet de la consultation")
    writer.paragraph(ctx.object)
    writer.paragraph(
        "La consultation prend la forme d'un appel à communs : plutôt que de mettre les "
        "acteurs du territoire en concurrence sur une solution fermée, l'acheteur publie les "
        "ressources partagées (communs) dont le territoire a besoin. Les candidats se "
        "positionnent sur ces ressources, forment des groupes de travail et proposent de les "
        "produire sous licence ouverte, avec une communauté et des règles de gouvernance."
    )
    writer.table(
        ("N°", "Ressource attendue", "Licence des livrables"),
        (
            (str(number), resource.title, resource.licence_spdx)
            for number, resource in enumerate(ctx.resources, start=1)
        ),
        widths=(0.08, 0.67, 0.25),
    )

    writer.article("Procédure")
    estimated = (
        f"{format_eur(ctx.estimated_amount)} HT"
        if ctx.estimated_amount is not None
        else "Non communiqué"
    )
    writer.facts(
        (
            ("Procédure", ctx.procedure_label),
            ("Référence", ctx.reference),
            ("Montant estimé", estimated),
        )
    )

    writer.article("Calendrier")
    published = format_date_fr(ctx.published_at) if ctx.published_at else "À la date de l'avis"
    writer.table(
        ("Étape", "Date"),
        (
            ("Publication de l'appel à communs", published),
            (
                "Date limite de positionnement sur les ressources",
                format_datetime_fr(ctx.positioning_deadline),
            ),
            ("Date limite de remise des propositions", format_datetime_fr(ctx.proposal_deadline)),
        ),
        widths=(0.6, 0.4),
    )
    writer.paragraph(
        "Les heures sont celles de Paris. Les propositions restent scellées jusqu'à la date "
        "limite de remise : nul ne peut les lire avant, pas même l'acheteur. Une proposition "
        "reçue après cette date n'est pas examinée."
    )

    writer.article("Déroulement de l'appel à communs")
    writer.bullets(
        (
            "Positionnement : chaque candidat indique les ressources sur lesquelles il "
            "s'engage et ce qu'il apporte (compétences, moyens techniques ou financiers).",
            "Groupes de travail : les candidats positionnés sur une même ressource se "
            "coordonnent et préparent ensemble une proposition.",
            "Propositions : chaque groupe de travail remet une proposition avant la date limite.",
            "Évaluation : des évaluateurs désignés par l'acheteur notent chaque proposition "
            "de manière indépendante, après avoir déclaré leurs éventuels conflits d'intérêts.",
            "Sélection et avis : l'acheteur retient les propositions au vu du classement ; "
            "la Chambre des communs rend un avis sur cette sélection.",
            "Cofinancement : les financeurs répartissent leurs enveloppes entre les communs "
            "retenus ; les fonds sont confiés à une structure hébergeuse.",
        )
    )

    writer.article("Critères de jugement et pondération")
    writer.paragraph("Les propositions sont jugées sur les critères suivants :")
    write_grid(writer, ctx)
    write_commons_share(writer, ctx)
    for criterion in ctx.criteria:
        if criterion.description:
            writer.paragraph(
                Strong(
                    f"{criterion.code} – {criterion.label} ({format_percent(criterion.weight)}) : "
                ),
                criterion.description,
            )
    writer.paragraph(
        "Chaque évaluateur note chaque critère sur l'échelle indiquée. La note globale d'une "
        "proposition est la somme de ses notes par critère, pondérées comme ci-dessus ; la "
        "méthode respecte la pondération publiée et donne la meilleure note à la meilleure "
        "proposition."
    )

    writer.article("Licences et communs référencés")
    writer.paragraph(ctx.licence_requirements)
    writer.paragraph(
        "Les livrables de chaque ressource sont publiés sous la licence ouverte indiquée pour "
        "elle à l'article « Objet de la consultation ». Les candidats incluent dans leurs "
        "propositions les communs référencés par la Chambre des communs et s'engagent à "
        "respecter la licence de chacun, notamment sa licence à réciprocité :"
    )
    write_commons_list(writer, referenced_commons(ctx))

    writer.article("Avis de la Chambre des communs")
    writer.paragraph(
        "La Chambre des communs rend un avis consultatif sur l'appel à communs avant sa "
        "publication, puis sur la sélection des propositions. Ses avis, et les réponses de "
        "l'acheteur à ses réserves, sont publiés."
    )

    writer.article("Contenu des propositions")
    writer.bullets(
        (
            "la composition du groupe de travail et l'apport de chacun de ses membres ;",
            "les livrables, leur calendrier et la licence ouverte sous laquelle ils sont publiés ;",
            "les communs existants réutilisés et la manière d'y contribuer ;",
            "la gouvernance du commun et les règles qui lui sont associées ;",
            "l'animation de la communauté et l'implication des citoyens ;",
            "le coût, le plan de financement et les ressources qui manquent encore ;",
            "les engagements de réciprocité des membres qui feraient un usage marchand du commun.",
        )
    )

    writer.article("Questions des candidats")
    writer.paragraph(
        "Les candidats posent leurs questions sur la plateforme de l'appel à communs. Les "
        "réponses sont publiées pour tous, sans nommer l'auteur de la question, au plus tard "
        f"le {format_datetime_fr(ctx.proposal_deadline - ANSWERS_BEFORE_DEADLINE)}."
    )

    return writer.finish()
