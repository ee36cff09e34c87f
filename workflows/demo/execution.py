"""The demo's execution follow-up of the signed call: per awarded lot, deliverables and
milestones at every state (expected, submitted, admitted, refused with its reason;
planned, reached, late), through the services, as the buyer and the holders would."""

from datetime import date
from decimal import Decimal

from procurement import queries
from procurement.models import Commons, Membership
from procurement.services.execution import (
    deliverable_decide,
    deliverable_plan,
    deliverable_submit,
    milestone_plan,
    milestone_reach,
)
from procurement.services.reciprocity import commitment_sign, declaration_submit
from workflows.demo import steps

FORGE = "https://forge.communs.example.fr"


def _holder_user(row):
    """A staff member of the lot's holder (its coordinator's first)."""
    organisations = [m.organisation for m in row.holder.group.members.all()]
    coordinator = row.holder.group.coordinator_id
    organisations.sort(key=lambda org: org.pk != coordinator)
    membership = (
        Membership.objects.filter(organisation__in=organisations, role__in=queries.STAFF_ROLES)
        .select_related("user")
        .order_by("organisation_id", "id")
    )
    by_org = {m.organisation_id: m.user for m in membership}
    return next(by_org[org.pk] for org in organisations if org.pk in by_org)


def reciprocity_declared(cast) -> None:
    """For the contribution record: GéoCommuns SAS, which sells services built on the
    « Standard REST covoiturage », gives back 2 % of that revenue each quarter from
    April 2026; declared on 23 October, its second quarter is late (due by 30 July),
    its third on time (due by 30 October)."""
    user, organisation = cast.users["geocommuns"], cast.orgs["GéoCommuns SAS"]
    commitment = commitment_sign(
        actor=user,
        organisation=organisation,
        commons=Commons.objects.get(name="Standard REST covoiturage"),
        kind="revenue_share",
        revenue_share=Decimal("2.00"),
        period="quarter",
        starts_on=date(2026, 4, 1),
        commercial_use="Calcul d'itinéraires de covoiturage vendu aux entreprises.",
    )
    for start, revenue, given in (
        (date(2026, 4, 1), "42000.00", "840.00"),
        (date(2026, 7, 1), "51000.00", "1020.00"),
    ):
        declaration_submit(
            actor=user,
            commitment=commitment,
            period_start=start,
            revenue=Decimal(revenue),
            given=Decimal(given),
        )


def execution_follow_up(cast, challenge, clock) -> None:
    """Signed on 23 October 2026: the buyer plans the deliverables and milestones of
    lots 1 and 2; by early December the holder of lot 1 has two deliverables admitted,
    one refused (then nothing yet), a milestone reached and one late; lot 2's holder
    has one deliverable awaiting the buyer and one still expected."""
    reciprocity_declared(cast)
    buyer = cast.users["agent.mel"]
    challenge.refresh_from_db()
    rows = {row.lot.number: row for row in queries.execution_of(challenge).lots}
    plans = {
        1: (
            [
                ("Spécification du standard v2", date(2026, 11, 15)),
                ("Jeu de tests de conformité", date(2026, 11, 30)),
                ("Guide d'intégration pour les opérateurs", date(2026, 12, 15)),
                ("Documentation de gouvernance du standard", date(2027, 1, 31)),
            ],
            [
                ("Atelier de lancement avec la communauté", date(2026, 11, 5)),
                ("Première implémentation de référence", date(2026, 12, 1)),
                ("Version 2.0 publiée", date(2027, 2, 28)),
            ],
        ),
        2: (
            [
                ("Module de réservation, version bêta", date(2026, 12, 10)),
                ("Documentation d'installation", date(2027, 1, 15)),
            ],
            [("Bêta ouverte aux collectivités", date(2027, 1, 20))],
        ),
    }
    planned: dict[int, tuple[list, list]] = {}
    for number, (deliverables, milestones) in plans.items():
        row = rows.get(number)
        if row is None:
            continue
        planned[number] = (
            [
                deliverable_plan(actor=buyer, lot=row.lot, title=title, due_on=due)
                for title, due in deliverables
            ],
            [
                milestone_plan(actor=buyer, lot=row.lot, title=title, planned_on=day)
                for title, day in milestones
            ],
        )
    if 1 in planned:
        holder = _holder_user(rows[1])
        (spec, tests, guide, _governance), (workshop, _reference, _release) = planned[1]
        clock.move_to(steps.at(2026, 11, 6, 10, 0))
        milestone_reach(
            actor=holder,
            milestone=workshop,
            evidence_url=f"{FORGE}/standard-covoiturage/wiki/atelier-lancement",
            reached_on=date(2026, 11, 5),
        )
        clock.move_to(steps.at(2026, 11, 14, 16, 0))
        for deliverable, path in ((spec, "spec/v2"), (tests, "tests"), (guide, "guide")):
            deliverable_submit(
                actor=holder,
                deliverable=deliverable,
                evidence_url=f"{FORGE}/standard-covoiturage/{path}",
            )
        clock.move_to(steps.at(2026, 11, 20, 11, 0))
        deliverable_decide(actor=buyer, deliverable=spec, admit=True)
        deliverable_decide(actor=buyer, deliverable=tests, admit=True)
        deliverable_decide(
            actor=buyer,
            deliverable=guide,
            admit=False,
            reason=(
                "Le guide ne couvre pas encore les opérateurs de transport à la demande ; "
                "merci d'ajouter la section prévue au CCTP."
            ),
        )
    if 2 in planned:
        holder = _holder_user(rows[2])
        (beta, _install), _milestones = planned[2]
        clock.move_to(steps.at(2026, 12, 2, 17, 0))
        deliverable_submit(
            actor=holder, deliverable=beta, evidence_url=f"{FORGE}/reservation/releases/beta"
        )
