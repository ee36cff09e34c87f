"""An offer's receipt is its arrival (issue 20, item 1): the deadline is judged on the
stamp its request got on arrival (``kernel.receipt``), not on the moment the service got
round to it. Article R2151-5 du code de la commande publique: « les offres reçues hors
délai sont éliminées » — received before the deadline, an offer is accepted even when
processed after it; received at the deadline's very second or later, refused. The
opening of the offers waits for them, includes them, and opens them once."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kernel.receipt import ENVIRON_KEY, ReceiptStamp
from procurement.models import AuditEvent, ChallengeResource, Proposal
from tests.api.scenarios import PROPOSAL_END, in_proposals
from tests.api.steps import challenge_url, error, ok
from tests.conftest import later
from tests.procurement.ledger_cast import PDF
from tests.workflows import journey
from workflows.tasks import sweep


def arrived(moment: datetime) -> dict:
    """The environ of a request a WSGI wrapper stamped at ``moment`` (config/wsgi.py)."""
    return {ENVIRON_KEY: moment.timestamp()}


def post_proposal(client, challenge, resource, title="Proposition", **environ):
    return client.post(
        challenge_url(challenge.pk, "proposals/"),
        {
            "group": resource.working_group.pk,
            "title": title,
            "summary": "Produire le commun avec sa communauté.",
            "deliverables": "Code, documentation",
            "licence": "EUPL-1.2",
            **journey.proposal_json("30000.00"),
        },
        format="json",
        **environ,
    )


def resources(challenge):
    return list(ChallengeResource.objects.filter(challenge=challenge).order_by("order"))


@pytest.mark.django_db(transaction=True)
def test_an_offer_received_before_the_deadline_is_accepted_when_processed_after_it(
    world, clock, api
):
    # given open proposals, and the deadline passed five seconds ago, no sweep yet
    challenge = in_proposals(world, clock)
    first, second, third = resources(challenge)
    clock.move_to(later(PROPOSAL_END, seconds=5))

    # when an offer that arrived one second before the deadline is processed now (it
    # waited in the server), and another that arrived at the deadline's very second,
    # and a third that arrived one second after it
    in_time = post_proposal(
        api(world.partner_users[0]),
        challenge,
        first,
        **arrived(later(PROPOSAL_END, seconds=-1)),
    )
    at_deadline = post_proposal(
        api(world.partner_users[1]), challenge, second, **arrived(PROPOSAL_END)
    )
    late = post_proposal(
        api(world.partner_users[2]), challenge, third, **arrived(later(PROPOSAL_END, seconds=1))
    )

    # then the first is accepted, received when it arrived, and the two others refused
    # as received hors délai
    body = ok(in_time, 201)
    assert datetime.fromisoformat(body["submitted_at"]) == later(PROPOSAL_END, seconds=-1)
    error(at_deadline, 409, "deadline_passed")
    error(late, 409, "deadline_passed")
    assert list(Proposal.objects.filter(challenge=challenge).values_list("pk", flat=True)) == [
        body["id"]
    ]
    # and its sealed event records its receipt, in its own proposal's chain
    event = AuditEvent.objects.get(chain=f"sealed:{challenge.pk}:{body['id']}")
    assert datetime.fromisoformat(event.data["received_at"]) == later(PROPOSAL_END, seconds=-1)


@pytest.mark.django_db(transaction=True)
def test_the_opening_opens_the_offer_received_in_time_once_and_refuses_one_that_finds_it_done(
    world, clock, api
):
    # given an offer received one second before the deadline and processed after it
    challenge = in_proposals(world, clock)
    first, second, _third = resources(challenge)
    clock.move_to(later(PROPOSAL_END, seconds=2))
    accepted = ok(
        post_proposal(
            api(world.partner_users[0]),
            challenge,
            first,
            **arrived(later(PROPOSAL_END, seconds=-1)),
        ),
        201,
    )

    # when the sweep opens the proposals, then sweeps again
    sweep()
    sweep()

    # then the offer is among the opened ones, opened once
    opened = AuditEvent.objects.filter(chain=f"challenge:{challenge.pk}", verb="proposals.opened")
    assert [event.data["count"] for event in opened] == [1]
    assert opened.get().data["sealed_chains"] == 1
    buyer = ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "proposals/")))
    assert [row["id"] for row in buyer["results"]] == [accepted["id"]]

    # when an offer that arrived before the deadline is processed only after the
    # opening (held up beyond the opening's grace), then it is refused as such, and
    # nothing is opened again
    late_processed = post_proposal(
        api(world.partner_users[1]),
        challenge,
        second,
        **arrived(later(PROPOSAL_END, seconds=-1)),
    )
    body = error(late_processed, 409, "opened_before_receipt")
    assert "avant la date limite" in body["message"]
    assert Proposal.objects.filter(challenge=challenge).count() == 1
    assert opened.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_attachment_received_before_the_deadline_is_accepted_when_processed_after_it(
    world, clock, api
):
    # given a proposal submitted in time
    challenge = in_proposals(world, clock)
    first, *_others = resources(challenge)
    clock.move_to(later(PROPOSAL_END, seconds=-60))
    member = api(world.partner_users[0])
    proposal = ok(post_proposal(member, challenge, first), 201)
    url = challenge_url(challenge.pk, f"proposals/{proposal['id']}/attachments/")

    # when two attachments are processed after the deadline, one that arrived before it
    # and one that arrived at its very second
    clock.move_to(later(PROPOSAL_END, seconds=3))
    in_time = member.post(
        url,
        {"file": SimpleUploadedFile("annexe.pdf", PDF, "application/pdf")},
        format="multipart",
        **arrived(later(PROPOSAL_END, seconds=-1)),
    )
    at_deadline = member.post(
        url,
        {"file": SimpleUploadedFile("annexe2.pdf", PDF, "application/pdf")},
        format="multipart",
        **arrived(PROPOSAL_END),
    )

    # then the first is kept, received when it arrived; the second refused
    kept = ok(in_time, 201)
    assert datetime.fromisoformat(kept["uploaded_at"]) == later(PROPOSAL_END, seconds=-1)
    error(at_deadline, 409, "deadline_passed")


def test_the_wsgi_wrapper_stamps_a_request_on_arrival_before_the_application_runs(clock):
    # given the clock at 16:59:59 on the deadline's day, and an application that reads
    # the stamp when it runs, after the clock moved on (it waited)
    clock.move_to(later(PROPOSAL_END, seconds=-1))
    seen = {}

    def application(environ, start_response):
        seen["stamp"] = environ[ENVIRON_KEY]
        return [b""]

    def slow_server(environ, start_response):
        return ReceiptStamp(waited)(environ, start_response)

    def waited(environ, start_response):
        clock.move_to(later(PROPOSAL_END, seconds=4))
        return application(environ, start_response)

    # when a request arrives
    slow_server({}, lambda *args: None)

    # then its stamp is the moment it arrived, not when the application ran
    assert datetime.fromtimestamp(seen["stamp"], tz=UTC) == later(PROPOSAL_END, seconds=-1)


@pytest.mark.django_db
def test_a_group_posted_under_another_calls_address_is_not_found_there(world, clock, api):
    # given open proposals
    challenge = in_proposals(world, clock)
    first, _second, _third = resources(challenge)
    clock.move_to(later(PROPOSAL_END, seconds=-60))

    # when a member posts its group's proposal under the address of another call
    elsewhere = SimpleNamespace(pk=challenge.pk + 1)
    response = post_proposal(api(world.partner_users[0]), elsewhere, first)

    # then the group is not found there, and nothing is written
    error(response, 404, "group_not_found")
    assert not Proposal.objects.filter(group=first.working_group).exists()
    assert not AuditEvent.objects.filter(verb="proposal.submitted").exists()


@pytest.mark.django_db
def test_a_group_that_does_not_exist_is_not_found_as_one_of_another_call(world, clock, api):
    # given open proposals
    challenge = in_proposals(world, clock)
    first, _second, _third = resources(challenge)
    clock.move_to(later(PROPOSAL_END, seconds=-60))
    client = api(world.partner_users[0])

    # when a member posts a proposal for a group id no group has, then one that is no id
    missing = SimpleNamespace(working_group=SimpleNamespace(pk=first.working_group.pk + 1000))
    response = post_proposal(client, challenge, missing)
    malformed = SimpleNamespace(working_group=SimpleNamespace(pk="premier"))
    refused = post_proposal(client, challenge, malformed)

    # then the first is not found, as a group of another call is (no hint of which ids
    # exist), the second is refused on its field, and nothing is written
    error(response, 404, "group_not_found")
    assert refused.status_code == 400, refused.content
    assert "group" in refused.json()["fields"], refused.json()
    assert not AuditEvent.objects.filter(verb="proposal.submitted").exists()
