"""The demo: the Métropole Européenne de Lille's appel à communs on shared mobility,
its partners, evaluators, the Chambre des communs, funders and a host — with
challenges held at several stages so a newcomer sees each one.

Everything past is replayed at its date (time travel) through the real services and
the engine, the deadlines fired by the same sweep as in production. Running it twice
duplicates nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from procurement.models import (
    Challenge,
    ChallengeResource,
    ChallengeStatus,
    Commons,
    CommonsCategory,
    Membership,
    OpinionSubject,
    Organisation,
    OrganisationKind,
    Role,
)
from procurement.services.cofunding import allocation_set, pledge_create
from procurement.services.opinions import (
    commons_reference,
    open_referral,
    referral_comment,
    referral_draft,
    referral_name_rapporteur,
)
from procurement.services.positions import position_create
from procurement.services.proposals import proposal_submit
from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from scoring.queries import criteria_of
from workflows.models import ChallengeProcess
from workflows.services import process_start, task_complete
from workflows.tasks import sweep

PARIS = ZoneInfo("Europe/Paris")
K = OrganisationKind

ORGANISATIONS = [
    # name, kind, legal form, SIREN
    ("Métropole Européenne de Lille", K.BUYER, "Métropole", "200093201"),
    ("Chambre des communs de Lille", K.CHAMBRE, "Association", ""),
    ("Mobicoop SCIC", K.PARTNER, "SCIC SA", ""),
    ("Covoit'Libre SAS", K.PARTNER, "SAS", ""),
    ("GéoCommuns SAS", K.PARTNER, "SAS", ""),
    ("Association Rues Partagées", K.PARTNER, "Association loi 1901", ""),
    ("La Fabrique des Mobilités", K.PARTNER, "Association loi 1901", ""),
    ("ADEME Hauts-de-France", K.FUNDER, "Établissement public", ""),
    ("Banque des Territoires", K.FUNDER, "Établissement public", ""),
    ("Région Hauts-de-France", K.FUNDER, "Collectivité territoriale", ""),
    ("La Coop des Communs", K.HOST, "Association loi 1901", ""),
]

ACCOUNTS = [
    # username, first name, last name, organisation, role
    ("agent.mel", "Claire", "Dubois", "Métropole Européenne de Lille", Role.ADMIN),
    ("agente.mel", "Nadia", "Benali", "Métropole Européenne de Lille", Role.MEMBER),
    ("evaluateur.1", "Pierre", "Lefebvre", "Métropole Européenne de Lille", Role.EVALUATOR),
    ("evaluatrice.2", "Sophie", "Martin", "Métropole Européenne de Lille", Role.EVALUATOR),
    ("moderatrice.chambre", "Élise", "Vandamme", "Chambre des communs de Lille", Role.MODERATOR),
    ("porteur.chambre", "Hugo", "Delattre", "Chambre des communs de Lille", Role.PORTEURS),
    ("engagement.chambre", "Inès", "Caron", "Chambre des communs de Lille", Role.ENGAGEMENT),
    ("contributeur.chambre", "Marc", "Leroy", "Chambre des communs de Lille", Role.CONTRIBUTEURS),
    ("mobicoop", "Julie", "Moreau", "Mobicoop SCIC", Role.ADMIN),
    ("covoitlibre", "Thomas", "Petit", "Covoit'Libre SAS", Role.ADMIN),
    ("geocommuns", "Léa", "Garnier", "GéoCommuns SAS", Role.ADMIN),
    ("ruespartagees", "Karim", "Haddad", "Association Rues Partagées", Role.ADMIN),
    ("fabmob", "Anne", "Roussel", "La Fabrique des Mobilités", Role.ADMIN),
    ("ademe", "Paul", "Girard", "ADEME Hauts-de-France", Role.ADMIN),
    ("banque.territoires", "Camille", "Fontaine", "Banque des Territoires", Role.ADMIN),
    ("region.hdf", "Louis", "Mercier", "Région Hauts-de-France", Role.ADMIN),
    ("coop.communs", "Sarah", "Lambert", "La Coop des Communs", Role.ADMIN),
]

CATALOGUE = [
    # name, category, licence, referenced, description
    (
        "Standard REST covoiturage",
        CommonsCategory.KNOWLEDGE,
        "ODbL-1.0",
        True,
        "Format ouvert d'échange des trajets de covoiturage entre plateformes.",
    ),
    (
        "Registre de preuve de covoiturage",
        CommonsCategory.KNOWLEDGE,
        "AGPL-3.0-or-later",
        True,
        "Service public numérique qui certifie les trajets partagés.",
    ),
    (
        "Base Adresse Nationale",
        CommonsCategory.PUBLIC_SPACE,
        "etalab-2.0",
        True,
        "Référentiel ouvert des adresses, tenu par ses contributeurs.",
    ),
    (
        "Carte des aménagements cyclables",
        CommonsCategory.PUBLIC_SPACE,
        "ODbL-1.0",
        False,
        "Données contributives des pistes et stationnements vélo.",
    ),
    (
        "Jardins partagés de la métropole",
        CommonsCategory.NATURAL,
        "CC-BY-SA-4.0",
        False,
        "Inventaire et règles d'usage des jardins partagés.",
    ),
    (
        "Guide santé et mobilités actives",
        CommonsCategory.HEALTH,
        "CC-BY-4.0",
        True,
        "Connaissances partagées sur la marche, le vélo et la santé.",
    ),
]

RESOURCES = [
    {
        "title": "Standard ouvert de données de covoiturage",
        "commons": "Standard REST covoiturage",
        "description": "Faire évoluer le standard d'échange des trajets et des réservations.",
        "expected_licence": "ODbL-1.0",
    },
    {
        "title": "Brique open source de réservation",
        "description": "Un module de réservation de trajets partagés, réutilisable partout.",
        "expected_licence": "EUPL-1.2",
    },
    {
        "title": "Base de connaissances partagée",
        "description": "Retours d'expérience, guides et données sur la mobilité partagée.",
        "expected_licence": "CC-BY-SA-4.0",
    },
]

CONTEXT = (
    "La Métropole Européenne de Lille souhaite développer la mobilité partagée sur son "
    "territoire. Plutôt que de financer un projet fermé, elle lance un appel à communs : "
    "les ressources produites seront ouvertes, gouvernées par leur communauté et "
    "réutilisables par toutes les collectivités."
)


@dataclass
class Cast:
    users: dict
    orgs: dict


def ensure_cast(password: str) -> Cast:
    """Organisations, accounts and the commons catalogue (created once, passwords reset)."""
    orgs = {}
    for name, kind, legal_form, siren in ORGANISATIONS:
        org, _created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "legal_form": legal_form, "siren": siren}
        )
        orgs[name] = org
    users = {}
    User = get_user_model()
    for username, first, last, org_name, role in ACCOUNTS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.communs.fr",
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organisation=orgs[org_name], role=role)
        users[username] = user
    for name, category, licence, referenced, description in CATALOGUE:
        commons, created = Commons.objects.get_or_create(
            name=name,
            defaults={
                "slug": slugify(name),
                "category": category,
                "licence": licence,
                "description": description,
                "host": orgs["La Coop des Communs"],
                "community": "Collectivités, entreprises et associations contributrices.",
                "governance": "Comité de pilotage ouvert, décisions publiques, feuille de route.",
            },
        )
        if created and referenced:
            commons_reference(
                actor=users["moderatrice.chambre"],
                chambre=orgs["Chambre des communs de Lille"],
                commons=commons,
                reason="Ressource ouverte, communauté active et règles de gouvernance publiques.",
            )
    return Cast(users=users, orgs=orgs)


def accounts() -> list[dict]:
    memberships = (
        Membership.objects.filter(user__username__in=[a[0] for a in ACCOUNTS])
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    return [
        {
            "username": m.user.username,
            "role": m.role,
            "organisation": m.organisation.name,
            "organisation_kind": m.organisation.kind,
        }
        for m in memberships
    ]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def _chambre_opinion(cast, challenge, step, comment="", **draft):
    """The Chambre's referral: the modérateur names the rapporteur of the engagement
    group, a porteur comments, the rapporteur submits the draft, the modérateur
    publishes it by completing the step."""
    u = cast.users
    subject = OpinionSubject.CALL if step == "call_opinion" else OpinionSubject.SELECTION
    referral = open_referral(challenge, subject)
    referral_name_rapporteur(
        actor=u["moderatrice.chambre"], referral=referral, rapporteur=u["engagement.chambre"]
    )
    if comment:
        referral_comment(actor=u["porteur.chambre"], referral=referral, body=comment)
    referral_draft(actor=u["engagement.chambre"], referral=referral, submit=True, **draft)
    return _complete(challenge, step, u["moderatrice.chambre"])


def _complete(challenge, step, user, data=None):
    process = ChallengeProcess.objects.get(challenge=challenge)
    task = process.task_set.filter(
        flow_task=getattr(process.flow_class, step), status__in=["NEW", "ASSIGNED"]
    )
    if step == "score":
        task = task.filter(owner=user)
    return task_complete(actor=user, task=task.get(), data=data or {})


def _resources():
    catalogue = {c.name: c for c in Commons.objects.all()}
    return [
        {**r, "commons": catalogue.get(r.get("commons"))} if r.get("commons") else dict(r)
        for r in RESOURCES
    ]


def _start(cast, reference, title, amount="180000.00"):
    return process_start(
        actor=cast.users["agent.mel"],
        buyer=cast.orgs["Métropole Européenne de Lille"],
        chambre=cast.orgs["Chambre des communs de Lille"],
        title=title,
        context=CONTEXT,
        resources=_resources(),
        estimated_amount=Decimal(amount),
        reference=reference,
    ).challenge


def _refer_and_publish(cast, challenge, positioning_end, proposal_end, reserve=False):
    u = cast.users
    _complete(
        challenge, "draft", u["agent.mel"], {"note": "Merci pour votre avis sur ce projet d'appel."}
    )
    if reserve:
        reservation = "Exiger une licence à réciprocité pour la brique de réservation."
        _chambre_opinion(
            cast,
            challenge,
            "call_opinion",
            comment="Sans réciprocité, un opérateur commercial pourrait capter la brique.",
            verdict="reservations",
            reasons="L'appel sert les communs ; la réciprocité reste à préciser.",
            reservations=[reservation],
            recommended_commons=list(Commons.objects.filter(referenced=True)[:2]),
            licence_requirements="CoopyLeft pour tout usage commercial.",
        )
        _complete(
            challenge,
            "revise",
            u["agent.mel"],
            {
                "resubmit": True,
                "answers": [
                    {
                        "reservation": reservation,
                        "accepted": True,
                        "answer": "Clause de réciprocité ajoutée au CCAP.",
                    }
                ],
            },
        )
    _chambre_opinion(
        cast,
        challenge,
        "call_opinion",
        verdict="favorable",
        reasons="L'appel favorise la production et l'usage de communs.",
    )
    _complete(
        challenge,
        "publish",
        u["agent.mel"],
        {
            "positioning_deadline": positioning_end.isoformat(),
            "proposal_deadline": proposal_end.isoformat(),
        },
    )


PARTNER_LINES = [
    # resource index, username, organisation, intent, days, profile
    (0, "mobicoop", "Mobicoop SCIC", "produce", 60, "Développeurs et product owner"),
    (0, "covoitlibre", "Covoit'Libre SAS", "contribute", 20, "Expert des données de trajets"),
    (1, "covoitlibre", "Covoit'Libre SAS", "produce", 80, "Équipe de développement"),
    (1, "geocommuns", "GéoCommuns SAS", "use", 0, ""),
    (2, "ruespartagees", "Association Rues Partagées", "produce", 40, "Animation et documentation"),
    (2, "fabmob", "La Fabrique des Mobilités", "contribute", 15, "Animation de communauté"),
]


def _position(cast, challenge, lines=PARTNER_LINES):
    resources = list(ChallengeResource.objects.filter(challenge=challenge).order_by("order"))
    for index, username, org_name, intent, days, profile in lines:
        position_create(
            actor=cast.users[username],
            resource=resources[index],
            organisation=cast.orgs[org_name],
            intent=intent,
            contributions=[
                {"kind": "skills", "days": Decimal(days), "profile": profile}
                if days
                else {
                    "kind": "technical_means",
                    "description": "Intégration du module dans notre offre de services",
                }
            ],
            public_name=True,
        )


PROPOSALS = [
    (
        "mobicoop",
        "Standard covoiturage 2.0",
        "Spécification, jeux de tests, validateur en ligne",
        "ODbL-1.0",
        "42000.00",
    ),
    (
        "covoitlibre",
        "Réservation partagée en open source",
        "Module de réservation\nAPI documentée\nGuide d'intégration",
        "EUPL-1.2",
        "68000.00",
    ),
    (
        "ruespartagees",
        "Wiki de la mobilité partagée",
        "Wiki, fiches pratiques, ateliers",
        "CC-BY-SA-4.0",
        "24000.00",
    ),
]


# Each proposal's budget (category, label, quantity, unit, rate), summing to 42 000 €,
# 68 000 € and 24 000 €, coordination and animation between 10 % and 25 %.
BUDGETS = [
    [
        ("development", "Spécification et validateur", "60", "day", "550"),
        ("coordination", "Coordination et animation du groupe", "12", "day", "550"),
        ("hosting", "Hébergement du validateur", "40", "hour", "60"),
    ],
    [
        ("development", "Module de réservation et API", "100", "day", "520"),
        ("coordination", "Coordination et animation de la communauté", "20", "day", "500"),
        ("hosting", "Exploitation de l'instance de démonstration", "100", "hour", "60"),
    ],
    [
        ("development", "Wiki et fiches pratiques", "30", "day", "450"),
        ("coordination", "Coordination et animation des contributeurs", "10", "day", "450"),
        ("other", "Ateliers dans les territoires", "60", "hour", "100"),
    ],
]


def _budget_lines(rows):
    return [
        {
            "category": category,
            "label": label,
            "quantity": Decimal(quantity),
            "unit": unit,
            "rate": Decimal(rate),
        }
        for category, label, quantity, unit, rate in rows
    ]


def _milestones(challenge, deliverables):
    start = timezone.localdate(challenge.proposal_deadline)
    return [
        {
            "title": "Première version",
            "due_on": start + timedelta(days=90),
            "deliverable": deliverables.splitlines()[0],
        },
        {"title": "Version stable", "due_on": start + timedelta(days=240), "deliverable": ""},
    ]


def _propose(cast, challenge):
    resources = list(ChallengeResource.objects.filter(challenge=challenge).order_by("order"))
    for resource, (username, title, deliverables, licence, _amount), budget in zip(
        resources, PROPOSALS, BUDGETS, strict=True
    ):
        proposal_submit(
            actor=cast.users[username],
            group=resource.working_group,
            title=title,
            summary=f"Le groupe de travail produit « {resource.title} » avec sa communauté.",
            deliverables=deliverables,
            licence=licence,
            budget_lines=_budget_lines(budget),
            milestones=_milestones(challenge, deliverables),
            community="Collectivités utilisatrices, contributeurs bénévoles et entreprises.",
            governance="Comité de pilotage ouvert, décisions et contributions publiques.",
        )


def _score(cast, challenge, username, values):
    codes = [c.code for c in criteria_of(challenge)]
    evaluations = []
    for offset, proposal in enumerate(challenge.proposals.order_by("pk")):
        value = str(values[offset % len(values)])
        evaluations.append(
            {
                "proposal": proposal.pk,
                "conflict": False,
                "scores": dict.fromkeys(codes, value),
                "comment": "Proposition solide.",
            }
        )
    _complete(challenge, "score", cast.users[username], {"evaluations": evaluations})


ENVELOPES = [("ademe", "60000"), ("banque.territoires", "30000"), ("region.hdf", "25000")]
# bucket (in proposal order), funder, amount: the first reaches 42 000 €, the second 68 000 €
PLEDGES = [
    (0, "ademe", "30000"),
    (0, "region.hdf", "12000"),
    (1, "ademe", "30000"),
    (1, "banque.territoires", "30000"),
    (1, "region.hdf", "8000"),
]


def completed_challenge(cast) -> Challenge:
    """MEL-AAC-2026-001: run from June to October 2026, awarded, documents generated."""
    u, o = cast.users, cast.orgs
    with time_machine.travel(at(2026, 6, 1, 9, 0), tick=True) as clock:
        challenge = _start(cast, "MEL-AAC-2026-001", "Mobilité partagée dans la métropole")
        _refer_and_publish(cast, challenge, at(2026, 6, 20, 12), at(2026, 7, 20, 12), reserve=True)
        question = question_ask(
            challenge=Challenge.objects.get(pk=challenge.pk),
            actor=u["geocommuns"],
            organisation=o["GéoCommuns SAS"],
            text="Les données produites pourront-elles alimenter des services payants ?",
        )
        question_answer_draft(
            question=question,
            actor=u["agente.mel"],
            answer="Oui, dans le respect de la licence et d'un engagement de réciprocité.",
        )
        questions_publish_answers(challenge=question.challenge, actor=u["agente.mel"])
        _position(cast, challenge)
        clock.move_to(at(2026, 6, 20, 12, 0, 1))
        sweep()
        _propose(cast, challenge)
        clock.move_to(at(2026, 7, 20, 12, 0, 1))
        sweep()
        _complete(
            challenge,
            "assign_evaluators",
            u["agent.mel"],
            {"evaluators": [u["evaluateur.1"].pk, u["evaluatrice.2"].pk]},
        )
        _score(cast, challenge, "evaluateur.1", [8, 7, 6])
        _score(cast, challenge, "evaluatrice.2", [9, 6, 7])
        proposals = list(Challenge.objects.get(pk=challenge.pk).proposals.order_by("pk"))
        _complete(
            challenge,
            "select",
            u["agent.mel"],
            {
                "proposals": [proposals[0].pk, proposals[1].pk],
                "cofunding_deadline": at(2026, 10, 1, 18).isoformat(),
                "justification": "Les deux premières du classement, dans l'enveloppe disponible.",
            },
        )
        _chambre_opinion(
            cast,
            challenge,
            "selection_opinion",
            verdict="favorable",
            reasons="La sélection renforce deux communs référencés.",
        )
        round_ = Challenge.objects.get(pk=challenge.pk).cofunding_round
        buckets = list(round_.buckets.order_by("proposal_id"))
        funders = {
            "ademe": "ADEME Hauts-de-France",
            "banque.territoires": "Banque des Territoires",
            "region.hdf": "Région Hauts-de-France",
        }
        for username, amount in ENVELOPES:
            allocation_set(
                actor=u[username],
                round_=round_,
                funder=o[funders[username]],
                amount=Decimal(amount),
            )
        for bucket_index, username, amount in PLEDGES:
            pledge_create(
                actor=u[username],
                bucket=buckets[bucket_index],
                funder=o[funders[username]],
                amount=Decimal(amount),
            )
        clock.move_to(at(2026, 10, 1, 18, 0, 1))
        sweep()  # closes the round; the documents are generated in the background
        clock.move_to(at(2026, 10, 12, 10, 0))
        _complete(
            challenge, "award", u["agent.mel"], {"proposals": [proposals[0].pk, proposals[1].pk]}
        )
    return challenge


def scoring_challenge(cast) -> Challenge:
    """MEL-AAC-2026-002: proposals opened in November, one evaluator has scored."""
    u = cast.users
    with time_machine.travel(at(2026, 9, 14, 9, 0), tick=True) as clock:
        challenge = _start(cast, "MEL-AAC-2026-002", "Logistique urbaine partagée")
        _refer_and_publish(cast, challenge, at(2026, 9, 30, 12), at(2026, 11, 2, 12))
        _position(cast, challenge)
        clock.move_to(at(2026, 9, 30, 12, 0, 1))
        sweep()
        _propose(cast, challenge)
        clock.move_to(at(2026, 11, 2, 12, 0, 1))
        sweep()
        _complete(
            challenge,
            "assign_evaluators",
            u["agent.mel"],
            {"evaluators": [u["evaluateur.1"].pk, u["evaluatrice.2"].pk]},
        )
        _score(cast, challenge, "evaluateur.1", [7, 8, 5])
    return challenge


def positioning_challenge(cast) -> Challenge:
    """MEL-AAC-2026-003: published today, positions open for ten days."""
    now = timezone.now().astimezone(PARIS).replace(second=0, microsecond=0)
    challenge = _start(cast, "MEL-AAC-2026-003", "Données ouvertes des mobilités actives")
    _refer_and_publish(cast, challenge, now + timedelta(days=10), now + timedelta(days=45))
    _position(cast, challenge, PARTNER_LINES[:3])
    return challenge


def draft_challenge(cast) -> Challenge:
    """MEL-AAC-2026-004: a draft the buyer is still writing."""
    return _start(cast, "MEL-AAC-2026-004", "Énergie citoyenne et tiers-lieux")


STAGES = [
    ("MEL-AAC-2026-001", completed_challenge),
    ("MEL-AAC-2026-002", scoring_challenge),
    ("MEL-AAC-2026-003", positioning_challenge),
    ("MEL-AAC-2026-004", draft_challenge),
]


def run(password: str) -> list[Challenge]:
    """Create what is missing; return the demo's challenges."""
    with transaction.atomic():
        cast = ensure_cast(password)
    challenges = []
    for reference, build in STAGES:
        existing = Challenge.objects.filter(reference=reference).first()
        challenges.append(existing or build(cast))
    return challenges


__all__ = ["ChallengeStatus", "accounts", "run"]
