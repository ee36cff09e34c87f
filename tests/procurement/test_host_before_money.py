"""No money moves for a commons without a structure hébergeuse (seed 003: the host
receives the funders' money and passes it on to the contributors; the conventions name
it as the party that signs for the money). Each place where money moves refuses with a
409 ``no_host`` whose French message names the commons: the cofunding close committing
pledges, a subsidy, the ledger's incomes, exploration grants, expenses and payments."""

from datetime import date
from decimal import Decimal

import pytest

from kernel.errors import WrongState
from procurement.models import (
    ChallengeStatus,
    Commons,
    ExpenseStatus,
    Ledger,
    Pledge,
)
from procurement.services.cofunding import (
    cofunding_close,
    pledge_create,
    pledge_withdraw,
    subsidy_record,
)
from procurement.services.hosting import resource_host_designate
from procurement.services.ledger import (
    expense_approve,
    expense_pay,
    expense_submit,
    exploration_grant,
    income_record,
)
from tests.procurement.ledger_cast import PDF, hosted_commons
from tests.workflows import journey

pytestmark = pytest.mark.django_db


def refused_for(commons_name: str, call) -> WrongState:
    with pytest.raises(WrongState) as refused:
        call()
    assert refused.value.code == "no_host"
    assert f"« {commons_name} »" in refused.value.message
    assert "structure hébergeuse" in refused.value.message
    return refused.value


# --- the cofunding round -------------------------------------------------------------------


def test_the_round_does_not_close_while_a_funded_commons_has_no_host(world, clock):
    # given a round whose only bucket reached its minimum, its resource without a host
    challenge = journey.in_cofunding(world, clock, host=False)
    resource = challenge.proposals.order_by("pk").first().group.resource

    # when its deadline passes and the sweep runs
    journey.close_cofunding(clock)

    # then nothing closed: the pledges stay promises, the call stays in cofunding
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.COFUNDING
    assert challenge.cofunding_round.closed_at is None
    assert set(Pledge.objects.values_list("status", flat=True)) == {Pledge.Status.ACTIVE}
    # and the service says which commons lacks its host
    refused_for(resource.title, lambda: cofunding_close(challenge=challenge))

    # once the buyer designates the host, the next sweep closes the round
    resource_host_designate(actor=world.buyer_agent, resource=resource, host=world.host)
    journey.sweep()
    challenge.refresh_from_db()
    assert challenge.cofunding_round.closed_at is not None
    assert set(Pledge.objects.values_list("status", flat=True)) == {Pledge.Status.COMMITTED}


def test_a_bucket_left_unfunded_needs_no_host_to_close(world, clock):
    # given a round whose bucket stays under its minimum (nothing to commit), no host
    challenge = journey.in_cofunding(world, clock, host=False)
    bucket = challenge.cofunding_round.buckets.get()
    pledge = bucket.pledges.get()
    pledge_withdraw(actor=world.funder_users[0], pledge=pledge)
    smaller = pledge_create(
        actor=world.funder_users[0],
        bucket=bucket,
        funder=world.funders[0],
        amount=bucket.min_amount - Decimal("0.01"),  # a cent short of the minimum
    )

    # when the deadline passes, then the round closes and releases the pledge
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    assert challenge.cofunding_round.closed_at is not None
    smaller.refresh_from_db()
    assert smaller.status == Pledge.Status.RELEASED


def test_a_subsidy_is_refused_to_a_commons_without_host(world, clock):
    # given a bucket whose resource has no host yet
    challenge = journey.in_cofunding(world, clock, host=False)
    bucket = challenge.cofunding_round.buckets.get()
    resource = bucket.proposal.group.resource

    # when the buyer records an ADEME subsidy, then it is refused naming the commons
    refused_for(
        resource.title,
        lambda: subsidy_record(
            actor=world.buyer_agent, bucket=bucket, amount=Decimal(1), funder_name="ADEME"
        ),
    )
    assert not bucket.subsidies.exists()


# --- the ledger ----------------------------------------------------------------------------


@pytest.fixture
def unhosted(world):
    """A commons whose host was withdrawn (a catalogue entry before this rule)."""
    cast = hosted_commons(world, name="Base des arrêts")
    Commons.objects.filter(pk=cast.commons.pk).update(host=None)
    cast.commons.refresh_from_db()
    return cast


def test_no_income_is_recorded_for_a_commons_without_host(unhosted, world):
    refused_for(
        "Base des arrêts",
        lambda: income_record(
            actor=unhosted.treasurer,
            commons=unhosted.commons,
            amount=Decimal("100.00"),
            received_on=date(2026, 9, 1),
            source_name="ADEME",
            kind="subsidy",
            subsidy_label="Fonds Tiers-lieux",
        ),
    )
    assert not Ledger.objects.filter(commons=unhosted.commons).exists()


def test_no_exploration_budget_for_a_commons_without_host(unhosted, world):
    refused_for(
        "Base des arrêts",
        lambda: exploration_grant(
            actor=world.funder_users[0],
            commons=unhosted.commons,
            grantor=world.funders[0],
            recipient=world.partners[0],
            amount=Decimal("2000.00"),
        ),
    )


def test_no_expense_submitted_for_a_commons_without_host(unhosted):
    refused_for(
        "Base des arrêts",
        lambda: expense_submit(
            actor=unhosted.partner_users[0],
            commons=unhosted.commons,
            label="Développement",
            amount=Decimal("400.00"),
            invoice=PDF,
        ),
    )


def test_no_payment_once_the_host_is_gone(world):
    # given an approved expense on a funded ledger
    cast = hosted_commons(world)
    income_record(
        actor=cast.treasurer,
        commons=cast.commons,
        amount=Decimal("1000.00"),
        received_on=date(2026, 9, 1),
        source_name="ADEME",
    )
    expense = expense_submit(
        actor=cast.partner_users[0],
        commons=cast.commons,
        label="Développement",
        amount=Decimal("400.00"),
        invoice=PDF,
    )
    expense_approve(actor=cast.partner_users[1], expense=expense)
    expense_approve(actor=cast.partner_users[2], expense=expense)
    # when the host is withdrawn, then the payment is refused naming the commons
    Commons.objects.filter(pk=cast.commons.pk).update(host=None)
    refused_for("Covoiturage libre", lambda: expense_pay(actor=cast.treasurer, expense=expense))
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.APPROVED
