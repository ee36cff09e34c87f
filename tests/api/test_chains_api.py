"""Every chain verified by one endpoint (the service's administrators), a call's chains
with its audit trail (its buyer and its Chambre), and the anchored heads published to
anyone: the faults of tests/procurement/test_chains.py, seen through the API."""

from itertools import pairwise

import pytest
from django.db import connection

from procurement.models import AuditChainHead, AuditEvent, ChainAnchor, Expense
from procurement.services.chains import chains_anchor
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.conftest import member
from tests.procurement.test_chains import paid_expense, rewrite
from tests.tamper import behind_the_orm
from tests.workflows import journey

VERIFY = "/api/v1/chains/verification/"
ANCHORS = "/api/v1/chains/anchors/"


@pytest.fixture
def admin(world):
    user = member(world.host, "admin.service")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def problems(body: dict, chain: str) -> list[tuple]:
    report = next(r for r in body["chains"] if r["chain"] == chain)
    return [(p["code"], p["seq"], p["row"]) for p in report["problems"]]


@pytest.mark.django_db
def test_an_administrator_verifies_every_chain(world, clock, api, admin):
    # given a call whose proposals were opened and a ledger that paid 700 €
    challenge = scenarios.opened(world, clock)
    cast, _expense = paid_expense(world)

    # when an administrator asks for the verification of every chain
    body = ok(api(admin).get(VERIFY))

    # then every chain is listed, whole
    assert body["valid"] is True
    chains = {report["chain"]: report for report in body["chains"]}
    for name in (
        f"challenge:{challenge.pk}",
        f"sealed:{challenge.pk}",
        f"ledger:{cast.commons.pk}",
    ):
        assert chains[name]["valid"] is True
        assert chains[name]["problems"] == []
        assert chains[name]["count"] == chains[name]["head_seq"] > 0
    assert chains["anchors"]["count"] > 0


@pytest.mark.django_db
def test_the_endpoint_names_a_payment_changed_from_700_to_7(world, api, admin):
    # given a ledger that paid a 700 € expense, then changed to 7 € in the database
    cast, expense = paid_expense(world, "700.00")
    behind_the_orm(
        f"UPDATE {connection.ops.quote_name(Expense._meta.db_table)} SET amount = %s "  # noqa: S608
        "WHERE id = %s",
        ["7.00", expense.pk],
        tables=[Expense._meta.db_table],
    )
    chain = f"ledger:{cast.commons.pk}"

    # when an administrator verifies that ledger's chain
    body = ok(api(admin).get(VERIFY, {"chain": chain}))

    # then the ledger is broken at that expense, for its amount and its payment
    assert body["valid"] is False
    assert [r["chain"] for r in body["chains"]] == [chain]
    found = problems(body, chain)
    paid = AuditEvent.objects.get(chain=chain, verb="ledger.expense_paid")
    assert ("ledger_amount_mismatch", paid.seq, f"expense:{expense.pk}") in found
    message = next(p["message"] for p in body["chains"][0]["problems"] if p["seq"] == paid.seq)
    assert "7,00" in message
    assert "700,00" in message


@pytest.mark.django_db
def test_a_deleted_sealed_event_shows_in_the_calls_audit_after_the_opening(world, clock, api):
    # given a call whose proposals were opened
    challenge = scenarios.opened(world, clock)
    sealed = f"sealed:{challenge.pk}"
    buyer = api(world.buyer_agent)
    body = ok(buyer.get(challenge_url(challenge.pk, "audit/")))
    assert [r["chain"] for r in body["chains"]] == [f"challenge:{challenge.pk}", sealed]
    assert all(r["valid"] for r in body["chains"])

    # when a proposal's sealed event is deleted in the database
    chain = f"{sealed}:{challenge.proposals.order_by('pk').first().pk}"
    behind_the_orm(
        f"DELETE FROM {connection.ops.quote_name(AuditEvent._meta.db_table)} "  # noqa: S608
        "WHERE chain = %s AND seq = 1",
        [chain],
        tables=[AuditEvent._meta.db_table],
    )

    # then the call's audit names the sealed chain's missing row, in that proposal's
    # chain, the chain no longer passing through its anchored head, and the sealed
    # chains no longer what the opening recorded, for the buyer and the Chambre alike
    for user in (world.buyer_agent, world.moderator):
        body = ok(api(user).get(challenge_url(challenge.pk, "audit/")))
        report = next(r for r in body["chains"] if r["chain"] == sealed)
        assert [(p["chain"], p["code"], p["seq"]) for p in report["problems"]] == [
            (sealed, "sealed_head_mismatch", None),
            (chain, "missing_event", 1),
            (chain, "anchor_mismatch", 1),
        ]
        # (the call's own trail is whole)
        assert body["verification"]["valid"] is True


@pytest.mark.django_db
def test_the_sealed_chain_is_not_verified_through_the_audit_before_the_opening(world, clock, api):
    # given proposals still under seal
    challenge = scenarios.sealed(world, clock)

    # when the buyer reads the call's audit, then only the call's chain is verified
    body = ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "audit/")))
    assert [r["chain"] for r in body["chains"]] == [f"challenge:{challenge.pk}"]


@pytest.mark.django_db
def test_a_rewritten_chain_is_detected_through_the_audit_by_its_anchor(world, clock, api):
    # given a published call whose chain was anchored, then rewritten consistently
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    anchor = next(a for a in chains_anchor().anchors if a.chain == chain)
    rewrite(chain, 2, {"note": "falsifié"})

    # when its buyer reads the audit trail
    body = ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "audit/")))

    # then the trail links up row by row, but no longer passes through its anchor
    events = body["events"]
    assert all(e["prev_hash"] == p["hash"] for p, e in pairwise(events))
    assert body["verification"] == {
        "valid": False,
        "count": len(events),
        "first_broken_seq": anchor.chain_seq,
        "reason": "anchor_mismatch",
    }
    assert problems(body, chain) == [("anchor_mismatch", anchor.chain_seq, f"anchor:{anchor.seq}")]


@pytest.mark.django_db
def test_the_anchored_heads_are_published_to_anyone(world, clock, api):
    # given a published call, a call still in draft and a ledger, anchored
    published = scenarios.published(world)
    scenarios.sealed(world, clock, title="Appel aux plis scellés")
    draft = journey.start(world, title="Brouillon")
    cast, _expense = paid_expense(world)
    chains_anchor()

    # when anyone reads the anchored heads
    rows = ok(api().get(ANCHORS, {"page_size": 200}))["results"]

    # then those of the published call and of the ledger are there, as stored
    chains = {row["chain"] for row in rows}
    assert f"challenge:{published.pk}" in chains
    assert f"ledger:{cast.commons.pk}" in chains
    head = AuditChainHead.objects.get(chain=f"challenge:{published.pk}")
    row = next(r for r in rows if r["chain"] == f"challenge:{published.pk}")
    assert (row["chain_seq"], row["hash"]) == (head.seq, head.hash)
    assert len(row["signature"]) == 64
    # but not those of a draft nor of a sealed chain
    assert f"challenge:{draft.pk}" not in chains
    assert not any(chain.startswith("sealed:") for chain in chains)
    assert ChainAnchor.objects.filter(chain__startswith="sealed:").exists()
    # and one chain's heads may be asked for
    one = ok(api().get(ANCHORS, {"chain": f"ledger:{cast.commons.pk}"}))["results"]
    assert {r["chain"] for r in one} == {f"ledger:{cast.commons.pk}"}


@pytest.mark.django_db
def test_the_verification_of_every_chain_is_refused_to_others(world, api):
    # when a buyer's agent, then someone anonymous, asks for it: 403, then 401
    body = error(api(world.buyer_agent).get(VERIFY), 403, "chains_restricted")
    assert "administrateurs" in body["message"]
    error(api().get(VERIFY), 401)


@pytest.mark.django_db
def test_an_unknown_chain_is_a_400_on_its_field(world, api, admin):
    for url in (VERIFY, ANCHORS):
        client = api(admin) if url == VERIFY else api()
        body = error(client.get(url, {"chain": "ledger:abc"}), 400, "unknown_chain")
        assert list(body["fields"]) == ["chain"]


@pytest.mark.django_db
def test_the_schema_documents_the_chains_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    verify = schema["paths"][VERIFY]["get"]
    assert {"200", "400", "401", "403"} <= set(verify["responses"])
    assert [p["name"] for p in verify["parameters"]] == ["chain"]
    anchors = schema["paths"][ANCHORS]["get"]
    assert {"200", "400"} <= set(anchors["responses"])
    audit = schema["paths"]["/api/v1/challenges/{challenge_pk}/audit/"]["get"]
    body = audit["responses"]["200"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[-1]
    assert "chains" in schema["components"]["schemas"][name]["properties"]
    problem = schema["components"]["schemas"]["ChainProblem"]
    assert set(problem["properties"]) == {"chain", "code", "seq", "row", "message"}
