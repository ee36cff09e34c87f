"""The endpoints of deadlines and answers against every role: only the buyer's staff
writes; the notices are public; nobody else reads a drafted answer."""

import pytest

from procurement.services.questions import question_answer_draft, question_ask
from tests.api.scenarios import POSITIONING_END, published
from tests.api.steps import challenge_url, error, ok
from tests.conftest import later, paris

WRITE_ENDPOINTS = {
    "answers-publish": ("questions/publish/", lambda q: {}),
    "answer-draft": (None, lambda q: {"answer": "Oui."}),
    "questions-deadline": (
        "questions/deadline/",
        lambda q: {"questions_deadline": paris(2026, 10, 1, 12, 0).isoformat()},
    ),
    "deadline-extend": (
        "deadlines/extend/",
        lambda q: {
            "which": "positioning",
            "new_deadline": later(POSITIONING_END, days=1).isoformat(),
            "notice": "Prolongation.",
        },
    ),
}
ROLES = ["buyer_staff", "buyer_evaluator", "partner", "moderator", "stranger", "anonymous"]
EXPECTED = {
    "buyer_staff": (200, 201),
    "buyer_evaluator": (403,),
    "partner": (403,),
    "moderator": (403,),
    "stranger": (403,),
    "anonymous": (401, 403),
}


def user_of(world, role):
    return {
        "buyer_staff": world.buyer_agent,
        "buyer_evaluator": world.evaluators[0],
        "partner": world.partner_users[1],
        "moderator": world.moderator,
        "stranger": world.stranger,
        "anonymous": None,
    }[role]


@pytest.mark.parametrize("endpoint", list(WRITE_ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_permission_matrix_of_the_write_endpoints(world, clock, api, endpoint, role):
    challenge = published(world)
    challenge.refresh_from_db()
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Une question ?",
    )
    question_answer_draft(question=question, actor=world.buyer_agent, answer="Brouillon.")
    tail, body = WRITE_ENDPOINTS[endpoint]
    tail = tail or f"questions/{question.pk}/answer/"

    response = api(user_of(world, role)).post(
        challenge_url(challenge.pk, tail), body(question), format="json"
    )

    expected = EXPECTED[role]
    if endpoint == "answer-draft" and role != "buyer_staff":
        # an unanswered question is seen only by the buyer's staff and its asker
        expected = (401, 403) if role == "anonymous" else (404,)
    assert response.status_code in expected, (role, endpoint, response.content[:300])
    question.refresh_from_db()
    if role != "buyer_staff":
        assert question.answered_at is None
        assert question.draft_answer == "Brouillon."


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.django_db
def test_deadline_notices_are_public_and_drafts_seen_only_by_the_buyers_staff(
    world, clock, api, role
):
    challenge = published(world)
    challenge.refresh_from_db()
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[1],
        organisation=world.partners[1],
        text="Une question ?",
    )
    question_answer_draft(question=question, actor=world.buyer_agent, answer="Brouillon.")
    ok(
        api(world.buyer_agent).post(
            challenge_url(challenge.pk, "deadlines/extend/"),
            {
                "which": "positioning",
                "new_deadline": later(POSITIONING_END, days=1).isoformat(),
                "notice": "Deux jours de plus pour se positionner.",
            },
            format="json",
        ),
        201,
    )
    client = api(user_of(world, role))

    notices = ok(client.get(challenge_url(challenge.pk, "deadline-notices/")))
    questions = ok(client.get(challenge_url(challenge.pk, "questions/")))["results"]

    assert [n["notice"] for n in notices] == ["Deux jours de plus pour se positionner."]
    drafts = [q.get("draft_answer") for q in questions]
    assert drafts == (["Brouillon."] if role == "buyer_staff" else [None] * len(questions))
    assert all(q["answer"] == "" for q in questions)


@pytest.mark.django_db
def test_extension_refused_after_the_deadline_with_409(world, clock, api):
    challenge = published(world)
    clock.move_to(POSITIONING_END)

    error(
        api(world.buyer_agent).post(
            challenge_url(challenge.pk, "deadlines/extend/"),
            {
                "which": "positioning",
                "new_deadline": later(POSITIONING_END, days=1).isoformat(),
                "notice": "Trop tard.",
            },
            format="json",
        ),
        409,
        "deadline_passed",
    )
