"""An organisation's members over the API: listed with their user id, name and roles
for its own members (a buyer's agents find the evaluators they name) and the operators;
managed by its administrators only — other members 403, other organisations 404 — in
the error shape of API.md."""

import pytest
from django.core import mail

from procurement.models import Invitation, Membership, Role
from tests.conftest import member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(org, user=None) -> str:
    base = f"/api/v1/organisations/{org.pk}/members/"
    return f"{base}{user.pk}/" if user is not None else base


def test_buyer_agents_find_the_user_ids_of_their_evaluators(world, api):
    # given the buyer's agent (an administrator) and a plain member
    plain = member(world.buyer, "agente.simple", Role.MEMBER)
    # when each lists the buyer's members
    for user in (world.buyer_agent, plain):
        response = api(user).get(url(world.buyer))
        # then the evaluators are there with their user id and role
        assert response.status_code == 200
        evaluators = {m["user_id"] for m in response.json() if "evaluator" in m["roles"]}
        assert evaluators == {e.pk for e in world.evaluators}


def test_a_chambre_moderator_finds_the_rapporteurs(world, api):
    response = api(world.moderator).get(url(world.chambre))
    assert response.status_code == 200
    by_id = {m["user_id"]: m for m in response.json()}
    assert by_id[world.rapporteur.pk]["roles"] == ["engagement"]
    assert by_id[world.rapporteur.pk]["username"] == "rapporteuse"


def test_members_of_another_organisation_and_anonymous_are_not_shown(world, api):
    assert api(world.partner_users[0]).get(url(world.buyer)).status_code == 404
    body = api(world.stranger).get(url(world.buyer)).json()
    assert body["code"] == "organisation_not_found"
    assert set(body) >= {"code", "message", "fields"}
    assert api().get(url(world.buyer)).status_code == 401


def test_an_operator_lists_any_organisation(world, api):
    operator = UserFactory(username="operatrice", is_staff=True)
    assert api(operator).get(url(world.buyer)).status_code == 200


def test_members_list_runs_constant_queries(world, api, django_assert_max_num_queries):
    client = api(world.buyer_agent)
    client.get(url(world.buyer))
    with django_assert_max_num_queries(8) as small:
        client.get(url(world.buyer))
    for i in range(15):
        member(world.buyer, f"agent.extra{i}", Role.EVALUATOR)
    with django_assert_max_num_queries(8) as large:
        assert len(client.get(url(world.buyer)).json()) == 3 + 15
    assert len(large.captured_queries) == len(small.captured_queries)


def test_admin_changes_roles_and_a_plain_member_may_not(world, api):
    # given a plain member of the buyer
    plain = member(world.buyer, "agente.simple", Role.MEMBER)
    # when the admin makes them an evaluator too
    response = api(world.buyer_agent).patch(
        url(world.buyer, plain), {"roles": ["member", "evaluator"]}, format="json"
    )
    # then both roles are held
    assert response.status_code == 200, response.content
    assert response.json()["roles"] == ["evaluator", "member"]
    assert set(Membership.objects.filter(user=plain).values_list("role", flat=True)) == {
        "member",
        "evaluator",
    }
    # and a plain member may not do the same (403), an outsider does not see it (404)
    response = api(plain).patch(
        url(world.buyer, world.evaluators[0]), {"roles": ["admin"]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_admin"
    other_admin = member(world.partners[0], "admin.partenaire", Role.ADMIN)
    response = api(other_admin).patch(url(world.buyer, plain), {"roles": ["admin"]}, format="json")
    assert response.status_code == 404
    assert api(other_admin).delete(url(world.buyer, plain)).status_code == 404


def test_a_role_of_another_kind_of_organisation_is_refused(world, api):
    response = api(world.buyer_agent).patch(
        url(world.buyer, world.evaluators[0]), {"roles": ["moderator"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "role_not_allowed"
    assert "roles" in response.json()["fields"]


def test_the_last_admin_is_neither_demoted_nor_removed(world, api):
    admin = world.buyer_agent
    response = api(admin).patch(url(world.buyer, admin), {"roles": ["member"]}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
    assert api(admin).delete(url(world.buyer, admin)).status_code == 409
    # with a second admin, the first may step down
    member(world.buyer, "second.admin", Role.ADMIN)
    response = api(admin).patch(url(world.buyer, admin), {"roles": ["member"]}, format="json")
    assert response.status_code == 200


def test_admin_removes_a_member_who_then_loses_access(world, api):
    evaluator = world.evaluators[0]
    assert api(evaluator).get(url(world.buyer)).status_code == 200
    assert api(world.buyer_agent).delete(url(world.buyer, evaluator)).status_code == 204
    assert not Membership.objects.filter(user=evaluator, organisation=world.buyer).exists()
    assert api(evaluator).get(url(world.buyer)).status_code == 404
    # a plain member may not remove anyone
    plain = member(world.buyer, "agente.simple", Role.MEMBER)
    assert api(plain).delete(url(world.buyer, world.evaluators[1])).status_code == 403


def test_admin_invites_by_email_and_a_member_may_not(
    world, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.buyer_agent).post(
            url(world.buyer), {"email": "nouvel.agent@lille.fr", "role": "evaluator"}, format="json"
        )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "nouvel.agent@lille.fr"
    assert mail.outbox[-1].to == ["nouvel.agent@lille.fr"]
    assert "/invitation/" in mail.outbox[-1].body
    assert Invitation.objects.get().role == "evaluator"
    response = api(world.evaluators[0]).post(
        url(world.buyer), {"email": "x@lille.fr", "role": "member"}, format="json"
    )
    assert response.status_code == 403
    response = api(world.buyer_agent).post(
        url(world.buyer), {"email": "pas-une-adresse", "role": "member"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_members_endpoints_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/organisations/{id}/members/"]) >= {"get", "post"}
    assert set(paths["/api/v1/organisations/{id}/members/{user_id}/"]) >= {"patch", "delete"}
    assert "403" in paths["/api/v1/organisations/{id}/members/{user_id}/"]["patch"]["responses"]
