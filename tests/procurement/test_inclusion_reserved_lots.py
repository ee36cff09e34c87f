"""Lots reserved to the structures of disabled workers (article L2113-12 du code de la
commande publique: entreprises adaptées, ESAT) and to the structures d'insertion par
l'activité économique (article L2113-13), each employing at least 50 % of disabled or
disadvantaged workers (article R2113-7), or to both at once (article L2113-14). A
proposal on such a lot is refused unless every organisation of its working group has the
status and the share, bounds tested: 49,99 % refused, 50 % taken."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError
from procurement.models import InclusionStatus, Lot, Organisation, Proposal, WorkingGroupMember
from tests.procurement.test_proposal_lots import numbers, proposals_open, submit

pytestmark = pytest.mark.django_db


def reserve_first_lot(resources, *, disability=False, insertion=False) -> Lot:
    lot = resources[0].lot
    Lot.objects.filter(pk=lot.pk).update(
        reserved_disability=disability, reserved_insertion=insertion
    )
    return lot


def declare(org, status, share) -> None:
    Organisation.objects.filter(pk=org.pk).update(
        inclusion_status=status, inclusion_share=None if share is None else Decimal(share)
    )


def refusal(world, resource) -> str:
    with pytest.raises(ApplicationError) as refused:
        submit(world, resource)
    assert refused.value.code == "lot_reserved_inclusion"
    return refused.value.extra["fields"]["lots"][0]


def test_a_lot_reserved_to_ea_and_esat_refuses_an_organisation_without_the_status(world, clock):
    """L2113-12: the bound below, no status declared."""
    resources = proposals_open(world, clock)
    lot = reserve_first_lot(resources, disability=True)

    message = refusal(world, resources[0])

    assert f"lot n° {lot.number}" in message
    assert "L2113-12" in message
    assert f"{world.partners[0].name} n'en a pas déclaré le statut" in message
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("status", [InclusionStatus.EA, InclusionStatus.ESAT])
def test_an_ea_or_esat_at_50_percent_is_taken_at_49_99_refused(world, clock, status):
    """R2113-7: at least 50 %, the bound included."""
    resources = proposals_open(world, clock)
    reserve_first_lot(resources, disability=True)

    declare(world.partners[0], status, "49.99")
    message = refusal(world, resources[0])
    assert "49.99 % de travailleurs handicapés ou défavorisés" in message
    assert "R2113-7" in message

    declare(world.partners[0], status, "50")
    assert numbers(submit(world, resources[0])) == [1]


def test_a_siae_does_not_answer_a_lot_reserved_to_ea_and_esat(world, clock):
    resources = proposals_open(world, clock)
    reserve_first_lot(resources, disability=True)
    declare(world.partners[0], InclusionStatus.SIAE, "80")
    assert "n'en a pas déclaré le statut" in refusal(world, resources[0])


def test_a_lot_reserved_to_siae_takes_a_siae_at_50_percent(world, clock):
    """L2113-13, with its bound of 50 % of disadvantaged workers."""
    resources = proposals_open(world, clock)
    lot = reserve_first_lot(resources, insertion=True)
    declare(world.partners[0], InclusionStatus.EA, "90")
    message = refusal(world, resources[0])
    assert "L2113-13" in message
    assert f"lot n° {lot.number}" in message

    declare(world.partners[0], InclusionStatus.SIAE, None)  # no share declared
    assert "0 % de travailleurs" in refusal(world, resources[0])

    declare(world.partners[0], InclusionStatus.SIAE, "50.00")
    assert numbers(submit(world, resources[0])) == [1]


def test_a_lot_reserved_to_both_takes_either_structure(world, clock):
    """L2113-14: one lot reserved at once to EA/ESAT and to SIAE; every member of the
    groupement qualifies under one or the other."""
    resources = proposals_open(world, clock)
    reserve_first_lot(resources, disability=True, insertion=True)
    group = resources[0].working_group
    WorkingGroupMember.objects.create(group=group, organisation=world.partners[1])
    declare(world.partners[0], InclusionStatus.ESAT, "100")

    message = refusal(world, resources[0])
    assert "L2113-12 à L2113-14" in message
    assert world.partners[1].name in message
    assert world.partners[0].name not in message

    declare(world.partners[1], InclusionStatus.SIAE, "60")
    assert numbers(submit(world, resources[0])) == [1]


def test_an_unreserved_lot_takes_anyone(world, clock):
    resources = proposals_open(world, clock)
    assert numbers(submit(world, resources[0])) == [1]
