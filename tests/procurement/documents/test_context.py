from dataclasses import FrozenInstanceError, replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from procurement.documents.context import (
    Milestone,
    Party,
    ReciprocityKind,
    VatRegime,
    advance_due,
)


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
    award = award_factory(amount_ht=Decimal("12500.00"), vat_regime=VatRegime.STANDARD)
    # when / then
    assert (award.amount_vat, award.amount_ttc) == (Decimal("2500.00"), Decimal("15000.00"))


def test_award_rounds_vat_half_up(award_factory):
    # given 20 % of 10.13 € is 2.026 €
    award = award_factory(amount_ht=Decimal("10.13"))
    # when / then
    assert (award.amount_vat, award.amount_ttc) == (Decimal("2.03"), Decimal("12.16"))


@pytest.mark.parametrize("regime", [VatRegime.FRANCHISE, VatRegime.EXEMPT_ASSOCIATION])
def test_award_without_vat_costs_the_same_ttc_as_ht(award_factory, regime):
    # given a titulaire under the franchise (293 B du CGI) or an exempt association
    award = award_factory(amount_ht=Decimal("12500.00"), vat_regime=regime)
    # when / then no VAT is added
    assert (award.amount_vat, award.amount_ttc) == (Decimal("0.00"), Decimal("12500.00"))


def test_award_refuses_a_titulaire_without_identity(award_factory):
    # given a titulaire with neither address nor representative
    # when / then the context itself refuses it (the pack reports it before, in French)
    with pytest.raises(ValueError, match="address, representative"):
        award_factory(awardee=Party(name="Mobicoop SCIC", siret="80000000000017"))


def test_award_refuses_shares_that_do_not_make_the_price(groupement_award):
    with pytest.raises(ValueError, match=r"shares make 12500\.00, the price 12500\.01"):
        groupement_award(amount_ht=Decimal("12500.01"))


@pytest.mark.parametrize(
    ("amount", "months", "due"),
    [
        ("50000.00", 12, False),  # R2191-3: over 50 000 € HT, not at it
        ("50000.01", 12, True),
        ("80000.00", 2, False),  # and over two months, not at two
        ("80000.00", 3, True),
    ],
)
def test_advance_is_due_over_50000_euros_and_two_months_r2191_3(amount, months, due):
    assert advance_due(Decimal(amount), months) is due


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
