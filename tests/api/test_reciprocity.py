"""Reciprocity over the API: anyone reads a commons' board; only an organisation's
members sign, end and declare for it (others 403, unknown objects 404)."""

from datetime import date
from decimal import Decimal

import pytest

from procurement.models import Commons, CommonsCategory, ReciprocityKind, ReciprocityPeriod
from procurement.services.reciprocity import commitment_sign, declaration_submit
from tests.api.steps import error, ok

COMMITMENTS = "/api/v1/reciprocity/commitments/"


def board_url(commons_id) -> str:
    return f"/api/v1/commons/{commons_id}/reciprocity/"


@pytest.fixture
def commons(world):
    return Commons.objects.create(
        name="Covoiturage partagé", slug="covoiturage-partage", category=CommonsCategory.KNOWLEDGE
    )


def sign(world, commons, index=0, **terms):
    terms = terms or {"kind": ReciprocityKind.REVENUE_SHARE, "revenue_share": Decimal("10")}
    return commitment_sign(
        actor=world.partner_users[index],
        organisation=world.partners[index],
        commons=commons,
        period=ReciprocityPeriod.QUARTER,
        starts_on=date(2026, 1, 1),
        **terms,
    )


def declare(world, commitment, index=0, period_start=date(2026, 1, 1), revenue="1000", given="80"):
    return declaration_submit(
        actor=world.partner_users[index],
        commitment=commitment,
        period_start=period_start,
        revenue=Decimal(revenue),
        given=Decimal(given),
    )


@pytest.mark.django_db
def test_anyone_reads_the_board_without_signing_in(api, world, commons, clock):
    commitment = sign(world, commons)
    declare(world, commitment)
    sign(world, commons, index=1, kind=ReciprocityKind.FIXED_AMOUNT, fixed_amount=Decimal("50"))

    board = ok(api().get(board_url(commons.pk)))

    assert board["due"] == "100.00"
    assert board["given"] == "80.00"
    first, second = board["rows"]
    assert first["organisation"]["name"] == "Covoit Libre SAS"
    assert (first["due"], first["given"], first["shortfall"]) == ("100.00", "80.00", "20.00")
    assert first["status"] == "short"
    assert first["commitment"]["revenue_share"] == "10.00"
    assert second["status"] == "none"
    assert second["commitment"]["fixed_amount"] == "50.00"
    # the revenue itself is not on the public board
    assert "revenue" not in first


@pytest.mark.django_db
def test_the_board_of_an_unknown_commons_is_404(api, world):
    error(api().get(board_url(999999)), 404, "commons_not_found")


@pytest.mark.django_db
def test_the_board_runs_a_constant_number_of_queries(
    api, world, commons, clock, django_assert_max_num_queries
):
    declare(world, sign(world, commons))
    with django_assert_max_num_queries(3):
        assert len(ok(api().get(board_url(commons.pk)))["rows"]) == 1
    for index in (1, 2):
        declare(world, sign(world, commons, index=index), index=index)
    with django_assert_max_num_queries(3):
        assert len(ok(api().get(board_url(commons.pk)))["rows"]) == 3


@pytest.mark.django_db
def test_a_member_signs_then_declares_through_the_api(api, world, commons, clock):
    client = api(world.partner_users[0])
    body = {
        "organisation": world.partners[0].pk,
        "commons": commons.pk,
        "kind": "revenue_share",
        "revenue_share": "2.5",
        "period": "quarter",
        "starts_on": "2026-01-01",
    }
    commitment = ok(client.post(COMMITMENTS, body, format="json"), 201)
    assert commitment["active"] is True

    url = f"{COMMITMENTS}{commitment['id']}/declarations/"
    declaration = ok(
        client.post(
            url,
            {"period_start": "2026-04-01", "revenue": "12345.67", "given": "300"},
            format="json",
        ),
        201,
    )
    assert (declaration["due"], declaration["shortfall"]) == ("308.64", "8.64")

    again = error(
        client.post(
            url, {"period_start": "2026-04-01", "revenue": "1", "given": "1"}, format="json"
        ),
        400,
        "already_declared",
    )
    assert "period_start" in again["fields"]

    mine = ok(client.get("/api/v1/reciprocity/declarations/"))
    assert [d["id"] for d in mine["results"]] == [declaration["id"]]
    assert ok(client.get(COMMITMENTS))["results"][0]["id"] == commitment["id"]


@pytest.mark.django_db
def test_signing_errors_name_their_fields(api, world, commons, clock):
    refused = error(
        api(world.partner_users[0]).post(
            COMMITMENTS,
            {
                "organisation": world.partners[0].pk,
                "commons": commons.pk,
                "kind": "fixed_amount",
                "period": "year",
                "starts_on": "2026-01-01",
            },
            format="json",
        ),
        400,
        "invalid_commitment",
    )
    assert list(refused["fields"]) == ["fixed_amount"]


@pytest.mark.django_db
def test_others_may_not_sign_declare_end_or_read_declarations(api, world, commons, clock):
    commitment = sign(world, commons)
    declare(world, commitment)
    outsider = api(world.partner_users[1])
    base = f"{COMMITMENTS}{commitment.pk}/"

    error(
        outsider.post(
            COMMITMENTS,
            {
                "organisation": world.partners[0].pk,
                "commons": commons.pk,
                "kind": "fixed_amount",
                "fixed_amount": "10",
                "period": "year",
                "starts_on": "2026-01-01",
            },
            format="json",
        ),
        403,
    )
    error(
        outsider.post(
            base + "declarations/",
            {"period_start": "2026-04-01", "revenue": "1", "given": "1"},
            format="json",
        ),
        403,
    )
    error(outsider.get(base + "declarations/"), 403)
    error(outsider.post(base + "end/", {}, format="json"), 403)
    assert ok(outsider.get("/api/v1/reciprocity/declarations/"))["results"] == []
    # and anonymous callers are asked to sign in
    assert api().post(base + "end/", {}, format="json").status_code == 401


@pytest.mark.django_db
def test_unknown_objects_answer_404(api, world, commons, clock):
    client = api(world.partner_users[0])
    error(client.post(f"{COMMITMENTS}999999/end/", {}, format="json"), 404, "commitment_not_found")
    error(client.get(f"{COMMITMENTS}999999/declarations/"), 404)
    body = {
        "organisation": world.partners[0].pk,
        "commons": 999999,
        "kind": "fixed_amount",
        "fixed_amount": "10",
        "period": "year",
        "starts_on": "2026-01-01",
    }
    error(client.post(COMMITMENTS, body, format="json"), 404, "commons_not_found")
    body.update(commons=commons.pk, organisation=999999)
    error(client.post(COMMITMENTS, body, format="json"), 404, "organisation_not_found")


@pytest.mark.django_db
def test_an_ended_commitment_refuses_declarations_with_409(api, world, commons, clock):
    commitment = sign(world, commons)
    client = api(world.partner_users[0])
    ended = ok(client.post(f"{COMMITMENTS}{commitment.pk}/end/", {}, format="json"))
    assert ended["active"] is False
    assert ended["ended_on"] == "2026-09-01"
    error(
        client.post(
            f"{COMMITMENTS}{commitment.pk}/declarations/",
            {"period_start": "2026-04-01", "revenue": "1", "given": "1"},
            format="json",
        ),
        409,
        "commitment_ended",
    )


@pytest.mark.django_db
def test_own_lists_run_a_constant_number_of_queries(
    api, world, commons, clock, django_assert_max_num_queries
):
    client = api(world.partner_users[0])
    commitment = sign(world, commons)
    declare(world, commitment)
    # token, count, page
    for url in (COMMITMENTS, "/api/v1/reciprocity/declarations/"):
        with django_assert_max_num_queries(3):
            assert ok(client.get(url))["count"] == 1
    for n, start in enumerate((date(2026, 4, 1), date(2026, 7, 1))):
        declare(world, commitment, period_start=start)
        other = Commons.objects.create(
            name=f"Autre {n}", slug=f"autre-{n}", category=CommonsCategory.NATURAL
        )
        declare(world, sign(world, other), period_start=start)
    for url, count in ((COMMITMENTS, 3), ("/api/v1/reciprocity/declarations/", 5)):
        with django_assert_max_num_queries(3):
            assert ok(client.get(url))["count"] == count
