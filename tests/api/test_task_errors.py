"""The tasks API refuses what it must, with the error shape of API.md, and a refused
call changes nothing."""

import pytest
from django.conf import settings
from viewflow.workflow.status import STATUS

from procurement.models import AuditEvent, Challenge, Membership, Opinion, Role
from tests.api import scenarios
from tests.api.steps import TASKS, error, inbox, ok, steps_in_inbox
from tests.conftest import member, paris
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion, open_task
from workflows.flows import ChallengeFlow

POSITIONING_END = paris(2026, 9, 20, 12, 0)
PROPOSAL_END = paris(2026, 10, 20, 12, 0)


def snapshot(challenge, task) -> tuple:
    """What a refused call must leave as it was."""
    challenge = Challenge.objects.get(pk=challenge.pk)
    task.refresh_from_db()
    return (
        challenge.status,
        challenge.published_at,
        challenge.positioning_deadline,
        task.status,
        task.owner_id,
        AuditEvent.objects.filter(challenge=challenge).count(),
    )


def ready_to_publish(world):
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    return challenge


def refusal_for(client, task) -> int:
    """403 if the caller sees the task (in its inbox), else 404: no hint it exists."""
    return 403 if task.pk in {t["id"] for t in inbox(client)} else 404


@pytest.mark.django_db
def test_task_completed_by_an_agent_who_left_the_buyers_staff_is_forbidden(
    world, clock, api, colleague
):
    # given a draft whose task a colleague claimed, before leaving the buyer's staff (it
    # stays an evaluator of the buyer)
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    client = api(colleague)
    ok(client.post(f"{TASKS}{task.pk}/claim/"))
    Membership.objects.filter(user=colleague, organisation=world.buyer).update(role=Role.EVALUATOR)
    before = snapshot(challenge, task)

    # when it completes the task it still holds
    response = client.post(f"{TASKS}{task.pk}/complete/", {"note": "x"}, format="json")

    # then it is forbidden: its role no longer allows it, and nothing changed
    error(response, 403, "not_your_task")
    assert snapshot(challenge, task) == before


@pytest.mark.django_db
def test_opinion_task_completed_by_a_chambre_member_who_is_not_the_moderator_is_refused(
    world, clock, api, porteur
):
    # given a call referred to the Chambre
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    task = open_task(challenge, "call_opinion")
    client = api(porteur)
    before = snapshot(challenge, task)

    # when a member of the porteurs' group, not the modérateur, completes it
    response = client.post(f"{TASKS}{task.pk}/complete/", {"verdict": "favorable"}, format="json")

    # then it is refused (forbidden, or missing if the task is not shown to it), and no
    # opinion was issued nor the task taken
    error(response, refusal_for(client, task))
    assert snapshot(challenge, task) == before
    assert not Opinion.objects.filter(challenge=challenge).exists()


@pytest.mark.django_db
def test_a_chambre_member_who_may_not_issue_opinions_cannot_take_the_opinion_task(
    world, clock, api, porteur
):
    # given a call referred to the Chambre
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    task = open_task(challenge, "call_opinion")

    # when a member of the porteurs' group claims the opinion task
    client = api(porteur)
    response = client.post(f"{TASKS}{task.pk}/claim/")

    # then it is refused, and the modérateur can still take it
    error(response, refusal_for(client, task))
    ok(api(world.moderator).post(f"{TASKS}{task.pk}/claim/"))


@pytest.mark.django_db
def test_task_completed_twice_is_a_conflict_the_second_time(world, clock, api):
    # given a draft whose task the buyer's agent completed through the API
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    agent = api(world.buyer_agent)
    ok(agent.post(f"{TASKS}{task.pk}/complete/", {"note": "Première saisine"}, format="json"))
    before = snapshot(challenge, task)

    # when the agent completes it again, or claims it
    again = agent.post(f"{TASKS}{task.pk}/complete/", {"note": "Deuxième"}, format="json")
    claim = agent.post(f"{TASKS}{task.pk}/claim/")

    # then both are refused as the wrong state, and the Chambre was referred once
    error(again, 409, "task_closed")
    error(claim, 409, "task_closed")
    assert snapshot(challenge, task) == before
    assert before[0] == "in_review"
    assert task.process.task_set.filter(flow_task=ChallengeFlow.call_opinion).count() == 1
    assert (
        AuditEvent.objects.filter(challenge=challenge, verb="challenge.referred_to_chambre").count()
        == 1
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"proposal_deadline": PROPOSAL_END.isoformat()}, "positioning_deadline"),
        (
            {
                "positioning_deadline": "le 20 septembre",
                "proposal_deadline": PROPOSAL_END.isoformat(),
            },
            "positioning_deadline",
        ),
        (
            {
                "positioning_deadline": paris(2026, 8, 31, 12, 0).isoformat(),
                "proposal_deadline": PROPOSAL_END.isoformat(),
            },
            "positioning_deadline",
        ),
        (
            {
                "positioning_deadline": PROPOSAL_END.isoformat(),
                "proposal_deadline": POSITIONING_END.isoformat(),
            },
            "proposal_deadline",
        ),
    ],
    ids=["missing", "not-a-date", "in-the-past", "out-of-order"],
)
@pytest.mark.django_db
def test_task_completed_with_bad_data_names_the_field_and_changes_nothing(
    world, clock, api, data, field
):
    # given a call ready to publish, whose task the buyer's agent has claimed
    challenge = ready_to_publish(world)
    task = open_task(challenge, "publish")
    agent = api(world.buyer_agent)
    ok(agent.post(f"{TASKS}{task.pk}/claim/"))
    before = snapshot(challenge, task)

    # when the agent completes it with wrong deadlines
    response = agent.post(f"{TASKS}{task.pk}/complete/", data, format="json")

    # then the field is named, and neither the challenge, the task nor the audit changed
    body = error(response, 400)
    assert field in body["fields"], body
    assert body["fields"][field]
    assert snapshot(challenge, task) == before
    assert before[0] == "ready"
    assert before[3] == STATUS.ASSIGNED
    assert journey.current_steps(challenge) == {"publish"}


@pytest.mark.django_db
def test_claiming_a_task_someone_else_holds_is_a_conflict(world, clock, api, colleague):
    # given a draft whose task one agent of the buyer has claimed
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    ok(api(world.buyer_agent).post(f"{TASKS}{task.pk}/claim/"))
    before = snapshot(challenge, task)

    # when a colleague claims it, or completes it
    claim = api(colleague).post(f"{TASKS}{task.pk}/claim/")
    completion = api(colleague).post(f"{TASKS}{task.pk}/complete/", {}, format="json")

    # then both are refused as the wrong state, and the first agent still holds it
    error(claim, 409, "task_held")
    error(completion, 409, "task_held")
    assert snapshot(challenge, task) == before
    assert task.owner == world.buyer_agent


@pytest.mark.django_db
def test_unclaiming_a_task_one_does_not_hold_is_forbidden(world, clock, api, colleague):
    # given a draft whose task one agent of the buyer has claimed
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    agent = api(world.buyer_agent)
    ok(agent.post(f"{TASKS}{task.pk}/claim/"))
    before = snapshot(challenge, task)

    # when a colleague gives it back
    response = api(colleague).post(f"{TASKS}{task.pk}/unclaim/")

    # then it is forbidden: the task stays with its holder
    error(response, 403, "not_holder")
    assert snapshot(challenge, task) == before

    # and when the holder gives it back, the colleague may take it
    released = ok(agent.post(f"{TASKS}{task.pk}/unclaim/"))
    assert released["status"] == STATUS.NEW
    assert released["owner"] is None
    assert steps_in_inbox(api(colleague), challenge.pk) == ["draft"]


@pytest.mark.parametrize(
    "who", ["partner", "moderator", "evaluator", "funder", "stranger"], ids=str
)
@pytest.mark.django_db
def test_a_task_the_caller_may_not_see_is_not_found_rather_than_forbidden(world, clock, api, who):
    # given the buyer's drafting task, which nobody outside the buyer's staff may see
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    user = {
        "partner": world.partner_users[0],
        "moderator": world.moderator,
        "evaluator": world.evaluators[0],
        "funder": world.funder_users[0],
        "stranger": world.stranger,
    }[who]
    client = api(user)
    before = snapshot(challenge, task)
    missing = open_task(challenge, "draft").pk + 1000

    # when the caller reads it, claims it, gives it back or completes it
    responses = [
        client.get(f"{TASKS}{task.pk}/"),
        client.post(f"{TASKS}{task.pk}/claim/"),
        client.post(f"{TASKS}{task.pk}/unclaim/"),
        client.post(f"{TASKS}{task.pk}/complete/", {"note": "x"}, format="json"),
    ]

    # then each answer is the 404 of a task that does not exist: no hint it does
    nowhere = error(client.get(f"{TASKS}{missing}/"), 404, "task_not_found")
    for response in responses:
        assert error(response, 404, "task_not_found") == nowhere
    assert snapshot(challenge, task) == before
    assert ok(client.get(TASKS, {"challenge": challenge.pk}))["count"] == 0


@pytest.mark.django_db
def test_unauthenticated_calls_to_the_workflow_api_are_refused_with_401(world, clock, api):
    # given a draft and its task
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    before = snapshot(challenge, task)
    anonymous = api()
    forged = api()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    for client in (anonymous, forged):
        # when a caller without a valid token calls the workflow endpoints
        responses = [
            client.get(TASKS),
            client.get(f"{TASKS}{task.pk}/"),
            client.post(f"{TASKS}{task.pk}/claim/"),
            client.post(f"{TASKS}{task.pk}/complete/", {}, format="json"),
            client.get("/api/v1/processes/"),
            client.get(f"/api/v1/processes/{task.process_id}/"),
        ]

        # then each is a 401 with the error shape, and nothing moved
        for response in responses:
            error(response, 401)
            assert response.has_header("WWW-Authenticate")
    assert snapshot(challenge, task) == before


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "This field is required."), ("fr", "Ce champ est obligatoire.")],
)
@pytest.mark.django_db
def test_validation_errors_speak_the_callers_language(world, clock, api, language, message):
    # given a call ready to publish
    challenge = ready_to_publish(world)
    task = open_task(challenge, "publish")

    # when the buyer's agent completes the task without its data, in a given language
    response = api(world.buyer_agent).post(
        f"{TASKS}{task.pk}/complete/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    # then the field errors are in that language
    body = error(response, 400, "invalid")
    assert body["fields"]["positioning_deadline"] == [message]
    assert body["fields"]["proposal_deadline"] == [message]


# An id beyond the 64-bit range: SQLite (the embedded default) cannot even bind it.
HUGE = 2**63
ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


@pytest.mark.django_db
def test_task_completed_with_an_out_of_range_id_is_a_field_error(world, clock, api):
    # given opened proposals, the buyer to name the evaluators
    challenge = scenarios.opened(world, clock)
    task = open_task(challenge, "assign_evaluators")
    before = snapshot(challenge, task)
    agent = api(world.buyer_agent)
    agent.raise_request_exception = False

    # when the agent names an evaluator by an id no row can have
    response = agent.post(f"{TASKS}{task.pk}/complete/", {"evaluators": [HUGE]}, format="json")

    # then the field is refused, and nothing changed
    body = error(response, 400)
    assert "evaluators" in body["fields"]
    assert snapshot(challenge, task) == before


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/processes/{HUGE}/",
        f"{TASKS}?challenge={HUGE}",
        f"{TASKS}?process={HUGE}",
        f"/api/v1/processes/?challenge={HUGE}",
    ],
)
@pytest.mark.django_db
def test_workflow_reads_with_an_out_of_range_id_answer_without_a_server_error(
    world, clock, api, url
):
    # given a process
    journey.start(world)
    client = api(world.buyer_agent)
    client.raise_request_exception = False

    # when its agent asks for a process or filters by an id no row can have
    response = client.get(url)

    # then the answer is a not-found, a field error or an empty list, never a 500
    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code == 200:
        assert response.json()["count"] == 0
    else:
        error(response, response.status_code)


@pytest.mark.django_db
def test_an_administrator_releases_a_task_held_by_an_agent_who_left(world, clock, api, colleague):
    # given a draft whose task a (non-admin) colleague took before leaving the buyer
    challenge = journey.start(world)
    task = open_task(challenge, "draft")
    ok(api(colleague).post(f"{TASKS}{task.pk}/claim/"))
    Membership.objects.filter(user=colleague).delete()
    newcomer = member(world.buyer, "agent3.mel", Role.MEMBER)
    # nobody else may take it, and a plain member may not release it
    error(api(newcomer).post(f"{TASKS}{task.pk}/claim/"), 409, "task_held")
    before = snapshot(challenge, task)
    refused = api(newcomer).post(f"{TASKS}{task.pk}/release/", {"reason": "Départ"})
    error(refused, 403, "not_admin")
    # nor may the administrator release it without saying why
    blank = api(world.buyer_agent).post(f"{TASKS}{task.pk}/release/", {"reason": "  "})
    assert blank.status_code == 400
    assert "reason" in blank.json()["fields"]
    assert snapshot(challenge, task) == before

    # when the buyer's administrator releases it with a reason
    released = ok(
        api(world.buyer_agent).post(f"{TASKS}{task.pk}/release/", {"reason": "Agent parti"})
    )

    # then the task is back in the pool, the newcomer may take it, and the trail says why
    assert released["status"] == STATUS.NEW
    assert released["owner"] is None
    ok(api(newcomer).post(f"{TASKS}{task.pk}/claim/"))
    event = AuditEvent.objects.filter(challenge=challenge, verb="task.released").get()
    assert event.data["holder"] == colleague.pk
    assert event.data["reason"] == "Agent parti"
    # and a task that is not held cannot be released
    ok(api(newcomer).post(f"{TASKS}{task.pk}/unclaim/"))
    error(
        api(world.buyer_agent).post(f"{TASKS}{task.pk}/release/", {"reason": "x"}),
        409,
        "task_not_held",
    )
