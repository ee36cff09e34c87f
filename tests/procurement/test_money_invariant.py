"""The money invariant of the legal framing (DESIGN « Legal framing », issue 14): for one
scope of work, no euro is counted both as a contract price and as cofunding. Under a
marché public the buyer pays the lines inside the contract and cofunding finances only
the lines outside it; hors marché, every line is subsidised."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, WrongState
from procurement.models import BudgetScope, ProposalStatus
from procurement.queries import budget_split_of
from procurement.services.cofunding import allocation_set, bucket_update, pledge_create
from tests.conftest import paris
from tests.workflows import journey
from workflows.pack.call import challenge_context
from workflows.pack.conventions import cofunding_contexts
from workflows.pack.engagement import award_contexts

pytestmark = pytest.mark.django_db


def in_cofunding_all_selected(world, clock, **fields):
    """Every proposal selected, the Chambre approves, the round is open."""
    challenge = journey.in_scoring(world, clock, **fields)
    journey.score_all(world, challenge)
    journey.complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": list(challenge.proposals.values_list("pk", flat=True)),
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
            "justification": "Toutes les propositions.",
        },
    )
    journey.give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    return challenge


def test_under_a_public_contract_no_euro_is_both_price_and_cofunding(world, clock):
    # given a marché public whose proposals have lines inside and outside the contract
    challenge = in_cofunding_all_selected(world, clock)
    round_ = challenge.cofunding_round
    allocation_set(
        actor=world.funder_users[0],
        round_=round_,
        funder=world.funders[0],
        amount=Decimal("100000"),
    )
    selected = challenge.proposals.filter(status=ProposalStatus.SELECTED).prefetch_related(
        "budget_lines"
    )
    assert selected.count() == 3

    for proposal in selected:
        lines = list(proposal.budget_lines.all())
        inside = {line.pk for line in lines if line.scope == BudgetScope.CONTRACT}
        outside = {line.pk for line in lines if line.scope == BudgetScope.OUTSIDE}
        split = budget_split_of(proposal)
        # then the price and the cofundable amount partition the budget: no line in both
        assert inside.isdisjoint(outside)
        assert inside | outside == {line.pk for line in lines}
        assert split.contract + split.cofundable == proposal.amount
        assert split.contract == sum(line.amount for line in lines if line.pk in inside)
        assert (split.contract, split.cofundable) == (Decimal("25500.00"), Decimal("4500.00"))
        # and the bucket funds the outside of the contract only
        bucket = proposal.bucket
        assert bucket.max_amount == split.cofundable

        # when a funder pledges one cent more than the outside of the contract: refused
        with pytest.raises(WrongState):
            pledge_create(
                actor=world.funder_users[0],
                bucket=bucket,
                funder=world.funders[0],
                amount=split.cofundable + Decimal("0.01"),
            )
        # and the buyer may not raise the bucket past it either, by one cent
        with pytest.raises(ApplicationError) as raised:
            bucket_update(
                actor=world.buyer_agent,
                bucket=bucket,
                max_amount=split.cofundable + Decimal("0.01"),
            )
        assert raised.value.code == "max_above_cofundable"
        assert "max_amount" in raised.value.extra["fields"]
        # but exactly the outside of the contract is accepted, and funds the bucket
        pledge_create(
            actor=world.funder_users[0],
            bucket=bucket,
            funder=world.funders[0],
            amount=split.cofundable,
        )
        bucket.refresh_from_db()
        assert bucket.total == split.cofundable <= proposal.amount - split.contract


def test_hors_marche_the_whole_budget_is_subsidised(world, clock):
    # given a call hors marché (no contract price at all)
    challenge = in_cofunding_all_selected(world, clock, framing="outside_contract")

    # then each bucket funds the proposal's whole budget, and nothing is a price
    for proposal in challenge.proposals.filter(status=ProposalStatus.SELECTED):
        split = budget_split_of(proposal)
        assert (split.contract, split.cofundable) == (Decimal("0.00"), proposal.amount)
        assert proposal.bucket.max_amount == proposal.amount


def test_a_proposal_wholly_inside_its_contract_gets_no_bucket(world, clock):
    # given a marché public whose first proposal puts every line inside the contract
    challenge = journey.in_scoring(world, clock)
    first = challenge.proposals.order_by("pk").first()
    first.budget_lines.update(scope=BudgetScope.CONTRACT)
    journey.score_all(world, challenge)
    others = list(challenge.proposals.exclude(pk=first.pk).values_list("pk", flat=True))

    # when every proposal is selected and the round opens
    journey.complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk, *others],
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
        },
    )
    journey.give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()

    # then only the proposals with something outside their contract are cofunded
    funded = set(challenge.cofunding_round.buckets.values_list("proposal_id", flat=True))
    assert funded == set(others)


def test_the_acte_d_engagement_prices_the_lot_s_contract_part_only(world, clock):
    # given a marché public whose first lot's proposal is retained and its part outside
    # the contract (4 500 € of animation) fully pledged, the round closed
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    first = challenge.proposals.order_by("pk").first()
    base = challenge_context(challenge)

    # when the acte d'engagement and the convention are put together
    engagements = dict(award_contexts(challenge, base))
    conventions = dict(cofunding_contexts(challenge, base))

    # then one acte d'engagement, for lot 1, at its contract price: 25 500 € HT
    assert list(engagements) == ["lot-1"]
    assert engagements["lot-1"].amount_ht == Decimal("25500.00")
    # and the convention collects the rest: together, the budget, no euro twice
    collected = sum(line.amount for line in conventions[str(first.pk)].funders)
    assert collected == Decimal("4500.00")
    assert engagements["lot-1"].amount_ht + collected == first.amount


def test_hors_marche_there_is_no_acte_d_engagement(world, clock):
    # given a call hors marché whose first proposal is cofunded
    challenge = journey.in_cofunding(world, clock, framing="outside_contract")
    journey.close_cofunding(clock)
    challenge.refresh_from_db()

    # when the award pieces are put together, then no acte d'engagement: subsidies only
    assert award_contexts(challenge, challenge_context(challenge)) == []
    assert cofunding_contexts(challenge, challenge_context(challenge))
