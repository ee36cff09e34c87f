from dataclasses import FrozenInstanceError, replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from procurement.documents.context import Milestone, ReciprocityKind


def test_commons_share_is_the_weight_of_the_commons_criteria(challenge):
    # given the grid of the fixture: C2 (25) and C3 (10) are commons criteria out of 100
    # when
    share = challenge.commons_share
    # then
    assert share == Decimal("35.00")


def test_commons_share_is_a_percentage_when_weights_are_points(challenge):
    # given weights in points out of 20 instead of percentages
    criteria = tuple(replace(c, weight=c.weight / 5) for c in challenge.criteria)
    # when
    share = replace(challenge, criteria=criteria).commons_share
    # then
    assert share == Decimal("35.00")


def test_challenge_refuses_a_naive_deadline(challenge_factory):
    # given / when / then
    with pytest.raises(ValueError, match="proposal_deadline"):
        challenge_factory(proposal_deadline=datetime(2026, 11, 22, 12, 0))  # noqa: DTZ001


def test_challenge_refuses_an_empty_grid(challenge_factory):
    # given / when / then
    with pytest.raises(ValueError, match="at least one criterion"):
        challenge_factory(criteria=())


def test_contexts_are_frozen(challenge):
    # given / when / then
    with pytest.raises(FrozenInstanceError):
        challenge.title = "Autre titre"


def test_award_computes_vat_and_ttc_to_the_cent(award_factory):
    # given
    award = award_factory(amount_ht=Decimal("12500.00"), vat_rate=Decimal("20"))
    # when / then
    assert (award.amount_vat, award.amount_ttc) == (Decimal("2500.00"), Decimal("15000.00"))


def test_award_rounds_vat_half_up(award_factory):
    # given 5.5 % of 10.10 € is 0.5555 €
    award = award_factory(amount_ht=Decimal("10.10"), vat_rate=Decimal("5.5"))
    # when / then
    assert (award.amount_vat, award.amount_ttc) == (Decimal("0.56"), Decimal("10.66"))


def test_cofunding_total_is_the_sum_of_the_funders(cofunding_factory):
    # given / when
    cofunding = cofunding_factory()
    # then
    assert cofunding.total == Decimal("40000.00")


def test_cofunding_refuses_milestones_that_do_not_release_the_total(cofunding_factory):
    # given milestones releasing 1 000 € of a 40 000 € funding
    milestones = (Milestone(label="Unique", due_on=date(2027, 1, 1), amount=Decimal("1000")),)
    # when / then
    with pytest.raises(ValueError, match="milestones release"):
        cofunding_factory(milestones=milestones)


def test_cofunding_refuses_a_convention_without_funders(cofunding_factory):
    # given / when / then
    with pytest.raises(ValueError, match="at least one funder"):
        cofunding_factory(funders=(), milestones=())


def test_reciprocity_refuses_a_fixed_amount_on_a_revenue_share(reciprocity_factory):
    # given / when / then
    with pytest.raises(ValueError, match="revenue_share only"):
        reciprocity_factory(fixed_amount=Decimal("100"))


def test_reciprocity_refuses_a_fixed_contract_without_amount(reciprocity_factory):
    # given / when / then
    with pytest.raises(ValueError, match="fixed_amount only"):
        reciprocity_factory(kind=ReciprocityKind.FIXED_AMOUNT, revenue_share=None)
