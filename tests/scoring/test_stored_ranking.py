"""The ranking is stored when the scoring closes and served from there: the same
ranking as computed from the marks, per lot and with its ties; rewritten when an
evaluation comes in after the close; kept on the first read of a call closed before."""

import json

import pytest

from scoring.models import StoredRanking
from scoring.ranking import ranking_compute
from tests.api import scenarios
from tests.api.steps import challenge_url, ok
from tests.scoring.helpers import evaluate, marks, proposals
from tests.workflows import journey


def served(client, challenge) -> dict:
    return ok(client.get(challenge_url(challenge.pk, "ranking/")))


def as_json(data: dict) -> dict:
    return json.loads(json.dumps(data))


@pytest.mark.parametrize("lots", [{}, journey.ONE_LOT], ids=["a lot per resource", "one lot"])
@pytest.mark.django_db(transaction=True)
def test_ranking_stored_at_close_is_the_computed_one_per_lot_with_its_ties(
    world, clock, api, lots, django_assert_max_num_queries
):
    # given a call whose evaluators mark every proposal 7 (ties everywhere, at one price)
    # but the first proposal 9
    challenge = scenarios.scoring(world, clock, **lots)
    first = proposals(challenge)[0]
    everyone = dict.fromkeys(challenge.proposals.values_list("pk", flat=True), "7")
    journey.score_all(world, challenge, marks={**everyone, first.pk: "9"})

    # when the last scoring task closes the scoring
    challenge.refresh_from_db()
    assert challenge.status == "selection"

    # then the ranking is stored, and it is the one the marks give, lot by lot
    stored = StoredRanking.objects.get(challenge=challenge)
    assert stored.cause == "scoring.closed"
    assert stored.data == as_json(ranking_compute(challenge))
    assert len(stored.data["lots"]) == challenge.lots.count()
    tied = [e for e in stored.data["entries"] if e["tied_with"]]
    if lots:  # one lot: the two proposals marked 7 share the second rank
        assert [e["rank"] for e in stored.data["entries"]] == [1, 2, 2]
        assert len(tied) == 2
    # and the buyer is served that copy without recomputing it: token, call, staff
    # check, the stored row
    buyer = api(world.buyer_agent)
    with django_assert_max_num_queries(5):
        body = served(buyer, challenge)
    assert body == stored.data
    assert body["entries"][0]["proposal_id"] == first.pk


@pytest.mark.django_db(transaction=True)
def test_an_evaluation_after_the_close_rewrites_the_stored_ranking(world, clock, api):
    # given a closed scoring, every proposal at 7: a three-way tie in one lot
    challenge = scenarios.scoring(world, clock, **journey.ONE_LOT)
    journey.score_all(world, challenge, value="7")
    second = proposals(challenge)[1]
    buyer = api(world.buyer_agent)
    assert {e["rank"] for e in served(buyer, challenge)["entries"]} == {1}

    # when the buyer opens a second round and an evaluator marks the second proposal 9
    ok(
        buyer.post(challenge_url(challenge.pk, "rounds/"), {"reason": "Délibération."}),
        201,
    )
    ok(evaluate(api(world.evaluators[0]), challenge, second, marks(challenge, "9")), 201)

    # then the stored ranking moved with it, and is still the computed one
    stored = StoredRanking.objects.get(challenge=challenge)
    assert stored.cause == "evaluation.submitted"
    assert stored.data == as_json(ranking_compute(challenge))
    body = served(buyer, challenge)
    assert body["entries"][0]["proposal_id"] == second.pk
    assert body["entries"][0]["total"] == "84.00"


@pytest.mark.django_db(transaction=True)
def test_a_call_closed_without_a_stored_ranking_gets_it_on_first_read(world, clock, api):
    # given a closed scoring whose stored ranking is not there (closed before rankings
    # were stored)
    challenge = scenarios.scoring(world, clock)
    journey.score_all(world, challenge, value="6")
    StoredRanking.objects.filter(challenge=challenge).delete()

    # when the buyer reads the ranking, and its spreadsheet
    body = served(api(world.buyer_agent), challenge)
    csv = api(world.buyer_agent).get(challenge_url(challenge.pk, "ranking/export.csv"))

    # then it is the computed one, now kept
    assert body == as_json(ranking_compute(challenge))
    assert StoredRanking.objects.get(challenge=challenge).cause == "read"
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").count("\n") == 1 + len(body["entries"])
