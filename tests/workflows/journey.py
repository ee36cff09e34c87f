"""Steps of the demo journey for the tests, driven through the services and the engine
(no hidden form fields): each helper completes the current human task of a step."""

from datetime import date
from decimal import Decimal

from viewflow.workflow.status import STATUS

from procurement.models import ChallengeResource
from procurement.services.positions import position_create
from procurement.services.proposals import proposal_submit
from workflows.models import ChallengeProcess
from workflows.services import process_start, task_complete
from workflows.tasks import sweep

RESOURCES = [
    {"title": "Standard ouvert de données de covoiturage", "expected_licence": "ODbL-1.0"},
    {"title": "Brique open source de réservation", "expected_licence": "EUPL-1.2"},
    {"title": "Base de connaissances partagée", "expected_licence": "CC-BY-SA-4.0"},
]


# The données essentielles the buyer gives with its draft (article R2196-1): without
# them the award is refused.
ESSENTIAL_DATA = {
    "cpv_code": "72260000",
    "execution_place_kind": "department",
    "execution_place_code": "59",
}

# One lot per resource, each with its estimate; together the call's estimate.
LOTS = [
    {"title": resource["title"], "estimated_amount": Decimal(amount)}
    for resource, amount in zip(RESOURCES, ("60000.00", "80000.00", "40000.00"), strict=True)
]

# The three resources in one lot, with the reason for not dividing (L2113-11).
ONE_LOT = {
    "resources": [{**resource, "lot": 1} for resource in RESOURCES],
    "lots": [{"title": "Mobilité partagée", "estimated_amount": Decimal("180000.00")}],
    "single_lot_reason": "Les trois ressources forment un seul service indissociable.",
}


def lot_per_resource(resources: list[dict], estimate: Decimal | None) -> list[dict]:
    """One lot per resource whose estimates add up to ``estimate`` (article R2121-1):
    ``LOTS`` for the default resources and amount, else equal shares, the rest on the
    last lot."""
    if resources == RESOURCES and estimate == Decimal("180000.00"):
        return LOTS
    lots = [{"title": r.get("title") or f"Lot {n}"} for n, r in enumerate(resources, 1)]
    if estimate is None:
        return lots
    share = (estimate / len(lots)).quantize(Decimal("0.01"))
    for lot in lots:
        lot["estimated_amount"] = share
    lots[-1]["estimated_amount"] = estimate - share * (len(lots) - 1)
    return lots


def start(world, **overrides):
    """Draft a call: by default one lot per resource with its estimate
    (``lot_per_resource``); ``ONE_LOT`` as overrides puts every proposal in one lot,
    compared together; ``lots=None`` leaves the lots to the service's default."""
    fields = {
        "buyer": world.buyer,
        "chambre": world.chambre,
        "title": "Mobilité partagée dans la métropole",
        "context": "Des communs pour le covoiturage et l'autopartage.",
        "resources": RESOURCES,
        "estimated_amount": Decimal("180000.00"),
        **ESSENTIAL_DATA,
    }
    fields.update(overrides)
    if "lots" not in overrides:
        fields["lots"] = lot_per_resource(fields["resources"], fields["estimated_amount"])
        fields["resources"] = [
            {**resource, "lot": n} for n, resource in enumerate(fields["resources"], 1)
        ]
    elif overrides["lots"] is None:
        del fields["lots"]
    return process_start(actor=world.buyer_agent, **fields).challenge


def open_task(challenge, step: str, owner=None):
    process = ChallengeProcess.objects.get(challenge=challenge)
    tasks = process.task_set.filter(
        flow_task=getattr(type(process.flow_class.instance), step),
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )
    if owner is not None:
        tasks = tasks.filter(owner=owner)
    return tasks.get()


def complete(challenge, step: str, actor, data=None, owner=None):
    return task_complete(actor=actor, task=open_task(challenge, step, owner), data=data or {})


def give_opinion(world, challenge, step="call_opinion", verdict="favorable", **draft):
    """The Chambre's whole referral: the modérateur names the rapporteur, who drafts and
    submits the opinion; the modérateur publishes it by completing the step's task."""
    from procurement import queries
    from procurement.models import OpinionSubject
    from procurement.services import opinions

    subject = OpinionSubject.CALL if step == "call_opinion" else OpinionSubject.SELECTION
    referral = queries.open_referral(challenge, subject)
    opinions.referral_name_rapporteur(
        actor=world.moderator, referral=referral, rapporteur=world.rapporteur
    )
    opinions.referral_draft(
        actor=world.rapporteur, referral=referral, verdict=verdict, submit=True, **draft
    )
    return complete(challenge, step, world.moderator)


def current_steps(challenge) -> set[str]:
    process = ChallengeProcess.objects.get(challenge=challenge)
    return {
        t.flow_task.name
        for t in process.task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
    }


def score_all(world, challenge, value="7", marks=None, comments=None):
    """Both evaluators mark every proposal ``value`` on every criterion they mark; or,
    with ``marks``, the proposals it names: a value, or marks per criterion code
    (``value`` on the others); ``comments`` per proposal and criterion code."""
    from scoring.queries import marked_criteria

    codes = [c.code for c in marked_criteria(challenge)]
    if marks is None:
        marks = dict.fromkeys(challenge.proposals.values_list("pk", flat=True), value)

    def scores(given):
        if isinstance(given, str):
            return dict.fromkeys(codes, given)
        return {code: given.get(code, value) for code in codes}

    for evaluator in world.evaluators:
        complete(
            challenge,
            "score",
            evaluator,
            owner=evaluator,
            data={
                "evaluations": [
                    {
                        "proposal": pid,
                        "conflict": False,
                        "scores": scores(given),
                        "comments": (comments or {}).get(pid, {}),
                    }
                    for pid, given in marks.items()
                ]
            },
        )


def position_and_propose(world, challenge):
    # Fresh rows: the caller's challenge instance may predate the last transitions.
    resources = list(ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order"))
    for resource, org, user in zip(resources, world.partners, world.partner_users, strict=False):
        position_create(
            actor=user,
            resource=resource,
            organisation=org,
            intent="produce",
            contributions=[{"kind": "skills", "days": Decimal(40), "profile": "Développeur"}],
        )
    return resources


def budget_lines(total: str = "30000.00") -> list[dict]:
    """A proposal's budget summing to ``total``: 85 % development, inside the contract,
    15 % coordination and animation (within the 10–25 % rule), outside it, in days at a
    rate of ``total / 100``. Under a marché public the buyer pays the development and
    cofunding finances the animation; hors marché, both are subsidised."""
    rate = Decimal(total) / 100
    return [
        {
            "category": "development",
            "label": "Développement",
            "quantity": Decimal(85),
            "unit": "day",
            "rate": rate,
            "scope": "contract",
        },
        {
            "category": "coordination",
            "label": "Coordination et animation",
            "quantity": Decimal(15),
            "unit": "day",
            "rate": rate,
            "scope": "outside",
        },
    ]


def milestones() -> list[dict]:
    return [{"title": "Version 1", "due_on": date(2027, 3, 1), "deliverable": "Code publié"}]


def proposal_json(total: str = "30000.00") -> dict:
    """The budget and timeline of a proposal as the API takes them."""
    return {
        "budget_lines": [
            {**line, "quantity": str(line["quantity"]), "rate": str(line["rate"])}
            for line in budget_lines(total)
        ],
        "milestones": [{**m, "due_on": m["due_on"].isoformat()} for m in milestones()],
    }


def submit_proposals(world, challenge):
    proposals = []
    resources = ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order")
    for resource, user in zip(resources, world.partner_users, strict=False):
        proposals.append(
            proposal_submit(
                actor=user,
                group=resource.working_group,
                title=f"Proposition — {resource.title}",
                summary="Produire le commun avec sa communauté.",
                deliverables="Code, documentation",
                licence=resource.expected_licence or "EUPL-1.2",
                budget_lines=budget_lines("30000.00"),
                milestones=milestones(),
            )
        )
    return proposals


__all__ = ["sweep"]


# --- whole stretches of the journey, for tests that start later in the process ----------

# A call hors marché: every budget line is subsidised, so a bucket funds a proposal's
# whole budget (for the tests of the round's mechanics, on round figures).
SUBSIDISED = {"framing": "outside_contract"}

POSITIONING_END = (2026, 9, 10, 12)
PROPOSALS_END = (2026, 10, 10, 12)
COFUNDING_END = (2026, 11, 1, 18)


def published(world, **overrides):
    """A challenge referred, approved and published (clock on 1 September 2026)."""
    from tests.conftest import paris

    challenge = start(world, **overrides)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": paris(*POSITIONING_END).isoformat(),
            "proposal_deadline": paris(*PROPOSALS_END).isoformat(),
        },
    )
    return challenge


def in_scoring(world, clock, **overrides):
    """Published, positioned, proposed, opened at the deadline, evaluators assigned."""
    from tests.conftest import later, paris

    challenge = published(world, **overrides)
    position_and_propose(world, challenge)
    clock.move_to(later(paris(*POSITIONING_END), seconds=1))
    sweep()
    submit_proposals(world, challenge)
    clock.move_to(later(paris(*PROPOSALS_END), seconds=1))
    sweep()
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    return challenge


# Retaining the first lot's proposal only leaves the other lots aside: a reason is due.
LOTS_LEFT_ASIDE = "L'enveloppe de cofinancement ne couvre cette année que le premier lot."


def in_cofunding(world, clock, *, host: bool = True, **overrides):
    """Scored; the first proposal selected; the Chambre approves; one funder pledges
    the proposal's whole cofundable amount (under a marché public, its part outside the
    contract); the buyer designates the host of its commons (unless ``host=False``). The
    round closes at ``COFUNDING_END``."""
    from procurement.services.cofunding import allocation_set, pledge_create
    from procurement.services.hosting import resource_host_designate
    from tests.conftest import paris

    challenge = in_scoring(world, clock, **overrides)
    score_all(world, challenge)
    first = challenge.proposals.order_by("pk").first()
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk],
            "cofunding_deadline": paris(*COFUNDING_END).isoformat(),
            "justification": LOTS_LEFT_ASIDE,
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    round_ = challenge.cofunding_round
    allocation_set(
        actor=world.funder_users[0], round_=round_, funder=world.funders[0], amount=Decimal(50000)
    )
    bucket = round_.buckets.get()
    pledge_create(
        actor=world.funder_users[0],
        bucket=bucket,
        funder=world.funders[0],
        amount=bucket.max_amount,
    )
    if host:
        resource_host_designate(
            actor=world.buyer_agent, resource=first.group.resource, host=world.host
        )
    return challenge


def withdraw_hosts(challenge) -> None:
    """The hosts of the call's commons withdrawn after the close (the conventions then
    have no party to receive the funds): the round does not close without them
    (``cofunding_close``), so a pack missing a host is reached this way only."""
    from procurement.models import Commons

    Commons.objects.filter(challenge_resources__challenge=challenge).update(host=None)


def close_cofunding(clock):
    """Let the round's deadline pass and the periodic sweep run."""
    from tests.conftest import later, paris

    clock.move_to(later(paris(*COFUNDING_END), seconds=1))
    sweep()
