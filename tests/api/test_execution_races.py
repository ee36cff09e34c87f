"""Ten simultaneous decisions on one submitted deliverable over real HTTP, on PostgreSQL
(issue 21): the deliverable's row is locked by ``deliverable_decide``, so one decision is
made (200) and the nine others are refused for it with a 409 in the API's shape — never
two decisions, never a 500 — and the audit trail holds one decision."""

from collections import Counter

import pytest
from django.db import connection

from procurement.models import AuditEvent, Deliverable
from procurement.services.execution import deliverable_plan, deliverable_submit
from tests.factories import PASSWORD
from tests.procurement.execution_cast import signed_call
from tests.procurement.test_pledge_concurrency import CLIENTS, http, race


@pytest.mark.postgres
def test_ten_simultaneous_decisions_give_one_decision_and_nine_409(world, clock, live_server):
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    # given a submitted deliverable and the buyer's agent signed in
    challenge, lot, _proposal = signed_call(world)
    deliverable = deliverable_plan(actor=world.buyer_agent, lot=lot, title="Spécification")
    deliverable_submit(
        actor=world.partner_users[0], deliverable=deliverable, evidence_url="https://forge.fr/s"
    )
    status, body = http(
        live_server.url,
        "/api/v1/auth/token/",
        {"username": world.buyer_agent.username, "password": PASSWORD},
    )
    assert status == 200, body
    path = f"/api/v1/challenges/{challenge.pk}/execution/deliverables/{deliverable.pk}/decide/"

    # when ten decisions, half admitting and half refusing, are posted at once
    results = race(
        lambda n: http(
            live_server.url,
            path,
            {"admit": n % 2 == 0, "reason": "" if n % 2 == 0 else "Incomplet."},
            body["token"],
        ),
        list(range(CLIENTS)),
    )

    # then one decision is made, the others refused for the state it left
    statuses = Counter(status for _n, status, _body in results)
    assert statuses == {200: 1, 409: CLIENTS - 1}, results
    for _n, status, answer in results:
        if status == 409:
            assert answer["code"] == "deliverable_not_submitted"
    decided = Deliverable.objects.get(pk=deliverable.pk)
    assert decided.status in ("admitted", "refused")
    assert (
        AuditEvent.objects.filter(
            challenge=challenge,
            verb__in=["execution.deliverable_admitted", "execution.deliverable_refused"],
        ).count()
        == 1
    )
