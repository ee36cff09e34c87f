"""The data migration turns each position's former inline values into contributions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("procurement", "0008_deadlines")]
AFTER = [("procurement", "0009_contributions")]


@pytest.mark.django_db(transaction=True)
def test_inline_values_become_contributions(world):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Challenge = apps.get_model("procurement", "Challenge")
    Resource = apps.get_model("procurement", "ChallengeResource")
    Position = apps.get_model("procurement", "Position")
    challenge = Challenge.objects.create(
        reference="AAC-TEST-1",
        title="Appel",
        context="Contexte",
        buyer_id=world.buyer.pk,
        chambre_id=world.chambre.pk,
        created_by_id=world.buyer_agent.pk,
    )
    resource = Resource.objects.create(challenge=challenge, title="Ressource", order=0)
    full = Position.objects.create(
        resource=resource,
        organisation_id=world.partners[0].pk,
        intent="produce",
        skills_days=Decimal("20"),
        skills_profile="Développeur",
        technical_means="Serveurs",
        money=Decimal("1000"),
    )
    means_only = Position.objects.create(
        resource=resource,
        organisation_id=world.partners[1].pk,
        intent="use",
        technical_means="Intégration",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Contribution = apps.get_model("procurement", "Contribution")

    def rows(position):
        return [
            (c.kind, c.days, c.profile, c.description, c.amount)
            for c in Contribution.objects.filter(position_id=position.pk).order_by("id")
        ]

    assert rows(full) == [
        ("skills", Decimal("20.0"), "Développeur", "", None),
        ("technical_means", None, "", "Serveurs", None),
        ("money", None, "", "", Decimal("1000.00")),
    ]
    assert rows(means_only) == [("technical_means", None, "", "Intégration", None)]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
