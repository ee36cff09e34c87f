"""Fair pay (« juste rémunération », seed 003) through the API: the buyer sets the call's
hourly reference (30 € to 45 € HT by default), and a proposal's detail shows its hourly
rates, its coordination share and warnings — never a refusal."""

import pytest

from procurement.models import Challenge
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.workflows import journey


@pytest.mark.django_db
def test_buyer_sets_the_hourly_reference_with_its_bounds_checked(world, api):
    # given a draft call, at the default reference
    challenge = journey.start(world)
    buyer = api(world.buyer_agent)
    body = ok(buyer.get(challenge_url(challenge.pk)))
    assert (body["fair_rate_min"], body["fair_rate_max"]) == ("30.00", "45.00")

    # when the buyer gives a minimum above the maximum, or a rate of zero, then 400
    refused = error(
        buyer.patch(challenge_url(challenge.pk), {"fair_rate_min": "50.00"}, format="json"), 400
    )
    assert "fair_rate_max" in refused["fields"]
    refused = error(
        buyer.patch(challenge_url(challenge.pk), {"fair_rate_min": "0.00"}, format="json"), 400
    )
    assert "fair_rate_min" in refused["fields"]

    # when it gives 50 € to 60 €, then the call keeps them
    body = ok(
        buyer.patch(
            challenge_url(challenge.pk),
            {"fair_rate_min": "50.00", "fair_rate_max": "60.00"},
            format="json",
        )
    )
    assert (body["fair_rate_min"], body["fair_rate_max"]) == ("50.00", "60.00")


@pytest.mark.django_db
def test_proposal_detail_warns_of_a_rate_outside_the_reference_without_refusing(world, clock, api):
    # given opened proposals priced 300 € a day (42,86 € an hour), coordination 15 %
    challenge = scenarios.opened(world, clock)
    proposal = challenge.proposals.order_by("pk").first()
    buyer = api(world.buyer_agent)
    url = challenge_url(challenge.pk, f"proposals/{proposal.pk}/")

    # when the buyer reads it, then the figures are within the default reference
    fair = ok(buyer.get(url))["fair_pay"]
    assert [(line["label"], line["hourly_rate"], line["within"]) for line in fair["lines"]] == [
        ("Développement", "42.86", True)
    ]
    assert (fair["coordination_share"], fair["coordination_within"]) == ("15.00", True)
    assert fair["warnings"] == []

    # when the call's reference is 45 € to 60 € an hour (set on the draft by the buyer)
    Challenge.objects.filter(pk=challenge.pk).update(fair_rate_min="45.00", fair_rate_max="60")
    fair = ok(buyer.get(url))["fair_pay"]

    # then the line is flagged, in French, and the proposal is still there, submitted
    assert fair["lines"][0]["within"] is False
    assert len(fair["warnings"]) == 1
    assert "« Développement »" in fair["warnings"][0]
    assert "42,86" in fair["warnings"][0]
    assert "45,00" in fair["warnings"][0]
    assert ok(buyer.get(url))["status"] == "submitted"
    # and in English for a reader who asks for it
    english = ok(buyer.get(url, HTTP_ACCEPT_LANGUAGE="en"))["fair_pay"]["warnings"][0]
    assert "“Développement”: €42.86 an hour excl. VAT" in english
