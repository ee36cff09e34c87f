"""The cofunding round's rules through the API: the buyer's policies, refused pledges
and moves (409 with a clear message), contributors' envelopes, subsidies, and the
round's public progress."""

import pytest

from tests.api.steps import challenge_url, error, ok
from tests.procurement.test_cofunding_rules import open_round, pledge


@pytest.fixture
def round_(world, clock):
    return open_round(world, clock)


def url(round_, tail=""):
    return challenge_url(round_.challenge_id, f"cofunding/{tail}")


def buckets(round_):
    return list(round_.buckets.order_by("pk"))


@pytest.mark.django_db
def test_the_buyer_sets_the_policies_and_a_pledge_past_the_minimum_is_refused_with_a_message(
    world, api, round_
):
    buyer, funder = api(world.buyer_agent), api(world.funder_users[0])
    first = buckets(round_)[0]

    # when a funder tries to set the policies, then it is refused
    error(funder.patch(url(round_, "settings/"), {"beyond_minimum": "stop_at_minimum"}), 403)
    # when the buyer asks for an unknown policy, then the field says so
    error(buyer.patch(url(round_, "settings/"), {"beyond_minimum": "toujours"}, format="json"), 400)

    # when the buyer stops buckets at their minimum and lowers the first's to 20 000 €
    settings = ok(
        buyer.patch(
            url(round_, "settings/"),
            {"beyond_minimum": "stop_at_minimum", "edit_after_funded": "reopen"},
            format="json",
        )
    )
    assert settings == {"beyond_minimum": "stop_at_minimum", "edit_after_funded": "reopen"}
    edited = ok(
        buyer.patch(
            url(round_, f"buckets/{first.pk}/"),
            {"min_amount": "20000", "description": "Étape 1 : le cœur de la brique"},
            format="json",
        )
    )
    assert (edited["min_amount"], edited["max_amount"]) == ("20000.00", "30000.00")

    # then the minimum is pledged, and a further pledge is refused with a clear message
    body = {"bucket": first.pk, "funder": world.funders[0].pk, "amount": "20000"}
    ok(funder.post(url(round_, "pledges/"), body, format="json"), 201)
    refused = error(
        funder.post(url(round_, "pledges/"), {**body, "amount": "10"}, format="json"),
        409,
        "bucket_minimum_reached",
    )
    assert refused["message"] == (
        "Ce commun a atteint son minimum : dans ce tour, il n'accepte plus d'engagement."
    )
    round_body = ok(api().get(url(round_)))
    assert (round_body["beyond_minimum"], round_body["edit_after_funded"]) == (
        "stop_at_minimum",
        "reopen",
    )

    # and raising its minimum opens it again (the round's policy)
    reopened = ok(
        buyer.patch(url(round_, f"buckets/{first.pk}/"), {"min_amount": "25000"}, format="json")
    )
    assert reopened["status"] == "open"
    # while its maximum may not go below what is pledged
    below = error(
        buyer.patch(url(round_, f"buckets/{first.pk}/"), {"max_amount": "19000"}, format="json"),
        400,
    )
    assert below["fields"]["max_amount"] == ["Au moins 20\u202f000,00\xa0€."]


@pytest.mark.django_db
def test_a_funder_moves_a_pledge_within_the_limits_and_a_move_beyond_them_is_refused(
    world, api, round_
):
    funder = api(world.funder_users[0])
    first, second, third = buckets(round_)
    source = pledge(world, first, "20000")
    pledge(world, second, "28000")

    # when the funder moves 5 000 € onto the nearly full second bucket, then it is refused
    refused = error(
        funder.post(
            url(round_, f"pledges/{source.pk}/move/"),
            {"bucket": second.pk, "amount": "5000"},
            format="json",
        ),
        409,
        "bucket_overfunded",
    )
    # the message says what the commons can still take
    assert refused["message"] == (
        "Cet engagement dépasserait le maximum du commun : on peut encore y engager "
        "2\u202f000,00\xa0€."
    )
    assert refused["detail"] == {"available": "2000.00"}

    # when it moves 2 000 € there and the rest to the third, then both moves hold
    moved = ok(
        funder.post(
            url(round_, f"pledges/{source.pk}/move/"),
            {"bucket": second.pk, "amount": "2000"},
            format="json",
        ),
        201,
    )
    assert (moved["bucket"], moved["amount"]) == (second.pk, "2000.00")
    ok(funder.post(url(round_, f"pledges/{source.pk}/move/"), {"bucket": third.pk}), 201)
    pledged = {b["id"]: b["pledged"] for b in ok(api().get(url(round_)))["buckets"]}
    assert pledged == {first.pk: "0.00", second.pk: "30000.00", third.pk: "18000.00"}

    # and a released pledge, another funder, or an unknown pledge may not move
    error(funder.post(url(round_, f"pledges/{source.pk}/move/"), {"bucket": first.pk}), 409)
    other = api(world.funder_users[1])
    kept = second.pledges.filter(status="active").first()
    error(other.post(url(round_, f"pledges/{kept.pk}/move/"), {"bucket": first.pk}), 403)
    error(funder.post(url(round_, "pledges/999999/move/"), {"bucket": first.pk}), 404)


@pytest.mark.django_db
def test_contributors_get_envelopes_from_the_buyer_and_pledge_them(world, api, round_):
    buyer, partner = api(world.buyer_agent), api(world.partner_users[0])
    grant = url(round_, "allocations/contributors/")

    # when a partner asks for contributors' envelopes, then it is refused
    error(partner.post(grant, {"amount": "5000"}), 403)

    # when the buyer grants them twice, then each contributor has one envelope
    ok(buyer.post(grant, {"amount": "5000"}))
    granted = ok(buyer.post(grant, {"amount": "5000"}))
    assert sorted(a["funder"]["name"] for a in granted) == sorted(p.name for p in world.partners)
    assert {a["kind"] for a in granted} == {"contributor"}
    allocations = ok(api().get(url(round_)))["allocations"]
    assert sorted(a["kind"] for a in allocations) == ["contributor"] * 3 + ["funder"]

    # and a contributor pledges its envelope on the commons of its choice
    first = buckets(round_)[1]
    body = {"bucket": first.pk, "funder": world.partners[0].pk, "amount": "5000"}
    ok(partner.post(url(round_, "pledges/"), body, format="json"), 201)
    error(
        partner.post(url(round_, "pledges/"), {**body, "amount": "1"}), 409, "allocation_exceeded"
    )


@pytest.mark.django_db
def test_the_public_follows_each_bucket_progress_with_pledges_and_subsidies(world, api, round_):
    buyer = api(world.buyer_agent)
    first, second, _third = buckets(round_)
    pledge(world, first, "12000")
    ok(
        api(world.funder_users[1]).post(
            url(round_, "allocations/"), {"funder": world.funders[1].pk, "amount": "5000"}
        ),
        201,
    )
    pledge(world, first, "3000", who=1)

    # when a funder tries to record a subsidy, then it is refused; the buyer records it
    subsidy = {"bucket": first.pk, "funder_name": "ANCT", "amount": "6000", "reference": "AAP-42"}
    error(api(world.funder_users[0]).post(url(round_, "subsidies/"), subsidy), 403)
    recorded = ok(buyer.post(url(round_, "subsidies/"), subsidy), 201)
    assert (recorded["funder_name"], recorded["amount"]) == ("ANCT", "6000.00")
    error(buyer.post(url(round_, "subsidies/"), {**subsidy, "amount": "10000"}), 409)

    # then anyone, signed in or not, sees each bucket's progress and who pledged what
    body = ok(api().get(url(round_)))
    shown = {b["id"]: b for b in body["buckets"]}[first.pk]
    assert {
        k: shown[k] for k in ("pledged", "subsidised", "total", "min_amount", "max_amount")
    } == {
        "pledged": "15000.00",
        "subsidised": "6000.00",
        "total": "21000.00",
        "min_amount": "30000.00",
        "max_amount": "30000.00",
    }
    assert shown["percent"] == 70
    assert [(p["funder"], p["amount"]) for p in shown["pledges"]] == [
        ("ADEME Hauts-de-France", "12000.00"),
        ("Banque des Territoires", "3000.00"),
    ]
    assert [(s["funder_name"], s["amount"], s["reference"]) for s in shown["subsidies"]] == [
        ("ANCT", "6000.00", "AAP-42")
    ]
    assert {b["id"]: b["percent"] for b in body["buckets"]}[second.pk] == 0
