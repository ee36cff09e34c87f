"""CCAP: intellectual property (deliverables under the open licence, reciprocity) and
payment, with the usual administrative clauses around them."""

from __future__ import annotations

from .base import PieceWriter
from .common import referenced_commons, write_commons_list
from .context import ChallengeContext

TITLE = "Cahier des clauses administratives particulières (CCAP)"


def render_ccap(ctx: ChallengeContext) -> bytes:
    writer = PieceWriter(ctx, TITLE)

    writer.article("Objet du marché et parties")
    writer.paragraph(ctx.object)
    writer.paragraph("Le marché est passé par :")
    writer.party(ctx.buyer)
    writer.paragraph(
        "Le titulaire est l'opérateur économique, ou le groupement, désigné dans l'acte "
        f"d'engagement. Procédure : {ctx.procedure_label}."
    )
    if len(ctx.lots) > 1:
        writer.paragraph(
            f"Le marché est divisé en {len(ctx.lots)} lots ; chaque lot fait l'objet d'un "
            "marché distinct, avec son acte d'engagement et sa décomposition du prix."
        )
    writer.paragraph(f"Durée du marché : {ctx.contract_duration_label}.")

    writer.article("Pièces contractuelles")
    writer.paragraph("Les pièces du marché prévalent dans l'ordre suivant :")
    writer.bullets(
        (
            "l'acte d'engagement ;",
            "le présent cahier des clauses administratives particulières (CCAP) ;",
            "le cahier des clauses techniques particulières (CCTP) ;",
            f"le {ctx.ccag_label} ;",
            "la proposition du titulaire.",
        )
    )

    writer.article("Propriété intellectuelle")
    writer.heading("Licence ouverte des livrables")
    writer.paragraph(
        "Par dérogation aux stipulations du CCAG relatives à l'utilisation des résultats, le "
        "titulaire publie les livrables sous la licence ouverte indiquée ci-dessous pour chaque "
        "ressource, dès leur remise et au plus tard à leur admission. Il concède ainsi à "
        "l'acheteur et à toute personne, sans exclusivité, pour le monde entier et pour toute "
        "la durée des droits, les droits d'utiliser, de reproduire, de modifier et de diffuser "
        "les livrables que cette licence prévoit."
    )
    writer.table(
        ("Ressource", "Livrables", "Licence"),
        (
            (resource.title, " ; ".join(resource.deliverables), resource.licence_spdx)
            for resource in ctx.resources
        ),
        widths=(0.3, 0.5, 0.2),
    )
    writer.paragraph(
        "Aucune cession exclusive de droits n'est consentie à l'acheteur : les livrables sont "
        "des communs, ouverts à tous aux conditions de leur licence. Le titulaire garantit "
        "qu'il détient les droits nécessaires à cette publication et que les composants de "
        "tiers intégrés aux livrables sont sous des licences compatibles avec celle du livrable."
    )
    writer.heading("Obligations de réciprocité")
    writer.paragraph(
        "Le titulaire réutilise les communs suivants, référencés par la Chambre des communs "
        "ou désignés par le CCTP, et respecte la licence de chacun, notamment sa licence à "
        "réciprocité :"
    )
    write_commons_list(writer, referenced_commons(ctx))
    writer.paragraph(ctx.licence_requirements)
    writer.bullets(
        (
            "Le titulaire propose à la communauté de chaque commun réutilisé les améliorations "
            "qu'il y apporte, selon les règles de contribution de cette communauté.",
            "Lorsqu'il tire un revenu de l'usage marchand d'un commun produit ou réutilisé "
            "dans le cadre du marché, il conclut avec la communauté de ce commun un contrat de "
            "réciprocité (reversement d'une part du chiffre d'affaires ou d'un montant fixe).",
            "Ces obligations survivent à l'expiration ou à la résiliation du marché.",
        )
    )

    writer.article("Prix")
    writer.paragraph(
        "Le marché est conclu à prix global et forfaitaire, ferme, dont le montant figure dans "
        "l'acte d'engagement. Le prix comprend la publication des livrables et l'animation de "
        "la communauté décrites au CCTP."
    )

    writer.article("Modalités de paiement")
    writer.bullets(
        (
            "Chaque ressource est payée à l'admission de ses livrables, pour la part du prix "
            "qui lui est affectée dans la décomposition du prix global et forfaitaire.",
            f"Le délai global de paiement est de {ctx.payment_delay_days} jours à compter de "
            "la réception de la demande de paiement.",
            "Le dépassement de ce délai fait courir de plein droit les intérêts moratoires et "
            "l'indemnité forfaitaire pour frais de recouvrement prévus par le code de la "
            "commande publique.",
            "Une avance est versée dans les conditions prévues par le code de la commande "
            "publique, sauf renonciation du titulaire dans l'acte d'engagement.",
            "Les demandes de paiement sont transmises par voie électronique sur le portail "
            "Chorus Pro.",
        )
    )

    writer.article("Admission des livrables")
    writer.paragraph(
        "L'admission d'un livrable est prononcée lorsqu'il est conforme au CCTP, publié sous sa "
        "licence ouverte sur une forge ou un portail public, complet (sources, données et "
        "documentation) et utilisable par un tiers à partir de ce qui est publié."
    )

    writer.article("Pénalités et résiliation")
    writer.paragraph(
        "Les pénalités de retard et les conditions de résiliation sont celles du CCAG. En cas "
        "de résiliation, les livrables déjà remis restent publiés sous leur licence ouverte."
    )

    writer.article("Règlement des litiges")
    writer.paragraph(
        "Les parties recherchent d'abord une solution amiable. À défaut, le litige est porté "
        "devant le tribunal administratif dans le ressort duquel se trouve le siège de "
        "l'acheteur."
    )

    return writer.finish()
