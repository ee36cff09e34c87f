"""The portal's pages of facilitation and community: the buyer designates the
facilitator, the facilitator's « À animer » in the inbox, a working group's space
(meetings and minutes) and who may open it, the Chambre's motions and plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.models import ChallengeResource, Commons, Meeting, Membership, Motion, Role
from procurement.services import community
from tests.api.scenarios import POSITIONING_END, in_proposals, published
from tests.conftest import later, member
from workflows import operations

pytestmark = pytest.mark.django_db


@pytest.fixture
def animatrice(world):
    user = member(world.buyer, "animatrice", Role.FACILITATOR)
    user.first_name, user.last_name = "Manon", "Deschamps"
    user.save()
    return user


def first_group(challenge):
    return ChallengeResource.objects.filter(challenge=challenge).order_by("order")[0].working_group


def test_the_buyer_designates_the_facilitator_on_the_calls_page(
    client, world, clock, login, animatrice
):
    challenge = published(world)
    url = reverse("portal:facilitation", args=[challenge.pk])
    login(world.buyer_agent)

    page = client.get(url).content.decode()
    response = client.post(url, {"facilitator": str(animatrice.pk)})

    assert "Manon Deschamps" in page
    assert response.status_code == 302
    assert "Manon Deschamps" in client.get(url).content.decode()


def test_a_conflicted_designation_is_shown_on_the_field(client, world, clock, login, animatrice):
    challenge = published(world)
    Membership.objects.create(user=animatrice, organisation=world.partners[0], role=Role.MEMBER)
    from procurement.services.positions import position_create

    position_create(
        actor=world.partner_users[0],
        resource=ChallengeResource.objects.filter(challenge=challenge).first(),
        organisation=world.partners[0],
        intent="produce",
        contributions=[{"kind": "money", "amount": 500}],
    )
    login(world.buyer_agent)

    response = client.post(
        reverse("portal:facilitation", args=[challenge.pk]), {"facilitator": str(animatrice.pk)}
    )

    assert response.status_code == 400
    assert "doit rester neutre" in response.content.decode()


def test_a_partner_may_not_open_the_facilitation_page(client, world, clock, login):
    challenge = published(world)
    login(world.partner_users[0])

    assert client.get(reverse("portal:facilitation", args=[challenge.pk])).status_code == 403


@pytest.fixture
def grouped(world, clock, animatrice):
    challenge = in_proposals(world, clock)
    operations.facilitator_designate(
        challenge=challenge, actor=world.buyer_agent, facilitator=animatrice
    )
    return challenge


def test_the_facilitators_inbox_lists_what_to_facilitate(client, world, login, grouped, animatrice):
    login(animatrice)

    page = client.get(reverse("portal:inbox")).content.decode()

    assert "À animer" in page
    assert "Animer le groupe" in page
    space = reverse("portal:group_space", args=[grouped.pk, first_group(grouped).pk])
    assert space in page


def test_a_member_schedules_and_the_facilitator_writes_the_minutes(
    client, world, clock, login, grouped, animatrice
):
    group = first_group(grouped)
    url = reverse("portal:group_space", args=[grouped.pk, group.pk])
    login(world.partner_users[0])
    starts = later(POSITIONING_END, days=2).astimezone(timezone.get_current_timezone())

    scheduled = client.post(
        url,
        {
            "action": "meeting",
            "reunion-starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "reunion-place": "Maison des communs",
            "reunion-agenda": "Tour de table",
        },
    )
    meeting = Meeting.objects.get()
    clock.move_to(later(POSITIONING_END, days=3))
    login(animatrice)
    page = client.get(url).content.decode()
    written = client.post(
        url,
        {
            "action": "minutes",
            "meeting": str(meeting.pk),
            f"cr-{meeting.pk}-minutes": "Un dépôt commun est créé.",
            f"cr-{meeting.pk}-attendees": [str(world.partners[0].pk)],
            f"cr-{meeting.pk}-facilitator_present": "on",
        },
    )

    assert scheduled.status_code == 302
    assert "Compte rendu à écrire." in page
    assert written.status_code == 302
    shown = client.get(url).content.decode()
    assert "Un dépôt commun est créé." in shown
    assert "Covoit Libre SAS" in shown


def test_a_meeting_link_other_than_web_is_refused_on_its_field(
    client, world, login, grouped, animatrice
):
    url = reverse("portal:group_space", args=[grouped.pk, first_group(grouped).pk])
    login(animatrice)

    response = client.post(
        url,
        {
            "action": "links",
            "liens-chat_url": "javascript:alert(1)",
            "liens-wiki_url": "",
        },
    )

    assert response.status_code == 400
    assert "fr-input-group--error" in response.content.decode()


def test_another_candidate_does_not_find_the_group_space(client, world, login, grouped):
    url = reverse("portal:group_space", args=[grouped.pk, first_group(grouped).pk])
    login(world.partner_users[1])

    assert client.get(url).status_code == 404
    login(world.buyer_agent)
    buyer_page = client.get(url)
    assert buyer_page.status_code == 200
    assert "Programmer la réunion" not in buyer_page.content.decode()


def test_motions_filed_decided_and_followed_on_the_chambres_pages(client, world, login):
    contributor = member(world.chambre, "contributrice", Role.CONTRIBUTEURS)
    commons = Commons.objects.create(name="Registre", slug="registre", category="knowledge")
    url = reverse("portal:motions", args=[world.chambre.pk])
    login(contributor)

    filed = client.post(
        url, {"title": "Un guide", "text": "Pour les nouveaux.", "commons": str(commons.pk)}
    )
    motion = Motion.objects.get()
    detail = reverse("portal:motion", args=[world.chambre.pk, motion.pk])
    login(world.moderator)
    due = (timezone.now() + timedelta(days=20)).date().isoformat()
    no_plan = client.post(
        detail,
        {"action": "decide", "decision-decision": "adopt", "decision-reason": "Utile"},
    )
    adopted = client.post(
        detail,
        {
            "action": "decide",
            "decision-decision": "adopt",
            "decision-reason": "Utile",
            "decision-action_1": "Rédiger le guide",
            "decision-owner_1": "Groupe engagement",
            "decision-due_1": due,
        },
    )

    assert filed.status_code == 302
    assert no_plan.status_code == 400
    assert "plan d&#x27;action" in no_plan.content.decode()
    assert adopted.status_code == 302
    client.logout()
    public = client.get(detail).content.decode()
    assert "Rédiger le guide" in public
    assert "Groupe engagement" in public
    assert "Un guide" in client.get(url).content.decode()
    assert client.post(detail, {"action": "update"}).status_code == 403


def test_a_filed_motion_is_not_public(client, world):
    contributor = member(world.chambre, "contributrice", Role.CONTRIBUTEURS)
    commons = Commons.objects.create(name="Registre", slug="registre", category="knowledge")
    motion = community.motion_file(
        actor=contributor, chambre=world.chambre, title="Secret", text="t", commons=commons
    )

    assert (
        client.get(reverse("portal:motion", args=[world.chambre.pk, motion.pk])).status_code == 404
    )
    assert (
        "Secret"
        not in client.get(reverse("portal:motions", args=[world.chambre.pk])).content.decode()
    )


def test_the_facilitators_inbox_runs_a_constant_number_of_queries(
    client, world, login, grouped, animatrice, django_assert_max_num_queries
):
    group = first_group(grouped)
    login(animatrice)

    def meet(n):
        for i in range(n):
            community.meeting_schedule(
                actor=animatrice,
                group=group,
                starts_at=later(POSITIONING_END, days=3 + i),
                place="Lille",
                agenda="Point",
            )

    meet(1)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("portal:inbox"))
    meet(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("portal:inbox")).content.decode()
    assert page.count("Tenir la réunion du groupe") == 6
