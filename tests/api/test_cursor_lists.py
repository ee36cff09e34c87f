"""The task and call lists by cursor (issue 20, item 4): with ``?cursor=`` they answer
``{next, previous, results}`` without counting, the rows and the order of the page
mode, its filters, its page size and its visibility; a walk from the first page to
the last gives every row once, even when rows are created or done between two pages.
Without ``cursor`` they answer by page number as before."""

from datetime import UTC, datetime, timedelta

import pytest

from procurement.models import Challenge, ChallengeStatus, OrganisationKind, Role
from tests.api import scenarios
from tests.api.steps import TASKS, claim, encoded, error, ok
from tests.conftest import member
from tests.factories import OrganisationFactory
from tests.workflows import journey
from tests.workflows.journey import complete, open_task

CALLS = "/api/v1/challenges/"


def cursor_page(client, url, **params) -> dict:
    """One answer in cursor mode, which carries no count."""
    body = ok(client.get(url, params))
    assert set(body) == {"next", "previous", "results"}, body.keys()
    return body


def walk(client, url, between=None, **params) -> list[dict]:
    """Every row by cursor, from the first page (an empty cursor) along the ``next``
    links; ``between(n)`` runs after the n-th page."""
    body = cursor_page(client, url, cursor="", **params)
    assert body["previous"] is None
    rows, pages = list(body["results"]), 1
    while body["next"]:
        assert "cursor=" in body["next"]
        if between is not None:
            between(pages)
        body = cursor_page(client, body["next"])
        assert body["previous"] is not None
        rows += body["results"]
        pages += 1
    return rows


def paged(client, url, **params) -> list[dict]:
    """Every row by page number, in one page."""
    body = ok(client.get(url, {"page_size": 200, **params}))
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"])
    return body["results"]


def ids(rows) -> list[int]:
    return [row["id"] for row in rows]


def drafts(world, clock, count: int, **fields) -> list:
    """``count`` drafts of the buyer, a minute apart (each with its drafting task)."""
    made = []
    for i in range(count):
        clock.shift(timedelta(minutes=1))
        made.append(journey.start(world, title=f"Appel {i}", **fields))
    return made


# --- the walk ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [TASKS, CALLS])
@pytest.mark.django_db
def test_a_walk_by_cursor_gives_the_page_modes_rows_once_each_in_its_order(world, clock, api, url):
    # given seven drafts of the buyer, each with its task
    drafts(world, clock, 7)
    client = api(world.buyer_agent)

    # when the buyer's agent walks the list three rows at a time
    rows = walk(client, url, page_size=3)

    # then it has read, once each and in the same order, the rows the page mode gives,
    # each the same JSON
    assert len(rows) == 7
    assert rows == paged(client, url)


@pytest.mark.parametrize("url", [TASKS, CALLS])
@pytest.mark.django_db
def test_rows_created_in_the_same_instant_are_walked_once_each(world, clock, api, url):
    # given five drafts created at the same moment (the clock stands still)
    for i in range(5):
        journey.start(world, title=f"Appel {i}")
    client = api(world.buyer_agent)

    # when walked two at a time, then each comes once, in the page mode's order
    assert walk(client, url, page_size=2) == paged(client, url)


@pytest.mark.parametrize("url", [TASKS, CALLS])
@pytest.mark.django_db
def test_rows_created_between_two_pages_neither_repeat_nor_hide_the_older_ones(
    world, clock, api, url
):
    # given six drafts, listed by the buyer's agent before anything changes
    drafts(world, clock, 6)
    client = api(world.buyer_agent)
    before = paged(client, url)

    # when two calls (and their tasks) are drafted after each of the first two pages
    def two_more(page):
        if page <= 2:
            drafts(world, clock, 2)

    rows = walk(client, url, between=two_more, page_size=2)

    # then the walk gave the rows older than its first page once each, in order, and
    # none of the new ones: they are at the head of the list, for the next walk
    assert rows == before
    now = paged(client, url)
    assert len(now) == 10
    assert now[4:] == before


@pytest.mark.django_db
def test_tasks_done_between_two_pages_shift_nothing(world, clock, api):
    # given six drafts of the buyer, each with its drafting task
    calls = drafts(world, clock, 6)
    client = api(world.buyer_agent)
    before = paged(client, TASKS)

    # when the newest two are completed (referred to the Chambre) after the first page
    def done(page):
        if page == 1:
            for call in calls[-2:]:
                complete(call, "draft", world.buyer_agent)

    rows = walk(client, TASKS, between=done, page_size=2)

    # then the walk read every other task, none skipped, none twice (a page number
    # would have skipped the two that moved up into page 1)
    assert ids(rows) == ids(before)


@pytest.mark.django_db
def test_the_previous_link_goes_back_to_the_page_before(world, clock, api):
    # given five drafts, and the second page of their tasks, two a page
    drafts(world, clock, 5)
    client = api(world.buyer_agent)
    first = cursor_page(client, TASKS, cursor="", page_size=2)
    second = cursor_page(client, first["next"])

    # when the client follows the second page's previous link
    back = cursor_page(client, second["previous"])

    # then it reads the first page again, which has no previous page
    assert back["results"] == first["results"]
    assert back["previous"] is None
    assert cursor_page(client, back["next"])["results"] == second["results"]


# --- page size, filters, visibility ----------------------------------------------------


@pytest.mark.django_db
def test_the_page_size_is_honoured_up_to_two_hundred(world, api):
    # given 205 published calls (written at once: many share their creation time)
    start = datetime(2026, 9, 1, 9, tzinfo=UTC)
    Challenge.objects.bulk_create(
        Challenge(
            reference=f"PAGE-{i:03d}",
            title=f"Appel {i}",
            buyer=world.buyer,
            chambre=world.chambre,
            status=ChallengeStatus.POSITIONING,
            published_at=start,
            created_by=world.buyer_agent,
        )
        for i in range(205)
    )
    client = api()

    # when the public asks for 5, then for 500 by cursor
    five = cursor_page(client, CALLS, cursor="", page_size=5)
    most = cursor_page(client, CALLS, cursor="", page_size=500)

    # then it gets 5, then the 200 the page mode gives at most, then the last five
    assert len(five["results"]) == 5
    assert ids(most["results"]) == ids(ok(client.get(CALLS, {"page_size": 500}))["results"])
    assert len(most["results"]) == 200
    assert len(cursor_page(client, most["next"])["results"]) == 5
    # and with no page size, the 20 of the page mode
    assert len(cursor_page(client, CALLS, cursor="")["results"]) == 20


@pytest.mark.django_db
def test_the_tasks_filters_hold_by_cursor(world, clock, api):
    # given drafts of the buyer, one of whose tasks the agent has claimed
    calls = drafts(world, clock, 4)
    client = api(world.buyer_agent)
    claim(client, open_task(calls[1], "draft").pk)

    # when it filters by call and by status, then the cursor gives what the page gives
    for params in (
        {"challenge": calls[2].pk},
        {"status": "ASSIGNED"},
        {"status": "NEW"},
        {"challenge": calls[1].pk, "status": "NEW"},
    ):
        rows = walk(client, TASKS, page_size=1, **params)
        assert rows == paged(client, TASKS, **params), params
    assert [r["challenge"] for r in walk(client, TASKS, status="ASSIGNED")] == [calls[1].pk]
    assert len(walk(client, TASKS, status="NEW", page_size=2)) == 3


@pytest.mark.django_db
def test_the_calls_filters_hold_by_cursor(world, clock, api):
    # given drafts and a published call of the buyer, and another buyer's published call
    drafts(world, clock, 2)
    clock.shift(timedelta(minutes=1))
    published = scenarios.published(world)
    other_buyer = OrganisationFactory(name="Région Hauts-de-France", kind=OrganisationKind.BUYER)
    other_agent = member(other_buyer, "agent.region", Role.ADMIN)
    Challenge.objects.create(
        reference="AUTRE-1",
        title="Appel d'un autre acheteur",
        buyer=other_buyer,
        chambre=world.chambre,
        status=ChallengeStatus.POSITIONING,
        published_at=published.published_at,
        created_by=other_agent,
    )
    client = api(world.buyer_agent)

    # when the buyer's agent filters by stage and by buyer
    for params in (
        {"status": "draft"},
        {"status": "positioning"},
        {"buyer": world.buyer.pk},
        {"buyer": other_buyer.pk, "status": "positioning"},
    ):
        # then the cursor gives what the page gives
        assert walk(client, CALLS, page_size=1, **params) == paged(client, CALLS, **params)
    assert len(walk(client, CALLS, status="draft")) == 2
    assert len(walk(client, CALLS, buyer=world.buyer.pk)) == 3
    # and a wrong filter is refused as in the page mode
    error(client.get(CALLS, {"cursor": "", "status": "nowhere"}), 400, "invalid")


@pytest.mark.django_db
def test_nobody_sees_by_cursor_what_the_page_hides(world, clock, api, colleague):
    # given a call being scored (a task per evaluator), a draft of the buyer's that a
    # colleague has claimed, and another buyer's draft
    scored = scenarios.scoring(world, clock)
    clock.shift(timedelta(minutes=1))
    held = journey.start(world, title="Appel pris par un collègue")
    ok(api(colleague).post(f"{TASKS}{open_task(held, 'draft').pk}/claim/"))
    clock.shift(timedelta(minutes=1))
    foreign, other_agent = scenarios.other_buyers_draft(world)

    users = [
        None,
        world.buyer_agent,
        colleague,
        other_agent,
        world.moderator,
        world.stranger,
        *world.evaluators,
        *world.partner_users,
    ]
    for user in users:
        client = api(user)
        # when each walks the calls and (signed in) its tasks by cursor
        calls = walk(client, CALLS, page_size=1)
        # then it reads exactly what the page mode shows it
        assert calls == paged(client, CALLS), user
        if user is not None:
            assert walk(client, TASKS, page_size=1) == paged(client, TASKS), user
    # and what it shows is scoped: the drafts to their buyer's staff, the tasks to who acts
    assert foreign.pk not in ids(walk(api(world.buyer_agent), CALLS))
    assert held.pk not in ids(walk(api(other_agent), CALLS))
    assert scored.pk in ids(walk(api(world.stranger), CALLS))
    assert {t["challenge"] for t in walk(api(colleague), TASKS)} == {held.pk}
    assert walk(api(world.buyer_agent), TASKS) == []
    for evaluator in world.evaluators:
        tasks = walk(api(evaluator), TASKS)
        assert [(t["challenge"], t["step"], t["owner"]) for t in tasks] == [
            (scored.pk, "score", evaluator.username)
        ]
    # and the task list still wants a signed-in caller
    error(api().get(TASKS, {"cursor": ""}), 401)


# --- a bad cursor, the page mode ---------------------------------------------------------


BAD_CURSORS = [
    "pas-un-curseur",
    "é",
    encoded("p=hier"),  # a position that is not a moment
    encoded("p=2026-09-01 09:00:00"),  # a moment without its offset
    encoded("p=2026-02-30 09:00:00+00:00"),  # a day that does not exist
    encoded("p=0001-01-01 00:00:00+05:00"),  # before the first moment in UTC
    encoded("p=9999-12-31 23:59:59-05:00"),  # after the last
    encoded("o=-1"),
    encoded("o=deux"),
    encoded("r=oui"),
]


@pytest.mark.parametrize("url", [TASKS, CALLS])
@pytest.mark.django_db
def test_a_malformed_cursor_is_a_400_naming_the_parameter_in_french_or_english(
    world, clock, api, url
):
    drafts(world, clock, 2)
    client = api(world.buyer_agent)
    for cursor in BAD_CURSORS:
        # when the client sends a cursor that no page gave
        french = error(client.get(url, {"cursor": cursor}), 400, "invalid_cursor")
        english = error(
            client.get(url, {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="en"), 400, "invalid_cursor"
        )

        # then it is told, in its language, to take a page's link
        assert list(french["fields"]) == ["cursor"], cursor
        assert "curseur n'est pas valable" in french["message"]
        assert french["fields"]["cursor"] == [french["message"]]
        assert "cursor is not valid" in english["message"]
    # while a cursor a page gave, and the empty one, are read
    first = cursor_page(client, url, cursor="", page_size=1)
    assert len(cursor_page(client, first["next"])["results"]) == 1


@pytest.mark.parametrize("url", [TASKS, CALLS])
@pytest.mark.django_db
def test_without_a_cursor_the_list_is_paged_by_number_and_counted(world, clock, api, url):
    # given three drafts
    drafts(world, clock, 3)
    client = api(world.buyer_agent)

    # when the list is read by page number
    first = ok(client.get(url, {"page_size": 2}))
    second = ok(client.get(first["next"]))

    # then it is counted and paged by number, as the contract says
    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 3
    assert first["next"].endswith("?page=2&page_size=2")
    assert first["previous"] is None
    assert ids(first["results"]) + ids(second["results"]) == ids(paged(client, url))
    # and a page beyond the last is still the page mode's 404
    error(client.get(url, {"page": 9}), 404, "not_found")
    # and a page number sent with a cursor is left out of the cursor's links
    body = cursor_page(client, url, cursor="", page=2, page_size=2)
    assert ids(body["results"]) == ids(first["results"])
    assert "page=" not in body["next"].replace("page_size=", "")


# --- the page mode's numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "status", "rows"),
    [
        ("1", 200, [4, 3]),
        ("2", 200, [2, 1]),
        ("3", 200, [0]),  # the last page, and its bound
        ("last", 200, [0]),
        ("4", 404, None),  # one past the last
        ("0", 404, None),
        ("-1", 404, None),
        ("abc", 404, None),
        ("1.5", 404, None),
    ],
)
@pytest.mark.django_db
def test_the_task_list_by_page_number_gives_djangos_pages_and_errors(
    world, clock, api, number, status, rows
):
    # given five drafts of the buyer, each with its drafting task, two to a page
    made = drafts(world, clock, 5)
    titles = {c.pk: c.title for c in made}

    # when the buyer's agent asks for a page by its number
    response = api(world.buyer_agent).get(TASKS, {"page": number, "page_size": 2})

    # then the pages hold the tasks newest first with the count of all; a number that
    # is no page is refused as Django's paginator refuses it (404, the error shape)
    if status == 200:
        body = ok(response)
        assert body["count"] == 5
        assert [row["challenge_title"] for row in body["results"]] == [
            titles[made[i].pk] for i in rows
        ]
    else:
        error(response, 404, "not_found")
