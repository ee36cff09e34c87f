"""Positions with their contributions over the API, the public names per resource, and
the working groups' contacts seen by their members only."""

import pytest

from procurement.models import Position
from tests.api.scenarios import POSITIONING_END, published
from tests.api.steps import challenge_url, error, ok
from tests.conftest import later
from tests.procurement.test_contributions import MONEY, SKILLS, groups_formed, position, resources

OTHER_KIND = "Ce champ ne concerne pas ce type de contribution."
SKILLS_JSON = {"kind": "skills", "days": "12.5", "profile": "Développeuse"}


def people(world):
    """Every role of the permission matrix, the partner member of the position first."""
    return {
        "partner member": world.partner_users[0],
        "other partner": world.partner_users[1],
        "buyer": world.buyer_agent,
        "evaluator": world.evaluators[0],
        "chambre moderator": world.moderator,
        "stranger": world.stranger,
        "anonymous": None,
    }


@pytest.mark.django_db
def test_partner_positions_with_several_contributions(world, clock, api):
    challenge = published(world)
    resource = resources(challenge)[0]
    client = api(world.partner_users[0])

    created = ok(
        client.post(
            challenge_url(challenge.pk, "positions/"),
            {
                "resource": resource.pk,
                "organisation": world.partners[0].pk,
                "intent": "produce",
                "contributions": [
                    SKILLS_JSON,
                    {"kind": "technical_means", "description": "Serveurs"},
                    {"kind": "money", "amount": "5000"},
                ],
            },
            format="json",
        ),
        201,
    )

    assert [(c["kind"], c["days"], c["amount"]) for c in created["contributions"]] == [
        ("skills", "12.5", None),
        ("technical_means", None, None),
        ("money", None, "5000.00"),
    ]
    listed = ok(client.get(challenge_url(challenge.pk, "positions/")))["results"]
    assert [len(p["contributions"]) for p in listed] == [3]


@pytest.mark.parametrize(
    ("contributions", "fields"),
    [
        ([], {"contributions": ["Indiquez au moins une contribution."]}),
        (
            [SKILLS_JSON, {"kind": "money"}],
            {
                "contributions": {
                    "1": {"amount": ["Indiquez un montant en euros supérieur à zéro."]}
                }
            },
        ),
        (
            [{"kind": "skills", "days": "3", "description": "x"}],
            {"contributions": {"0": {"description": [OTHER_KIND]}}},
        ),
    ],
    ids=["none", "money-without-amount", "field-of-another-kind"],
)
@pytest.mark.django_db
def test_contributions_are_validated_with_french_messages_per_field(
    world, clock, api, contributions, fields
):
    challenge = published(world)

    body = error(
        api(world.partner_users[0]).post(
            challenge_url(challenge.pk, "positions/"),
            {
                "resource": resources(challenge)[0].pk,
                "organisation": world.partners[0].pk,
                "intent": "produce",
                "contributions": contributions,
            },
            format="json",
        ),
        400,
        "invalid",
    )

    assert body["fields"] == fields
    assert not Position.objects.exists()


@pytest.mark.parametrize(
    ("seconds", "status"), [(-1, 200), (0, 409), (1, 409)], ids=["1s-before", "at", "after"]
)
@pytest.mark.django_db
def test_position_changes_and_withdraws_until_the_deadline(world, clock, api, seconds, status):
    challenge = published(world)
    p = position(world, challenge, contributions=[SKILLS])
    client = api(world.partner_users[0])
    url = challenge_url(challenge.pk, f"positions/{p.pk}/")
    clock.move_to(later(POSITIONING_END, seconds=seconds))

    response = client.patch(
        url,
        {"intent": "contribute", "contributions": [{"kind": "money", "amount": "800"}]},
        format="json",
    )

    if status == 200:
        changed = ok(response)
        assert changed["intent"] == "contribute"
        assert [(c["kind"], c["amount"]) for c in changed["contributions"]] == [("money", "800.00")]
        ok(client.delete(url), 204)
        assert not Position.objects.exists()
    else:
        error(response, 409, "deadline_passed")
        error(client.delete(url), 409, "deadline_passed")
        assert [c.kind for c in Position.objects.get().contributions.all()] == ["skills"]


@pytest.mark.django_db
def test_position_permission_matrix(world, clock, api):
    challenge = published(world)
    p = position(world, challenge, contributions=[SKILLS])
    url = challenge_url(challenge.pk, f"positions/{p.pk}/")
    change = {"contributions": [MONEY | {"amount": "10"}]}
    # (read, change, withdraw): the member acts; the buyer reads but may not act; nobody
    # else learns that the position exists; the anonymous caller must sign in to write.
    expected = {
        "partner member": (200, 200, 204),
        "other partner": (404, 404, 404),
        "buyer": (200, 403, 403),
        "evaluator": (404, 404, 404),
        "chambre moderator": (404, 404, 404),
        "stranger": (404, 404, 404),
        "anonymous": (404, 401, 401),
    }
    order = [
        "other partner",
        "buyer",
        "evaluator",
        "chambre moderator",
        "stranger",
        "anonymous",
        "partner member",
    ]
    matrix = people(world)
    seen = {}
    for role in order:
        client = api(matrix[role])
        seen[role] = (
            client.get(url).status_code,
            client.patch(url, change, format="json").status_code,
            client.delete(url).status_code,
        )
    assert seen == expected


@pytest.mark.django_db
def test_public_names_and_counts_per_resource(world, clock, api, django_assert_max_num_queries):
    challenge = published(world)
    first, second = resources(challenge)[:2]
    position(world, challenge, 0, resource=first, public_name=True)
    position(world, challenge, 1, resource=first)
    position(world, challenge, 2, resource=second, public_name=True)
    position(world, challenge, 1, resource=second, public_name=True)

    with django_assert_max_num_queries(3):
        listed = ok(api().get(challenge_url(challenge.pk, "resources/")))

    by_id = {r["id"]: r for r in listed}
    assert (by_id[first.pk]["position_count"], by_id[first.pk]["public_organisations"]) == (
        2,
        [world.partners[0].name],
    )
    assert (by_id[second.pk]["position_count"], by_id[second.pk]["public_organisations"]) == (
        2,
        sorted([world.partners[2].name, world.partners[1].name]),
    )


@pytest.mark.django_db
def test_working_group_contacts_are_seen_by_its_members_only(world, clock, api):
    challenge, group, other_group = groups_formed(world, clock)
    world.partners[1].address = "12 rue des Communs, Lille"
    world.partners[1].website = "https://mobicoop.example"
    world.partners[1].save()
    url = challenge_url(challenge.pk, "working-groups/")

    mine = {g["id"]: g for g in ok(api(world.partner_users[0]).get(url))}
    # partner 0 is in both groups and sees the contacts of each
    assert mine[group.pk]["is_member"]
    assert mine[other_group.pk]["is_member"]
    contacts = {c["name"]: c for c in mine[group.pk]["contacts"]}
    assert set(contacts) == {world.partners[0].name, world.partners[1].name}
    assert contacts[world.partners[1].name]["address"] == "12 rue des Communs, Lille"
    assert contacts[world.partners[1].name]["website"] == "https://mobicoop.example"
    assert contacts[world.partners[1].name]["users"] == [
        {
            "name": world.partner_users[1].get_full_name() or "partenaire2",
            "email": world.partner_users[1].email,
        }
    ]

    # outside the group: no contacts, only the names of the members that agreed
    for role, user in people(world).items():
        if role in ("partner member", "other partner"):
            continue
        seen = {g["id"]: g for g in ok(api(user).get(url))}
        assert seen[group.pk]["contacts"] is None, role
        assert [m["name"] for m in seen[group.pk]["members"]] == [world.partners[1].name], role
        assert seen[other_group.pk]["members"] == [], role
        assert seen[other_group.pk]["coordinator"] is None, role
        assert world.partner_users[1].email not in str(seen), role


@pytest.mark.django_db
def test_working_group_detail_and_coordinator_permission_matrix(world, clock, api):
    challenge, group, _other = groups_formed(world, clock)
    detail = challenge_url(challenge.pk, f"working-groups/{group.pk}/")
    coordinator = detail + "coordinator/"
    expected = {
        "partner member": (200, 200),
        "other partner": (200, 200),  # partner 1 contributes: a member too
        "buyer": (404, 404),
        "evaluator": (404, 404),
        "chambre moderator": (404, 404),
        "stranger": (404, 404),
        "anonymous": (401, 401),
    }
    matrix = people(world) | {"user of the resource": world.partner_users[2]}
    expected["user of the resource"] = (404, 404)
    seen = {}
    for role, user in matrix.items():
        client = api(user)
        seen[role] = (
            client.get(detail).status_code,
            client.post(
                coordinator, {"organisation": world.partners[1].pk}, format="json"
            ).status_code,
        )
    assert seen == expected
    group.refresh_from_db()
    assert group.coordinator == world.partners[1]

    # only an organisation of the group may coordinate it
    body = error(
        api(world.partner_users[0]).post(
            coordinator, {"organisation": world.partners[2].pk}, format="json"
        ),
        400,
        "not_a_member",
    )
    assert body["fields"] == {"organisation": ["Choisissez une organisation du groupe."]}
