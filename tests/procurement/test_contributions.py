"""A position brings several contributions (skills, technical means, money), changed or
withdrawn until the positioning deadline to the second; the working group's members
designate its coordinator."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import AuditEvent, ChallengeResource, Contribution, Position
from procurement.services.positions import (
    position_create,
    position_update,
    position_withdraw,
    working_group_designate_coordinator,
)
from tests.api.scenarios import POSITIONING_END, published
from tests.conftest import later
from workflows.tasks import sweep

SKILLS = {"kind": "skills", "days": Decimal("12.5"), "profile": "Développeuse"}
MEANS = {"kind": "technical_means", "description": "Serveurs de test"}
MONEY = {"kind": "money", "amount": Decimal("5000")}


def resources(challenge):
    # Fresh rows: the scenario's challenge instance predates its publication.
    return list(ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order"))


def first_resource(challenge):
    return resources(challenge)[0]


def position(world, challenge, k=0, intent="produce", contributions=(SKILLS,), **kwargs):
    return position_create(
        actor=world.partner_users[k],
        resource=kwargs.pop("resource", None) or first_resource(challenge),
        organisation=world.partners[k],
        intent=intent,
        contributions=list(contributions),
        **kwargs,
    )


def kinds(position):
    return [
        (c.kind, c.days, c.profile, c.description, c.amount)
        for c in Contribution.objects.filter(position=position).order_by("id")
    ]


@pytest.mark.django_db
def test_a_position_brings_several_contributions(world, clock):
    challenge = published(world)

    p = position(world, challenge, contributions=[SKILLS, MEANS, MONEY], public_name=True)

    assert kinds(p) == [
        ("skills", Decimal("12.5"), "Développeuse", "", None),
        ("technical_means", None, "", "Serveurs de test", None),
        ("money", None, "", "", Decimal("5000.00")),
    ]
    event = AuditEvent.objects.filter(verb="position.created").get()
    assert [c["kind"] for c in event.data["contributions"]] == [
        "skills",
        "technical_means",
        "money",
    ]


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"kind": "skills", "profile": "Juriste"}, "days", "jours-personne"),
        ({"kind": "skills", "days": Decimal(0)}, "days", "jours-personne"),
        ({"kind": "technical_means", "description": "  "}, "description", "moyens"),
        ({"kind": "money", "amount": Decimal("-1")}, "amount", "montant"),
        ({"kind": "money", "amount": Decimal(10), "days": Decimal(2)}, "days", "ne concerne"),
        ({"kind": "gift"}, "kind", "Choisissez"),
    ],
)
@pytest.mark.django_db
def test_each_contribution_must_be_valid_for_its_kind(world, clock, item, field, message):
    challenge = published(world)

    with pytest.raises(ApplicationError) as refused:
        position(world, challenge, contributions=[SKILLS, item])

    errors = refused.value.extra["fields"]["contributions"]
    assert list(errors) == ["1"]
    assert message in errors["1"][field][0]
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_a_position_without_contribution_is_refused(world, clock):
    challenge = published(world)

    with pytest.raises(ApplicationError) as refused:
        position(world, challenge, contributions=[])

    assert refused.value.extra["fields"] == {
        "contributions": ["Indiquez au moins une contribution."]
    }


@pytest.mark.parametrize(
    "row",
    [
        {"kind": "skills", "days": Decimal(0)},
        {"kind": "skills", "days": Decimal(3), "amount": Decimal(1)},
        {"kind": "technical_means", "description": ""},
        {"kind": "money", "amount": Decimal(0)},
        {"kind": "money", "amount": Decimal(10), "profile": "x"},
        {"kind": "other", "amount": Decimal(10)},
    ],
)
@pytest.mark.django_db
def test_the_database_refuses_a_contribution_invalid_for_its_kind(world, clock, row):
    p = position(world, published(world))

    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(position=p, **row)


@pytest.mark.django_db
def test_an_update_replaces_the_contributions_as_a_whole(world, clock):
    challenge = published(world)
    p = position(world, challenge, contributions=[SKILLS, MEANS])

    position_update(
        actor=world.partner_users[0],
        position=p,
        intent="contribute",
        contributions=[MONEY],
        public_name=True,
    )

    p.refresh_from_db()
    assert (p.intent, p.public_name) == ("contribute", True)
    assert kinds(p) == [("money", None, "", "", Decimal("5000.00"))]
    assert AuditEvent.objects.filter(verb="position.updated").count() == 1


@pytest.mark.django_db
def test_a_refused_update_keeps_the_former_contributions(world, clock):
    challenge = published(world)
    p = position(world, challenge, contributions=[SKILLS])

    with pytest.raises(ApplicationError):
        position_update(actor=world.partner_users[0], position=p, contributions=[])

    assert kinds(p) == [("skills", Decimal("12.5"), "Développeuse", "", None)]


@pytest.mark.django_db
def test_only_the_organisations_members_change_its_position(world, clock):
    p = position(world, published(world))

    for user in (world.partner_users[1], world.buyer_agent, world.stranger):
        with pytest.raises(Forbidden):
            position_update(actor=user, position=p, contributions=[MONEY])
        with pytest.raises(Forbidden):
            position_withdraw(actor=user, position=p)


@pytest.mark.parametrize(
    ("seconds", "allowed"), [(-1, True), (0, False), (1, False)], ids=["1s-before", "at", "after"]
)
@pytest.mark.django_db
def test_a_position_changes_until_the_deadline_to_the_second(world, clock, seconds, allowed):
    challenge = published(world)
    p = position(world, challenge)
    clock.move_to(later(POSITIONING_END, seconds=seconds))

    def change():
        position_update(actor=world.partner_users[0], position=p, contributions=[MONEY])

    def create():
        position(world, challenge, k=1)

    def withdraw():
        position_withdraw(actor=world.partner_users[0], position=p)

    for action in (change, create, withdraw):
        if allowed:
            action()
        else:
            with pytest.raises(WrongState):
                action()
    assert Position.objects.filter(pk=p.pk).exists() is not allowed


def groups_formed(world, clock):
    """Partners 0 and 1 produce/contribute on the first resource, partner 2 only uses it;
    partner 0 also produces on the second resource; the positioning closes."""
    challenge = published(world)
    first, second = resources(challenge)[:2]
    position(world, challenge, 0, "produce", resource=first)
    position(world, challenge, 1, "contribute", resource=first, public_name=True)
    position(world, challenge, 2, "use", resource=first, public_name=True)
    position(world, challenge, 0, "produce", resource=second)
    clock.move_to(POSITIONING_END)
    sweep()
    first.refresh_from_db()
    second.refresh_from_db()
    return challenge, first.working_group, second.working_group


@pytest.mark.django_db
def test_members_designate_the_coordinator_among_the_group(world, clock):
    _challenge, group, other_group = groups_formed(world, clock)
    assert group.coordinator == world.partners[0]
    assert {m.organisation for m in other_group.members.all()} == {world.partners[0]}

    working_group_designate_coordinator(
        actor=world.partner_users[0], group=group, organisation=world.partners[1]
    )

    group.refresh_from_db()
    assert group.coordinator == world.partners[1]
    event = AuditEvent.objects.get(verb="working_group.coordinator")
    assert event.data == {"coordinator": world.partners[1].pk}
    # a user (partner 2) or a stranger is not in the group
    for user in (world.partner_users[2], world.stranger, world.buyer_agent):
        with pytest.raises(Forbidden):
            working_group_designate_coordinator(
                actor=user, group=group, organisation=world.partners[2]
            )
    # an organisation outside the group cannot coordinate it
    with pytest.raises(ApplicationError) as refused:
        working_group_designate_coordinator(
            actor=world.partner_users[1], group=group, organisation=world.partners[2]
        )
    assert "organisation" in refused.value.extra["fields"]
