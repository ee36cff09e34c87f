"""Lots (article L2113-10 of the code de la commande publique: a call is divided into
lots, or states why not): by default one resource, one lot; resources grouped into lots
with their estimates; a wrong grouping refused on its field with nothing written."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kernel.errors import ApplicationError
from procurement.models import Challenge, Framing, Lot
from procurement.services.challenges import challenge_update
from tests.workflows import journey
from tests.workflows.journey import RESOURCES


def lots(challenge) -> list[tuple[int, str, Decimal | None, list[str]]]:
    return [
        (lot.number, lot.title, lot.estimated_amount, [r.title for r in lot.resources.all()])
        for lot in challenge.lots.order_by("number")
    ]


def test_each_resource_is_its_own_lot_by_default(world):
    # when a call is drafted with three resources and no lots
    challenge = journey.start(world, lots=None)

    # then it has three lots, numbered in order and titled after their resource
    assert lots(challenge) == [
        (n, r["title"], None, [r["title"]]) for n, r in enumerate(RESOURCES, start=1)
    ]
    assert challenge.framing == Framing.PUBLIC_CONTRACT


def test_resources_grouped_into_lots_with_their_estimates(world):
    # when the buyer groups the standard and the booking brick in lot 1
    challenge = journey.start(
        world,
        resources=[
            {**RESOURCES[0], "lot": 1},
            {**RESOURCES[1], "lot": 1},
            {**RESOURCES[2], "lot": 2},
        ],
        lots=[
            {"title": "Données et réservation", "estimated_amount": Decimal("120000.00")},
            {
                "title": "Connaissances",
                "estimated_amount": Decimal("60000.00"),
                "reserved_ess": True,
            },
        ],
        framing=Framing.OUTSIDE_CONTRACT,
    )

    # then the call has two lots with their resources and estimates
    assert lots(challenge) == [
        (
            1,
            "Données et réservation",
            Decimal("120000.00"),
            [RESOURCES[0]["title"], RESOURCES[1]["title"]],
        ),
        (2, "Connaissances", Decimal("60000.00"), [RESOURCES[2]["title"]]),
    ]
    assert challenge.lots.get(number=2).reserved_ess
    assert challenge.framing == Framing.OUTSIDE_CONTRACT


@pytest.mark.parametrize(
    ("resources", "lot_inputs", "message"),
    [
        ([{**RESOURCES[0], "lot": 3}], [{"title": "A"}, {"title": "B"}], "doit nommer"),
        ([{**RESOURCES[0]}], [{"title": "A"}, {"title": "B"}], "doit nommer"),
        ([{**RESOURCES[0], "lot": 1}], [{"title": "A"}, {"title": "B"}], "vide : lot 2"),
    ],
    ids=["unknown-lot", "no-lot-among-several", "empty-lot"],
)
def test_wrong_grouping_is_refused_on_lots_and_nothing_changes(
    world, resources, lot_inputs, message
):
    # given a draft with its three default lots
    challenge = journey.start(world)
    before = lots(challenge)

    # when the buyer sends a grouping that does not hold
    with pytest.raises(ApplicationError) as refused:
        challenge_update(
            challenge=challenge, actor=world.buyer_agent, resources=resources, lots=lot_inputs
        )

    # then the error names the lots field, in French, and the draft is unchanged
    assert refused.value.code == "invalid_lots"
    assert message in refused.value.extra["fields"]["lots"][0]
    assert lots(Challenge.objects.get(pk=challenge.pk)) == before


def test_one_lot_holds_all_resources_when_it_is_the_only_one(world):
    # when the buyer puts every resource in one lot without numbering them
    challenge = journey.start(world, lots=[{"title": "Lot unique"}])

    # then they all go to lot 1
    assert lots(challenge) == [(1, "Lot unique", None, [r["title"] for r in RESOURCES])]


@pytest.mark.django_db(transaction=True)
def test_migration_gives_each_existing_resource_its_own_lot(world):
    # given a call drafted before lots existed, with two resources
    executor = MigrationExecutor(connection)
    executor.migrate([("procurement", "0009_contributions")])
    apps = executor.loader.project_state([("procurement", "0009_contributions")]).apps
    OldChallenge = apps.get_model("procurement", "Challenge")
    Resource = apps.get_model("procurement", "ChallengeResource")
    old = OldChallenge.objects.create(
        reference="AAC-AVANT-LOTS",
        title="Appel",
        context="Contexte",
        buyer_id=world.buyer.pk,
        chambre_id=world.chambre.pk,
        created_by_id=world.buyer_agent.pk,
    )
    Resource.objects.create(challenge=old, title="Second", order=1)
    Resource.objects.create(challenge=old, title="Premier", order=0)

    # when the lots migration runs
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then each resource is its own lot, numbered in the resources' order
    assert [
        (lot.number, lot.title, [r.title for r in lot.resources.all()])
        for lot in Lot.objects.filter(challenge_id=old.pk).order_by("number")
    ] == [(1, "Premier", ["Premier"]), (2, "Second", ["Second"])]
