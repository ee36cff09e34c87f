"""The audit endpoint pages a call's trail with a cursor and verifies its chain from a
checkpoint: the rows written since the last verification, and the rows of the page,
are re-hashed; the rest is checked through the checkpoint's row. The full verification
(``verify_chains``, ``GET /api/v1/chains/verification/``) still re-hashes every row."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from procurement.models import AuditChainHead, AuditEvent, ChainCheckpoint
from procurement.services import audit as audit_module
from procurement.services.audit import GENESIS, audit_record
from procurement.services.chains import chains_verify, incremental, rows
from tests.api import scenarios
from tests.api.steps import challenge_url, encoded, error, ok
from tests.tamper import behind_the_orm
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion

TABLE = AuditEvent._meta.db_table


def referred(world):
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent, {"note": "Merci de votre avis."})
    give_opinion(world, challenge)
    return challenge


def edit_in_place(challenge, seq: int) -> None:
    """Rewrite an event's data in SQL, its stored hash left as it was."""
    behind_the_orm(
        f"UPDATE {connection.ops.quote_name(TABLE)} SET data = %s "  # noqa: S608
        "WHERE chain = %s AND seq = %s",
        [json.dumps({"note": "falsifié"}), f"challenge:{challenge.pk}", seq],
        tables=[TABLE],
    )


def notes(challenge, count: int) -> None:
    for n in range(count):
        audit_record(verb="challenge.note", challenge=challenge, data={"n": n})


@pytest.mark.django_db
def test_the_trail_is_read_page_by_page_with_its_cursor(world, clock, api):
    # given a call with a trail of more than a few events
    challenge = referred(world)
    notes(challenge, 5)
    total = AuditEvent.objects.filter(chain=f"challenge:{challenge.pk}").count()
    buyer = api(world.buyer_agent)

    # when the buyer follows the ``next`` links three events at a time
    url, seen, pages = challenge_url(challenge.pk, "audit/") + "?page_size=3", [], []
    while url:
        body = ok(buyer.get(url))
        pages.append(body)
        seen += [event["seq"] for event in body["events"]]
        url = body["next"]

    # then every event came once, in order, each page verified over the whole chain
    assert seen == list(range(1, total + 1))
    assert len(pages) == -(-total // 3)
    assert all(
        p["verification"] == {"valid": True, "count": total, "first_broken_seq": None, "reason": ""}
        for p in pages
    )
    # and the last page leads back to the one before it
    back = ok(buyer.get(pages[-1]["previous"]))
    assert [e["seq"] for e in back["events"]] == [e["seq"] for e in pages[-2]["events"]]


@pytest.mark.django_db
def test_a_cursor_no_page_gave_is_refused_as_on_the_lists(world, clock, api):
    # given a call with a trail, read by its buyer
    challenge = referred(world)
    buyer = api(world.buyer_agent)
    url = challenge_url(challenge.pk, "audit/")
    for cursor in ["pas-un-curseur", "é", encoded("p=hier"), encoded("o=-1"), encoded("r=oui")]:
        # when the buyer sends a cursor that no page gave
        body = error(buyer.get(url, {"cursor": cursor}), 400, "invalid_cursor")
        # then it is told on the cursor, as the lists tell it, not that the trail is missing
        assert list(body["fields"]) == ["cursor"], cursor
        assert "curseur n'est pas valable" in body["message"]
    # while a page's own link is read
    first = ok(buyer.get(url, {"page_size": 1}))
    assert ok(buyer.get(first["next"]))["events"][0]["seq"] == 2


@pytest.mark.django_db
def test_a_read_rehashes_only_what_was_written_since_and_its_page(world, clock, api, monkeypatch):
    # given a call whose trail was verified once (its checkpoint at its head)
    challenge = referred(world)
    notes(challenge, 20)
    buyer = api(world.buyer_agent)
    ok(buyer.get(challenge_url(challenge.pk, "audit/")))
    head = AuditEvent.objects.filter(chain=f"challenge:{challenge.pk}").count()
    assert ChainCheckpoint.objects.get(chain=f"challenge:{challenge.pk}").seq == head

    # when two events are written and the trail is read a page of one event at a time
    notes(challenge, 2)
    hashed = []
    original = audit_module.event_hash

    def counting(prev, fields):
        hashed.append(fields["seq"])
        return original(prev, fields)

    monkeypatch.setattr(rows, "event_hash", counting)
    monkeypatch.setattr(incremental, "event_hash", counting)
    body = ok(buyer.get(challenge_url(challenge.pk, "audit/") + "?page_size=1"))

    # then the two new rows and the page's one were re-hashed, not the chain's 28
    assert body["verification"]["valid"] is True
    assert body["verification"]["count"] == head + 2
    assert sorted(hashed) == [1, head + 1, head + 2]
    assert ChainCheckpoint.objects.get(chain=f"challenge:{challenge.pk}").seq == head + 2


@pytest.mark.django_db
def test_an_event_tampered_after_the_checkpoint_is_named_by_the_endpoint(world, clock, api):
    # given a call whose trail was verified, then three more events
    challenge = referred(world)
    buyer = api(world.buyer_agent)
    ok(buyer.get(challenge_url(challenge.pk, "audit/")))
    checkpoint = ChainCheckpoint.objects.get(chain=f"challenge:{challenge.pk}").seq
    notes(challenge, 3)

    # when the second of them is rewritten in the database
    edit_in_place(challenge, checkpoint + 2)

    # then the endpoint names it, even on a page that does not show it
    body = ok(buyer.get(challenge_url(challenge.pk, "audit/") + "?page_size=1"))
    assert [e["seq"] for e in body["events"]] == [1]
    assert body["verification"]["valid"] is False
    assert body["verification"]["first_broken_seq"] == checkpoint + 2
    assert body["verification"]["reason"] == "altered_event"
    # and the checkpoint does not move past a broken row
    assert ChainCheckpoint.objects.get(chain=f"challenge:{challenge.pk}").seq == checkpoint


@pytest.mark.django_db
def test_an_event_tampered_before_the_checkpoint_is_found_by_the_full_verification(
    world, clock, api
):
    # given a call whose trail was verified up to its head
    challenge = referred(world)
    buyer = api(world.buyer_agent)
    ok(buyer.get(challenge_url(challenge.pk, "audit/")))
    chain = f"challenge:{challenge.pk}"

    # when its second event is rewritten in place, its stored hash kept
    edit_in_place(challenge, 2)

    # then the full verification names it, as verify_chains does
    [report] = chains_verify(chains=[chain]).reports
    assert [(p.code, p.seq) for p in report.problems] == [("altered_event", 2)]
    # and so does the endpoint on the page that shows it
    page = ok(buyer.get(challenge_url(challenge.pk, "audit/") + "?page_size=1"))
    second = ok(buyer.get(page["next"]))
    assert [e["seq"] for e in second["events"]] == [2]
    assert second["verification"]["first_broken_seq"] == 2
    assert second["verification"]["reason"] == "altered_event"


@pytest.mark.django_db
def test_a_chain_rewritten_before_the_checkpoint_is_detected_by_the_endpoint(world, clock, api):
    # given a call whose trail was verified up to its head
    challenge = referred(world)
    buyer = api(world.buyer_agent)
    ok(buyer.get(challenge_url(challenge.pk, "audit/")))
    chain = f"challenge:{challenge.pk}"
    events = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))

    # when a forger rewrites the second event and recomputes every hash after it, so
    # that each row links to the one before
    prev = events[0].hash
    for event in events[1:]:
        if event.seq == 2:
            event.data = {"note": "falsifié"}
        event.prev_hash = prev
        event.hash = audit_module.event_hash(prev, audit_module.hashed_fields(event))
        prev = event.hash
        behind_the_orm(
            f"UPDATE {connection.ops.quote_name(TABLE)} SET data = %s, prev_hash = %s, "  # noqa: S608
            "hash = %s WHERE id = %s",
            [json.dumps(event.data), event.prev_hash, event.hash, event.pk],
            tables=[TABLE, "procurement_auditchainhead"],
        )
    behind_the_orm(
        "UPDATE procurement_auditchainhead SET hash = %s WHERE chain = %s",
        [prev, chain],
        tables=[TABLE, "procurement_auditchainhead"],
    )

    # then every row links to the one before, but the chain no longer passes through
    # the row verified last: the endpoint says so, on its first page
    checkpoint = ChainCheckpoint.objects.get(chain=chain).seq
    body = ok(buyer.get(challenge_url(challenge.pk, "audit/") + "?page_size=1"))
    assert body["verification"]["valid"] is False
    assert body["verification"]["first_broken_seq"] == checkpoint
    assert body["verification"]["reason"] == "checkpoint_mismatch"


@pytest.mark.django_db
def test_a_calls_sealed_chains_are_told_apart_from_those_of_calls_numbered_alike(
    world, clock, api, monkeypatch
):
    # given opened proposals, their sealed chains verified once by the audit endpoint
    challenge = scenarios.opened(world, clock)
    buyer = api(world.buyer_agent)
    family = f"sealed:{challenge.pk}"

    def sealed_report(body):
        return next(report for report in body["chains"] if report["chain"] == family)

    before = sealed_report(ok(buyer.get(challenge_url(challenge.pk, "audit/"))))
    assert before["valid"] is True

    # when calls numbered from the same digits (``sealed:<n>0:…``, ``sealed:<n>1:…``),
    # or the next call, have sealed events of their own
    for n, name in enumerate((f"{family}0:1", f"{family}1:2", f"sealed:{challenge.pk + 1}:3")):
        AuditEvent.objects.create(
            chain=name,
            seq=1,
            verb="proposal.submitted",
            created_at=timezone.now(),
            prev_hash=GENESIS,
            hash=f"{n:064d}",
        )
        AuditChainHead.objects.create(chain=name, seq=1, hash=f"{n:064d}")

    # then the call's sealed chains are still the ones verified: its checkpoint answers
    # (no full verification), with the same count and head
    def no_full_verification(**kwargs):
        raise AssertionError(f"full verification of {kwargs}")

    monkeypatch.setattr(incremental, "chains_verify", no_full_verification)
    after = sealed_report(ok(buyer.get(challenge_url(challenge.pk, "audit/"))))
    assert after == before
