"""Questions close at the buyer's question deadline, to the second; answers are drafted
privately then published to all at once; in a formal procedure, answers published less
than six days before the proposal deadline come with a warning and a proposed extension."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kernel.errors import ApplicationError, WrongState
from procurement.models import AuditEvent
from procurement.services.deadlines import (
    challenge_extend_deadline,
    challenge_set_questions_deadline,
)
from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from tests.api import scenarios
from tests.api.conftest import token_client
from tests.api.scenarios import PROPOSAL_END
from tests.api.steps import challenge_url, error, ok
from tests.conftest import later, paris

QUESTIONS_END = paris(2026, 10, 1, 12, 0)
FORMAL = Decimal("250000.00")  # above the 216,000 € HT threshold of 2026


@pytest.fixture
def api():
    """``api(user)``: a client signed in with the user's token; ``api()``: anonymous."""
    return lambda user=None: token_client(user) if user else APIClient()


def published(world, **fields):
    challenge = scenarios.published(world, **fields)
    challenge.refresh_from_db()
    return challenge


def ask(world, challenge, i=0, text="Quelle licence pour les données ?"):
    return question_ask(
        challenge=challenge,
        actor=world.partner_users[i],
        organisation=world.partners[i],
        text=text,
    )


def with_questions_deadline(world, **fields):
    challenge = published(world, **fields)
    return challenge_set_questions_deadline(
        actor=world.buyer_agent, challenge=challenge, questions_deadline=QUESTIONS_END
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offset", "accepted"), [(-1, True), (0, False), (1, False)], ids=["1s-before", "at", "after"]
)
def test_questions_close_at_the_buyers_question_deadline_to_the_second(
    world, clock, offset, accepted
):
    challenge = with_questions_deadline(world)
    clock.move_to(later(QUESTIONS_END, seconds=offset))

    if accepted:
        assert ask(world, challenge).pk
    else:
        with pytest.raises(WrongState) as refused:
            ask(world, challenge)
        assert refused.value.status_code == 409
        assert refused.value.code == "questions_closed"


@pytest.mark.django_db
def test_question_deadline_is_set_at_publication_and_must_precede_the_proposals(world, clock):
    from tests.workflows import journey

    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    challenge.refresh_from_db()
    journey.give_opinion(world, challenge)
    data = {
        "positioning_deadline": paris(2026, 9, 15, 17, 0).isoformat(),
        "proposal_deadline": PROPOSAL_END.isoformat(),
        "questions_deadline": later(PROPOSAL_END, seconds=1).isoformat(),
    }
    with pytest.raises(ApplicationError) as refused:
        journey.complete(challenge, "publish", world.buyer_agent, data)
    assert "questions_deadline" in refused.value.extra["fields"]

    journey.complete(
        challenge, "publish", world.buyer_agent, {**data, "questions_deadline": QUESTIONS_END}
    )
    challenge.refresh_from_db()
    assert challenge.questions_deadline == QUESTIONS_END


@pytest.mark.django_db
def test_question_deadline_set_later_once_then_only_extended(world, clock):
    challenge = published(world)
    with pytest.raises(ApplicationError):
        challenge_set_questions_deadline(
            actor=world.buyer_agent, challenge=challenge, questions_deadline=PROPOSAL_END
        )
    challenge_set_questions_deadline(
        actor=world.buyer_agent, challenge=challenge, questions_deadline=QUESTIONS_END
    )
    with pytest.raises(WrongState):
        challenge_set_questions_deadline(
            actor=world.buyer_agent,
            challenge=challenge,
            questions_deadline=later(QUESTIONS_END, days=1),
        )
    challenge_extend_deadline(
        actor=world.buyer_agent,
        challenge=challenge,
        which="questions",
        new_deadline=later(QUESTIONS_END, days=1),
        notice="Questions ouvertes un jour de plus.",
    )
    clock.move_to(later(QUESTIONS_END, hours=1))
    assert ask(world, challenge).pk  # open again until the new deadline


@pytest.mark.django_db
def test_drafted_answers_stay_private_then_are_published_together(world, clock, api):
    challenge = published(world)
    first, second, third = (
        ask(world, challenge, 0),
        ask(world, challenge, 1),
        ask(world, challenge, 0),
    )
    question_answer_draft(question=first, actor=world.buyer_agent, answer="ODbL.")
    question_answer_draft(question=second, actor=world.buyer_agent, answer="Oui.")
    url = challenge_url(challenge.pk, "questions/")

    # the partner who asked sees its question but not the buyer's draft
    asked = ok(api(world.partner_users[0]).get(url))["results"]
    assert {q["id"] for q in asked} == {first.pk, third.pk}
    assert all(q["answer"] == "" and "draft_answer" not in q for q in asked)
    assert ok(api().get(url))["results"] == []
    drafts = ok(api(world.buyer_agent).get(url))["results"]
    assert {q["draft_answer"] for q in drafts} == {"ODbL.", "Oui.", ""}

    clock.move_to(paris(2026, 9, 2, 10, 0))
    publication = questions_publish_answers(challenge=challenge, actor=world.buyer_agent)

    assert [q.pk for q in publication.questions] == [first.pk, second.pk]
    public = ok(api().get(url))["results"]
    assert [q["answer"] for q in public] == ["ODbL.", "Oui."]
    assert len({q["answered_at"] for q in public}) == 1  # one published time for all
    # the asker stays hidden: only a linkable hash, never the organisation
    assert all("organisation" not in q for q in public)
    assert public[0]["author_hash"] != public[1]["author_hash"]
    event = AuditEvent.objects.get(challenge=challenge, verb="answers.published")
    assert event.data["questions"] == [first.pk, second.pk]
    # nothing left to publish; a published answer is not rewritten
    with pytest.raises(WrongState):
        questions_publish_answers(challenge=challenge, actor=world.buyer_agent)
    with pytest.raises(WrongState):
        question_answer_draft(question=first, actor=world.buyer_agent, answer="Autre.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "before_deadline", "warned"),
    [
        (FORMAL, timedelta(days=6), False),
        (FORMAL, timedelta(days=6, seconds=-1), True),
        (FORMAL, timedelta(days=2), True),
        (Decimal("180000.00"), timedelta(days=2), False),  # MAPA: no six-day rule
    ],
    ids=["formal-6-days", "formal-1s-late", "formal-2-days", "mapa-2-days"],
)
def test_six_day_rule_warns_and_proposes_an_extension_in_formal_procedures(
    world, clock, amount, before_deadline, warned
):
    challenge = published(world, estimated_amount=amount)
    question = ask(world, challenge)
    question_answer_draft(question=question, actor=world.buyer_agent, answer="Oui.")
    clock.move_to(PROPOSAL_END - before_deadline)

    publication = questions_publish_answers(challenge=challenge, actor=world.buyer_agent)

    question.refresh_from_db()
    assert question.answer == "Oui."  # published in any case
    if not warned:
        assert publication.warning is None
        return
    warning = publication.warning
    assert warning.latest == PROPOSAL_END - timedelta(days=6)
    # the same Paris time of day, the first day that restores six full days
    assert warning.proposed_deadline >= publication.published_at + timedelta(days=6)
    assert warning.proposed_deadline.astimezone(PROPOSAL_END.tzinfo).time() == PROPOSAL_END.time()
    assert "six jours" in warning.message
    event = AuditEvent.objects.get(challenge=challenge, verb="answers.published")
    assert event.data["warning"]["code"] == "answers_late"


@pytest.mark.django_db
def test_proposed_extension_restores_six_days_across_the_daylight_saving_change(world, clock):
    # proposals due on 21 October 17:00 (CEST); answers on 20 October 17:00
    deadline = paris(2026, 10, 21, 17, 0)
    challenge = published(world, estimated_amount=FORMAL)
    challenge_extend_deadline(
        actor=world.buyer_agent,
        challenge=challenge,
        which="proposals",
        new_deadline=deadline,
        notice="Prolongation.",
    )
    question_answer_draft(question=ask(world, challenge), actor=world.buyer_agent, answer="Oui.")
    clock.move_to(paris(2026, 10, 20, 17, 0))

    warning = questions_publish_answers(challenge=challenge, actor=world.buyer_agent).warning

    # 26 October 17:00 Paris is CET (16:00 UTC): six days and one hour after the answers
    assert warning.proposed_deadline == paris(2026, 10, 26, 17, 0)
    assert warning.proposed_deadline.utcoffset() == timedelta(hours=1)

    challenge_extend_deadline(
        actor=world.buyer_agent,
        challenge=challenge,
        which="proposals",
        new_deadline=warning.proposed_deadline,
        notice="Six jours après les réponses.",
    )
    from procurement.services.questions import answers_late

    challenge.refresh_from_db()
    assert answers_late(challenge) is None


@pytest.mark.django_db
def test_publish_answers_api_returns_the_warning_and_the_extension_endpoint(world, clock, api):
    challenge = published(world, estimated_amount=FORMAL)
    question_answer_draft(question=ask(world, challenge), actor=world.buyer_agent, answer="Oui.")
    buyer = api(world.buyer_agent)
    clock.move_to(PROPOSAL_END - timedelta(days=3))

    body = ok(buyer.post(challenge_url(challenge.pk, "questions/publish/")))

    warning = body["warning"]
    assert warning["code"] == "answers_late"
    assert warning["can_extend"] is True
    assert warning["extend_url"].endswith(challenge_url(challenge.pk, "deadlines/extend/"))
    notice = ok(
        buyer.post(
            warning["extend_url"],
            {
                "which": "proposals",
                "new_deadline": warning["proposed_deadline"],
                "notice": "Délai de six jours rétabli.",
            },
            format="json",
        ),
        201,
    )
    assert notice["new_deadline"] == warning["proposed_deadline"]
    detail = ok(api().get(challenge_url(challenge.pk)))
    assert detail["proposal_deadline"] == warning["proposed_deadline"]
    error(buyer.post(challenge_url(challenge.pk, "questions/publish/")), 409, "nothing_to_publish")
