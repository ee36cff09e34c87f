"""The lots of a call through the API: listed with their resources, in constant queries."""

import pytest

from tests.api.steps import challenge_url, create_challenge, ok
from tests.workflows.journey import RESOURCES


@pytest.mark.django_db
def test_lots_endpoint_lists_lots_with_resources_in_constant_queries(
    world, api, django_assert_max_num_queries
):
    # given two calls, one with three lots and one with a single lot
    client = api(world.buyer_agent)
    big = create_challenge(client, world)
    small = create_challenge(client, world, resources=RESOURCES[:1], title="Petit appel")

    counts = []
    for created, expected in ((small, 1), (big, 3)):
        with django_assert_max_num_queries(8) as captured:
            body = ok(client.get(challenge_url(created["id"], "lots/")))
        counts.append(len(captured))
        assert [lot["number"] for lot in body] == list(range(1, expected + 1))
    # then each lot lists its resources, and the count of queries does not grow
    assert body[1]["resources"][0]["title"] == RESOURCES[1]["title"]
    assert counts[0] == counts[1]
    resources = ok(client.get(challenge_url(big["id"], "resources/")))
    assert [r["lot"] for r in resources] == [1, 2, 3]


@pytest.mark.django_db
def test_a_resource_given_by_its_catalogue_commons_alone_is_titled_after_it(world, api):
    # given a commons of the catalogue
    from procurement.models import Commons, CommonsCategory

    commons = Commons.objects.create(
        name="OpenStreetMap",
        slug="openstreetmap",
        category=CommonsCategory.KNOWLEDGE,
        licence="ODbL-1.0",
        host=world.host,
    )

    # when the buyer drafts a call whose resource names that commons only (no title)
    client = api(world.buyer_agent)
    created = create_challenge(
        client, world, resources=[{"commons": commons.pk}], lots=[{"title": "Carte"}]
    )

    # then the call is drafted (it used to answer 500), its resource titled after the
    # commons, with its licence
    resources = ok(client.get(challenge_url(created["id"], "resources/")))
    assert [(r["title"], r["expected_licence"]) for r in resources] == [
        ("OpenStreetMap", "ODbL-1.0")
    ]


@pytest.mark.django_db
def test_a_lot_reserved_to_the_ess_is_shown_so(world, api):
    """Article L2113-15: the reservation is written with the lots and read back."""
    from decimal import Decimal

    from tests.workflows.journey import lot_per_resource

    # given a call whose second lot the buyer reserves to the ESS
    client = api(world.buyer_agent)
    lots = lot_per_resource(list(RESOURCES), Decimal("180000.00"))
    lots = [
        {**lot, "estimated_amount": str(lot["estimated_amount"]), "reserved_ess": n == 2}
        for n, lot in enumerate(lots, 1)
    ]
    resources = [{**r, "lot": n} for n, r in enumerate(RESOURCES, 1)]
    created = create_challenge(client, world, resources=resources, lots=lots)

    # then the lots say which one is reserved
    body = ok(client.get(challenge_url(created["id"], "lots/")))
    assert [lot["reserved_ess"] for lot in body] == [False, True, False]
