"""Matching offers through the API (issue 21): offered by the buyer's agents for the
buyer and by a funder's members for their funder, listed with what they add, withdrawn
before the close only, and the round's buckets carrying their matched amounts."""

import pytest

from procurement.models import MatchingOffer
from tests.api.steps import challenge_url, error, ok
from tests.procurement.test_cofunding_rules import budget, close, open_round, pledge


@pytest.fixture
def round_(world, clock):
    return open_round(world, clock)


def url(round_, tail=""):
    return challenge_url(round_.challenge_id, f"cofunding/{tail}")


def buckets(round_):
    return list(round_.buckets.order_by("pk"))


@pytest.mark.django_db
def test_a_funder_offers_a_match_and_the_round_shows_it_on_each_bucket(world, api, round_):
    first, second, _third = buckets(round_)
    budget(world, first, "20000", "30000")
    pledge(world, first, "12000")
    banque = api(world.funder_users[1])

    # when the Banque des Territoires offers 1 € per euro, up to 5 000 €, on the first two
    offered = ok(
        banque.post(
            url(round_, "matching/"),
            {
                "matcher": world.funders[1].pk,
                "ratio": "1",
                "cap": "5000",
                "buckets": [first.pk, second.pk],
            },
            format="json",
        ),
        201,
    )

    # then the offer says what it adds now and what is left of its cap
    assert offered["matcher"]["name"] == "Banque des Territoires"
    assert (offered["ratio"], offered["cap"], offered["status"]) == ("1.00", "5000.00", "active")
    assert (offered["matched"], offered["remaining_cap"]) == ("5000.00", "0.00")
    assert offered["buckets"] == sorted([first.pk, second.pk])
    # and the round, read by anyone, shows per bucket pledged, matched and what is left
    body = ok(api().get(url(round_)))
    shown = {b["id"]: b for b in body["buckets"]}
    assert (shown[first.pk]["pledged"], shown[first.pk]["matched"]) == ("12000.00", "5000.00")
    assert (shown[first.pk]["to_minimum"], shown[first.pk]["to_ceiling"]) == (
        "3000.00",
        "13000.00",
    )
    assert shown[first.pk]["pledges"][0]["matched"] == "5000.00"
    assert shown[second.pk]["matched"] == "0.00"
    assert [o["id"] for o in body["matching_offers"]] == [offered["id"]]
    assert [o["id"] for o in ok(api().get(url(round_, "matching/")))] == [offered["id"]]


@pytest.mark.django_db
def test_offering_is_checked_per_organisation_with_french_errors(world, api, round_):
    ademe = api(world.funder_users[0])
    body = {"matcher": world.buyer.pk, "ratio": "1", "cap": "1000"}
    # a funder's member may not offer for the buyer
    refused = error(ademe.post(url(round_, "matching/"), body, format="json"), 403)
    assert refused["message"] == "Vous n'êtes pas membre de cette organisation."
    # anonymous callers are not authenticated
    error(api().post(url(round_, "matching/"), body, format="json"), 401)
    # a partner's organisation is no matcher
    partner = api(world.partner_users[0])
    refused = error(
        partner.post(
            url(round_, "matching/"),
            {**body, "matcher": world.partners[0].pk},
            format="json",
        ),
        403,
        "not_a_matcher",
    )
    assert refused["message"] == (
        "Seuls l'acheteur et les financeurs peuvent abonder les engagements."
    )
    # a ratio above five is refused with the field named
    buyer = api(world.buyer_agent)
    refused = error(
        buyer.post(url(round_, "matching/"), {**body, "ratio": "6"}, format="json"),
        400,
        "invalid_ratio",
    )
    assert "ratio" in refused["fields"]
    # an unknown bucket is named in the fields
    refused = error(
        buyer.post(url(round_, "matching/"), {**body, "buckets": [999999]}, format="json"), 400
    )
    assert "buckets" in refused["fields"]
    # the buyer's agent offers for the buyer
    ok(buyer.post(url(round_, "matching/"), body, format="json"), 201)
    # and a second active offer is refused (409) with its reason
    refused = error(
        buyer.post(url(round_, "matching/"), body, format="json"), 409, "matching_exists"
    )
    assert refused["message"].startswith("Métropole")


@pytest.mark.django_db
def test_only_its_matcher_withdraws_an_offer_and_not_after_the_close(world, api, clock, round_):
    banque, ademe = api(world.funder_users[1]), api(world.funder_users[0])
    offered = ok(
        banque.post(
            url(round_, "matching/"),
            {"matcher": world.funders[1].pk, "ratio": "0.5", "cap": "1000"},
            format="json",
        ),
        201,
    )
    detail = url(round_, f"matching/{offered['id']}/")
    error(ademe.delete(detail), 403, "not_allowed")
    error(banque.delete(url(round_, "matching/999999/")), 404, "matching_not_found")
    # withdrawn before the close: listed as withdrawn, no longer in the round
    assert banque.delete(detail).status_code == 204
    listed = ok(api().get(url(round_, "matching/")))
    assert [(o["status"], o["matched"]) for o in listed] == [("withdrawn", "0.00")]
    assert ok(api().get(url(round_)))["matching_offers"] == []
    # a new one, then the close: withdrawing is refused
    again = ok(
        banque.post(
            url(round_, "matching/"),
            {"matcher": world.funders[1].pk, "ratio": "0.5", "cap": "1000"},
            format="json",
        ),
        201,
    )
    close(round_, clock)
    refused = error(banque.delete(url(round_, f"matching/{again['id']}/")), 409, "round_closed")
    assert refused["message"] == "Le tour de cofinancement est clos."
    assert MatchingOffer.objects.get(pk=again["id"]).status == MatchingOffer.Status.HONOURED


@pytest.mark.django_db
def test_after_the_close_the_round_shows_the_honoured_match(world, api, clock, round_):
    first = buckets(round_)[0]
    budget(world, first, "20000", "30000")
    pledge(world, first, "12000")
    ok(
        api(world.funder_users[1]).post(
            url(round_, "matching/"),
            {"matcher": world.funders[1].pk, "ratio": "1", "cap": "8000"},
            format="json",
        ),
        201,
    )
    close(round_, clock)
    body = ok(api().get(url(round_)))
    shown = {b["id"]: b for b in body["buckets"]}[first.pk]
    assert (shown["status"], shown["pledged"], shown["matched"]) == (
        "funded",
        "20000.00",
        "8000.00",
    )
    assert shown["to_minimum"] == "0.00"
    (honoured,) = body["matching_offers"]
    assert (honoured["status"], honoured["matched"], honoured["remaining_cap"]) == (
        "honoured",
        "8000.00",
        "0.00",
    )
    matched = [p for p in shown["pledges"] if p["matching"] == honoured["id"]]
    assert [(p["funder"], p["amount"], p["status"]) for p in matched] == [
        ("Banque des Territoires", "8000.00", "committed")
    ]
