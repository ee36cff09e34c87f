"""The collective vote through the API: planned with the call, a ballot per organisation
cast and changed until the close, secret until then, the result explained after it."""

from datetime import timedelta

import pytest

from tests.workflows import journey
from tests.workflows.journey import sweep
from tests.workflows.vote_journey import in_vote, proposals

pytestmark = pytest.mark.django_db


def url(challenge, tail=""):
    return f"/api/v1/challenges/{challenge.pk}/vote/{tail}"


def test_the_buyer_plans_a_vote_with_its_draft_through_the_challenge_api(world, api):
    # given a draft
    challenge = journey.start(world)
    buyer = api(world.buyer_agent)
    # when its buyer plans a 10-day vote retaining commons judged at least « Assez bien »
    response = buyer.patch(
        f"/api/v1/challenges/{challenge.pk}/",
        {"collective_vote": {"planned": True, "days": 10, "min_grade": "Assez bien"}},
        format="json",
    )
    # then the call shows it
    assert response.status_code == 200, response.content
    plan = response.json()["collective_vote"]
    assert plan["days"] == 10
    assert plan["min_grade"] == "Assez bien"
    assert buyer.get(url(challenge)).json()["opened_at"] is None
    # a planned end in the past is refused on its field, in the error shape
    past = buyer.patch(
        f"/api/v1/challenges/{challenge.pk}/",
        {"collective_vote": {"planned": True, "planned_end": "2020-01-01T12:00:00+01:00"}},
        format="json",
    )
    assert past.status_code == 400
    assert set(past.json()) == {"code", "message", "fields"}
    assert "vote_planned_end" in past.json()["fields"]
    # withdrawn, the call has none
    buyer.patch(
        f"/api/v1/challenges/{challenge.pk}/",
        {"collective_vote": {"planned": False}},
        format="json",
    )
    assert buyer.get(f"/api/v1/challenges/{challenge.pk}/").json()["collective_vote"] is None
    assert buyer.get(url(challenge)).status_code == 404


def test_a_stranger_does_not_see_a_drafts_vote(world, api):
    challenge = journey.start(world)
    api(world.buyer_agent).patch(
        f"/api/v1/challenges/{challenge.pk}/",
        {"collective_vote": {"planned": True}},
        format="json",
    )
    assert api(world.stranger).get(url(challenge)).status_code == 404


def test_a_funder_votes_changes_its_ballot_and_reads_the_result_after_the_close(world, clock, api):
    # given an open vote on three commons
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    funder = api(world.funder_users[0])
    # the vote lists its commons to anyone who sees the call
    listed = api().get(url(challenge)).json()
    assert [c["proposal"] for c in listed["candidates"]] == [first.pk, second.pk, third.pk]
    assert listed["ballots_counted"] is None
    # when the funder casts its ballot, then changes it
    ballot = {str(first.pk): "Bien", str(second.pk): "Passable", str(third.pk): "Bien"}
    assert (
        funder.put(url(challenge, "ballot/"), {"grades": ballot}, format="json").status_code == 200
    )
    ballot[str(first.pk)] = "Très bien"
    changed = funder.put(url(challenge, "ballot/"), {"grades": ballot}, format="json")
    # then its ballot reads back as changed
    assert changed.status_code == 200
    assert changed.json()[0]["grades"][str(first.pk)] == "Très bien"
    assert funder.get(url(challenge, "ballot/")).json()[0]["grades"] == ballot
    # and the result is secret until the close (409)
    early = funder.get(url(challenge, "results/"))
    assert early.status_code == 409
    assert early.json()["code"] == "vote_not_closed"
    # when the vote closes, to the second
    clock.move_to(challenge.collective_vote.ends_at)
    sweep()
    # then a ballot is too late
    late = funder.put(url(challenge, "ballot/"), {"grades": ballot}, format="json")
    assert late.status_code == 409
    assert late.json()["code"] == "vote_closed"
    # and anyone reads the result, explained
    results = api().get(url(challenge, "results/"))
    assert results.status_code == 200
    body = results.json()
    assert body["ballots"] == 1
    rows = {r["proposal"]: r for r in body["results"]}
    assert rows[first.pk]["majority_grade"] == "Très bien"
    assert rows[first.pk]["retained"] is True
    assert rows[second.pk]["retained"] is False
    assert "en dessous de « Bien »" in rows[second.pk]["reason"]
    profile = {e["grade"]: e["percent"] for e in rows[first.pk]["profile"]}
    assert profile["Très bien"] == "100.0"
    assert next(e["grade"] for e in rows[first.pk]["profile"]) == "Excellent"


def test_the_result_in_english(world, clock, api):
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    api(world.funder_users[0]).put(
        url(challenge, "ballot/"),
        {"grades": {str(first.pk): "Bien", str(second.pk): "Bien", str(third.pk): "Passable"}},
        format="json",
    )
    clock.move_to(challenge.collective_vote.ends_at + timedelta(seconds=1))
    sweep()
    body = api().get(url(challenge, "results/"), HTTP_ACCEPT_LANGUAGE="en").json()
    rows = {r["proposal"]: r for r in body["results"]}
    assert rows[first.pk]["majority_grade"] == "Good"
    assert rows[third.pk]["reason"].startswith("Not retained")


def test_ballot_refusals_in_the_error_shape(world, clock, api):
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    full = {str(first.pk): "Bien", str(second.pk): "Bien", str(third.pk): "Bien"}
    # the buyer and a stranger do not vote: 403
    for user in (world.buyer_agent, world.stranger):
        refused = api(user).put(url(challenge, "ballot/"), {"grades": full}, format="json")
        assert refused.status_code == 403
        assert refused.json()["code"] == "not_a_voter"
        assert api(user).get(url(challenge, "ballot/")).status_code == 403
    # a contributor grading its own group's commons: 400 naming it
    own = api(world.partner_users[0]).put(
        url(challenge, "ballot/"), {"grades": full}, format="json"
    )
    assert own.status_code == 400
    assert list(own.json()["fields"]["grades"]) == [str(first.pk)]
    # without it, its ballot is taken; its own commons is listed as such
    del full[str(first.pk)]
    taken = api(world.partner_users[0]).put(
        url(challenge, "ballot/"), {"grades": full}, format="json"
    )
    assert taken.status_code == 200
    assert taken.json()[0]["own"] == [first.pk]
    # a mention off the scale: 400
    wrong = api(world.funder_users[0]).put(
        url(challenge, "ballot/"), {"grades": {str(first.pk): "Super"}}, format="json"
    )
    assert wrong.status_code == 400
    # another organisation than one's own: 403
    other = api(world.funder_users[0]).put(
        url(challenge, "ballot/"),
        {"organisation": world.funders[1].pk, "grades": full},
        format="json",
    )
    assert other.status_code == 403


def test_a_tie_on_the_majority_grade_is_explained_in_words_in_french_and_english(world, clock, api):
    # given two commons both judged « Bien » by a majority, one with a better next median
    challenge = in_vote(world, clock)
    first, second, third = proposals(challenge)
    for user in world.funder_users:
        api(user).put(
            url(challenge, "ballot/"),
            {
                "grades": {
                    str(first.pk): "Bien",
                    str(second.pk): "Bien",
                    str(third.pk): "Passable",
                }
            },
            format="json",
        )
    # (the third partner does not grade its own commons, the third)
    api(world.partner_users[2]).put(
        url(challenge, "ballot/"),
        {"grades": {str(first.pk): "Très bien", str(second.pk): "Assez bien"}},
        format="json",
    )
    clock.move_to(challenge.collective_vote.ends_at)
    sweep()
    # then the first passes the second, and the result says why, with the numbers
    french = api().get(url(challenge, "results/")).json()["results"]
    assert [r["proposal"] for r in french] == [first.pk, second.pk, third.pk]
    title_first, title_second = french[0]["title"], french[1]["title"]
    assert french[0]["tie_break"] == (
        f"À égalité de mention majoritaire (« Bien ») avec « {title_second} », "
        f"« {title_first} » passe devant : en retirant pas à pas la mention médiane de "
        "chacun, ils restent égaux jusqu'à ce que 33,3 % des mentions soient retirées ; "
        f"la mention médiane suivante est alors « Bien » pour « {title_first} » et "
        f"« Assez bien » pour « {title_second} »."
    )
    assert french[1]["tie_break"] == ""
    english = api().get(url(challenge, "results/"), HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert english[0]["tie_break"].startswith(
        f'Tied with "{title_second}" on the majority grade ("Good"), "{title_first}" comes first'
    )
    assert "33.3%" in english[0]["tie_break"]
    assert '"Fairly good" for' in english[0]["tie_break"]
