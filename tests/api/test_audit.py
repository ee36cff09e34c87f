"""The audit trail is append-only and hash-chained: the endpoint verifies the chain, and
any row edited or removed behind the ORM's back is detected."""

import json
from itertools import pairwise

import pytest
from django.db import connection, transaction

from procurement.models import AuditEvent
from procurement.models.audit import AppendOnlyError
from procurement.services.audit import event_hash, hashed_fields
from tests.api.steps import challenge_url, ok
from tests.tamper import behind_the_orm
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion

TABLE = AuditEvent._meta.db_table


def referred(world):
    """A challenge with a few events: created, referred to the Chambre, opinion issued."""
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent, {"note": "Merci de votre avis."})
    give_opinion(world, challenge)
    return challenge


def sql(statement: str, params: list) -> None:
    """Write behind the ORM's back, as someone with the database's owner account could."""
    behind_the_orm(statement.format(table=connection.ops.quote_name(TABLE)), params, tables=[TABLE])


def trail(client, challenge) -> dict:
    return ok(client.get(challenge_url(challenge.pk, "audit/")))


@pytest.mark.django_db
def test_audit_trail_of_a_challenge_verifies_its_chain(world, clock, api):
    # given a challenge that went through a few steps
    challenge = referred(world)

    # when the buyer's agent and the Chambre read its audit trail
    for user in (world.buyer_agent, world.moderator):
        body = trail(api(user), challenge)

        # then every event is there, in order, each linked to the previous one
        events = body["events"]
        assert body["verification"] == {
            "valid": True,
            "count": len(events),
            "first_broken_seq": None,
            "reason": "",
        }
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert all(e["prev_hash"] == p["hash"] for p, e in pairwise(events))
        verbs = [e["verb"] for e in events]
        assert verbs[0] == "challenge.created"
        assert {"challenge.referred_to_chambre", "opinion.call", "task.completed"} <= set(verbs)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", json.dumps({"note": "Avis falsifié"})),
        ("verb", "challenge.cancelled"),
        ("actor_label", "moderateur"),
    ],
)
@pytest.mark.django_db
def test_a_row_tampered_in_the_database_breaks_the_chain_at_its_seq(
    world, clock, api, column, value
):
    # given a challenge whose chain is valid
    challenge = referred(world)
    buyer = api(world.buyer_agent)
    assert trail(buyer, challenge)["verification"]["valid"] is True

    # when someone rewrites one field of its second event in SQL
    sql(
        f"UPDATE {{table}} SET {column} = %s WHERE chain = %s AND seq = %s",  # noqa: S608
        [value, f"challenge:{challenge.pk}", 2],
    )

    # then the trail reports the chain broken at that event
    verification = trail(buyer, challenge)["verification"]
    assert verification["valid"] is False
    assert verification["first_broken_seq"] == 2
    assert verification["reason"] == "altered_event"


@pytest.mark.django_db
def test_a_tampered_row_whose_hash_was_recomputed_breaks_the_next_link(world, clock, api):
    # given a challenge whose chain is valid
    challenge = referred(world)
    buyer = api(world.buyer_agent)

    # when a forger rewrites the second event and recomputes its hash consistently
    forged = AuditEvent.objects.get(chain=f"challenge:{challenge.pk}", seq=2)
    forged.data = {"note": "falsifié"}
    forged_hash = event_hash(forged.prev_hash, hashed_fields(forged))
    sql(
        "UPDATE {table} SET data = %s, hash = %s WHERE id = %s",
        [json.dumps(forged.data), forged_hash, forged.pk],
    )

    # then the forged event looks whole, but the next one no longer links to it
    verification = trail(buyer, challenge)["verification"]
    assert verification["valid"] is False
    assert verification["first_broken_seq"] == 3
    assert verification["reason"] == "broken_link"


@pytest.mark.parametrize("which", ["last", "middle"])
@pytest.mark.django_db
def test_a_row_deleted_in_the_database_is_detected(world, clock, api, which):
    # given a challenge whose chain is valid, with n events
    challenge = referred(world)
    buyer = api(world.buyer_agent)
    count = trail(buyer, challenge)["verification"]["count"]
    seq = count if which == "last" else 2

    # when someone deletes one event in SQL
    sql("DELETE FROM {table} WHERE chain = %s AND seq = %s", [f"challenge:{challenge.pk}", seq])

    # then the trail reports an event missing, from that seq on
    verification = trail(buyer, challenge)["verification"]
    assert verification["valid"] is False
    assert verification["first_broken_seq"] == seq
    assert verification["reason"] == "missing_event"
    assert len(trail(buyer, challenge)["events"]) == count - 1


@pytest.mark.django_db
def test_the_orm_refuses_to_update_or_delete_audit_events(world, clock, api):
    # given a challenge's audit events
    challenge = referred(world)
    events = AuditEvent.objects.filter(challenge=challenge)
    count = events.count()
    first = events.order_by("seq").first()
    first.data = {"note": "falsifié"}

    attempts = [
        lambda: events.update(data={}),
        events.delete,
        lambda: AuditEvent.objects.bulk_update([first], ["data"]),
        first.save,
        first.delete,
    ]

    # when code tries to rewrite or remove them through the ORM, then each is refused
    for attempt in attempts:
        # (bulk_update fails inside its own savepoint-less atomic block: keep a savepoint)
        with pytest.raises(AppendOnlyError), transaction.atomic():
            attempt()

    # and the trail is whole and valid
    verification = trail(api(world.buyer_agent), challenge)["verification"]
    assert verification == {"valid": True, "count": count, "first_broken_seq": None, "reason": ""}
