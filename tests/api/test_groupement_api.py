"""The groupement's form and split go with the proposal through the API (issue 15): the
coordinator posts them, another member of the group is refused 403; hors marché neither
is declared (articles R2142-19 to R2142-27 govern public contracts): 400 on the field."""

import pytest

from procurement.models import Proposal
from tests.procurement.test_groupement import (  # noqa: F401 (fixtures)
    group_of_two,
    subsidised_group_of_two,
)
from tests.workflows import journey


def body(group, world, kind, first, second):
    return {
        "group": group.pk,
        "title": "Données des stations, à deux",
        "summary": "Produire le commun avec sa communauté.",
        "deliverables": "Code, documentation",
        "licence": "EUPL-1.2",
        **journey.proposal_json("30000.00"),
        "groupement_kind": kind,
        "member_shares": [
            {"organisation": world.partners[0].pk, "amount": first},
            {"organisation": world.partners[1].pk, "amount": second},
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_posts_the_groupement_with_the_proposal(world, api, group_of_two):  # noqa: F811
    # when Covoit Libre, the coordinator, posts a joint groupement splitting 25 500 €
    url = f"/api/v1/challenges/{group_of_two.resource.challenge_id}/proposals/"
    response = api(world.partner_users[0]).post(
        url, body(group_of_two, world, "joint", "15500.00", "10000.00"), format="json"
    )
    # then it is recorded and shown with the proposal
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["groupement_kind"] == "joint"
    assert [(s["organisation"], s["lot"], s["amount"]) for s in data["member_shares"]] == [
        (world.partners[0].pk, 1, "15500.00"),
        (world.partners[1].pk, 1, "10000.00"),
    ]


@pytest.mark.django_db(transaction=True)
def test_another_member_posting_the_groupement_is_refused_403(world, api, group_of_two):  # noqa: F811
    url = f"/api/v1/challenges/{group_of_two.resource.challenge_id}/proposals/"
    response = api(world.partner_users[1]).post(
        url, body(group_of_two, world, "several", "15500.00", "10000.00"), format="json"
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "not_coordinator"


@pytest.mark.django_db(transaction=True)
def test_the_submission_answers_the_proposal_as_it_is_read_afterwards(world, api, group_of_two):  # noqa: F811
    # given the coordinator posts the proposal with its groupement and a share per member
    client = api(world.partner_users[0])
    url = f"/api/v1/challenges/{group_of_two.resource.challenge_id}/proposals/"
    posted = client.post(
        url, body(group_of_two, world, "joint", "15500.00", "10000.00"), format="json"
    )
    assert posted.status_code == 201, posted.content
    # when the group reads it back, then a second submission's answer as well
    read = client.get(f"{url}{posted.json()['id']}/")
    again = client.post(
        url, body(group_of_two, world, "several", "10000.00", "15500.00"), format="json"
    )
    # then each answer is the proposal as its page reads it: lines, milestones, lots,
    # shares, prices and fair pay alike
    assert read.status_code == 200, read.content
    assert posted.json() == read.json()
    assert posted.json()["fair_pay"]["lines"]
    assert again.status_code == 201, again.content
    assert again.json() == client.get(f"{url}{again.json()['id']}/").json()
    assert again.json()["groupement_kind"] == "several"


@pytest.mark.django_db(transaction=True)
def test_the_submission_answers_the_milestones_in_the_order_they_are_read(world, api, group_of_two):  # noqa: F811
    # given a proposal whose milestones are posted latest first
    client = api(world.partner_users[0])
    url = f"/api/v1/challenges/{group_of_two.resource.challenge_id}/proposals/"
    posted_body = body(group_of_two, world, "joint", "15500.00", "10000.00")
    later = posted_body["milestones"][0]
    earlier = {**later, "title": "Prototype", "due_on": "2027-01-15"}
    assert later["due_on"] > earlier["due_on"]
    posted_body["milestones"] = [later, earlier]
    # when it is submitted and read back
    posted = client.post(url, posted_body, format="json")
    assert posted.status_code == 201, posted.content
    read = client.get(f"{url}{posted.json()['id']}/")
    # then the 201 gives the timeline by due date, as every later read does
    due = [m["due_on"] for m in posted.json()["milestones"]]
    assert due == sorted(due)
    assert posted.json() == read.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("kind", "with_shares", "field", "message"),
    [
        ("joint", False, "groupement_kind", "Hors marché, aucun groupement n'est déclaré"),
        ("", True, "member_shares", "Hors marché, le prix n'est pas réparti entre les membres"),
    ],
    ids=["kind-alone", "shares-alone"],
)
def test_hors_marche_a_groupement_posted_with_the_proposal_is_refused_400(
    world,
    api,
    subsidised_group_of_two,  # noqa: F811
    kind,
    with_shares,
    field,
    message,
):
    """Articles R2142-19 to R2142-27: no groupement hors marché, where no acte
    d'engagement is signed."""
    # given a call hors marché: its coordinator posts a groupement form or member
    # shares making the whole subsidised budget (30 000 €)
    group = subsidised_group_of_two
    posted = body(group, world, kind, "18000.00", "12000.00")
    if not with_shares:
        posted["member_shares"] = []
    url = f"/api/v1/challenges/{group.resource.challenge_id}/proposals/"
    response = api(world.partner_users[0]).post(url, posted, format="json")
    # then 400, in French, on the field, and no proposal is recorded
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "outside_contract"
    [said] = data["fields"][field]
    assert said.startswith(message)
    assert not Proposal.objects.filter(group=group).exists()
