"""One helper per stretch of the demo's journey, through the real services and the
engine (the tasks completed as a person would, the Chambre's referral in full)."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from kernel.formats import CENT
from procurement.models import (
    ChallengeResource,
    Commons,
    OpinionSubject,
)
from procurement.queries import open_referral
from procurement.services import community
from procurement.services.opinions import (
    referral_comment,
    referral_draft,
    referral_name_rapporteur,
)
from procurement.services.positions import position_create
from procurement.services.proposals import proposal_submit
from scoring.queries import marked_criteria
from workflows import operations
from workflows.demo.data import (
    BUDGETS,
    CONTEXT,
    CONTEXTS,
    ESSENTIAL_DATA,
    LOT_ESTIMATES,
    PARIS,
    PARTNER_LINES,
    PROPOSALS,
    RESOURCES,
)
from workflows.models import ChallengeProcess
from workflows.services import process_start, task_complete
from workflows.tasks import sweep


def at(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def chambre_opinion(cast, challenge, step, comment="", **draft):
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
    return complete(challenge, step, u["moderatrice.chambre"])


def complete(challenge, step, user, data=None):
    process = ChallengeProcess.objects.get(challenge=challenge)
    task = process.task_set.filter(
        flow_task=getattr(process.flow_class, step), status__in=["NEW", "ASSIGNED"]
    )
    if step == "score":
        task = task.filter(owner=user)
    return task_complete(actor=user, task=task.get(), data=data or {})


def resources():
    catalogue = {c.name: c for c in Commons.objects.all()}
    return [
        {**r, "commons": catalogue.get(r.get("commons"))} if r.get("commons") else dict(r)
        for r in RESOURCES
    ]


def start(cast, reference, title, amount="180000.00", resource_lots=None, **fields):
    """Draft a call of the demo's resources; ``resource_lots`` gives each resource's lot
    number in ``fields["lots"]``; ``fields`` are the call's (lots, framing…). Without
    lots, each resource is a lot of its own with its estimate."""
    items = resources()
    if "lots" not in fields:
        fields["lots"] = [
            {"title": item["title"], "estimated_amount": Decimal(estimate)}
            for item, estimate in zip(items, LOT_ESTIMATES, strict=True)
        ]
        resource_lots = list(range(1, len(items) + 1))
    if resource_lots is not None:
        items = [{**item, "lot": n} for item, n in zip(items, resource_lots, strict=True)]
    return process_start(
        actor=cast.users["agent.mel"],
        buyer=cast.orgs["Métropole Européenne de Lille"],
        chambre=cast.orgs["Chambre des communs de Lille"],
        title=title,
        context=CONTEXTS.get(reference, CONTEXT),
        resources=items,
        estimated_amount=Decimal(amount),
        reference=reference,
        **{**ESSENTIAL_DATA, **fields},
    ).challenge


def refer_and_publish(cast, challenge, positioning_end, proposal_end, reserve=False):
    u = cast.users
    complete(
        challenge, "draft", u["agent.mel"], {"note": "Merci pour votre avis sur ce projet d'appel."}
    )
    if reserve:
        reservation = "Exiger une licence à réciprocité pour la brique de réservation."
        chambre_opinion(
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
        complete(
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
    chambre_opinion(
        cast,
        challenge,
        "call_opinion",
        verdict="favorable",
        reasons="L'appel favorise la production et l'usage de communs.",
    )
    complete(
        challenge,
        "publish",
        u["agent.mel"],
        {
            "positioning_deadline": positioning_end.isoformat(),
            "proposal_deadline": proposal_end.isoformat(),
        },
    )


def position(cast, challenge, lines=PARTNER_LINES):
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


def budget_lines(rows):
    return [
        {
            "category": category,
            "label": label,
            "quantity": Decimal(quantity),
            "unit": unit,
            "rate": Decimal(rate),
            "scope": scope,
        }
        for category, label, quantity, unit, rate, scope in rows
    ]


def milestones(challenge, deliverables):
    start = timezone.localdate(challenge.proposal_deadline)
    return [
        {
            "title": "Première version",
            "due_on": start + timedelta(days=90),
            "deliverable": deliverables.splitlines()[0],
        },
        {"title": "Version stable", "due_on": start + timedelta(days=240), "deliverable": ""},
    ]


def groupement(resource, lines) -> dict:
    """A working group of several members answers as a joint groupement: its coordinator
    declares each member's share of the contract price — a quarter to the other
    members, the rest to itself (the acte d'engagement prints the split)."""
    group = resource.working_group
    members = [m.organisation for m in group.members.select_related("organisation")]
    if len(members) < 2:
        return {}
    price = sum(
        (
            (line["quantity"] * line["rate"]).quantize(CENT, rounding=ROUND_HALF_UP)
            for line in lines
            if line["scope"] == "contract"
        ),
        Decimal(0),
    )
    others = [o for o in members if o.pk != group.coordinator_id]
    each = (price / 4 / len(others)).quantize(CENT, rounding=ROUND_HALF_UP)
    shares = [{"organisation": group.coordinator, "amount": price - each * len(others)}]
    shares += [{"organisation": o, "amount": each} for o in others]
    return {"groupement_kind": "joint", "member_shares": shares}


def propose(cast, challenge):
    resources = list(ChallengeResource.objects.filter(challenge=challenge).order_by("order"))
    for resource, (username, title, deliverables, licence, _amount), budget in zip(
        resources, PROPOSALS, BUDGETS, strict=True
    ):
        lines = budget_lines(budget)
        proposal_submit(
            actor=cast.users[username],
            group=resource.working_group,
            title=title,
            summary=f"Le groupe de travail produit « {resource.title} » avec sa communauté.",
            deliverables=deliverables,
            licence=licence,
            budget_lines=lines,
            milestones=milestones(challenge, deliverables),
            community="Collectivités utilisatrices, contributeurs bénévoles et entreprises.",
            governance="Comité de pilotage ouvert, décisions et contributions publiques.",
            **groupement(resource, lines),
        )


def score(cast, challenge, username, values):
    codes = [c.code for c in marked_criteria(challenge)]
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
    complete(challenge, "score", cast.users[username], {"evaluations": evaluations})


def to_scoring(cast, challenge, clock, positioning_end, proposal_end):
    """From a published call to its scoring: the partners position, the positioning
    deadline passes (the sweep forms the groups), they propose, the proposals' deadline
    passes (the sweep opens them), and the buyer names both evaluators."""
    u = cast.users
    position(cast, challenge)
    clock.move_to(positioning_end + timedelta(seconds=1))
    sweep()
    propose(cast, challenge)
    clock.move_to(proposal_end + timedelta(seconds=1))
    sweep()
    complete(
        challenge,
        "assign_evaluators",
        u["agent.mel"],
        {"evaluators": [u["evaluateur.1"].pk, u["evaluatrice.2"].pk]},
    )


def facilitate(cast, challenge):
    """The buyer designates the call's facilitator, neutral among the candidates."""
    operations.facilitator_designate(
        challenge=challenge, actor=cast.users["agent.mel"], facilitator=cast.users["animatrice.mel"]
    )


def group_meetings(cast, challenge, clock):
    """The first working group meets (the facilitator schedules, a member comes, the
    facilitator writes the minutes), sets its chat and wiki, and plans its next meeting."""
    u = cast.users
    group = challenge.resources.order_by("order", "id").first().working_group
    facilitator = u["animatrice.mel"]
    community.working_group_links_set(
        actor=facilitator,
        group=group,
        chat_url="https://chat.example.org/mel-covoiturage",
        wiki_url="https://wiki.example.org/Standard_covoiturage",
    )
    held = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    meeting = community.meeting_schedule(
        actor=facilitator,
        group=group,
        starts_at=held,
        place="Maison de la mobilité, Lille",
        visio_url="https://visio.example.org/mel-covoiturage",
        agenda="Tour de table ; répartition du travail sur le standard ; calendrier.",
    )
    clock.move_to(held + timedelta(hours=2))
    members = [m.organisation_id for m in group.members.all()]
    community.meeting_minutes_write(
        actor=facilitator,
        meeting=meeting,
        minutes=(
            "Chacun a présenté ses besoins. Un dépôt commun est ouvert ; le format des "
            "trajets sera discuté sur le salon. Prochaine réunion dans trois semaines."
        ),
        attendee_ids=members,
        facilitator_present=True,
    )
    return group


def next_meeting(cast, group):
    """A meeting to come (real time): the facilitator's inbox shows it to hold."""
    return community.meeting_schedule(
        actor=cast.users["animatrice.mel"],
        group=group,
        starts_at=timezone.now().astimezone(PARIS).replace(minute=0, second=0, microsecond=0)
        + timedelta(days=14),
        visio_url="https://visio.example.org/mel-covoiturage",
        agenda="Relecture du format de trajets ; contributions attendues.",
    )


def chambre_motion(cast):
    """The contributors' group files a motion on a commons; the modératrice adopts it
    with its action plan and starts following it."""
    u, o = cast.users, cast.orgs
    commons = Commons.objects.get(name="Registre de preuve de covoiturage")
    motion = community.motion_file(
        actor=u["contributeur.chambre"],
        chambre=o["Chambre des communs de Lille"],
        commons=commons,
        title="Un guide d'accueil des contributeurs du registre",
        text=(
            "Les collectivités qui utilisent le registre n'y contribuent pas, faute de "
            "savoir comment. La Chambre rédige avec la communauté un guide d'accueil et "
            "organise un atelier de contribution."
        ),
    )
    today = timezone.now().astimezone(PARIS).date()
    motion = community.motion_decide(
        actor=u["moderatrice.chambre"],
        motion=motion,
        adopted=True,
        reason="Utile à la réappropriation du commun par ses usagers publics.",
        actions=[
            {
                "title": "Rédiger le guide d'accueil",
                "owner": "Groupe engagement (Inès Caron)",
                "due_date": today + timedelta(days=30),
            },
            {
                "title": "Organiser l'atelier de contribution",
                "owner": "La Fabrique des Mobilités",
                "due_date": today + timedelta(days=60),
            },
        ],
    )
    first = motion.actions.order_by("due_date").first()
    community.motion_action_update(
        actor=u["moderatrice.chambre"],
        action=first,
        status="in_progress",
        note="Plan du guide partagé sur le wiki.",
    )
    return motion
