"""The portal's position page (several contributions, changed until the deadline), the
public names on the challenge page, and the working groups' contacts page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Position
from tests.api.scenarios import POSITIONING_END, published
from tests.conftest import later
from tests.portal.test_tasks import field_error
from tests.procurement.test_contributions import MEANS, SKILLS, groups_formed, position, resources


def contributions(p):
    return [(c.kind, c.days, c.description, c.amount) for c in p.contributions.all()]


@pytest.mark.parametrize(
    ("seconds", "status"), [(-1, 302), (0, 409), (1, 409)], ids=["1s-before", "at", "after"]
)
@pytest.mark.django_db
def test_partner_changes_its_position_until_the_deadline(
    client, world, clock, login, seconds, status
):
    challenge = published(world)
    p = position(world, challenge, contributions=[SKILLS])
    url = reverse("portal:position", args=[challenge.pk])
    login(world.partner_users[0])
    form = client.get(url, {"modifier": p.pk}).content.decode()
    assert 'value="Développeuse"' in form
    assert 'name="action" value="update"' in form
    clock.move_to(later(POSITIONING_END, seconds=seconds))
    login(world.partner_users[0])  # the session does not outlive a jump of two weeks

    response = client.post(
        url,
        {
            "action": "update",
            "position": p.pk,
            "organisation": world.partners[0].pk,
            "resource": p.resource_id,
            "intent": "contribute",
            "c0_kind": "technical_means",
            "c0_description": "Un banc de test",
            "c2_kind": "money",
            "c2_amount": "1 500",
            "public_name": "on",
        },
    )

    assert response.status_code == status
    p.refresh_from_db()
    if status == 302:
        assert (p.intent, p.public_name) == ("contribute", True)
        assert contributions(p) == [
            ("technical_means", None, "Un banc de test", None),
            ("money", None, "", Decimal("1500.00")),
        ]
    else:
        html = response.content.decode()
        assert "La date limite des positionnements est passée." in html
        assert "Un banc de test" in html  # the refused input is kept
        assert contributions(p) == [("skills", Decimal("12.5"), "", None)]


@pytest.mark.django_db
def test_a_contribution_row_without_its_kind_is_refused_next_to_it(client, world, clock, login):
    challenge = published(world)
    login(world.partner_users[0])

    response = client.post(
        reverse("portal:position", args=[challenge.pk]),
        {
            "action": "create",
            "organisation": world.partners[0].pk,
            "resource": resources(challenge)[0].pk,
            "intent": "produce",
            "c1_amount": "300",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "id_c1_kind") == "Choisissez le type de cette contribution."
    assert 'value="300"' in html
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_another_partners_position_cannot_be_opened_for_change(client, world, clock, login):
    challenge = published(world)
    other = position(world, challenge, k=1)
    login(world.partner_users[0])

    url = reverse("portal:position", args=[challenge.pk])
    assert client.get(url, {"modifier": other.pk}).status_code == 404
    response = client.post(
        url,
        {
            "action": "update",
            "position": other.pk,
            "organisation": world.partners[0].pk,
            "resource": other.resource_id,
            "intent": "use",
            "c0_kind": "money",
            "c0_amount": "1",
        },
    )
    assert response.status_code == 404
    assert Position.objects.get().intent == "produce"


@pytest.mark.django_db
def test_challenge_page_names_only_the_organisations_that_agreed(client, world, clock):
    challenge = published(world)
    first = resources(challenge)[0]
    position(world, challenge, 0, resource=first, public_name=True)
    position(world, challenge, 1, resource=first, contributions=[MEANS])

    html = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()

    assert "<td>2</td>" in html
    assert world.partners[0].name in html
    assert world.partners[1].name not in html


@pytest.mark.django_db
def test_working_group_page_shows_contacts_to_members_only(client, world, clock, login):
    challenge, group, other_group = groups_formed(world, clock)
    url = reverse("portal:groups", args=[challenge.pk])

    html = login(world.partner_users[0]).get(url).content.decode()
    assert world.partner_users[1].email in html
    assert html.count('<h2 id="groupe-') == 2  # partner 0 is in two groups

    for user in (world.partner_users[2], world.buyer_agent, world.moderator, world.stranger):
        html = login(user).get(url).content.decode()
        assert world.partner_users[0].email not in html
        assert world.partner_users[1].email not in html
        # and may not designate the coordinator
        response = client.post(url, {"group": group.pk, "organisation": world.partners[2].pk})
        assert response.status_code == 404

    response = login(world.partner_users[1]).post(
        url, {"group": group.pk, "organisation": world.partners[1].pk}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.coordinator == world.partners[1]
    other_group.refresh_from_db()
    assert other_group.coordinator == world.partners[0]
