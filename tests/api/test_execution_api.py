"""The execution follow-up over the API (issue 21): public read of a signed call's and a
commons' follow-up; the buyer plans and decides, the holder submits and marks reached;
every refusal in the one error shape, in French or English, with its status."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import token_client
from tests.api.steps import challenge_url
from tests.procurement.execution_cast import signed_call

URL = "https://forge.example.fr/standard/v2"


@pytest.fixture
def call(world, clock):
    return signed_call(world)


def plan(client, challenge, lot, title="Spécification"):
    return client.post(
        challenge_url(challenge.pk, f"execution/lots/{lot.pk}/deliverables/"),
        {"title": title, "due_on": "2026-10-01"},
        format="json",
    )


@pytest.mark.django_db
def test_the_buyer_plans_the_holder_submits_the_buyer_admits_anyone_reads(world, call):
    challenge, lot, _proposal = call
    buyer, holder = token_client(world.buyer_agent), token_client(world.partner_users[0])

    planned = plan(buyer, challenge, lot)
    assert planned.status_code == 201, planned.content
    pk = planned.json()["id"]
    milestone = buyer.post(
        challenge_url(challenge.pk, f"execution/lots/{lot.pk}/milestones/"),
        {"title": "Bêta publique", "planned_on": "2026-11-01"},
        format="json",
    )
    assert milestone.status_code == 201, milestone.content

    submitted = holder.post(
        challenge_url(challenge.pk, f"execution/deliverables/{pk}/submit/"),
        {"evidence_url": URL},
        format="json",
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    reached = holder.post(
        challenge_url(challenge.pk, f"execution/milestones/{milestone.json()['id']}/reach/"),
        {"evidence_url": URL + "/beta"},
        format="json",
    )
    assert reached.status_code == 200, reached.content
    assert reached.json()["state"] == "reached"
    admitted = buyer.post(
        challenge_url(challenge.pk, f"execution/deliverables/{pk}/decide/"),
        {"admit": True},
        format="json",
    )
    assert admitted.status_code == 200, admitted.content

    body = APIClient().get(challenge_url(challenge.pk, "execution/")).json()
    assert body["open"] is True
    [row] = body["lots"]
    assert row["holder_organisations"] == ["Covoit Libre SAS"]
    assert row["deliverables"][0]["status"] == "admitted"
    assert row["deliverables"][0]["decided_at"]
    assert row["progress"] == {
        "admitted": 1,
        "deliverables": 1,
        "reached": 1,
        "milestones": 1,
        "percent": 100,
    }
    commons = APIClient().get(f"/api/v1/commons/{row['commons'][0]['id']}/execution/").json()
    assert commons["progress"]["percent"] == 100


@pytest.mark.django_db
def test_refusals_have_their_status_and_the_error_shape(world, call):
    challenge, lot, _proposal = call
    buyer, holder = token_client(world.buyer_agent), token_client(world.partner_users[0])
    pk = plan(buyer, challenge, lot).json()["id"]
    submit = challenge_url(challenge.pk, f"execution/deliverables/{pk}/submit/")
    decide = challenge_url(challenge.pk, f"execution/deliverables/{pk}/decide/")

    # 401 anonymous, 403 not the holder (nor the buyer: they decide, they do not submit)
    assert APIClient().post(submit, {"evidence_url": URL}, format="json").status_code == 401
    refused = token_client(world.partner_users[1]).post(
        submit, {"evidence_url": URL}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_holder"
    assert plan(holder, challenge, lot).status_code == 403

    # 400 naming the field, in English when asked
    bad = holder.post(
        submit, {"evidence_url": "pas une adresse"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["evidence_url"]
    assert "full web address" in bad.json()["fields"]["evidence_url"][0]

    # 409 on the wrong state: decided before submission, submitted twice
    assert buyer.post(decide, {"admit": True}, format="json").status_code == 409
    assert holder.post(submit, {"evidence_url": URL}, format="json").status_code == 200
    twice = holder.post(submit, {"evidence_url": URL}, format="json")
    assert twice.status_code == 409
    assert twice.json()["code"] == "deliverable_already_submitted"

    # a refusal without its reason: 400 in French by default
    no_reason = buyer.post(decide, {"admit": False}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"]["reason"] == ["Indiquez au titulaire le motif du refus."]

    # 404 for what is not there
    assert (
        holder.post(
            challenge_url(challenge.pk, "execution/deliverables/999999/submit/"),
            {"evidence_url": URL},
            format="json",
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_before_the_signature_the_follow_up_is_closed(world, clock):
    challenge, lot, _proposal = signed_call(world, signed=False)
    body = APIClient().get(challenge_url(challenge.pk, "execution/")).json()
    assert body == {
        "challenge": challenge.pk,
        "open": False,
        "progress": {
            "admitted": 0,
            "deliverables": 0,
            "reached": 0,
            "milestones": 0,
            "percent": None,
        },
        "lots": [],
    }
    refused = plan(token_client(world.buyer_agent), challenge, lot)
    assert refused.status_code == 409
    assert refused.json()["code"] == "execution_not_open"


@pytest.mark.django_db
def test_a_draft_has_no_public_follow_up(world, clock):
    from tests.workflows import journey

    draft = journey.start(world)
    assert APIClient().get(challenge_url(draft.pk, "execution/")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 12])
def test_the_follow_up_reads_in_constant_queries(world, call, size, django_assert_max_num_queries):
    from procurement.services.execution import deliverable_plan, milestone_plan

    challenge, lot, _proposal = call
    for n in range(size):
        deliverable_plan(actor=world.buyer_agent, lot=lot, title=f"Livrable {n}")
        milestone_plan(
            actor=world.buyer_agent, lot=lot, title=f"Jalon {n}", planned_on=date(2026, 12, 1)
        )
    client = APIClient()
    with django_assert_max_num_queries(12):
        response = client.get(challenge_url(challenge.pk, "execution/"))
    assert len(response.json()["lots"][0]["deliverables"]) == size
