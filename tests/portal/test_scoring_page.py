"""The evaluator's scoring page: every part of each proposal beside its marks, a draft
that keeps the marks without submitting them, a review before the irrevocable
submission, and errors that name the proposal and the criterion."""

import pytest
from django.urls import reverse

from procurement.models import BudgetLine, Milestone
from scoring.models import Evaluation, Score
from tests.portal.steps import advance
from tests.portal.test_tasks import declare_none, score_data
from tests.workflows.journey import current_steps, open_task


def score_url(challenge, evaluator):
    return reverse("portal:task", args=[open_task(challenge, "score", owner=evaluator).pk])


@pytest.fixture
def scoring(world, clock, client, login):
    challenge = advance(world, clock, "score")
    evaluator = world.evaluators[0]
    declare_none(evaluator, challenge)
    login(evaluator)
    return challenge, evaluator, score_url(challenge, evaluator)


@pytest.mark.django_db
def test_scoring_page_shows_every_part_of_the_proposal(client, scoring):
    challenge, _evaluator, url = scoring
    page = client.get(url).content.decode()
    for proposal in challenge.proposals.all():
        assert f'id="proposition-complete-{proposal.pk}"' in page
        assert proposal.summary in page
        for line in BudgetLine.objects.filter(proposal=proposal):
            assert line.label in page
        for milestone in Milestone.objects.filter(proposal=proposal):
            assert milestone.title in page
    assert "Gouvernance" in page
    assert "Communauté" in page
    assert "Pièces jointes" in page


@pytest.mark.django_db
def test_draft_keeps_the_marks_without_submitting_them(client, scoring):
    # given marks on the first proposal only
    challenge, evaluator, url = scoring
    first = challenge.proposals.order_by("pk").first()
    data = {
        f"p{first.pk}_score_technique": "6",
        f"p{first.pk}_comment_technique": "Clair.",
        "action": "draft",
    }
    # when the evaluator saves the draft
    response = client.post(url, data)
    # then nothing is submitted, the task stays open, and the page gives the marks back
    assert response.status_code == 302
    assert not Evaluation.objects.filter(
        assignment__evaluator=evaluator, submitted_at__isnull=False
    ).exists()
    assert Score.objects.filter(evaluation__assignment__evaluator=evaluator).count() == 1
    assert "score" in current_steps(challenge)
    page = client.get(url).content.decode()
    assert f'name="p{first.pk}_score_technique" value="6"' in page
    assert "Clair.</textarea>" in page


@pytest.mark.django_db
def test_draft_refuses_a_mark_off_its_scale_naming_the_proposal(client, scoring):
    challenge, _evaluator, url = scoring
    first = challenge.proposals.order_by("pk").first()
    response = client.post(url, {f"p{first.pk}_score_technique": "42", "action": "draft"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f"« {first.title} », " in html.replace("&#x27;", "'").replace("&laquo;", "«")


@pytest.mark.django_db
def test_review_then_submit(client, scoring):
    challenge, evaluator, url = scoring
    data = score_data(challenge)
    # the review shows the marks and submits nothing
    review = client.post(url, {**data, "action": "review"})
    html = review.content.decode()
    assert review.status_code == 200
    assert "Relisez vos évaluations avant de les soumettre" in html
    assert 'value="submit"' in html
    assert not Evaluation.objects.filter(
        assignment__evaluator=evaluator, submitted_at__isnull=False
    ).exists()
    # the definitive submission
    done = client.post(url, {**data, "action": "submit"})
    assert done.status_code == 302
    assert (
        Evaluation.objects.filter(
            assignment__evaluator=evaluator, submitted_at__isnull=False
        ).count()
        == challenge.proposals.count()
    )


@pytest.mark.django_db
def test_review_names_each_proposal_and_criterion_in_fault(client, scoring):
    # given an extreme mark without its comment on two proposals
    challenge, _evaluator, url = scoring
    data = score_data(challenge)
    proposals = list(challenge.proposals.order_by("pk")[:2])
    for proposal in proposals:
        data[f"p{proposal.pk}_score_environnement"] = "10"
    response = client.post(url, {**data, "action": "review"})
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    for proposal in proposals:
        assert f"« {proposal.title} », Caractéristiques environnementales" in html
        assert f'href="#id_p{proposal.pk}_score_environnement"' in html
