"""The grid check at referral and publication (``scoring.services.grid_check``): a
price criterion (CCP R2152-7), an environmental criterion weighing more than 0 % (loi
Climat et résilience art. 35), the buyer's commons share, a method that may decide an
award (CE 3 novembre 2014, Belleville-sur-Loire), and an estimate. Each refusal names
its field and writes nothing."""

import copy
from datetime import timedelta
from decimal import Decimal

import pytest

from kernel.errors import ApplicationError
from procurement.models import Challenge, ChallengeStatus
from scoring.services import DEFAULT_GRID, grid_check
from tests.api.steps import challenge_url, error, ok
from tests.conftest import paris
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion


def grid(**weights) -> list[dict]:
    """The default grid with some weights changed, by code."""
    criteria = copy.deepcopy(DEFAULT_GRID)
    for criterion in criteria:
        if criterion["code"] in weights:
            criterion["weight"] = Decimal(weights[criterion["code"]])
    return criteria


def refused_referral(world, challenge) -> dict:
    """The fields of the refusal at referral; the challenge stays a draft."""
    with pytest.raises(ApplicationError) as excinfo:
        complete(challenge, "draft", world.buyer_agent)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT
    assert excinfo.value.code == "grid_invalid"
    return excinfo.value.extra["fields"]


@pytest.mark.django_db(transaction=True)
def test_r2152_7_a_grid_without_a_price_criterion_is_refused_at_referral(world, clock):
    # given a grid whose price weighs 0 % (its 20 % moved to the technical value)
    challenge = journey.start(world, criteria=grid(prix=0, technique=55))
    # when referred / then refused on the grid, naming R2152-7
    fields = refused_referral(world, challenge)
    assert any("R2152-7" in problem and "prix" in problem for problem in fields["grid"])


@pytest.mark.django_db(transaction=True)
def test_r2152_7_a_price_criterion_of_the_least_weight_is_accepted(world, clock):
    # given the price at 0.01 %, the least weight above zero
    challenge = journey.start(world, criteria=grid(prix="0.01", technique="54.99"))
    # when checked / then accepted
    grid_check(challenge=challenge)


@pytest.mark.django_db(transaction=True)
def test_climat_et_resilience_art_35_an_environmental_criterion_at_0_percent_is_refused(
    world, clock
):
    # given an environmental criterion weighted 0 % (it takes nothing into account)
    challenge = journey.start(world, criteria=grid(environnement=0, technique=50))
    # when referred / then refused on the grid
    fields = refused_referral(world, challenge)
    assert any("environnementales" in problem for problem in fields["grid"])
    # and at 0.01 % it is accepted
    challenge = journey.start(
        world, title="Autre", criteria=grid(environnement="0.01", technique="49.99")
    )
    grid_check(challenge=challenge)


@pytest.mark.django_db(transaction=True)
def test_the_commons_share_is_at_least_the_buyers_minimum_bound_included(world, clock):
    # given a buyer whose minimum is the default grid's commons share, 30 %
    world.buyer.commons_min_share = Decimal(30)
    world.buyer.save()
    # when the commons weigh exactly 30 % / then accepted
    grid_check(challenge=journey.start(world))
    # when they weigh 29.99 % / then refused
    challenge = journey.start(
        world, title="Autre", criteria=grid(reciprocite="4.99", technique="35.01")
    )
    fields = refused_referral(world, challenge)
    assert any("29.99" in problem for problem in fields["grid"])


@pytest.mark.django_db(transaction=True)
def test_belleville_sur_loire_majority_judgment_is_refused_at_the_grid_check(world, clock):
    # given a call stored with majority judgment (before the rule)
    challenge = journey.start(world)
    Challenge.objects.filter(pk=challenge.pk).update(aggregation_method="majority_judgment")
    challenge.refresh_from_db()
    # when referred / then refused on the method, saying why
    fields = refused_referral(world, challenge)
    assert "Belleville-sur-Loire" in fields["aggregation_method"][0]
    assert "grid" not in fields


@pytest.mark.django_db(transaction=True)
def test_belleville_sur_loire_majority_judgment_is_refused_at_create_and_update(world, clock, api):
    # given a buyer's agent on the API
    buyer = api(world.buyer_agent)
    body = {
        "buyer": world.buyer.pk,
        "chambre": world.chambre.pk,
        "title": "Appel au jugement majoritaire",
        "context": "Contexte.",
        "estimated_amount": "180000.00",
        "aggregation_method": "majority_judgment",
        "resources": [{"title": "Un commun"}],
    }
    count = Challenge.objects.count()
    # when it creates a call decided by majority judgment / then 400 on the method
    refused = error(buyer.post("/api/v1/challenges/", body, format="json"), 400)
    assert "Belleville-sur-Loire" in refused["fields"]["aggregation_method"][0]
    assert Challenge.objects.count() == count
    # and a draft cannot be switched to it either
    challenge = journey.start(world)
    url = challenge_url(challenge.pk, "")
    refused = error(
        buyer.patch(url, {"aggregation_method": "majority_judgment"}, format="json"), 400
    )
    assert "aggregation_method" in refused["fields"]
    challenge.refresh_from_db()
    assert challenge.aggregation_method == "weighted_mean"
    # while the median then weighting is accepted
    changed = ok(buyer.patch(url, {"aggregation_method": "median_weighted"}, format="json"))
    assert changed["aggregation_method"] == "median_weighted"


@pytest.mark.django_db(transaction=True)
def test_a_call_without_an_estimate_is_refused_at_referral_instead_of_becoming_a_mapa(
    world, clock, api
):
    # given a draft without an estimated amount
    challenge = journey.start(world, estimated_amount=None)
    # when referred / then refused on estimated_amount, in French
    fields = refused_referral(world, challenge)
    assert "montant estimé" in fields["estimated_amount"][0]
    # and once the estimate is given through the API, it is referred
    ok(
        api(world.buyer_agent).patch(
            challenge_url(challenge.pk, ""), {"estimated_amount": "90000.00"}, format="json"
        )
    )
    complete(challenge, "draft", world.buyer_agent)


def publish(world, challenge, days, hours=0):
    now = paris(2026, 9, 1, 9, 0)
    return complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": (now + timedelta(days=5)).isoformat(),
            "proposal_deadline": (now + timedelta(days=days, hours=hours)).isoformat(),
        },
    )


@pytest.mark.django_db(transaction=True)
def test_a_mapa_window_under_the_configured_floor_is_refused(world, clock, settings):
    # given a MAPA (180 000 € of a local authority's services), floor 15 days
    assert settings.MAPA_MIN_OFFER_DAYS == 15
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    # when the offers get 14 days and 23 hours / then refused on the deadline
    with pytest.raises(ApplicationError) as excinfo:
        publish(world, challenge, 14, 23)
    assert "15 jours" in excinfo.value.extra["fields"]["proposal_deadline"][0]
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.READY
    # and 15 days are published, with a warning under 21 days
    publish(world, challenge, 15)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.POSITIONING
    event = challenge.audit_events.get(verb="challenge.published")
    assert "21 jours" in event.data["warnings"][0]


@pytest.mark.django_db(transaction=True)
def test_a_mapa_window_of_the_warning_length_is_published_without_warning(
    world, clock, settings, api
):
    # given a floor and a warning set from the settings
    settings.MAPA_MIN_OFFER_DAYS, settings.MAPA_WARN_OFFER_DAYS = 10, 21
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    # when the offers get 20 days / then published, and the API shows the warning
    publish(world, challenge, 20, 23)
    shown = ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "")))
    assert "21 jours" in shown["warnings"][0]
    # and with 21 days there is none
    settings.MAPA_WARN_OFFER_DAYS = 21
    Challenge.objects.filter(pk=challenge.pk).update(proposal_deadline=paris(2026, 9, 22, 9, 0))
    assert ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "")))["warnings"] == []
