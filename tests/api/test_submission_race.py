"""The opening of the offers races a submission in flight, on PostgreSQL (issue 20, item
1): an offer received before the deadline (article R2151-5 du code de la commande
publique) and still being processed when the opening starts is waited for, included in
the opening, and opened once; what arrives afterwards is refused.

Real HTTP to a live server and real row locks: a submission holds the call's row in
shared mode (``FOR KEY SHARE``) from its check of the deadline to its commit; the
opening locks that row exclusively. A third connection holds the group's proposal row,
so that the submission is caught in flight at a known point, after it took the call's
row; the test then watches PostgreSQL's own view of who waits for a lock."""

import threading
import time
from datetime import datetime

import pytest
from django.db import connection, connections, transaction

from procurement.models import AuditEvent, Challenge, ChallengeResource, Proposal
from procurement.services.chains import audit_verify, chains_verify
from tests.api.scenarios import PROPOSAL_END, in_proposals
from tests.conftest import later
from tests.factories import PASSWORD
from tests.procurement.test_pledge_concurrency import http
from tests.workflows import journey
from workflows.tasks import sweep


def waiting_on(fragment: str) -> int:
    """The other connections of this database waiting for a lock, on a statement that
    contains ``fragment``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE %s",
            [f"%{fragment}%"],
        )
        return cursor.fetchone()[0]


def until(condition, what: str, seconds: float = 60) -> None:
    """Wait for a state of the race (never a duration asserted): fail after ``seconds``."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"jamais atteint : {what}")
        time.sleep(0.05)


def in_thread(target) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as exc:  # reported by the test's assertions
            outcome["error"] = repr(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.postgres
def test_the_opening_waits_for_an_offer_in_flight_opens_it_once_and_refuses_the_next(
    world, clock, live_server
):
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    # given three proposals submitted in time, the deadline one second ahead
    challenge = in_proposals(world, clock)
    resource = ChallengeResource.objects.filter(challenge=challenge).order_by("order").first()
    clock.move_to(later(PROPOSAL_END, seconds=-60))
    journey.submit_proposals(world, challenge)
    own = Proposal.objects.get(group=resource.working_group)
    user = world.partner_users[0]
    status, body = http(
        live_server.url, "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert status == 200, body
    token = body["token"]
    url = f"/api/v1/challenges/{challenge.pk}/proposals/"

    def replace(title: str):
        return http(
            live_server.url,
            url,
            {
                "group": resource.working_group.pk,
                "title": title,
                "summary": "Produire le commun avec sa communauté.",
                "deliverables": "Code, documentation",
                "licence": "EUPL-1.2",
                **journey.proposal_json("30000.00"),
            },
            token,
        )

    # and another connection holding the group's proposal row
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            list(Proposal.objects.select_for_update().filter(pk=own.pk))
            held.set()
            release.wait(60)

    holder, _held = in_thread(hold)
    assert held.wait(30)

    # when the group's replacement arrives one second before the deadline, and is
    # caught in flight, past its check of the deadline
    clock.move_to(later(PROPOSAL_END, seconds=-1))
    sender, sent = in_thread(lambda: replace("Proposition remplacée à la dernière seconde"))
    until(lambda: waiting_on("procurement_proposal") == 1, "la soumission attend en vol")

    # and the deadline passes, and the sweep starts the opening
    clock.move_to(later(PROPOSAL_END, seconds=2))
    opener, opening = in_thread(sweep)
    until(lambda: waiting_on("procurement_challenge") == 1, "l'ouverture attend la soumission")

    # then the opening waits: the proposals are still sealed
    assert Challenge.objects.get(pk=challenge.pk).proposals_opened_at is None
    assert sender.is_alive()
    assert opener.is_alive()

    # when the submission goes on and commits
    release.set()
    for thread in (holder, sender, opener):
        thread.join(60)
        assert not thread.is_alive()

    # then it was accepted, received when it arrived, and the opening came after it:
    # the three proposals opened once, the replaced one as it was replaced
    assert "error" not in sent, sent
    assert "error" not in opening, opening
    status, body = sent["result"]
    assert status == 201, body
    assert datetime.fromisoformat(body["submitted_at"]) == later(PROPOSAL_END, seconds=-1)
    opened = AuditEvent.objects.filter(chain=f"challenge:{challenge.pk}", verb="proposals.opened")
    assert [event.data["count"] for event in opened] == [3]
    replaced = Proposal.objects.get(pk=own.pk)
    assert replaced.title == "Proposition remplacée à la dernière seconde"
    assert Challenge.objects.get(pk=challenge.pk).proposals_opened_at is not None

    # and a replacement arriving now is refused, and nothing is opened again
    status, body = replace("Trop tard")
    assert status == 409, body
    assert Proposal.objects.get(pk=own.pk).title == replaced.title
    assert opened.count() == 1

    # and every chain of the call verifies, the sealed ones against the opening's digest
    assert audit_verify(challenge=challenge).valid
    sealed = chains_verify(chains=[f"sealed:{challenge.pk}"])
    assert sealed.valid, sealed.problems
    assert sealed.reports[0].count == 4  # three submissions and one replacement
