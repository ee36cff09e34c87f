"""Lots reserved to the social and solidarity economy (article L2113-15 du code de la
commande publique: entreprises de l'ESS au sens de l'article 1er de la loi n° 2014-856 du
31 juillet 2014). A proposal on a reserved lot is refused unless every organisation of its
working group has declared an ESS status (ESS or the agrément ESUS); an unreserved lot
takes anyone."""

import pytest

from kernel.errors import ApplicationError
from procurement.models import EssStatus, Lot, Organisation, Proposal, WorkingGroupMember
from tests.procurement.test_proposal_lots import numbers, proposals_open, submit

pytestmark = pytest.mark.django_db


def reserve_first_lot(resources) -> Lot:
    lot = resources[0].lot
    Lot.objects.filter(pk=lot.pk).update(reserved_ess=True)
    return lot


def declare(org, status) -> None:
    Organisation.objects.filter(pk=org.pk).update(ess_status=status)


def test_a_reserved_lot_refuses_a_coordinator_without_ess_status(world, clock):
    """L2113-15: the bound below, an organisation that declared no ESS status."""
    # given a call whose lot 1 is reserved, answered by Covoit Libre SAS (no ESS status)
    resources = proposals_open(world, clock)
    lot = reserve_first_lot(resources)

    # when its group submits on lot 1
    with pytest.raises(ApplicationError) as refused:
        submit(world, resources[0])

    # then it is refused in French, naming the lot and the article, and nothing is written
    message = refused.value.extra["fields"]["lots"][0]
    assert refused.value.code == "lot_reserved_ess"
    assert f"lot n° {lot.number}" in message
    assert "L2113-15" in message
    assert world.partners[0].name in message
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("status", [EssStatus.ESS, EssStatus.ESUS])
def test_a_reserved_lot_accepts_an_ess_or_esus_coordinator(world, clock, status):
    # given a reserved lot 1, and its group's organisation an ESS enterprise or ESUS
    resources = proposals_open(world, clock)
    reserve_first_lot(resources)
    declare(world.partners[0], status)

    # when its group submits on lot 1, then the proposal is taken
    assert numbers(submit(world, resources[0])) == [1]


def test_a_groupement_on_a_reserved_lot_needs_every_member_ess(world, clock):
    # given a reserved lot 1 whose group has an ESS coordinator and a member without status
    resources = proposals_open(world, clock)
    reserve_first_lot(resources)
    group = resources[0].working_group
    declare(world.partners[0], EssStatus.ESS)
    WorkingGroupMember.objects.create(group=group, organisation=world.partners[1])

    # when the group submits, then the member lacking the status is named
    with pytest.raises(ApplicationError) as refused:
        submit(world, resources[0])
    assert world.partners[1].name in refused.value.extra["fields"]["lots"][0]

    # and once it declares the agrément ESUS, the proposal is taken
    declare(world.partners[1], EssStatus.ESUS)
    assert numbers(submit(world, resources[0])) == [1]


def test_an_unreserved_lot_accepts_an_organisation_without_ess_status(world, clock):
    # given a call whose lots are not reserved and a candidate without ESS status
    resources = proposals_open(world, clock)

    # when its group submits, then the proposal is taken
    assert numbers(submit(world, resources[0])) == [1]
