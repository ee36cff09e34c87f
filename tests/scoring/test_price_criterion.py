"""The price criterion (CCP R2152-7): marked by the published formula on the offered
price — under a marché public the contract price (the budget lines inside the contract),
hors marché the whole budget, HT — never by evaluators."""

import copy
from decimal import Decimal

import pytest
from django.db.models import F

from procurement.models import BudgetLine, Challenge, Framing
from procurement.models.proposal_parts import BudgetScope
from scoring.models import Criterion, ScaleKind, Score
from scoring.ranking import compute_rankings
from scoring.services import DEFAULT_GRID
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.scoring.helpers import evaluate, marks, proposals
from tests.workflows import journey


@pytest.mark.django_db(transaction=True)
def test_r2152_7_an_evaluators_mark_on_the_price_is_refused_naming_the_field(world, clock, api):
    # given a challenge being scored
    challenge = scenarios.scoring(world, clock)
    first = proposals(challenge)[0]
    evaluator = api(world.evaluators[0])

    # when an evaluator marks the price criterion along with the others
    body = error(
        evaluate(evaluator, challenge, first, {**marks(challenge), "prix": "6"}, conflict=False),
        400,
        "invalid_scores",
    )

    # then the price mark is refused by name, and nothing is written
    assert set(body["fields"]["scores"]) == {"prix"}
    assert "formule" in body["fields"]["scores"]["prix"][0]
    assert not Score.objects.filter(evaluation__assignment__proposal=first).exists()
    # and without it the evaluation is taken
    ok(evaluate(evaluator, challenge, first, marks(challenge), conflict=False), 201)


@pytest.mark.django_db(transaction=True)
def test_r2152_7_the_ranking_marks_the_price_from_the_offered_amounts(world, clock):
    # given three proposals of one lot scored alike, the second at twice the first's
    # contract price
    challenge = scenarios.scoring(world, clock, **journey.ONE_LOT)
    journey.score_all(world, challenge, value="5")
    first, second, third = proposals(challenge)
    BudgetLine.objects.filter(proposal=second, scope=BudgetScope.CONTRACT).update(
        amount=F("amount") * 2
    )

    # when ranked
    ranking = compute_rankings(challenge)[0].ranking

    # then the formula gives the lowest prices 10 and twice the price 5, on 20 % of weight
    assert ranking.entry(first.pk).criterion("prix").aggregated == Decimal(10)
    assert ranking.entry(third.pk).criterion("prix").aggregated == Decimal(10)
    assert ranking.entry(second.pk).criterion("prix").aggregated == Decimal(5)
    assert ranking.entry(first.pk).total == Decimal(60)  # 80 × 0.5 + 20
    assert ranking.entry(second.pk).total == Decimal(50)  # 80 × 0.5 + 10
    assert ranking.entries[-1].proposal_id == second.pk


@pytest.mark.django_db(transaction=True)
def test_r2152_7_under_a_public_contract_the_price_is_the_contract_price_not_the_budget(
    world, clock
):
    # given two proposals of one marché public with the same whole budget, the second
    # putting more of it outside the contract (cofunded, not paid as the price)
    challenge = scenarios.scoring(world, clock, **journey.ONE_LOT)
    journey.score_all(world, challenge, value="5")
    first, second, _third = proposals(challenge)
    inside = BudgetLine.objects.filter(proposal=second, scope=BudgetScope.CONTRACT).get()
    BudgetLine.objects.filter(pk=inside.pk).update(amount=inside.amount / 2)
    BudgetLine.objects.filter(proposal=second).exclude(pk=inside.pk).update(
        amount=F("amount") + inside.amount / 2
    )
    assert sum(line.amount for line in second.budget_lines.all()) == first.amount

    # when ranked, then the second's lower contract price gets the better price mark
    ranking = compute_rankings(challenge)[0].ranking
    assert ranking.entry(second.pk).criterion("prix").aggregated == Decimal(10)
    assert ranking.entry(first.pk).criterion("prix").aggregated == Decimal(5)

    # and hors marché the whole budget is the price: the two are equal there
    Challenge.objects.filter(pk=challenge.pk).update(framing=Framing.OUTSIDE_CONTRACT)
    challenge.refresh_from_db()
    ranking = compute_rankings(challenge)[0].ranking
    assert ranking.entry(first.pk).criterion("prix").aggregated == Decimal(10)
    assert ranking.entry(second.pk).criterion("prix").aggregated == Decimal(10)


@pytest.mark.django_db(transaction=True)
def test_r2152_7_a_price_criterion_is_always_marked_by_the_formula(world, clock, api):
    # given a draft, and a grid whose price criterion asks for a 0–20 scale
    challenge = journey.start(world)
    criteria = copy.deepcopy(DEFAULT_GRID)
    for criterion in criteria:
        criterion["weight"] = str(criterion["weight"])
        if criterion["code"] == "prix":
            criterion["scale"] = "0-20"
    buyer = api(world.buyer_agent)

    # when the buyer sets it, then the price criterion is marked by the formula
    ok(buyer.put(challenge_url(challenge.pk, "grid/"), {"criteria": criteria}, format="json"))
    assert Criterion.objects.get(grid__challenge=challenge, code="prix").scale == "price"

    # and the formula marks nothing else: the grid is refused and unchanged
    criteria[0]["scale"] = ScaleKind.PRICE_FORMULA.value
    body = error(
        buyer.put(challenge_url(challenge.pk, "grid/"), {"criteria": criteria}, format="json"),
        400,
    )
    assert "scale" in body["fields"]["criteria"]["technique"]
    assert Criterion.objects.get(grid__challenge=challenge, code="technique").scale == "0-10"
