"""Realistic contexts for the document renderers: the Métropole Européenne de Lille's
shared-mobility appel à communs, its grid, its ranking, the Chambre's opinion, the award,
a funded commons and a partner's reciprocity contract.

Each ``*_factory`` fixture returns a function taking field overrides, so a test states
only what it changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from procurement.documents.context import (
    AttributionContext,
    AttributionLine,
    AwardContext,
    ChallengeContext,
    CofundingContext,
    CommonsRef,
    ConflictLine,
    CriterionComparison,
    CriterionLine,
    CriterionResult,
    DiscontinuationContext,
    EliminationLine,
    EvaluatorMark,
    FramingKind,
    FunderLine,
    GroupementForm,
    HostingContext,
    LotContext,
    LotLine,
    MemberLine,
    Milestone,
    NotificationContext,
    OpinionContext,
    Party,
    RankingContext,
    RankingRow,
    ReciprocityContext,
    ReciprocityKind,
    RejectionContext,
    ReservationLine,
    ResourceLine,
    StepLine,
)

PARIS = ZoneInfo("Europe/Paris")

MEL = Party(
    name="Métropole Européenne de Lille",
    siret="20009320100016",
    address="2 boulevard des Cités Unies, 59040 Lille Cedex",
    representative="Mme Claire Dumont, vice-présidente chargée des mobilités",
)
CHAMBRE = Party(
    name="Chambre des communs de Lille",
    address="23 rue Gosselet, 59000 Lille",
)
OSM = CommonsRef(
    name="OpenStreetMap",
    licence="ODbL-1.0",
    url="https://www.openstreetmap.org",
    description="cartographie collaborative",
)
COOPCYCLE = CommonsRef(name="CoopCycle", licence="CoopyLeft", url="https://coopcycle.org")
OTP = CommonsRef(name="OpenTripPlanner", licence="LGPL-3.0-or-later")
GTFS = CommonsRef(
    name="Référentiel GTFS de la région Hauts-de-France", licence="Licence Ouverte 2.0"
)

RESOURCES = (
    ResourceLine(
        title="Référentiel ouvert des stations de mobilité partagée",
        description="Un jeu de données tenu à jour des stations de vélos, trottinettes et "
        "voitures partagées de la métropole, avec leur disponibilité en temps réel.",
        licence_spdx="ODbL-1.0",
        deliverables=("Schéma de données publié", "Jeu de données initial", "API temps réel"),
        referenced_commons=(OSM, GTFS),
        governance="Comité des contributeurs ouvert aux opérateurs et aux communes.",
        community="Opérateurs de mobilité, communes, associations d'usagers.",
    ),
    ResourceLine(
        title="Calculateur d'itinéraires multimodaux",
        description="Un moteur d'itinéraires combinant transports en commun, vélo et "
        "covoiturage, réutilisable par toute collectivité.",
        licence_spdx="AGPL-3.0-or-later",
        deliverables=("Code source du moteur", "Documentation d'installation"),
        referenced_commons=(OTP, OSM),
        governance="Gouvernance ouverte sur le modèle des fondations du logiciel libre.",
        community="Développeurs, collectivités utilisatrices.",
    ),
    ResourceLine(
        title="Guide de gouvernance des flottes partagées",
        description="Un guide pratique pour co-gérer une flotte de véhicules partagés entre "
        "acteurs publics et privés.",
        licence_spdx="CC-BY-SA-4.0",
        deliverables=("Guide en ligne", "Modèles de conventions"),
    ),
)

CRITERIA = (
    CriterionLine(
        code="C1",
        label="Valeur technique de la proposition",
        weight=Decimal("30"),
        scale_label="de 0 à 10",
        description="Qualité et faisabilité des livrables.",
    ),
    CriterionLine(
        code="C2",
        label="Production et réutilisation de communs",
        weight=Decimal("25"),
        is_commons=True,
        scale_label="de 0 à 10",
        description="Réutilisation des communs référencés, contributions en amont.",
    ),
    CriterionLine(
        code="C3",
        label="Gouvernance et animation de la communauté",
        weight=Decimal("10"),
        is_commons=True,
        scale_label="de 0 à 10",
    ),
    CriterionLine(
        code="C4",
        label="Performance environnementale",
        weight=Decimal("15"),
        is_environmental=True,
        scale_label="de 0 à 10",
        description="Sobriété numérique et effets sur les émissions.",
    ),
    CriterionLine(code="C5", label="Prix", weight=Decimal("20"), scale_label="de 0 à 10"),
)

EVALUATORS = ("Amélie Roussel", "Bastien Lefebvre", "Chloé Martin")


@pytest.fixture
def challenge_factory():
    def make(**overrides) -> ChallengeContext:
        challenge = ChallengeContext(
            reference="AAC-2026-014",
            title="Mobilités partagées : des communs pour la métropole",
            object="Production de communs numériques pour la mobilité partagée dans la "
            "Métropole Européenne de Lille.",
            buyer=MEL,
            procedure_label="Procédure adaptée (article R. 2123-1 du code de la commande publique)",
            estimated_amount=Decimal("180000.00"),
            published_at=datetime(2026, 10, 1, 9, 0, tzinfo=PARIS),
            positioning_deadline=datetime(2026, 11, 2, 12, 0, tzinfo=PARIS),
            proposal_deadline=datetime(2026, 11, 22, 12, 0, tzinfo=PARIS),
            resources=RESOURCES,
            lots=(
                LotLine(
                    number=1,
                    title="Mobilités partagées",
                    estimated_amount=Decimal("180000.00"),
                    resources=RESOURCES,
                ),
            ),
            criteria=CRITERIA,
            licence_requirements="Les livrables logiciels sont sous licence libre ; les données "
            "sous licence ouverte ; toute réutilisation d'un commun respecte sa licence.",
            chambre_recommended_commons=(OSM, COOPCYCLE),
            generated_at=datetime(2026, 12, 1, 7, 30, tzinfo=UTC),
        )
        return replace(challenge, **overrides)

    return make


@pytest.fixture
def challenge(challenge_factory) -> ChallengeContext:
    return challenge_factory()


def _row(rank: int, proposal: str, members: tuple[str, ...], base: int, selected: bool):
    """A ranking row whose marks vary by criterion and evaluator, with a total that is
    the weighted sum of the mean marks (out of 100)."""
    results = []
    total = Decimal(0)
    for index, criterion in enumerate(CRITERIA):
        marks = tuple(
            EvaluatorMark(
                evaluator=name,
                mark=None
                if (proposal == "Flotte en commun" and name == "Bastien Lefebvre")
                else Decimal(min(10, base + (index + offset) % 3)),
            )
            for offset, name in enumerate(EVALUATORS)
        )
        given = [m.mark for m in marks if m.mark is not None]
        score = (sum(given, Decimal(0)) / len(given)).quantize(Decimal("0.01"))
        weighted = (score * criterion.weight / 10).quantize(Decimal("0.01"))
        total += weighted
        results.append(
            CriterionResult(
                criterion_code=criterion.code, marks=marks, score=score, weighted_score=weighted
            )
        )
    return RankingRow(
        lot=1,
        rank=rank,
        proposal=proposal,
        members=members,
        total=total,
        results=tuple(results),
        selected=selected,
    )


@pytest.fixture
def ranking_factory(challenge):
    def make(**overrides) -> RankingContext:
        ranking = RankingContext(
            challenge=challenge,
            method_label="Moyenne des notes des évaluateurs, pondérée par critère",
            method_description="Pour chaque critère, la note retenue est la moyenne des notes "
            "des évaluateurs qui ont noté ; la note globale est la somme des notes retenues "
            "multipliées par le poids du critère, ramenée sur 100.",
            evaluators=EVALUATORS,
            rows=(
                _row(1, "Stations ouvertes", ("Covoit Libre SAS", "Mobicoop SCIC"), 7, True),
                _row(2, "Flotte en commun", ("Association Rues Partagées",), 6, False),
                _row(3, "Itinéraires pour tous", ("Véloflux SAS",), 5, False),
            ),
            conflicts=(
                ConflictLine(
                    evaluator="Bastien Lefebvre",
                    proposal="Flotte en commun",
                    nature="Ancien salarié d'un membre du groupe de travail",
                    declared_at=datetime(2026, 11, 23, 9, 15, tzinfo=PARIS),
                ),
            ),
            eliminations=(
                EliminationLine(
                    proposal="Trottinettes fermées",
                    reason="Livrables sous licence propriétaire, contraire au règlement.",
                ),
            ),
        )
        return replace(ranking, **overrides)

    return make


@pytest.fixture
def opinion_factory(challenge):
    def make(**overrides) -> OpinionContext:
        opinion = OpinionContext(
            challenge=challenge,
            verdict_label="Avis favorable avec réserves",
            reasons=(
                "La grille donne aux communs une place explicite et suffisante.",
                "Les ressources attendues sont utiles à tout l'écosystème de la mobilité.",
            ),
            reservations=(
                ReservationLine(
                    reservation="Préciser la licence du guide de gouvernance.",
                    answer="Le guide sera publié sous CC-BY-SA-4.0.",
                ),
                ReservationLine(reservation="Associer les associations d'usagers au comité."),
            ),
            recommended_commons=(OSM, COOPCYCLE),
            licence_requirements="Licences libres et ouvertes ; licences à réciprocité "
            "respectées pour les communs réutilisés.",
            chambre=CHAMBRE,
            issued_at=datetime(2026, 9, 1, 10, 0, tzinfo=PARIS),
            moderator_name="Sylvain Delattre",
            place="Lille",
        )
        return replace(opinion, **overrides)

    return make


MOBICOOP = Party(
    name="Mobicoop SCIC",
    siret="80000000000017",
    address="10 rue de la Coopération, 59000 Lille",
    representative="M. Paul Girard, gérant",
)
COVOIT = Party(
    name="Covoit Libre SAS",
    siret="90000000000019",
    address="5 place de la Gare, 59800 Lille",
    representative="Mme Inès Petit, présidente",
)
STEPS = (
    StepLine(label="Jeu de données initial", due_on=date(2027, 3, 1), deliverable="Données v1"),
    StepLine(label="Mise à jour continue", due_on=date(2027, 6, 30), deliverable="Flux ouvert"),
)


@pytest.fixture
def award_factory(dce_challenge):
    """The acte d'engagement of lot 1 (one resource of the call's three), awarded to
    Mobicoop alone; ``groupement_award`` gives it to a groupement."""

    def make(**overrides) -> AwardContext:
        award = AwardContext(
            challenge=dce_challenge,
            lot=dce_challenge.lots[0],
            awardee=MOBICOOP,
            amount_ht=Decimal("12500.00"),
            milestones=STEPS,
        )
        return replace(award, **overrides)

    return make


@pytest.fixture
def groupement_award(award_factory):
    def make(form=GroupementForm.JOINT, **overrides) -> AwardContext:
        return award_factory(
            groupement=form,
            members=(
                MemberLine(party=MOBICOOP, amount_ht=Decimal("7500.00")),
                MemberLine(party=COVOIT, amount_ht=Decimal("5000.00")),
            ),
            **overrides,
        )

    return make


@pytest.fixture
def cofunding_factory(challenge):
    def make(**overrides) -> CofundingContext:
        cofunding = CofundingContext(
            challenge=challenge,
            commons=CommonsRef(
                name="Référentiel ouvert des stations de mobilité partagée", licence="ODbL-1.0"
            ),
            host=Party(
                name="Association Communs Mobilités Nord",
                siret="50000000000013",
                address="5 place du Théâtre, 59800 Lille",
                representative="Mme Inès Caron, trésorière",
            ),
            funders=(
                FunderLine(funder=MEL, amount=Decimal("20000.00")),
                FunderLine(funder=Party(name="ADEME"), amount=Decimal("15000.00")),
                FunderLine(funder=Party(name="Véloflux SAS"), amount=Decimal("5000.00")),
            ),
            milestones=(
                Milestone(
                    label="Lancement",
                    due_on=date(2027, 1, 1),
                    amount=Decimal("10000.00"),
                    deliverable="Schéma de données publié",
                ),
                Milestone(
                    label="Jeu de données initial",
                    due_on=date(2027, 4, 15),
                    amount=Decimal("15000.00"),
                ),
                Milestone(
                    label="API temps réel", due_on=date(2027, 9, 30), amount=Decimal("15000.00")
                ),
            ),
            round_label="tour de cofinancement de l'hiver 2026",
        )
        return replace(cofunding, **overrides)

    return make


@pytest.fixture
def hosting_factory(challenge):
    """A contrat d'hébergement: every party identified with its legal form."""

    def make(**overrides) -> HostingContext:
        hosting = HostingContext(
            challenge=replace(
                challenge,
                buyer=replace(
                    MEL,
                    legal_form="Métropole (EPCI)",
                    representative=MEL.representative or "Mme Claire Dumont, vice-présidente",
                ),
            ),
            commons=CommonsRef(
                name="Calculateur d'itinéraires multimodaux", licence="AGPL-3.0-or-later"
            ),
            host=Party(
                name="Association Communs Mobilités Nord",
                legal_form="association loi 1901",
                siret="77000000800019",
                address="8 rue du Molinel, 59000 Lille",
                representative="Mme Amina Benali, présidente",
            ),
            contributors=(
                replace(MOBICOOP, legal_form="SCIC SA"),
                replace(COVOIT, legal_form="SAS"),
            ),
            coordinator=MOBICOOP.name,
            budget_total=Decimal("42000.00"),
            funded_total=Decimal("15000.00"),
            fee_percent=Decimal("3"),
            duration_months=24,
            approval_rule="la majorité des autres organisations membres du groupe",
        )
        return replace(hosting, **overrides)

    return make


@pytest.fixture
def reciprocity_factory(challenge):
    def make(**overrides) -> ReciprocityContext:
        reciprocity = ReciprocityContext(
            challenge=challenge,
            partner=Party(
                name="Véloflux SAS",
                siret="70000000000015",
                address="8 rue Nationale, 59000 Lille",
                representative="M. Karim Benali, président",
            ),
            commons=CommonsRef(
                name="Calculateur d'itinéraires multimodaux", licence="AGPL-3.0-or-later"
            ),
            beneficiary=Party(name="Association Communs Mobilités Nord"),
            kind=ReciprocityKind.REVENUE_SHARE,
            revenue_share=Decimal("3"),
            period_label="trimestre",
            starts_on=date(2027, 1, 1),
            commercial_use="Intégration du calculateur dans une application de location de "
            "vélos vendue sur abonnement aux entreprises.",
        )
        return replace(reciprocity, **overrides)

    return make


@pytest.fixture
def rejection_factory(challenge):
    """Mobicoop's letter on lot 1, second of three behind Covoit Libre, in a formal
    procedure: dated when the pack was drawn up, signature eleven days later."""

    def make(**overrides) -> RejectionContext:
        sent_at = challenge.generated_at
        formal = replace(
            challenge,
            procedure_formal=True,
            procedure_label="appel d'offres ouvert (procédure formalisée)",
        )
        fields = {
            "challenge": formal,
            "lot_number": 1,
            "lot_title": "Référentiel ouvert des stations de mobilité partagée",
            "candidate": (Party(name="Mobicoop SCIC", address="8 rue de Nancy, 67000 Strasbourg"),),
            "candidate_offer": "Un référentiel coopératif des stations",
            "awardee": (Party(name="Covoit Libre SAS"), Party(name="Rues Partagées")),
            "awardee_offer": "Le référentiel des stations en commun",
            "rank": 2,
            "ranked": 3,
            "total": Decimal("61.50"),
            "awardee_total": Decimal("78.25"),
            "criteria": (
                CriterionComparison(
                    code="TECH",
                    label="Valeur technique",
                    weight=Decimal("60"),
                    scale_max=Decimal("10"),
                    candidate_mark=Decimal("6.5"),
                    candidate_points=Decimal("39.00"),
                    awardee_mark=Decimal("8"),
                    awardee_points=Decimal("48.00"),
                    reasons=("API temps réel décrite sans engagement de disponibilité.",),
                ),
                CriterionComparison(
                    code="COMMUNS",
                    label="Production de communs",
                    weight=Decimal("40"),
                    scale_max=Decimal("10"),
                    candidate_mark=Decimal("5.625"),
                    candidate_points=Decimal("22.50"),
                    awardee_mark=Decimal("7.5625"),
                    awardee_points=Decimal("30.25"),
                    reasons=(),
                ),
            ),
            "sent_at": sent_at,
            "signature_from": sent_at + timedelta(days=11),
        }
        fields.update(overrides)
        return RejectionContext(**fields)

    return make


@pytest.fixture
def discontinuation_factory(challenge):
    """Mobicoop's letter on lot 2, which the buyer declared sans suite although Mobicoop's
    offer ranked first of two; ``reason=""`` with ``eliminated`` makes it infructueux."""

    def make(**overrides) -> DiscontinuationContext:
        fields = {
            "challenge": challenge,
            "lot_number": 2,
            "lot_title": "Itinéraires et gouvernance",
            "candidate": (Party(name="Mobicoop SCIC", address="8 rue de Nancy, 67000 Strasbourg"),),
            "candidate_offer": "Un calculateur d'itinéraires partagé",
            "decided_at": challenge.generated_at - timedelta(hours=2),
            "reason": "Le besoin est désormais couvert par la mutualisation avec la région.",
            "rank": 1,
            "ranked": 2,
            "total": Decimal("71.25"),
            "sent_at": challenge.generated_at,
        }
        fields.update(overrides)
        return DiscontinuationContext(**fields)

    return make


@pytest.fixture
def notification_factory(award_factory):
    """The notification of lot 1's contract to Mobicoop, signed by the buyer."""

    def make(award=None, **overrides) -> NotificationContext:
        award = award or award_factory()
        return NotificationContext(
            challenge=award.challenge,
            award=award,
            signed_at=overrides.pop("signed_at", datetime(2026, 12, 14, 16, 30, tzinfo=PARIS)),
        )

    return make


@pytest.fixture
def dce_challenge(challenge_factory) -> ChallengeContext:
    """The call as published: two lots, the scoring method, the recourse, a contact."""
    return challenge_factory(
        lots=(
            LotLine(
                number=1,
                title="Données des stations",
                estimated_amount=Decimal("80000.00"),
                resources=RESOURCES[:1],
            ),
            LotLine(
                number=2,
                title="Itinéraires et gouvernance",
                estimated_amount=Decimal("100000.00"),
                resources=RESOURCES[1:],
                reserved_ess=True,
            ),
        ),
        procedure_code="mapa",
        questions_deadline=datetime(2026, 11, 15, 12, 0, tzinfo=PARIS),
        method_label="Moyenne pondérée",
        method_paragraphs=(
            "Formule : note globale = Σ (note ÷ note maximale × poids du critère).",
        ),
        recourse_court="Tribunal administratif de Lille",
        contact="commande.publique@lillemetropole.fr",
        service_url="https://communs.example.fr/defis/14/",
    )


@pytest.fixture
def lot_context(dce_challenge) -> LotContext:
    return LotContext(challenge=dce_challenge, lot=dce_challenge.lots[1])


@pytest.fixture
def piece_contexts(
    dce_challenge,
    lot_context,
    challenge,
    ranking_factory,
    opinion_factory,
    award_factory,
    cofunding_factory,
    reciprocity_factory,
    hosting_factory,
    rejection_factory,
    discontinuation_factory,
    notification_factory,
):
    """The context each piece of ``PIECES`` takes, by key."""
    return {
        "reglement": dce_challenge,
        "reglement_appel": replace(dce_challenge, framing=FramingKind.OUTSIDE_CONTRACT),
        "cctp": dce_challenge,
        "ccap": dce_challenge,
        "ae_lot": lot_context,
        "dpgf": lot_context,
        "demande_subvention": LotContext(
            challenge=replace(dce_challenge, framing=FramingKind.OUTSIDE_CONTRACT),
            lot=dce_challenge.lots[0],
        ),
        "acte_engagement": award_factory(),
        "rapport_analyse": ranking_factory(),
        "rapport_presentation": ranking_factory(),
        "avis_attribution": AttributionContext(
            challenge=dce_challenge,
            awarded_at=datetime(2026, 12, 15, 10, 0, tzinfo=PARIS),
            lots=(
                AttributionLine(
                    number=1,
                    title="Données des stations",
                    offers=3,
                    titulaire=Party(name="Mobicoop SCIC", siret="80000000000017"),
                    amount_ht=Decimal("76500.00"),
                ),
                AttributionLine(number=2, title="Itinéraires et gouvernance", offers=1),
            ),
        ),
        "avis_chambre": opinion_factory(),
        "convention_cofinancement": cofunding_factory(),
        "contrat_reciprocite": reciprocity_factory(),
        "contrat_hebergement": hosting_factory(),
        "lettre_rejet": rejection_factory(),
        "lettre_non_attribution": discontinuation_factory(),
        "notification_marche": notification_factory(),
    }
