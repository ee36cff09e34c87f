"""A groupement declares its form and each member's share of the lot's price with its
proposal (articles R2142-19 to R2142-27): only its coordinator may, the members must be
the working group's, and the shares of a lot add up to its contract price to the cent.
The groupement is a notion of public-contract law: hors marché (subsidies under
conventions, no acte d'engagement) a proposal declares none."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden
from procurement.models import ChallengeResource, GroupementKind, Proposal
from procurement.services.positions import position_create
from procurement.services.proposals import proposal_submit
from tests.conftest import later, paris
from tests.workflows import journey

# journey.budget_lines("30000.00"): 85 days at 300 € inside the contract, the lot's price.
PRICE = Decimal("25500.00")


def two_member_group(world, clock, **fields):
    """The first resource's working group of a call published with ``fields``: Covoit
    Libre (coordinator) and Mobicoop, proposals open."""
    challenge = journey.published(world, **fields)
    resource = ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order")[0]
    for org, user in zip(world.partners[:2], world.partner_users[:2], strict=True):
        position_create(
            actor=user,
            resource=resource,
            organisation=org,
            intent="produce",
            contributions=[{"kind": "skills", "days": Decimal(20), "profile": "Développeur"}],
        )
    clock.move_to(later(paris(*journey.POSITIONING_END), seconds=1))
    journey.sweep()
    # Fresh rows: the resource's challenge was read before the stage moved.
    group = ChallengeResource.objects.get(pk=resource.pk).working_group
    assert group.coordinator == world.partners[0]
    return group


@pytest.fixture
def group_of_two(world, clock):
    """A two-member working group of a marché public, proposals open."""
    return two_member_group(world, clock)


@pytest.fixture
def subsidised_group_of_two(world, clock):
    """A two-member working group of a call hors marché, proposals open."""
    return two_member_group(world, clock, **journey.SUBSIDISED)


def submit(actor, group, kind, shares):
    return proposal_submit(
        actor=actor,
        group=group,
        title="Données des stations, à deux",
        summary="Produire le commun avec sa communauté.",
        deliverables="Code, documentation",
        licence="EUPL-1.2",
        budget_lines=journey.budget_lines("30000.00"),
        milestones=journey.milestones(),
        groupement_kind=kind,
        member_shares=shares,
    )


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_declares_a_joint_groupement_and_its_split(world, group_of_two):
    # when the coordinator splits the lot's price 15 500 / 10 000
    proposal = submit(
        world.partner_users[0],
        group_of_two,
        GroupementKind.JOINT,
        [
            {"organisation": world.partners[0], "amount": Decimal("15500.00")},
            {"organisation": world.partners[1], "amount": Decimal("10000.00")},
        ],
    )
    # then the form and the shares are recorded, each on the lot
    assert proposal.groupement_kind == "joint"
    shares = {s.organisation_id: s.amount for s in proposal.member_shares.all()}
    assert shares == {world.partners[0].pk: Decimal("15500.00"), world.partners[1].pk: 10000}
    assert {s.lot.number for s in proposal.member_shares.all()} == {1}


@pytest.mark.django_db(transaction=True)
def test_another_member_cannot_declare_the_groupement_403(world, group_of_two):
    # given Mobicoop, a member but not the coordinator
    with pytest.raises(Forbidden, match="coordinateur"):
        submit(
            world.partner_users[1],
            group_of_two,
            GroupementKind.SEVERAL,
            [{"organisation": world.partners[1], "amount": PRICE}],
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["9999.99", "10000.01"])
def test_shares_must_make_the_lots_price_to_the_cent(world, group_of_two, second):
    # given shares one cent short of, or over, the price of 25 500 €
    with pytest.raises(ApplicationError) as refused:
        submit(
            world.partner_users[0],
            group_of_two,
            GroupementKind.JOINT,
            [
                {"organisation": world.partners[0], "amount": Decimal("15500.00")},
                {"organisation": world.partners[1], "amount": Decimal(second)},
            ],
        )
    # then refused on member_shares
    assert refused.value.code == "shares_sum"
    assert "member_shares" in refused.value.extra["fields"]


@pytest.mark.django_db(transaction=True)
def test_a_share_for_an_organisation_outside_the_group_is_refused(world, group_of_two):
    with pytest.raises(ApplicationError) as refused:
        submit(
            world.partner_users[0],
            group_of_two,
            GroupementKind.JOINT,
            [
                {"organisation": world.partners[0], "amount": Decimal("15500.00")},
                {"organisation": world.partners[2], "amount": Decimal("10000.00")},
            ],
        )
    assert refused.value.code == "share_not_member"


@pytest.mark.django_db(transaction=True)
def test_shares_without_a_form_are_refused(world, group_of_two):
    with pytest.raises(ApplicationError) as refused:
        submit(
            world.partner_users[0],
            group_of_two,
            GroupementKind.NONE,
            [{"organisation": world.partners[0], "amount": PRICE}],
        )
    assert refused.value.code == "groupement_kind_required"


# --- hors marché: no groupement (articles R2142-19 to R2142-27 govern public contracts) ---

# Hors marché the whole budget is subsidised: the shares below make all of it, 30 000 €.
SUBSIDISED_SHARES = (Decimal("18000.00"), Decimal("12000.00"))


def both_shares(world, amounts=SUBSIDISED_SHARES):
    return [
        {"organisation": organisation, "amount": amount}
        for organisation, amount in zip(world.partners[:2], amounts, strict=True)
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "with_shares", "fields"),
    [
        (GroupementKind.JOINT, False, {"groupement_kind"}),
        (GroupementKind.SEVERAL, False, {"groupement_kind"}),
        (GroupementKind.NONE, True, {"member_shares"}),
        (GroupementKind.JOINT, True, {"groupement_kind", "member_shares"}),
    ],
    ids=["joint-alone", "several-alone", "shares-alone", "joint-and-shares"],
)
def test_hors_marche_a_groupement_is_refused_at_submission(
    world, subsidised_group_of_two, kind, with_shares, fields
):
    """Articles R2142-19 to R2142-27: a groupement's form, and its members' shares
    written in the acte d'engagement, belong to a marché public; hors marché there is no
    acte d'engagement, the conventions take their place."""
    # given a call hors marché; when its coordinator declares a groupement form, member
    # shares (even making the whole subsidised budget), or both
    with pytest.raises(ApplicationError) as refused:
        submit(
            world.partner_users[0],
            subsidised_group_of_two,
            kind,
            both_shares(world) if with_shares else [],
        )
    # then 400 on the field(s) declared, in French, with the code of the mise au point's
    # refusal, and nothing is written
    assert refused.value.status_code == 400
    assert refused.value.code == "outside_contract"
    assert set(refused.value.extra["fields"]) == fields
    assert "Hors marché" in refused.value.message
    assert not Proposal.objects.filter(group=subsidised_group_of_two).exists()


@pytest.mark.django_db(transaction=True)
def test_hors_marche_a_group_of_two_submits_without_a_groupement(world, subsidised_group_of_two):
    # given a call hors marché and a working group of two organisations
    # when its coordinator submits without a groupement form nor shares
    proposal = submit(world.partner_users[0], subsidised_group_of_two, GroupementKind.NONE, [])
    # then the proposal is accepted, with no groupement recorded
    assert proposal.groupement_kind == ""
    assert not proposal.member_shares.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "with_shares", "code"),
    [
        (GroupementKind.JOINT, False, "shares_sum"),
        (GroupementKind.NONE, True, "groupement_kind_required"),
    ],
    ids=["kind-alone", "shares-alone"],
)
def test_under_a_marche_public_a_partial_groupement_is_judged_by_its_own_rules(
    world, group_of_two, kind, with_shares, code
):
    """Articles R2142-19 to R2142-27: under a marché public a groupement is declared; an
    incomplete one is refused for what it lacks, never as being outside a contract."""
    with pytest.raises(ApplicationError) as refused:
        submit(
            world.partner_users[0],
            group_of_two,
            kind,
            both_shares(world, (Decimal("15500.00"), Decimal("10000.00"))) if with_shares else [],
        )
    assert refused.value.code == code


def retained(proposal):
    from procurement.models import ProposalStatus

    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.SELECTED)
    return proposal.challenge


@pytest.mark.django_db(transaction=True)
def test_a_groupement_without_its_split_gets_no_acte_engagement(world, group_of_two):
    from workflows.pack import challenge_context
    from workflows.pack.engagement import award_contexts
    from workflows.pack.refusals import Refusal

    # given a two-member group's proposal retained without a declared groupement
    proposal = submit(world.partner_users[0], group_of_two, GroupementKind.NONE, [])
    challenge = retained(proposal)

    # when the actes d'engagement are built
    [(key, built)] = award_contexts(challenge, challenge_context(challenge))

    # then the lot's piece is a French message, not a deed
    assert key == "lot-1"
    assert isinstance(built, Refusal)
    assert "n'a déclaré ni sa forme (conjoint ou solidaire) ni la répartition" in built.message


@pytest.mark.django_db(transaction=True)
def test_a_declared_groupement_prints_every_member_with_its_share(world, group_of_two):
    from workflows.pack import challenge_context
    from workflows.pack.engagement import award_contexts

    # given the coordinator's split, retained
    proposal = submit(
        world.partner_users[0],
        group_of_two,
        GroupementKind.SEVERAL,
        [
            {"organisation": world.partners[1], "amount": Decimal("10000.00")},
            {"organisation": world.partners[0], "amount": Decimal("15500.00")},
        ],
    )
    challenge = retained(proposal)

    # when
    [(_key, award)] = award_contexts(challenge, challenge_context(challenge))

    # then the coordinator is the mandataire, first, and both members are identified
    assert award.groupement == "several"
    assert award.awardee.name == "Covoit Libre SAS"
    assert [(m.party.name, m.amount_ht) for m in award.members] == [
        ("Covoit Libre SAS", Decimal("15500.00")),
        ("Mobicoop SCIC", Decimal("10000.00")),
    ]
    assert award.amount_ht == PRICE
    assert award.lot.number == 1
