"""Subscribing to the publication of calls over the API."""

from procurement.models import Subscription
from tests.api.steps import error, ok
from tests.conftest import member


def test_subscribe_list_and_unsubscribe(world, api):
    client = api(world.partner_users[0])
    created = ok(
        client.post("/api/v1/subscriptions/", {"buyer": world.buyer.pk}, format="json"), 201
    )
    assert created["buyer"]["name"] == "Métropole Européenne de Lille"
    assert created["personal"] is True
    # Idempotent: subscribing again changes nothing.
    ok(client.post("/api/v1/subscriptions/", {"buyer": world.buyer.pk}, format="json"), 201)
    everything = ok(
        client.post(
            "/api/v1/subscriptions/", {"organisation": world.partners[0].pk}, format="json"
        ),
        201,
    )
    assert everything["buyer"] is None
    assert everything["organisation"]["id"] == world.partners[0].pk
    assert len(ok(client.get("/api/v1/subscriptions/"))) == 2
    # A colleague sees the organisation's subscription, not the personal one.
    colleague = member(world.partners[0], "collegue.covoit")
    assert [s["id"] for s in ok(api(colleague).get("/api/v1/subscriptions/"))] == [everything["id"]]
    assert Subscription.objects.count() == 2

    ok(client.delete(f"/api/v1/subscriptions/{created['id']}/"), 204)
    assert [s["id"] for s in ok(client.get("/api/v1/subscriptions/"))] == [everything["id"]]


def test_refusals(world, api):
    client = api(world.stranger)
    error(
        client.post(
            "/api/v1/subscriptions/", {"organisation": world.partners[0].pk}, format="json"
        ),
        403,
    )
    error(
        client.post("/api/v1/subscriptions/", {"buyer": world.partners[0].pk}, format="json"), 400
    )
    error(client.post("/api/v1/subscriptions/", {"buyer": 999999}, format="json"), 404)
    mine = ok(api(world.partner_users[0]).post("/api/v1/subscriptions/", {}, format="json"), 201)
    error(client.delete(f"/api/v1/subscriptions/{mine['id']}/"), 404)
    error(api().get("/api/v1/subscriptions/"), 401)
    assert Subscription.objects.count() == 1
