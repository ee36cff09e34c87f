"""Ten simultaneous creations of the same position over real HTTP, on PostgreSQL (issue
19, item 3): one is created (201), the nine others are refused with a 409 in the API's
shape and its reason in French — never a 500 from the uniqueness constraint — and one
position exists.

A live server, one thread and one database connection per request (see
``tests/procurement/test_pledge_concurrency.py`` for why PostgreSQL only)."""

from collections import Counter

import pytest
from django.db import connection

from procurement.models import Position
from procurement.services.chains import audit_verify
from tests.factories import PASSWORD
from tests.procurement.test_pledge_concurrency import CLIENTS, http, race
from tests.workflows import journey

ALREADY = (
    "Cette organisation est déjà positionnée sur cette ressource : "
    "retirez ou modifiez son positionnement."
)


@pytest.mark.postgres
def test_ten_simultaneous_creations_of_one_position_give_one_201_and_nine_409(
    world, clock, live_server
):
    if connection.vendor != "postgresql":
        pytest.fail("Ce test tourne sur PostgreSQL : lancez-le avec DATABASE_URL=postgres://…")
    # given a published call and a partner signed in
    challenge = journey.published(world)
    resource = challenge.resources.order_by("order").first()
    partner, user = world.partners[0], world.partner_users[0]
    status, body = http(
        live_server.url, "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert status == 200, body
    token = body["token"]
    position = {
        "resource": resource.pk,
        "organisation": partner.pk,
        "intent": "produce",
        "contributions": [{"kind": "skills", "days": "10", "profile": "Développeuse"}],
    }

    # when the same position is posted ten times at once
    results = race(
        lambda _n: http(
            live_server.url, f"/api/v1/challenges/{challenge.pk}/positions/", position, token
        ),
        list(range(CLIENTS)),
    )

    # then one is created and the nine others refused for it, in the API's shape
    statuses = Counter(status for _n, status, _body in results)
    print(f"\n{CLIENTS} créations simultanées : {dict(statuses)}")
    assert statuses == {201: 1, 409: CLIENTS - 1}, results
    for _n, status, body in results:
        if status == 409:
            assert (body["code"], body["message"], body["fields"]) == (
                "already_positioned",
                ALREADY,
                {},
            )
    assert Position.objects.filter(resource=resource, organisation=partner).count() == 1
    assert challenge.audit_events.filter(verb="position.created").count() == 1
    assert audit_verify(challenge=challenge).valid
