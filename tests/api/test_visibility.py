"""Who sees what (DESIGN.md, "Rules that hold everywhere"): what the caller may not see
answers 404, what it sees but may not do 403; lists are scoped by the caller."""

import pytest

from tests.api import scenarios
from tests.api.steps import TASKS, challenge_url, error, inbox, ok
from tests.workflows import journey
from tests.workflows.journey import complete, open_task


def listed(client, url) -> list[int]:
    body = ok(client.get(url, {"page_size": 200}))
    rows = body["results"] if isinstance(body, dict) else body
    return sorted(row["id"] for row in rows)


@pytest.mark.django_db
def test_draft_challenge_is_hidden_from_partners_and_the_public_but_seen_by_the_buyers_staff(
    world, clock, api, colleague
):
    # given a draft challenge
    challenge = journey.start(world)

    # when the public, a partner, an evaluator, a stranger or the Chambre it has not yet
    # been referred to look for it, then it does not exist for them, nor do its parts
    for user in (
        None,
        world.partner_users[0],
        world.evaluators[0],
        world.stranger,
        world.moderator,
    ):
        client = api(user)
        for tail in ("", "resources/", "questions/", "positions/", "proposals/", "grid/"):
            error(client.get(challenge_url(challenge.pk, tail)), 404, "challenge_not_found")
        assert challenge.pk not in listed(client, "/api/v1/challenges/")
    error(api(world.partner_users[0]).get(challenge_url(challenge.pk, "audit/")), 404)

    # when the buyer's staff look, then they see it
    for user in (world.buyer_agent, colleague):
        client = api(user)
        assert ok(client.get(challenge_url(challenge.pk)))["status"] == "draft"
        assert challenge.pk in listed(client, "/api/v1/challenges/")


@pytest.mark.django_db
def test_published_challenge_is_public(world, clock, api):
    # given a published challenge
    challenge = scenarios.published(world)

    # when anyone looks for it, then it is there
    for user in (None, world.partner_users[0], world.stranger):
        assert ok(api(user).get(challenge_url(challenge.pk)))["status"] == "positioning"
        assert challenge.pk in listed(api(user), "/api/v1/challenges/")


@pytest.mark.django_db
def test_sealed_proposals_are_read_by_nobody_but_their_groups_members_before_the_deadline(
    world, clock, api, colleague, porteur
):
    # given proposals submitted by each working group, the deadline still to come
    challenge = scenarios.sealed(world, clock)
    proposals = list(challenge.proposals.order_by("group__resource__order"))
    own, other = proposals[0], proposals[1]
    url = challenge_url(challenge.pk, "proposals/")

    # when the buyer, an evaluator, the Chambre, another partner, a stranger or the
    # public read them, then none is listed and each is missing
    outsiders = [
        world.buyer_agent,
        colleague,
        world.evaluators[0],
        world.moderator,
        porteur,
        world.partner_users[1],
        world.stranger,
        None,
    ]
    for user in outsiders:
        client = api(user)
        visible = [p.pk for p in proposals if p.pk in listed(client, url)]
        if user == world.partner_users[1]:
            assert visible == [other.pk]
        else:
            assert visible == [], user
        error(client.get(f"{url}{own.pk}/"), 404, "proposal_not_found")

    # when the group's member reads it, then it sees its own proposal, whole
    member_client = api(world.partner_users[0])
    assert listed(member_client, url) == [own.pk]
    detail = ok(member_client.get(f"{url}{own.pk}/"))
    assert detail["title"] == own.title
    assert detail["amount"] == "30000.00"
    error(member_client.get(f"{url}{other.pk}/"), 404, "proposal_not_found")


@pytest.mark.django_db
def test_proposals_stay_sealed_past_the_deadline_until_opened_then_the_buyer_reads_them(
    world, clock, api
):
    # given sealed proposals whose deadline has just passed, before the sweep opened them
    challenge = scenarios.sealed(world, clock)
    proposals = sorted(challenge.proposals.values_list("pk", flat=True))
    url = challenge_url(challenge.pk, "proposals/")
    clock.move_to(scenarios.PROPOSAL_END)
    buyer = api(world.buyer_agent)
    assert listed(buyer, url) == []

    # when the periodic job opens them
    journey.sweep()

    # then the buyer reads them all
    assert listed(buyer, url) == proposals
    assert ok(buyer.get(f"{url}{proposals[0]}/"))["id"] == proposals[0]
    # and still not another group's partner, nor the public, nor an unassigned evaluator
    assert listed(api(world.partner_users[1]), url) == [proposals[1]]
    error(api(world.partner_users[1]).get(f"{url}{proposals[0]}/"), 404)
    assert listed(api(), url) == []
    assert listed(api(world.evaluators[0]), url) == []

    # when the evaluators are assigned, then an evaluator reads a proposal it must score
    # once it has declared no conflict of interest on it, not before
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    evaluator = api(world.evaluators[0])
    assert listed(evaluator, url) == []
    assignments = ok(evaluator.get(challenge_url(challenge.pk, "assignments/")))["results"]
    first = next(a for a in assignments if a["proposal"] == proposals[0])
    ok(
        evaluator.post(
            challenge_url(challenge.pk, f"assignments/{first['id']}/declare/"),
            {"conflict": False},
            format="json",
        )
    )
    assert listed(evaluator, url) == [proposals[0]]


@pytest.mark.django_db
def test_audit_trail_is_forbidden_to_a_partner_on_a_published_challenge(world, clock, api):
    # given a published challenge, which everyone may see
    challenge = scenarios.published(world)
    url = challenge_url(challenge.pk, "audit/")

    # when a partner, an evaluator, a funder or a stranger read its audit trail, then it
    # is forbidden
    for user in (world.partner_users[0], world.evaluators[0], world.funder_users[0]):
        error(api(user).get(url), 403, "audit_restricted")
    # and the public must sign in first
    error(api().get(url), 401)
    # while the buyer's staff and the Chambre read it
    for user in (world.buyer_agent, world.moderator):
        assert ok(api(user).get(url))["verification"]["valid"] is True


@pytest.mark.django_db
def test_positions_are_seen_by_their_organisation_and_the_buyer_only(world, clock, api):
    # given each partner positioned on one resource of a published challenge
    challenge = scenarios.published(world)
    journey.position_and_propose(world, challenge)
    url = challenge_url(challenge.pk, "positions/")

    # when each partner lists the positions, then it sees its own organisation's only
    for org, user in zip(world.partners, world.partner_users, strict=True):
        rows = ok(api(user).get(url))["results"]
        assert [row["organisation"]["id"] for row in rows] == [org.pk]
    # and the buyer sees them all, the public and strangers none
    assert ok(api(world.buyer_agent).get(url))["count"] == 3
    for user in (None, world.stranger, world.funder_users[0]):
        assert ok(api(user).get(url))["count"] == 0


@pytest.mark.django_db
def test_tasks_lists_only_what_the_caller_can_act_on(world, clock, api, colleague):
    # given a challenge being scored (one task per evaluator), another buyer's draft,
    # and a draft of this buyer that a colleague has claimed
    scored = scenarios.scoring(world, clock)
    foreign, other_agent = scenarios.other_buyers_draft(world)
    held = journey.start(world, title="Appel pris par un collègue")
    ok(api(colleague).post(f"{TASKS}{open_task(held, 'draft').pk}/claim/"))

    def steps(user) -> set[tuple[int, str]]:
        return {(t["challenge"], t["step"]) for t in inbox(api(user))}

    # when each lists its tasks, then it sees what it can act on now, and nothing else
    score_tasks = {user.pk: open_task(scored, "score", owner=user).pk for user in world.evaluators}
    for user in world.evaluators:
        tasks = inbox(api(user))
        assert [(t["id"], t["owner"]) for t in tasks] == [(score_tasks[user.pk], user.username)]
    assert steps(world.buyer_agent) == set()
    assert steps(colleague) == {(held.pk, "draft")}
    assert steps(other_agent) == {(foreign.pk, "draft")}
    for user in (world.moderator, *world.partner_users, *world.funder_users, world.stranger):
        assert steps(user) == set()
    # and another's task is missing, not forbidden
    first, second = world.evaluators
    error(api(first).get(f"{TASKS}{score_tasks[second.pk]}/"), 404, "task_not_found")
    error(api(world.buyer_agent).get(f"{TASKS}{score_tasks[first.pk]}/"), 404)
    error(api(other_agent).get(f"{TASKS}{open_task(held, 'draft').pk}/"), 404)


@pytest.mark.django_db
def test_a_chambre_member_who_may_not_issue_opinions_has_no_opinion_task(
    world, clock, api, porteur
):
    # given a call referred to the Chambre
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)

    # when a member of the porteurs' group and the modérateur read their tasks
    porteur_tasks = inbox(api(porteur), challenge=challenge.pk)
    moderator_tasks = inbox(api(world.moderator), challenge=challenge.pk)

    # then only the modérateur, who issues opinions, has the opinion task
    assert [t["step"] for t in moderator_tasks] == ["call_opinion"]
    assert porteur_tasks == []


@pytest.mark.django_db
def test_an_evaluator_sees_others_scores_only_after_submitting_its_own(world, clock, api):
    # given a challenge being scored, the first evaluator having submitted its scores
    challenge = scenarios.scoring(world, clock)
    first, second = world.evaluators
    codes = [
        c["code"]
        for c in ok(api(first).get(challenge_url(challenge.pk, "grid/")))["criteria"]
        if c["scale"] != "price"  # marked by the price formula
    ]
    proposals = list(challenge.proposals.values_list("pk", flat=True))

    def score(evaluator):
        complete(
            challenge,
            "score",
            evaluator,
            owner=evaluator,
            data={
                "evaluations": [
                    {"proposal": pk, "conflict": False, "scores": dict.fromkeys(codes, "6")}
                    for pk in proposals
                ]
            },
        )

    def evaluators_seen(user) -> list[str]:
        rows = ok(api(user).get(challenge_url(challenge.pk, "evaluations/")))["results"]
        return sorted(row["evaluator"] for row in rows)

    score(first)

    # when each evaluator lists the evaluations, then the second sees nothing yet
    assert evaluators_seen(first) == [first.username] * len(proposals)
    assert evaluators_seen(second) == []
    # and partners see no one's
    assert evaluators_seen(world.partner_users[0]) == []

    # when the second submits its own, then it sees both
    score(second)
    assert evaluators_seen(second) == sorted([first.username, second.username] * len(proposals))
    assert len(evaluators_seen(world.buyer_agent)) == 2 * len(proposals)
