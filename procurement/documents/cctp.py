"""CCTP: the resources to produce, their deliverables and licence, the commons to reuse,
the governance and community obligations."""

from __future__ import annotations

from .base import PieceWriter
from .common import referenced_commons, write_commons_list
from .context import ChallengeContext

TITLE = "Cahier des clauses techniques particulières (CCTP)"


def render_cctp(ctx: ChallengeContext) -> bytes:
    writer = PieceWriter(ctx, TITLE)

    writer.article("Contexte et objet")
    writer.paragraph(ctx.object)
    writer.paragraph(
        "Un commun associe une ressource (logiciel libre, données ouvertes, protocole, "
        "connaissance), une communauté qui la développe, la maintient et la fait croître, et "
        "des règles pour la gérer. Le présent cahier décrit les ressources attendues et les "
        "obligations qui en font des communs durables, utiles à tout l'écosystème."
    )

    writer.article("Ressources à produire")
    lot_of = {r.title: lot for lot in ctx.lots for r in lot.resources}
    for number, resource in enumerate(ctx.resources, start=1):
        lot = lot_of.get(resource.title)
        in_lot = f" (lot {lot.number})" if lot is not None and len(ctx.lots) > 1 else ""
        writer.heading(f"Ressource {number} – {resource.title}{in_lot}")
        writer.paragraph(resource.description)
        writer.facts(
            (
                ("Licence des livrables", resource.licence_spdx),
                ("Gouvernance attendue", resource.governance or "À proposer par le candidat"),
                ("Communauté", resource.community or "À constituer par le candidat"),
            )
        )
        if resource.deliverables:
            writer.paragraph("Livrables attendus :")
            writer.bullets(resource.deliverables)
        else:
            writer.paragraph(
                "Les livrables (sources, données, documentation) et leur calendrier sont "
                "proposés par le candidat, dans le respect du présent cahier."
            )
        if resource.referenced_commons:
            writer.paragraph("Communs existants à réutiliser pour cette ressource :")
            write_commons_list(writer, resource.referenced_commons)

    writer.article("Réutilisation des communs référencés par la Chambre des communs")
    writer.paragraph(
        "Le titulaire inclut dans sa solution les communs suivants, référencés par la Chambre "
        "des communs ou désignés ci-dessus, plutôt que d'en développer des équivalents :"
    )
    write_commons_list(writer, referenced_commons(ctx))
    writer.bullets(
        (
            "Il respecte la licence de chacun de ces communs, notamment sa licence à "
            "réciprocité, et les règles de contribution de sa communauté.",
            "Il propose ses améliorations à la communauté du commun concerné (contribution "
            "« en amont ») plutôt que d'en maintenir une version divergente.",
            "Il signale à la communauté tout usage marchand qu'il fait du commun, en vue d'un "
            "contrat de réciprocité.",
        )
    )

    writer.article("Licence ouverte des livrables")
    writer.paragraph(
        "Tous les livrables (code source, données, documentation, supports de formation) sont "
        "publiés sous la licence ouverte indiquée pour chaque ressource, sur une forge ou un "
        "portail public, dès le début des travaux et au fil de leur avancement."
    )
    writer.paragraph(ctx.licence_requirements)
    writer.bullets(
        (
            "Chaque dépôt contient le texte de la licence, un fichier d'instructions de "
            "construction et d'installation, et la liste des composants de tiers avec leurs "
            "licences.",
            "Aucun livrable ne dépend d'un composant dont la licence en empêcherait la "
            "réutilisation ou la modification par des tiers.",
            "Les données sont publiées dans des formats ouverts et documentés.",
        )
    )

    writer.article("Gouvernance du commun")
    writer.bullets(
        (
            "Le titulaire publie les règles de gouvernance du commun : qui décide, comment, et "
            "comment on rejoint les instances de décision.",
            "La feuille de route, les décisions et leurs motifs sont publics.",
            "La structure hébergeuse des fonds du commun n'a pas de droit de décision sur le "
            "commun : la communauté décide de l'utilisation des fonds hébergés.",
        )
    )

    writer.article("Animation de la communauté")
    writer.bullets(
        (
            "Le titulaire publie un guide de contribution et répond aux contributions reçues "
            "dans un délai raisonnable et annoncé.",
            "Il tient des rencontres régulières ouvertes aux membres du groupe de travail et à "
            "toute personne intéressée, en présentiel et en ligne.",
            "Il accueille les nouveaux contributeurs et documente ce qui leur permet de "
            "participer.",
            "Il consacre à la coordination et à l'animation une part identifiée de son budget "
            "(de l'ordre de 10 à 25 % du budget de développement).",
        )
    )

    writer.article("Accessibilité, sobriété et réversibilité")
    writer.bullets(
        (
            "Les interfaces web respectent le référentiel général d'amélioration de "
            "l'accessibilité (RGAA).",
            "Les services numériques suivent le référentiel général d'écoconception de "
            "services numériques (RGESN).",
            "La documentation permet à un tiers de reprendre le développement et "
            "l'exploitation sans le concours du titulaire.",
        )
    )

    return writer.finish()
