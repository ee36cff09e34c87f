"""The grid's level descriptions, and a grid copied from a previous challenge."""

import copy

import pytest

from scoring.services import DEFAULT_GRID
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.scoring.helpers import audit_verbs
from tests.workflows import journey

ENVIRONMENT = next(i for i, c in enumerate(DEFAULT_GRID) if c["code"] == "environnement")


def grid_with_levels() -> list[dict]:
    criteria = copy.deepcopy(DEFAULT_GRID)
    for criterion in criteria:
        criterion["weight"] = str(criterion["weight"])
    criteria[0]["levels"] = [
        {"level": 10, "description": "Solution exemplaire, réutilisable telle quelle."},
        {"level": "0", "description": "Aucune réponse technique."},
        {"level": "5", "description": "Réponse partielle."},
    ]
    # the price is marked by its formula: the mentions go on the environmental criterion
    criteria[ENVIRONMENT]["scale"] = "mj"
    criteria[ENVIRONMENT]["levels"] = [
        {"level": "À rejeter", "description": "Aucune mesure de sobriété."},
        {"level": "Excellent", "description": "Sobriété mesurée et suivie."},
    ]
    return criteria


@pytest.mark.django_db(transaction=True)
def test_grid_keeps_the_description_of_each_level_in_the_scales_order(world, clock, api):
    # given a draft challenge
    challenge = journey.start(world)
    buyer = api(world.buyer_agent)
    url = challenge_url(challenge.pk, "grid/")

    # when the buyer describes levels of two criteria's scales
    ok(buyer.put(url, {"criteria": grid_with_levels()}, format="json"))

    # then the grid shows them, numeric levels from 0 up and mentions from the best
    criteria = ok(buyer.get(url))["criteria"]
    assert [level["level"] for level in criteria[0]["levels"]] == ["0", "5", "10"]
    assert criteria[0]["levels"][0]["description"] == "Aucune réponse technique."
    assert [level["level"] for level in criteria[ENVIRONMENT]["levels"]] == [
        "Excellent",
        "À rejeter",
    ]
    assert criteria[2]["levels"] == []


@pytest.mark.django_db(transaction=True)
def test_grid_refuses_a_level_off_the_criterions_scale_and_keeps_the_old_grid(world, clock, api):
    # given a draft challenge with its default grid
    challenge = journey.start(world)
    buyer = api(world.buyer_agent)
    url = challenge_url(challenge.pk, "grid/")
    before = ok(buyer.get(url))
    criteria = grid_with_levels()
    criteria[0]["levels"].append({"level": "11", "description": "Au-delà du barème."})
    criteria[ENVIRONMENT]["levels"].append({"level": "Bof", "description": "Pas une mention."})

    # when the buyer describes a level its scales do not have
    body = error(buyer.put(url, {"criteria": criteria}, format="json"), 400, "invalid_levels")

    # then each criterion in fault is named, and the grid is unchanged
    assert set(body["fields"]["criteria"]) == {"technique", "environnement"}
    assert "levels" in body["fields"]["criteria"]["technique"]
    assert ok(buyer.get(url)) == before


@pytest.mark.django_db(transaction=True)
def test_grid_is_copied_from_a_previous_challenge_of_the_same_buyer(world, clock, api):
    # given a previous challenge with its own grid, and a new draft
    previous = journey.start(world, title="Appel précédent")
    buyer = api(world.buyer_agent)
    ok(
        buyer.put(
            challenge_url(previous.pk, "grid/"), {"criteria": grid_with_levels()}, format="json"
        )
    )
    challenge = journey.start(world, title="Nouvel appel")

    # when the buyer copies the previous grid onto the new challenge
    copied = ok(
        buyer.post(
            challenge_url(challenge.pk, "grid/copy/"), {"source": previous.pk}, format="json"
        )
    )

    # then the new grid is the previous one, levels included, and the copy is recorded
    source = ok(buyer.get(challenge_url(previous.pk, "grid/")))
    assert copied["criteria"] == source["criteria"]
    assert ok(buyer.get(challenge_url(challenge.pk, "grid/")))["criteria"] == source["criteria"]
    assert copied["criteria"][ENVIRONMENT]["scale"] == "mj"
    assert "grid.copied" in audit_verbs(challenge)


@pytest.mark.django_db(transaction=True)
def test_grid_copy_is_refused_once_the_grid_is_frozen(world, clock, api):
    # given a draft with a grid of its own, and a challenge whose proposals are opened
    previous = journey.start(world, title="Appel précédent")
    buyer = api(world.buyer_agent)
    ok(
        buyer.put(
            challenge_url(previous.pk, "grid/"), {"criteria": grid_with_levels()}, format="json"
        )
    )
    challenge = scenarios.opened(world, clock)
    url = challenge_url(challenge.pk, "grid/")
    before = ok(buyer.get(url))
    assert before["frozen_at"] is not None

    # when the buyer copies the other grid onto the frozen one
    response = buyer.post(f"{url}copy/", {"source": previous.pk}, format="json")

    # then it is refused, and the grid is unchanged
    error(response, 409, "grid_frozen")
    assert ok(buyer.get(url)) == before


@pytest.mark.django_db(transaction=True)
def test_grid_copy_needs_a_source_the_caller_sees_and_the_buyers_staff(world, clock, api):
    # given a published challenge of this buyer, and a draft of another buyer
    challenge = scenarios.published(world)
    foreign_draft, other_agent = scenarios.other_buyers_draft(world)
    url = challenge_url(challenge.pk, "grid/copy/")
    buyer = api(world.buyer_agent)
    before = ok(buyer.get(challenge_url(challenge.pk, "grid/")))

    # when the buyer copies from a challenge it may not see, then that one is missing
    response = buyer.post(url, {"source": foreign_draft.pk}, format="json")
    error(response, 404, "challenge_not_found")
    # when it copies the grid onto itself, then the source is refused
    body = error(buyer.post(url, {"source": challenge.pk}, format="json"), 400, "invalid_source")
    assert "source" in body["fields"]
    # when the other buyer, who sees both, copies its draft's grid onto this challenge, or a
    # partner copies anything, then it is forbidden
    response = api(other_agent).post(url, {"source": foreign_draft.pk}, format="json")
    error(response, 403, "not_allowed")
    response = api(world.partner_users[0]).post(url, {"source": challenge.pk}, format="json")
    error(response, 403, "not_allowed")
    # and the grid is unchanged
    assert ok(buyer.get(challenge_url(challenge.pk, "grid/"))) == before
