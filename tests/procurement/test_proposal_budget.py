"""A proposal's budget: lines of days or hours at a rate, its total their sum (never
typed), coordination and animation between 10 % and 25 % of it unless justified."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError
from procurement.models import ChallengeResource
from procurement.services.proposals import proposal_submit
from tests.api import scenarios
from tests.api.conftest import api  # noqa: F401  (a fixture, used by name)
from tests.api.steps import challenge_url, error, ok
from tests.workflows import journey


def lines(coordination: str, total: str = "10000.00") -> list[dict]:
    """Development and coordination lines of one day each, summing to ``total``."""
    return [
        {
            "category": "development",
            "label": "Développement",
            "quantity": Decimal(1),
            "unit": "day",
            "rate": Decimal(total) - Decimal(coordination),
        },
        {
            "category": "coordination",
            "label": "Coordination et animation",
            "quantity": Decimal(1),
            "unit": "day",
            "rate": Decimal(coordination),
        },
    ]


def first_group(challenge):
    return ChallengeResource.objects.filter(challenge=challenge).order_by("order")[0].working_group


def submit(world, challenge, budget, **extra):
    group = first_group(challenge)
    return proposal_submit(
        actor=world.partner_users[0],
        group=group,
        title="Standard ouvert",
        summary="Un schéma commun.",
        deliverables="Spécification",
        licence="EUPL-1.2",
        budget_lines=budget,
        milestones=journey.milestones(),
        **extra,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("coordination", ["1000.00", "2500.00"], ids=["10 %", "25 %"])
def test_coordination_at_10_or_25_percent_of_the_total_is_accepted(world, clock, coordination):
    # given open proposals
    challenge = scenarios.in_proposals(world, clock)

    # when a group's coordination and animation make exactly 10 % or 25 % of its budget
    proposal = submit(world, challenge, lines(coordination))

    # then the proposal is accepted, its total the sum of its lines
    assert proposal.amount == Decimal("10000.00")
    assert proposal.budget_lines.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("coordination", "shown"),
    [("999.00", "9,99 %"), ("2501.00", "25,01 %"), ("0.01", "0,00 %")],
    ids=["9.99 %", "25.01 %", "almost none"],
)
def test_coordination_outside_10_to_25_percent_is_refused_unless_justified(
    world, clock, coordination, shown
):
    challenge = scenarios.in_proposals(world, clock)

    # when the share is just outside the bounds, without a justification
    with pytest.raises(ApplicationError) as refused:
        submit(world, challenge, lines(coordination))

    # then it is refused, the message on the justification field naming the share
    assert refused.value.status_code == 400
    assert refused.value.code == "coordination_share"
    message = refused.value.extra["fields"]["coordination_justification"][0]
    assert shown in message
    assert "entre 10 % et 25 %" in message
    assert not challenge.proposals.exists()

    # when the group justifies it, then it is accepted
    proposal = submit(
        world,
        challenge,
        lines(coordination),
        coordination_justification="Communauté déjà animée par un partenaire.",
    )
    assert proposal.coordination_justification == "Communauté déjà animée par un partenaire."


@pytest.mark.django_db
def test_a_budget_without_coordination_needs_a_justification(world, clock):
    challenge = scenarios.in_proposals(world, clock)
    budget = [{**lines("1000.00")[0], "rate": Decimal("10000")}]
    with pytest.raises(ApplicationError) as refused:
        submit(world, challenge, budget, coordination_justification="   ")
    assert "0,00 %" in refused.value.extra["fields"]["coordination_justification"][0]


@pytest.mark.django_db
def test_the_total_is_the_sum_of_the_lines_each_rounded_to_the_cent(world, clock):
    challenge = scenarios.in_proposals(world, clock)
    budget = [
        # 7.5 h × 33.33 € = 249.975 € → 249.98 €
        {
            "category": "hosting",
            "label": "Hébergement",
            "quantity": Decimal("7.5"),
            "unit": "hour",
            "rate": Decimal("33.33"),
        },
        {
            "category": "development",
            "label": "Développement",
            "quantity": Decimal("12.5"),
            "unit": "day",
            "rate": Decimal("480"),
        },
        {
            "category": "coordination",
            "label": "Animation",
            "quantity": Decimal("3"),
            "unit": "day",
            "rate": Decimal("450"),
        },
        {
            "category": "other",
            "label": "Déplacements",
            "quantity": Decimal("1"),
            "unit": "day",
            "rate": Decimal("100.10"),
        },
    ]

    proposal = submit(world, challenge, budget)

    amounts = list(proposal.budget_lines.order_by("id").values_list("amount", flat=True))
    assert amounts == [Decimal("249.98"), Decimal("6000.00"), Decimal("1350.00"), Decimal("100.10")]
    assert proposal.amount == Decimal("7700.08")


@pytest.mark.django_db
def test_a_budget_and_a_timeline_are_required(world, clock):
    challenge = scenarios.in_proposals(world, clock)
    with pytest.raises(ApplicationError) as no_budget:
        submit(world, challenge, [])
    assert "budget_lines" in no_budget.value.extra["fields"]
    group = first_group(challenge)
    with pytest.raises(ApplicationError) as no_timeline:
        proposal_submit(
            actor=world.partner_users[0],
            group=group,
            title="Standard ouvert",
            summary="Un schéma commun.",
            deliverables="Spécification",
            licence="EUPL-1.2",
            budget_lines=lines("1500.00"),
            milestones=[],
        )
    assert "milestones" in no_timeline.value.extra["fields"]


@pytest.mark.django_db
def test_the_api_computes_the_total_and_ignores_a_typed_amount(world, clock, api):  # noqa: F811
    challenge = scenarios.in_proposals(world, clock)
    group = first_group(challenge)
    client = api(world.partner_users[0])
    body = {
        "group": group.pk,
        "title": "Standard ouvert",
        "summary": "Un schéma commun.",
        "deliverables": "Spécification",
        "licence": "EUPL-1.2",
        "amount": "1.00",
        **journey.proposal_json("30000.00"),
    }

    created = ok(client.post(challenge_url(challenge.pk, "proposals/"), body, format="json"), 201)

    assert created["amount"] == "30000.00"
    assert [line["amount"] for line in created["budget_lines"]] == ["25500.00", "4500.00"]
    assert created["milestones"][0]["due_on"] == "2027-03-01"

    # and a coordination share of 30 % is refused on its field, with a French message
    body["budget_lines"][1]["quantity"] = "36.43"  # 10 929 € of 36 429 €: 30,00 %
    refused = error(
        client.post(challenge_url(challenge.pk, "proposals/"), body, format="json"),
        400,
        "coordination_share",
    )
    assert "30,00 %" in refused["fields"]["coordination_justification"][0]
