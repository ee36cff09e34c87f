"""No N+1: every list endpoint runs the same number of queries for a few rows and for
many (API.md, "Lists"; DESIGN.md, "Rules that hold everywhere").

Each test measures an endpoint at two sizes under one bound. The bound is the budget of
the endpoint; the equality of the two counts is what proves that the count does not
grow with the rows. The rows are made through the services and the engine.
"""

from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.text import slugify

from procurement.models import (
    AuditChainHead,
    ChallengeResource,
    Commons,
    CommonsCategory,
    OrganisationKind,
)
from procurement.services.cofunding import (
    allocation_set,
    matching_offer_create,
    pledge_create,
    subsidy_record,
)
from procurement.services.hosting import resource_host_designate
from procurement.services.positions import position_create
from procurement.services.proposals import proposal_submit
from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from tests.api import scenarios
from tests.api.scenarios import COFUNDING_END, POSITIONING_END, PROPOSAL_END
from tests.api.steps import challenge_url, ok
from tests.api.test_deadlines import post_proposal
from tests.conftest import later
from tests.factories import OrganisationFactory
from tests.workflows import journey
from tests.workflows.journey import complete, sweep

SMALL, LARGE = 2, 12

# The queries each list may run, whatever its size. A signed-in caller's token costs one;
# e.g. the positions: token, challenge, "is the caller the buyer's staff?", count, page.
BUDGET = {
    "challenges": 4,  # + the caller's organisations, read once for the visibility filter
    "tasks": 4,  # token, count, the page's ids, their rows
    "processes": 3,
    "commons": 2,
    "organisations": 2,
    "positions": 6,  # + the positions' contributions
    "questions": 6,  # + which serializer: the buyer also reads its drafts
    "working-groups": 4,
    "proposals": 10,  # + budget lines, milestones, attachments, lots, member shares (one each)
    "evaluations": 7,
    "assignments": 8,
    "opinions": 4,  # challenge, opinions with their referral, commons, answers
    "cofunding": 9,  # the round and its buckets, pledges, subsidies, envelopes, matches
}


def catalogue(count: int, host) -> list[Commons]:
    """Commons referenced in the catalogue."""
    start = Commons.objects.count()
    return [
        Commons.objects.create(
            name=f"Commun {start + i}",
            slug=slugify(f"commun-{start + i}"),
            category=CommonsCategory.KNOWLEDGE,
            licence="EUPL-1.2",
            host=host,
            referenced=True,
            referenced_at=timezone.now(),
        )
        for i in range(count)
    ]


def measure(django_assert_max_num_queries, client, url, bound, rows):
    """GET ``url`` under ``bound`` queries; check it returned ``rows`` rows; return the
    number of queries it ran."""
    path, _, query = url.partition("?")
    params = {**dict(parse_qsl(query)), "page_size": 200}
    with django_assert_max_num_queries(bound, info=url) as captured:
        response = client.get(path, params)
    body = ok(response)
    listed = body["results"] if isinstance(body, dict) and "results" in body else body
    assert len(listed) == rows, (url, len(listed))
    return len(captured)


def assert_constant(django_assert_max_num_queries, client, urls_rows: dict, bound: int):
    """Each url with its expected rows, measured under the same bound, same count."""
    counts = {
        url: measure(django_assert_max_num_queries, client, url, bound, rows)
        for url, rows in urls_rows.items()
    }
    assert len(set(counts.values())) == 1, counts


# --- lists over the whole service -----------------------------------------------------


def drafts(world, count: int) -> None:
    for i in range(count):
        journey.start(world, title=f"Appel {i}", resources=journey.RESOURCES[: 1 + i % 3])


@pytest.mark.parametrize("name", ["challenges", "tasks", "processes"])
@pytest.mark.django_db
def test_lists_of_challenges_tasks_and_processes_run_constant_queries(
    world, clock, api, django_assert_max_num_queries, name
):
    # given a few challenges in draft, each with its process and drafting task
    url, bound = f"/api/v1/{name}/", BUDGET[name]
    buyer = api(world.buyer_agent)
    drafts(world, SMALL)
    small = measure(django_assert_max_num_queries, buyer, url, bound, SMALL)

    # when many more exist
    drafts(world, LARGE - SMALL)

    # then the buyer's agent lists them with as many queries as for a few
    assert measure(django_assert_max_num_queries, buyer, url, bound, LARGE) == small


# By cursor (``?cursor=``), the call and task lists count nothing: the calls one query
# fewer than by page; the tasks read their page's ids without the count, then its rows.
CURSOR_BUDGET = {"challenges": 3, "tasks": 3}


@pytest.mark.parametrize("name", ["challenges", "tasks"])
@pytest.mark.django_db
def test_lists_of_challenges_and_tasks_by_cursor_count_nothing_and_read_one_page(
    world, clock, api, django_assert_max_num_queries, name
):
    url, bound = f"/api/v1/{name}/", CURSOR_BUDGET[name]
    buyer = api(world.buyer_agent)

    def by_cursor(size: int, rows: int) -> int:
        """A first page of ``size`` by cursor, which holds ``rows``: no query counts the
        list, one reads the page and the next row; the number of queries."""
        with django_assert_max_num_queries(bound, info=url) as captured:
            body = ok(buyer.get(url, {"cursor": "", "page_size": size}))
        assert len(body["results"]) == rows
        assert "count" not in body
        statements = [query["sql"] for query in captured.captured_queries]
        assert not [sql for sql in statements if "COUNT(*)" in sql.upper()], statements
        assert [sql for sql in statements if f"LIMIT {size + 1}" in sql], statements
        return len(statements)

    # given a few drafts, each with its process and drafting task
    drafts(world, SMALL)
    small = by_cursor(200, SMALL)

    # when many more exist, then a page of all of them, or of two, takes as many queries
    drafts(world, LARGE - SMALL)
    assert by_cursor(200, LARGE) == small
    assert by_cursor(2, 2) == small


@pytest.mark.django_db
def test_commons_catalogue_runs_constant_queries(world, clock, api, django_assert_max_num_queries):
    # given a few commons of the catalogue, each with its host
    url, bound = "/api/v1/commons/", BUDGET["commons"]
    catalogue(SMALL, world.host)
    small = measure(django_assert_max_num_queries, api(), url, bound, SMALL)

    # when the catalogue grows, then the public reads it in as many queries
    catalogue(LARGE - SMALL, world.host)
    assert measure(django_assert_max_num_queries, api(), url, bound, LARGE) == small


@pytest.mark.django_db
def test_organisations_list_runs_constant_queries(world, clock, api, django_assert_max_num_queries):
    # given a few hosts
    url, bound = "/api/v1/organisations/?kind=host", BUDGET["organisations"]
    OrganisationFactory(name="Hôte 0", kind=OrganisationKind.HOST)
    small = measure(django_assert_max_num_queries, api(), url, bound, SMALL)

    # when there are many, then the list takes as many queries
    for i in range(1, LARGE - SMALL + 1):
        OrganisationFactory(name=f"Hôte {i}", kind=OrganisationKind.HOST)
    assert measure(django_assert_max_num_queries, api(), url, bound, LARGE) == small


# --- lists of one challenge -------------------------------------------------------------

STAGES = ["published", "proposals", "scored", "cofunding"]


def grow(world, clock, until: str) -> dict[int, object]:
    """Two challenges, of SMALL and LARGE resources, brought in step to ``until``:

    - one opinion per resource (loops of reservations and revisions, then the
      selection's), each recommending commons;
    - per resource: two positions, one question (every other one answered), a working
      group of two, a proposal, two evaluations, a bucket with one pledge.
    """
    commons = catalogue(3, world.host)
    challenges = {}
    for size in (SMALL, LARGE):
        resources = [
            {"title": f"Ressource {i}", "expected_licence": "EUPL-1.2"} for i in range(size)
        ]
        challenge = journey.start(world, title=f"Appel de {size}", resources=resources)
        complete(challenge, "draft", world.buyer_agent)
        for _ in range(size - 2):
            journey.give_opinion(
                world,
                challenge,
                verdict="reservations",
                reservations=["Préciser la licence"],
                recommended_commons=commons,
            )
            complete(challenge, "revise", world.buyer_agent, {"resubmit": True})
        journey.give_opinion(world, challenge, recommended_commons=commons)
        complete(
            challenge,
            "publish",
            world.buyer_agent,
            {
                "positioning_deadline": POSITIONING_END.isoformat(),
                "proposal_deadline": PROPOSAL_END.isoformat(),
            },
        )
        challenge.refresh_from_db()
        resources = ChallengeResource.objects.filter(challenge=challenge).order_by("order")
        for i, resource in enumerate(resources):
            for shift, intent in ((0, "produce"), (1, "contribute")):
                k = (i + shift) % 3
                position_create(
                    actor=world.partner_users[k],
                    resource=resource,
                    organisation=world.partners[k],
                    intent=intent,
                    contributions=[
                        {"kind": "skills", "days": Decimal(10)},
                        {"kind": "money", "amount": Decimal(5000)},
                    ],
                )
            question = question_ask(
                challenge=challenge,
                actor=world.partner_users[i % 3],
                organisation=world.partners[i % 3],
                text=f"Question {i}",
            )
            if i % 2:
                question_answer_draft(question=question, actor=world.buyer_agent, answer="Réponse")
                questions_publish_answers(challenge=challenge, actor=world.buyer_agent)
        challenges[size] = challenge
    if until == "published":
        return challenges

    clock.move_to(POSITIONING_END)
    sweep()
    for challenge in challenges.values():
        resources = ChallengeResource.objects.filter(challenge=challenge).order_by("order")
        for i, resource in enumerate(resources):
            proposal_submit(
                actor=world.partner_users[i % 3],
                group=resource.working_group,
                title=f"Proposition {i}",
                summary="Produire le commun.",
                deliverables="Code",
                licence="EUPL-1.2",
                budget_lines=journey.budget_lines("30000.00"),
                milestones=journey.milestones(),
            )
    if until == "proposals":
        return challenges

    clock.move_to(later(PROPOSAL_END, seconds=1))
    sweep()
    for challenge in challenges.values():
        complete(
            challenge,
            "assign_evaluators",
            world.buyer_agent,
            {"evaluators": [u.pk for u in world.evaluators]},
        )
        journey.score_all(world, challenge)
    if until == "scored":
        return challenges

    for challenge in challenges.values():
        complete(
            challenge,
            "select",
            world.buyer_agent,
            {
                "proposals": list(challenge.proposals.values_list("pk", flat=True)),
                "cofunding_deadline": COFUNDING_END.isoformat(),
            },
        )
        journey.give_opinion(world, challenge, "selection_opinion", recommended_commons=commons)
        challenge.refresh_from_db()
        round_ = challenge.cofunding_round
        for funder, user in zip(world.funders, world.funder_users, strict=True):
            allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal("500000"))
        for i, bucket in enumerate(round_.buckets.order_by("pk")):
            pledge_create(
                actor=world.funder_users[i % 2],
                bucket=bucket,
                funder=world.funders[i % 2],
                amount=Decimal("1000"),
            )
    return challenges


@pytest.mark.django_db
def test_positions_and_questions_lists_run_constant_queries(
    world, clock, api, django_assert_max_num_queries
):
    # given a published challenge of a few resources and one of many, two positions and
    # one question per resource
    challenges = grow(world, clock, "published")

    # when the buyer's agent lists them, then each list takes as many queries at both sizes
    buyer = api(world.buyer_agent)
    for name, per_resource in (("positions", 2), ("questions", 1)):
        assert_constant(
            django_assert_max_num_queries,
            buyer,
            {
                challenge_url(c.pk, f"{name}/"): size * per_resource
                for size, c in challenges.items()
            },
            BUDGET[name],
        )
    # and so does a partner's scoped view of the questions (its own and the answered)
    partner = api(world.partner_users[0])
    assert_constant(
        django_assert_max_num_queries,
        partner,
        {
            challenge_url(c.pk, "questions/"): len([i for i in range(size) if i % 3 == 0 or i % 2])
            for size, c in challenges.items()
        },
        BUDGET["questions"],
    )


@pytest.mark.django_db
def test_working_groups_and_sealed_proposals_lists_run_constant_queries(
    world, clock, api, django_assert_max_num_queries
):
    # given challenges of a few and of many resources, each with a working group of two
    # and a sealed proposal per resource
    challenges = grow(world, clock, "proposals")

    # when the public lists the working groups, then as many queries at both sizes
    assert_constant(
        django_assert_max_num_queries,
        api(),
        {challenge_url(c.pk, "working-groups/"): size for size, c in challenges.items()},
        BUDGET["working-groups"],
    )
    # and a partner lists the sealed proposals of its groups in as many queries
    assert_constant(
        django_assert_max_num_queries,
        api(world.partner_users[0]),
        {
            challenge_url(c.pk, "proposals/"): len([i for i in range(size) if i % 3 in (0, 2)])
            for size, c in challenges.items()
        },
        BUDGET["proposals"],
    )


@pytest.mark.django_db
def test_opened_proposals_evaluations_and_opinions_lists_run_constant_queries(
    world, clock, api, django_assert_max_num_queries
):
    # given challenges of a few and of many proposals, each scored by two evaluators
    challenges = grow(world, clock, "scored")
    buyer = api(world.buyer_agent)

    # when the buyer lists proposals and evaluations, the public the opinions, then each
    # list takes as many queries at both sizes
    # (one opinion per resource but the selection's, still to come)
    for client, name, rows in (
        (buyer, "proposals", {SMALL: SMALL, LARGE: LARGE}),
        (buyer, "evaluations", {SMALL: 2 * SMALL, LARGE: 2 * LARGE}),
        (api(world.evaluators[0]), "evaluations", {SMALL: 2 * SMALL, LARGE: 2 * LARGE}),
        (buyer, "assignments", {SMALL: 2 * SMALL, LARGE: 2 * LARGE}),
        (api(world.evaluators[0]), "assignments", {SMALL: SMALL, LARGE: LARGE}),
        (api(), "opinions", {SMALL: SMALL - 1, LARGE: LARGE - 1}),
    ):
        assert_constant(
            django_assert_max_num_queries,
            client,
            {challenge_url(c.pk, f"{name}/"): rows[size] for size, c in challenges.items()},
            BUDGET[name],
        )


@pytest.mark.django_db
def test_cofunding_round_runs_constant_queries(world, clock, api, django_assert_max_num_queries):
    # given cofunding rounds of a few and of many buckets, each pledged and subsidised
    challenges = grow(world, clock, "cofunding")
    for challenge in challenges.values():
        for bucket in challenge.cofunding_round.buckets.select_related("proposal__group"):
            # a subsidy goes to the commons' host: designated first
            resource_host_designate(
                actor=world.buyer_agent, resource=bucket.proposal.group.resource, host=world.host
            )
            subsidy_record(
                actor=world.buyer_agent, bucket=bucket, funder_name="ANCT", amount=Decimal("500")
            )
        # and a matching offer of the buyer on every bucket
        matching_offer_create(
            actor=world.buyer_agent,
            round_=challenge.cofunding_round,
            matcher=world.buyer,
            ratio=Decimal("0.5"),
            cap=Decimal("100000"),
            buckets=list(challenge.cofunding_round.buckets.all()),
        )

    # when the public reads each round, then it takes as many queries at both sizes
    counts = {}
    for size, challenge in challenges.items():
        with django_assert_max_num_queries(BUDGET["cofunding"], info=f"{size}") as captured:
            body = ok(api().get(challenge_url(challenge.pk, "cofunding/")))
        assert len(body["buckets"]) == size
        assert all(len(b["pledges"]) == 1 for b in body["buckets"])
        assert all(len(b["subsidies"]) == 1 for b in body["buckets"])
        assert all(b["total"] == "1500.00" for b in body["buckets"])
        assert len(body["allocations"]) == 2
        assert all(b["matched"] == "500.00" for b in body["buckets"])
        assert len(body["matching_offers"]) == 1
        counts[size] = len(captured)
    assert counts[SMALL] == counts[LARGE], counts
    # and the opinions list, now with the selection's, too
    assert_constant(
        django_assert_max_num_queries,
        api(),
        {challenge_url(c.pk, "opinions/"): size for size, c in challenges.items()},
        BUDGET["opinions"],
    )


# A submission in the deadline rush (issue 20, item 1): the queries of one POST, from the
# token to the answer, transaction statements included (BEGIN and COMMIT), and the test's
# own look-up of the group. On PostgreSQL a new proposal's lines, milestones and lots are
# one statement (_insert_parts), its sealed event and chain head another (_insert_first).
SUBMISSION_BUDGET = {"new": 11, "replaced": 16}
POSTGRESQL_SUBMISSION_BUDGET = {"new": 8, "replaced": 16}


@pytest.mark.django_db(transaction=True)
def test_a_submission_runs_a_few_queries_and_touches_no_other_proposals_chain(world, clock, api):
    # given open proposals and three groups
    challenge = scenarios.in_proposals(world, clock)
    first, second, _third = ChallengeResource.objects.filter(challenge=challenge).order_by("order")
    clock.move_to(later(PROPOSAL_END, seconds=-60))

    def submit(user, resource):
        with CaptureQueriesContext(connection) as captured:
            body = ok(post_proposal(api(user), challenge, resource), 201)
        return body, [query["sql"] for query in captured.captured_queries]

    api(world.partner_users[0]), api(world.partner_users[1])  # their tokens, obtained before

    # when a group submits, replaces its proposal, and another group submits
    new, new_sql = submit(world.partner_users[0], first)
    _again, again_sql = submit(world.partner_users[0], first)
    other, other_sql = submit(world.partner_users[1], second)

    # then each runs within its budget, the answer included
    budget = (
        POSTGRESQL_SUBMISSION_BUDGET if connection.vendor == "postgresql" else SUBMISSION_BUDGET
    )
    assert len(new_sql) <= budget["new"], new_sql
    assert len(other_sql) <= budget["new"], other_sql
    assert len(again_sql) <= budget["replaced"], again_sql
    # and the only chain head each touches is its own proposal's: no row shared by the
    # submissions of different groups, no lock on the call's sealed chain
    for body, queries in ((new, new_sql), (new, again_sql), (other, other_sql)):
        heads = [sql for sql in queries if "auditchainhead" in sql]
        assert heads, queries
        own = f"sealed:{challenge.pk}:{body['id']}"
        by_id = f'"procurement_auditchainhead"."id" = {AuditChainHead.objects.get(chain=own).pk}'
        assert all(f"'{own}'" in sql or by_id in sql for sql in heads), heads
