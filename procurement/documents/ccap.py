"""CCAP: the contract's duration, its price per lot (prix global et forfaitaire,
decomposed by each lot's DPGF), the advance, personal data (article 28 of the GDPR),
intellectual property (the CCAG-TIC 2021 regime, the deliverables under their open
licence, reciprocity), payment, and the list of derogations to the CCAG-TIC. Drawn from
the call alone, never from an offer."""

from __future__ import annotations

from kernel.formats import format_eur, format_percent

from .base import PieceWriter
from .common import referenced_commons, write_commons_list
from .context import (
    ADVANCE_MIN_MONTHS,
    ADVANCE_RATE,
    ADVANCE_THRESHOLD_HT,
    ChallengeContext,
)

TITLE = "Cahier des clauses administratives particulières (CCAP)"
IP_ARTICLE = "Propriété intellectuelle"

# Each derogation to the CCAG-TIC this CCAP makes, with the article that makes it: the
# list closes the CCAP, so that no derogation is left implied (the CCAGs ask for them to
# be listed in the last article of the CCAP).
DEROGATIONS = (
    (
        IP_ARTICLE,
        "les résultats sont publiés sous la licence ouverte de leur ressource, qui en "
        "concède l'usage à toute personne et non au seul acheteur, par dérogation au "
        "chapitre du CCAG-TIC relatif à l'utilisation des résultats ; ils restent publiés "
        "en cas de résiliation.",
    ),
)


def _write_duration(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Durée du marché")
    writer.paragraph(
        f"Le marché est conclu pour une durée de {ctx.contract_duration_label}. Les "
        "prestations de chaque lot sont exécutées dans cette durée, selon le calendrier "
        "(jalons et livrables) que l'offre du titulaire du lot comporte et que reprend son "
        "acte d'engagement."
    )


def _write_price(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Prix et décomposition du prix")
    writer.paragraph(
        "Chaque lot est conclu à prix global et forfaitaire, ferme, dont le montant figure "
        "dans l'acte d'engagement du lot. Ce prix est décomposé par la décomposition du prix "
        "global et forfaitaire (DPGF) du lot, une ligne par ressource et par livrable ; il "
        "comprend la publication des livrables et l'animation de la communauté décrites au "
        "CCTP, et aucun montant financé par ailleurs par un cofinancement."
    )
    writer.table(
        ("Lot", "Ressources", "Forme du prix", "Décomposition"),
        (
            (
                f"{lot.number} — {lot.title}",
                " ; ".join(r.title for r in lot.resources) or "—",
                "Prix global et forfaitaire, ferme",
                f"DPGF du lot {lot.number}",
            )
            for lot in ctx.lots
        ),
        widths=(0.26, 0.34, 0.22, 0.18),
    )
    writer.paragraph(
        "En cas de discordance entre la DPGF et l'acte d'engagement, le prix global porté à "
        "l'acte d'engagement prévaut."
    )


def _write_advance(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Avance")
    if ctx.contract_duration_months > ADVANCE_MIN_MONTHS:
        writer.paragraph(
            f"Une avance de {format_percent(ADVANCE_RATE)} du montant initial toutes taxes "
            "comprises du lot est versée à son titulaire lorsque ce montant dépasse "
            f"{format_eur(ADVANCE_THRESHOLD_HT)} hors taxes (articles R2191-3 et R2191-7 du "
            "code de la commande publique), sans garantie à constituer. Le titulaire peut y "
            "renoncer en cochant la case prévue dans l'acte d'engagement (article R2191-5). "
            "L'avance est remboursée par précompte sur les sommes dues, à partir de 65 % et "
            "jusqu'à 80 % du montant toutes taxes comprises des prestations exécutées "
            "(article R2191-11)."
        )
    else:
        writer.paragraph(
            f"La durée du marché ne dépassant pas {ADVANCE_MIN_MONTHS} mois, aucune avance "
            "n'est due (article R2191-3 du code de la commande publique)."
        )


def _write_personal_data(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Données à caractère personnel")
    if not ctx.personal_data:
        writer.paragraph(
            "Les prestations n'impliquent aucun traitement de données à caractère personnel "
            "pour le compte de l'acheteur. Si elles venaient à en impliquer, les parties "
            "conviennent, avant tout traitement, des stipulations exigées par l'article 28 du "
            "règlement (UE) 2016/679 (RGPD)."
        )
        return
    writer.paragraph(
        "Pour l'exécution du marché, le titulaire traite des données à caractère personnel "
        "pour le compte de l'acheteur, responsable du traitement : il agit en qualité de "
        "sous-traitant au sens de l'article 28 du règlement (UE) 2016/679 (RGPD). Le "
        "titulaire :"
    )
    writer.bullets(
        (
            "ne traite les données que sur instruction documentée de l'acheteur, pour la "
            "seule exécution du marché, et l'informe si une instruction lui paraît contraire "
            "au RGPD ;",
            "veille à ce que les personnes autorisées à les traiter soient tenues à la "
            "confidentialité ;",
            "prend les mesures de sécurité de l'article 32 du RGPD ;",
            "ne recourt à un autre sous-traitant qu'avec l'autorisation écrite préalable de "
            "l'acheteur, en lui imposant les mêmes obligations ;",
            "aide l'acheteur à répondre aux demandes d'exercice des droits des personnes "
            "concernées et à respecter ses obligations des articles 32 à 36 du RGPD ;",
            "notifie à l'acheteur toute violation de données dans les meilleurs délais après "
            "en avoir pris connaissance ;",
            "au terme du marché, supprime ou restitue les données, au choix de l'acheteur, "
            "et en détruit les copies ;",
            "met à la disposition de l'acheteur les informations nécessaires pour démontrer "
            "le respect de ces obligations et permet les audits.",
        )
    )
    writer.paragraph(
        "Les livrables publiés sous licence ouverte ne contiennent aucune donnée à caractère "
        "personnel."
    )


def _write_derogations(writer: PieceWriter) -> None:
    writer.article("Dérogations au CCAG-TIC")
    if not DEROGATIONS:
        writer.paragraph("Le présent CCAP ne déroge à aucune stipulation du CCAG-TIC.")
        return
    writer.paragraph(
        "Le présent CCAP déroge au CCAG-TIC par les seules stipulations suivantes ; pour le "
        "reste, le CCAG-TIC s'applique :"
    )
    writer.bullets(f"article « {article} » : {text}" for article, text in DEROGATIONS)


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

    _write_duration(writer, ctx)

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

    writer.article(IP_ARTICLE)
    writer.heading("Régime retenu")
    writer.paragraph(
        "Le CCAG-TIC approuvé par l'arrêté du 30 mars 2021 ne propose plus les options A "
        "(concession) et B (cession) de sa version de 2009 : son chapitre relatif à "
        "l'utilisation des résultats concède à l'acheteur le droit d'utiliser les résultats, "
        "le titulaire en restant propriétaire (régime de l'ancienne option A). Ce régime est "
        "retenu : aucune cession de droits n'est consentie à l'acheteur, et il est complété, "
        "par dérogation, par la publication des livrables sous licence ouverte ci-dessous."
    )
    writer.heading("Licence ouverte des livrables")
    writer.paragraph(
        "Par dérogation aux stipulations du CCAG-TIC relatives à l'utilisation des résultats, le "
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

    _write_price(writer, ctx)
    _write_advance(writer, ctx)

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

    _write_personal_data(writer, ctx)

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

    _write_derogations(writer)
    return writer.finish()
