"""The rules of the exploration before cofunding (issue 21). The bounds come from seed
003, the Lille metropole's practice: « un budget de 1000€ à 3000€ sur la table à
disposition de l'équipe qui défriche le sujet » — bounds included, per team."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.calculations import exploration_budget_within
from procurement.models import Challenge, ExpenseKind
from procurement.services.challenges import challenge_update
from procurement.services.exploration import exploration_decide
from procurement.services.ledger import exploration_grant
from tests.conftest import paris
from tests.procurement.ledger_cast import hosted_commons
from tests.workflows.journey import start


@pytest.mark.parametrize(
    ("amount", "within"),
    [("999.99", False), ("1000.00", True), ("3000.00", True), ("3000.01", False)],
)
def test_exploration_budget_bounds_1000_to_3000_included(amount, within):
    assert exploration_budget_within(Decimal(amount)) is within


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [("999.99", False), ("1000.00", True), ("3000.00", True), ("3000.01", False)],
)
def test_a_ledger_exploration_grant_keeps_within_the_bounds(world, amount, accepted):
    # given a hosted commons and a funder
    cast = hosted_commons(world)
    grant = {
        "actor": world.funder_users[0],
        "commons": cast.commons,
        "grantor": world.funders[0],
        "recipient": cast.partners[0],
        "amount": Decimal(amount),
    }
    if accepted:
        # then a budget within the bounds is granted
        assert exploration_grant(**grant).amount == Decimal(amount)
    else:
        # else it is refused on its field, and nothing is recorded
        with pytest.raises(ApplicationError) as refused:
            exploration_grant(**grant)
        assert refused.value.code == "exploration_budget_bounds"
        assert "amount" in refused.value.extra["fields"]
        assert not cast.commons.ledger.expenses.exists()


def test_a_team_gets_at_most_3000_on_one_commons_however_split(world):
    cast = hosted_commons(world)
    grant = {
        "actor": world.funder_users[0],
        "commons": cast.commons,
        "grantor": world.funders[0],
        "recipient": cast.partners[0],
    }
    exploration_grant(**grant, amount=Decimal("2000.00"))
    # a second grant to the same team past 3,000 € in all is refused (409)…
    with pytest.raises(WrongState) as refused:
        exploration_grant(**grant, amount=Decimal("1000.01"))
    assert refused.value.code == "exploration_budget_exceeded"
    # …up to 3,000 € it is not, and another team has its own budget
    exploration_grant(**grant, amount=Decimal("1000.00"))
    exploration_grant(**{**grant, "recipient": cast.partners[1]}, amount=Decimal("3000.00"))
    payouts = cast.commons.ledger.expenses.filter(kind=ExpenseKind.EXPLORATION)
    assert sorted(p.amount for p in payouts) == [
        Decimal("1000.00"),
        Decimal("2000.00"),
        Decimal("3000.00"),
    ]


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [("999.99", False), ("1000.00", True), ("3000.00", True), ("3000.01", False)],
)
def test_the_call_editor_keeps_the_budget_per_team_within_the_bounds(world, amount, accepted):
    # given a draft call
    challenge = start(world)
    update = {"challenge": challenge, "actor": world.buyer_agent, "exploration_planned": True}
    if accepted:
        challenge_update(**update, exploration_budget=Decimal(amount))
        assert Challenge.objects.get(pk=challenge.pk).exploration_budget == Decimal(amount)
    else:
        with pytest.raises(ApplicationError) as refused:
            challenge_update(**update, exploration_budget=Decimal(amount))
        assert "exploration_budget" in refused.value.extra["fields"]
        assert "1 000 € à 3 000 €" in refused.value.message
        assert Challenge.objects.get(pk=challenge.pk).exploration_budget is None


def test_the_exploration_ends_after_the_planned_proposal_deadline(world):
    challenge = start(world)
    challenge_update(
        challenge=challenge,
        actor=world.buyer_agent,
        planned_positioning_deadline=paris(2026, 9, 10, 12),
        planned_proposal_deadline=paris(2026, 10, 10, 12),
    )
    with pytest.raises(ApplicationError) as refused:
        challenge_update(
            challenge=challenge,
            actor=world.buyer_agent,
            exploration_planned=True,
            exploration_end=paris(2026, 10, 10, 12),
        )
    assert "exploration_end" in refused.value.extra["fields"]


def test_only_the_buyer_plans_an_exploration(world):
    challenge = start(world)
    with pytest.raises(Forbidden):
        challenge_update(
            challenge=challenge,
            actor=world.partner_users[0],
            exploration_planned=True,
            exploration_budget=Decimal("2000.00"),
        )


def test_a_call_planning_an_exploration_is_published_only_with_its_budget_and_end(world, clock):
    from tests.workflows.journey import POSITIONING_END, PROPOSALS_END, complete, give_opinion

    # given a call that plans an exploration but says neither its budget nor its end
    challenge = start(world, exploration_planned=True)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    publish = {
        "positioning_deadline": paris(*POSITIONING_END).isoformat(),
        "proposal_deadline": paris(*PROPOSALS_END).isoformat(),
    }
    # when the buyer publishes it, it is refused naming both
    with pytest.raises(ApplicationError) as refused:
        complete(challenge, "publish", world.buyer_agent, publish)
    assert refused.value.code == "exploration_incomplete"
    assert set(refused.value.extra["fields"]) == {"exploration_budget", "exploration_end"}


def test_only_a_buyer_agent_decides_and_only_in_exploration(world):
    challenge = start(world)
    decisions = [{"proposal": 1, "proven": True, "reason": "Oui"}]
    with pytest.raises(Forbidden):
        exploration_decide(actor=world.partner_users[0], challenge=challenge, decisions=decisions)
    with pytest.raises(WrongState):
        exploration_decide(actor=world.buyer_agent, challenge=challenge, decisions=decisions)
