"""Under a marché public, a proposal answering several lots prices each of them (issue
20's review): each lot is a marché of its own (article L2113-10 of the code de la
commande publique), concluded for a price (L1111-1); an offer that prices none of a lot
it answers is incomplete (L2152-2). Refused through the API with the contract's error
shape, on ``budget_lines``, in French or in English; nothing is written."""

from datetime import timedelta

import pytest

from procurement.models import ChallengeResource, Proposal
from tests.api.steps import error
from tests.conftest import paris
from tests.workflows import journey


@pytest.fixture
def two_lots_open(world, clock):
    """A call of several lots that lets a proposal answer several, proposals open: the
    first resource's working group (lot 1) may also answer lot 2."""
    challenge = journey.published(world, multi_lot_proposals=True)
    journey.position_and_propose(world, challenge)
    clock.move_to(paris(*journey.POSITIONING_END) + timedelta(seconds=1))
    journey.sweep()
    return ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order")[0]


def body(resource, lines):
    return {
        "group": resource.working_group.pk,
        "title": "Standard et réservation",
        "summary": "Les deux lots ensemble.",
        "deliverables": "Code, documentation",
        "licence": "EUPL-1.2",
        **journey.proposal_json("30000.00"),
        "budget_lines": lines,
        "lots": [2],
    }


def lines_on(development_lot: int, animation_lot: int) -> list[dict]:
    development, animation = journey.proposal_json("30000.00")["budget_lines"]
    return [{**development, "lot": development_lot}, {**animation, "lot": animation_lot}]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Lot n° 1 : aucune ligne ne le chiffre dans le prix du marché."),
        ("en", "Lot no. 1: no line prices it in the contract price."),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_lot_answered_without_a_contract_price_is_refused(
    world, api, two_lots_open, language, message
):
    # given the group answering lots 1 and 2, its development (inside the contract)
    # priced on lot 2 and only its animation (outside it, cofunded) on lot 1
    url = f"/api/v1/challenges/{two_lots_open.challenge_id}/proposals/"

    # when it posts the proposal
    response = api(world.partner_users[0]).post(
        url, body(two_lots_open, lines_on(2, 1)), format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    # then it is refused on its budget lines, naming lot 1, and nothing is recorded
    refused = error(response, 400, "lot_unpriced")
    assert refused["fields"]["budget_lines"][0].startswith(message)
    assert not Proposal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_each_lot_with_a_contract_line_is_accepted(world, api, two_lots_open):
    # given the same group pricing its development on lot 2 and one day of it on lot 1
    url = f"/api/v1/challenges/{two_lots_open.challenge_id}/proposals/"
    development, animation = lines_on(2, 1)
    day = {**development, "quantity": "1", "lot": 1}

    # when it posts the proposal
    response = api(world.partner_users[0]).post(
        url, body(two_lots_open, [development, day, animation]), format="json"
    )

    # then it answers both lots, each with its price
    assert response.status_code == 201, response.content
    assert sorted(response.json()["lots"]) == [1, 2]
