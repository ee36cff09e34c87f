"""A contributor the buyer granted an envelope pledges it from the portal."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Allocation
from procurement.services.cofunding import allocations_grant_contributors
from tests.portal.steps import advance
from tests.portal.test_actions import pledge_data


@pytest.mark.django_db
def test_a_contributor_with_an_envelope_pledges_from_the_cofunding_page(
    client, world, clock, login
):
    # given a round where the buyer granted the contributors 4 000 € each
    challenge = advance(world, clock, "cofunding")
    round_ = challenge.cofunding_round
    allocations_grant_contributors(actor=world.buyer_agent, round_=round_, amount=Decimal("4000"))
    bucket = round_.buckets.order_by("pk").first()
    partner, user = world.partners[0], world.partner_users[0]
    url = reverse("portal:cofunding", args=[challenge.pk])

    # when the contributor opens the page and pledges
    login(user)
    assert client.get(url).status_code == 200
    response = client.post(url, pledge_data(bucket, partner, "4000"))

    # then its envelope is spent on that commons
    assert response.status_code == 302
    assert Allocation.objects.get(funder=partner).pledged == Decimal("4000")
