"""Règlement de la consultation (a marché public) or règlement de l'appel (hors marché):
the rules a candidate reads before answering, generated from the call alone at its
publication.

The RC carries the mentions the code de la commande publique asks of the consultation
documents: the procedure, the lots or the reason for a single one (L2113-10, L2113-11,
R2113-1 to R2113-3), the criteria, their weights and the exact scoring method (R2152-7,
R2152-11, R2152-12), the deadlines, the submission on this service, the offer
validity, the candidature documents, groupements, variants, negotiation in a MAPA, the
contract's duration, the recourse and the contacts.
"""

from __future__ import annotations

from datetime import timedelta

from kernel.formats import format_date_fr, format_datetime_fr, format_eur, format_percent

from .base import PieceWriter, Strong
from .common import (
    referenced_commons,
    write_commons_list,
    write_commons_share,
    write_grid,
    write_recourse,
)
from .context import ChallengeContext, LotLine

TITLE = "Règlement de la consultation"
TITLE_OUTSIDE_CONTRACT = "Règlement de l'appel à communs"
# Answers to candidates' questions are given at the latest six days before the deadline.
ANSWERS_BEFORE_DEADLINE = timedelta(days=6)


def _estimate(amount) -> str:
    return f"{format_eur(amount)} HT" if amount is not None else "Non communiqué"


def _write_object(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Objet de l'appel" if not ctx.is_public_contract else "Objet de la consultation")
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


def _write_framing(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Cadre juridique")
    if ctx.is_public_contract:
        writer.paragraph(
            "La consultation porte sur un ",
            Strong("marché public"),
            " de services soumis au code de la commande publique : l'acheteur achète la "
            "production des communs, lot par lot, et en paie le prix. Le cofinancement par "
            "d'autres financeurs ne porte que sur ce qui est hors du marché (animation de la "
            "communauté au-delà de l'exécution, maintenance, autres contributeurs), sous des "
            "conventions distinctes : aucune dépense n'est payée deux fois.",
        )
    else:
        writer.paragraph(
            "Le présent appel est un ",
            Strong("appel à communs hors marché public"),
            " : il n'a pas pour objet de répondre à un besoin de l'acheteur moyennant un prix. "
            "Les projets retenus, dont les porteurs ont l'initiative, reçoivent une subvention "
            "au sens de l'article 9-1 de la loi n° 2000-321 du 12 avril 2000, sous une "
            "convention d'objectifs lorsque son montant dépasse 23 000 € (article 10 de la "
            "même loi et décret n° 2001-495 du 6 juin 2001). Il n'y a ni acte d'engagement ni "
            "cahier des clauses administratives particulières.",
        )


def _write_exploration(writer: PieceWriter, ctx: ChallengeContext) -> None:
    """The exploration before cofunding, when the call plans one (seed 003): announced
    with the consultation, since it decides which commons are cofunded."""
    if ctx.exploration_budget is None:
        return
    writer.article("Exploration avant le cofinancement")
    end = f" jusqu'au {format_datetime_fr(ctx.exploration_end)}" if ctx.exploration_end else ""
    writer.paragraph(
        "Avant tout cofinancement, l'équipe de chaque proposition retenue explore le commun "
        f"avec un budget de {format_eur(ctx.exploration_budget)} accordé par l'acheteur{end}, "
        "versé par la structure hébergeuse du commun lorsqu'il en a une. À l'issue de "
        "l'exploration, l'acheteur décide, motif à l'appui, si chaque commun a fait ses "
        "preuves ; seuls ceux-là sont ouverts au cofinancement, et les décisions sont "
        "publiées."
    )
    if ctx.is_public_contract:
        writer.paragraph(
            "Cette décision ne porte que sur le cofinancement : l'attribution du marché suit "
            "les règles du présent règlement."
        )


def _write_vote(writer: PieceWriter, ctx: ChallengeContext) -> None:
    """The collective vote before cofunding, when the call plans one: who votes, how
    (majority judgment, one ballot per organisation, secret until the close), when it
    ends and which commons it retains — announced with the consultation, since it
    decides which commons the round opens on."""
    vote = ctx.vote
    if vote is None:
        return
    writer.article("Vote collectif avant le cofinancement")
    candidates = (
        "les communs ayant fait leurs preuves à l'issue de l'exploration"
        if ctx.exploration_budget is not None
        else "les communs des propositions retenues"
    )
    duration = (
        f"Il s'achève le {format_datetime_fr(vote.planned_end)}"
        if vote.planned_end
        else f"Il dure {vote.days} jour{'s' if vote.days > 1 else ''} à compter de son ouverture"
    )
    limit = (
        f", dans la limite des {vote.max_retained} mieux classés"
        if vote.max_retained and vote.max_retained > 1
        else ", dans la limite du mieux classé"
        if vote.max_retained == 1
        else ""
    )
    writer.paragraph(
        f"Avant l'ouverture du cofinancement, {candidates} sont soumis à un vote collectif "
        "au jugement majoritaire. Chaque financeur et chaque organisation membre d'un "
        "groupe de travail de l'appel dispose d'un bulletin, sur lequel elle attribue à "
        "chaque commun une mention, de « Excellent » à « À rejeter » ; elle ne juge pas le "
        "commun de son propre groupe de travail. L'acheteur, qui a fait son choix à la "
        "sélection, ne vote pas. Un bulletin incomplet est refusé ; il peut être modifié "
        "jusqu'à la clôture."
    )
    writer.paragraph(
        f"{duration}. Les bulletins restent secrets jusqu'à la clôture ; un bulletin reçu "
        "à l'heure de clôture ou après est refusé. "
        f"Sont retenus les communs dont la mention majoritaire est au moins « {vote.min_grade} »"
        f"{limit} ; les égalités sont départagées selon la règle du jugement majoritaire. "
        "Les résultats, avec le profil de mérite de chaque commun, sont publiés, et seuls "
        "les communs retenus sont ouverts au cofinancement."
    )
    if ctx.is_public_contract:
        writer.paragraph(
            "Ce vote ne porte que sur le cofinancement : l'attribution du marché suit les "
            "règles du présent règlement."
        )


def _write_procedure(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Procédure" if ctx.is_public_contract else "Modalités de l'appel")
    pairs = [("Référence", ctx.reference)]
    if ctx.is_public_contract:
        pairs.append(("Procédure", ctx.procedure_label))
    pairs.append(("Montant estimé", _estimate(ctx.estimated_amount)))
    if ctx.is_public_contract:
        pairs.append(("Durée du marché", ctx.contract_duration_label))
        pairs.append(("Cahier des clauses administratives générales", ctx.ccag_label))
    writer.facts(pairs)
    if ctx.is_public_contract and ctx.procedure_code == "mapa":
        writer.paragraph(
            "Négociation : l'acheteur se réserve la possibilité de négocier avec les "
            "candidats ayant remis une proposition (article R2123-5 du code de la commande "
            "publique). Il peut aussi attribuer le marché sur la base des propositions "
            "initiales, sans négociation ; les candidats remettent donc d'emblée leur "
            "meilleure proposition."
        )
    elif ctx.is_public_contract:
        writer.paragraph(
            "Aucune négociation n'est admise : la procédure est formalisée et le marché est "
            "attribué sur la base des propositions remises."
        )


def reservation_labels(lot: LotLine) -> list[str]:
    """The short mention of each reservation of a lot, for the lots' table."""
    labels = []
    if lot.reserved_ess:
        labels.append("Réservé aux structures de l'ESS (article L2113-15)")
    if lot.reserved_disability:
        labels.append("Réservé aux entreprises adaptées et ESAT (article L2113-12)")
    if lot.reserved_insertion:
        labels.append("Réservé aux structures d'insertion par l'activité économique (L2113-13)")
    return labels


def reservation_sentences(lot: LotLine) -> list[str]:
    """The RC's sentence for each reservation of a lot, naming its article: L2113-15
    (entreprises de l'ESS), L2113-12 (entreprises adaptées and ESAT) and L2113-13
    (structures d'insertion), the last two with the 50 % share of article R2113-7 and,
    when both apply, article L2113-14 which allows them together."""
    sentences = []
    if lot.reserved_ess:
        sentences.append(
            f"Le lot n° {lot.number} est réservé aux entreprises de l'économie sociale et "
            "solidaire au sens de l'article 1er de la loi n° 2014-856 du 31 juillet 2014 "
            "(article L2113-15 du code de la commande publique) : chaque membre du "
            "groupement candidat en justifie."
        )
    disability = (
        "aux entreprises adaptées (article L5213-13 du code du travail), aux établissements et "
        "services d'aide par le travail (article L344-2 du code de l'action sociale et des "
        "familles) et aux structures équivalentes employant au moins 50 % de travailleurs "
        "handicapés (article L2113-12 du code de la commande publique)"
    )
    insertion = (
        "aux structures d'insertion par l'activité économique (article L5132-4 du code du "
        "travail) et aux structures équivalentes employant au moins 50 % de travailleurs "
        "défavorisés (article L2113-13 du code de la commande publique)"
    )
    proof = (
        " ; la proportion minimale est celle de l'article R2113-7. Chaque membre du "
        "groupement candidat justifie de son statut et de cette proportion."
    )
    if lot.reserved_disability and lot.reserved_insertion:
        sentences.append(
            f"Le lot n° {lot.number} est réservé à la fois {disability} et {insertion}, comme "
            "le permet l'article L2113-14 du code de la commande publique" + proof
        )
    elif lot.reserved_disability:
        sentences.append(f"Le lot n° {lot.number} est réservé {disability}" + proof)
    elif lot.reserved_insertion:
        sentences.append(f"Le lot n° {lot.number} est réservé {insertion}" + proof)
    return sentences


def _write_lots(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Allotissement")
    if len(ctx.lots) > 1:
        writer.paragraph(
            f"La consultation est divisée en {len(ctx.lots)} lots (article L2113-10 du code de "
            "la commande publique), chacun attribué séparément :"
        )
    else:
        writer.paragraph(
            "La consultation n'est pas divisée en lots. Motif (articles L2113-11 et R2113-3 "
            "du code de la commande publique) : ",
            ctx.single_lot_reason
            or "son objet ne permet pas l'identification de prestations distinctes.",
        )
    writer.table(
        ("Lot", "Intitulé et ressources", "Montant estimé"),
        (
            (
                str(lot.number),
                lot.title
                + "".join(f"\n– {resource.title}" for resource in lot.resources)
                + "".join(f"\n{line}" for line in reservation_labels(lot)),
                _estimate(lot.estimated_amount),
            )
            for lot in ctx.lots
        ),
        widths=(0.1, 0.6, 0.3),
        numeric=(2,),
    )
    if len(ctx.lots) > 1 and ctx.single_lot_reason:
        writer.paragraph("Regroupement de ressources au sein d'un lot : ", ctx.single_lot_reason)
    # The reservations are announced with the consultation (article R2113-7, second
    # paragraph, for L2113-12 and L2113-13), each naming its article; the platform refuses
    # a proposal on the lot from a group one of whose organisations lacks the status
    # (procurement.services.proposals._require_reserved_lots).
    for lot in ctx.lots:
        for sentence in reservation_sentences(lot):
            writer.paragraph(sentence)
    if len(ctx.lots) > 1:
        writer.paragraph(
            "Un candidat peut répondre à un ou plusieurs lots ; une même proposition peut "
            "couvrir plusieurs lots, avec un prix distinct pour chacun."
            if ctx.multi_lot_proposals
            else "Un candidat peut répondre à un ou plusieurs lots, par une proposition "
            "distincte pour chaque lot."
        )


def _write_calendar(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Calendrier")
    published = format_date_fr(ctx.published_at) if ctx.published_at else "À la date de l'avis"
    questions = ctx.questions_deadline or ctx.proposal_deadline
    writer.table(
        ("Étape", "Date et heure (Paris)"),
        (
            ("Publication de l'appel à communs", published),
            (
                "Date limite de positionnement sur les ressources",
                format_datetime_fr(ctx.positioning_deadline),
            ),
            ("Date limite des questions des candidats", format_datetime_fr(questions)),
            ("Date limite de remise des propositions", format_datetime_fr(ctx.proposal_deadline)),
            *(
                [
                    (
                        "Fin de l'exploration avant le cofinancement",
                        format_datetime_fr(ctx.exploration_end),
                    )
                ]
                if ctx.exploration_end
                else []
            ),
            *(
                [("Fin du vote collectif", format_datetime_fr(ctx.vote.planned_end))]
                if ctx.vote and ctx.vote.planned_end
                else []
            ),
        ),
        widths=(0.6, 0.4),
    )
    writer.paragraph(
        "Les heures sont celles de Paris. Les propositions restent scellées jusqu'à la date "
        "limite de remise : nul ne peut les lire avant, pas même l'acheteur. Une proposition "
        "reçue après cette date n'est pas examinée."
    )
    writer.paragraph(
        "Les candidats posent leurs questions sur le service de l'appel à communs. Les "
        "réponses sont publiées pour tous, sans nommer l'auteur de la question, au plus tard "
        f"le {format_datetime_fr(ctx.proposal_deadline - ANSWERS_BEFORE_DEADLINE)}."
    )


def _write_submission(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Remise des propositions")
    where = f" ({ctx.service_url})" if ctx.service_url else ""
    writer.paragraph(
        "Les documents de la consultation sont disponibles gratuitement, intégralement et "
        f"directement sur le service des appels à communs{where}, dès la publication "
        "(article R2132-2 du code de la commande publique). Les propositions y sont remises "
        "par voie électronique uniquement ; aucune proposition sur papier ou par courriel "
        "n'est acceptée."
    )
    if ctx.is_public_contract:
        writer.paragraph(
            "Durée de validité des propositions : ",
            Strong(f"{ctx.offer_validity_days} jours"),
            " à compter de la date limite de remise des propositions.",
        )
        writer.paragraph("Chaque proposition comprend, pour chaque lot auquel elle répond :")
        writer.bullets(
            (
                "les pièces de la candidature : le document unique de marché européen (DUME) "
                "ou les formulaires DC1 (lettre de candidature) et DC2 (déclaration du "
                "candidat), avec les pièces des articles R2143-3 et R2143-4 du code de la "
                "commande publique ;",
                "l'acte d'engagement du lot, complété et signé ;",
                "la décomposition du prix global et forfaitaire (DPGF) du lot, complétée ;",
                "un mémoire technique qui répond au CCTP et aux critères de jugement.",
            )
        )
        writer.paragraph(
            "Groupements : les candidats peuvent se présenter en groupement conjoint ou "
            "solidaire (articles R2142-19 à R2142-27 du code de la commande publique) ; le "
            "mandataire est désigné dans l'acte d'engagement. L'acheteur n'impose aucune "
            "forme de groupement après l'attribution. Un même opérateur ne peut être "
            "mandataire de plus d'un groupement pour un même lot."
        )
        writer.paragraph(
            "Variantes : les variantes ne sont pas autorisées (article R2151-8 du code de la "
            "commande publique)."
        )
    else:
        writer.paragraph("Chaque demande comprend, pour chaque lot auquel elle répond :")
        writer.bullets(
            (
                "le formulaire de demande de subvention du lot, complété et signé ;",
                "les statuts et le numéro SIRET ou RNA du porteur et de chaque partenaire ;",
                "le budget prévisionnel du projet, équilibré, et son plan de financement ;",
                "la description du projet au regard du cahier des charges et des critères.",
            )
        )


def _write_criteria(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Critères de jugement et méthode de notation")
    writer.paragraph(
        "Les propositions sont jugées, lot par lot, sur les critères suivants et leur "
        "pondération (articles R2152-7, R2152-11 et R2152-12 du code de la commande publique) :"
        if ctx.is_public_contract
        else "Les demandes sont jugées, lot par lot, sur les critères suivants et leur "
        "pondération :"
    )
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
    writer.heading(f"Méthode de notation{' : ' + ctx.method_label if ctx.method_label else ''}")
    for paragraph in ctx.method_paragraphs or (
        "Chaque évaluateur note chaque critère sur l'échelle indiquée. La note globale d'une "
        "proposition est la somme de ses notes par critère, pondérées comme ci-dessus.",
    ):
        writer.paragraph(paragraph)


def _write_commons(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Licences et communs référencés")
    if ctx.licence_requirements:
        writer.paragraph(ctx.licence_requirements)
    writer.paragraph(
        "Les livrables de chaque ressource sont publiés sous la licence ouverte indiquée pour "
        "elle à l'article « Objet ». Les candidats incluent dans leurs propositions les "
        "communs référencés par la Chambre des communs et s'engagent à respecter la licence "
        "de chacun, notamment sa licence à réciprocité :"
    )
    write_commons_list(writer, referenced_commons(ctx))
    writer.paragraph(
        "La Chambre des communs a rendu un avis consultatif sur l'appel avant sa publication ; "
        "elle en rendra un sur la sélection. Ses avis, et les réponses de l'acheteur à ses "
        "réserves, sont publiés."
    )


def _write_contacts(writer: PieceWriter, ctx: ChallengeContext) -> None:
    writer.article("Renseignements")
    writer.party(ctx.buyer)
    if ctx.contact:
        writer.paragraph("Contact : ", ctx.contact)
    writer.paragraph(
        "Toute question sur la consultation est posée sur le service de l'appel à communs, "
        "pour que la réponse profite à tous les candidats."
    )


def _write_amendments(writer: PieceWriter, ctx: ChallengeContext) -> None:
    if not ctx.amendments:
        return
    writer.article("Modifications apportées depuis la publication")
    writer.table(
        ("Date", "Modification", "Substantielle"),
        (
            (format_datetime_fr(a.made_at), a.summary, "oui" if a.substantial else "non")
            for a in ctx.amendments
        ),
        widths=(0.25, 0.55, 0.2),
    )


def _render(ctx: ChallengeContext, title: str) -> bytes:
    writer = PieceWriter(ctx, title)
    writer.article("Acheteur")
    writer.party(ctx.buyer)
    _write_object(writer, ctx)
    _write_framing(writer, ctx)
    _write_exploration(writer, ctx)
    _write_vote(writer, ctx)
    _write_procedure(writer, ctx)
    _write_lots(writer, ctx)
    _write_calendar(writer, ctx)
    _write_submission(writer, ctx)
    _write_criteria(writer, ctx)
    _write_commons(writer, ctx)
    write_recourse(writer, ctx)
    _write_contacts(writer, ctx)
    _write_amendments(writer, ctx)
    return writer.finish()


def render_reglement(ctx: ChallengeContext) -> bytes:
    """The règlement de la consultation of a marché public."""
    return _render(ctx, TITLE)


def render_reglement_appel(ctx: ChallengeContext) -> bytes:
    """The règlement de l'appel of an appel à communs hors marché (subsidies)."""
    return _render(ctx, TITLE_OUTSIDE_CONTRACT)
