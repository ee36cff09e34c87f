"""« Membres » in the portal: every member of the organisation reads the list, its
administrators alone get the forms and act (a refusal shown with its status), anyone
else gets a 404."""

import pytest

from procurement.models import Membership, Role
from tests.conftest import member

pytestmark = pytest.mark.django_db


def page(world) -> str:
    return f"/espace/organisations/{world.buyer.pk}/membres/"


def test_members_read_the_list_and_only_admins_get_the_forms(world, login):
    evaluator_view = login(world.evaluators[0]).get(page(world))
    assert evaluator_view.status_code == 200
    assert "Envoyer l'invitation" not in evaluator_view.content.decode()
    assert "Évaluateur" in evaluator_view.content.decode()
    admin_view = login(world.buyer_agent).get(page(world))
    assert "Envoyer l'invitation" in admin_view.content.decode()


def test_outsiders_get_a_404(world, login):
    assert login(world.stranger).get(page(world)).status_code == 404


def test_a_plain_member_cannot_change_roles_by_posting(world, login):
    plain = member(world.buyer, "agente.simple", Role.MEMBER)
    evaluator = world.evaluators[0]
    answer = login(plain).post(
        page(world), {"action": "roles", "user": evaluator.pk, f"m{evaluator.pk}-roles": ["admin"]}
    )
    assert answer.status_code == 403
    assert not Membership.objects.filter(user=evaluator, role=Role.ADMIN).exists()


def test_admin_changes_roles_and_the_last_admin_stays(world, login):
    client = login(world.buyer_agent)
    evaluator = world.evaluators[0]
    answer = client.post(
        page(world),
        {
            "action": "roles",
            "user": evaluator.pk,
            f"m{evaluator.pk}-roles": ["evaluator", "member"],
        },
    )
    assert answer.status_code == 302
    assert set(Membership.objects.filter(user=evaluator).values_list("role", flat=True)) == {
        "evaluator",
        "member",
    }
    admin = world.buyer_agent
    refused = client.post(page(world), {"action": "remove", "user": admin.pk})
    assert refused.status_code == 409
    assert "au moins un administrateur" in refused.content.decode()
