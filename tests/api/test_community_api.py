"""Facilitation and community over the API: the facilitator designated by the buyer,
its to-do list, a working group's space with its meetings and links, the Chambre's
motions and their action plan; French errors, permission per object."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import ChallengeResource, Commons, Role
from tests.api.scenarios import POSITIONING_END, in_proposals, published
from tests.api.steps import challenge_url, error, ok
from tests.conftest import later, member
from workflows import operations

pytestmark = pytest.mark.django_db


@pytest.fixture
def animatrice(world):
    return member(world.buyer, "animatrice", Role.FACILITATOR)


def first_group(challenge):
    return ChallengeResource.objects.filter(challenge=challenge).order_by("order")[0].working_group


def test_the_buyer_designates_the_facilitator_and_a_partner_may_not(world, clock, api, animatrice):
    challenge = published(world)
    url = challenge_url(challenge.pk, "facilitator/")

    error(api(world.partner_users[0]).put(url, {"facilitator": animatrice.pk}, format="json"), 403)
    body = ok(api(world.buyer_agent).put(url, {"facilitator": animatrice.pk}, format="json"))

    assert body["facilitator"]["id"] == animatrice.pk
    assert body["active"] is True
    assert ok(api(animatrice).get(url))["facilitator_name"] == "animatrice"
    error(api(world.partner_users[0]).get(url), 404, "facilitation_not_found")


def test_a_conflicted_facilitator_is_refused_in_french_or_english(world, clock, api, animatrice):
    from procurement.models import Membership
    from procurement.services.positions import position_create

    challenge = published(world)
    Membership.objects.create(user=animatrice, organisation=world.partners[2], role=Role.MEMBER)
    position_create(
        actor=world.partner_users[2],
        resource=ChallengeResource.objects.filter(challenge=challenge).first(),
        organisation=world.partners[2],
        intent="produce",
        contributions=[{"kind": "money", "amount": 1000}],
    )
    url = challenge_url(challenge.pk, "facilitator/")
    client = api(world.buyer_agent)

    french = error(
        client.put(url, {"facilitator": animatrice.pk}, format="json"),
        400,
        "facilitator_not_neutral",
    )
    english = error(
        client.put(url, {"facilitator": animatrice.pk}, format="json", HTTP_ACCEPT_LANGUAGE="en"),
        400,
        "facilitator_not_neutral",
    )

    assert "doit rester neutre" in french["message"]
    assert "Association Rues Partagées" in french["fields"]["facilitator"][0]
    assert "neutral" in english["message"]


@pytest.fixture
def grouped(world, clock, animatrice):
    challenge = in_proposals(world, clock)
    operations.facilitator_designate(
        challenge=challenge, actor=world.buyer_agent, facilitator=animatrice
    )
    return challenge


def test_a_groups_meeting_and_minutes_through_the_api(world, clock, api, grouped, animatrice):
    group = first_group(grouped)
    base = challenge_url(grouped.pk, f"working-groups/{group.pk}/")
    member_client = api(world.partner_users[0])

    # a member schedules a meeting by video
    created = ok(
        member_client.post(
            base + "meetings/",
            {
                "starts_at": later(POSITIONING_END, days=2).isoformat(),
                "visio_url": "https://visio.example.fr/covoit",
                "agenda": "Répartition des tâches",
            },
            format="json",
        ),
        201,
    )
    minutes_url = base + f"meetings/{created['id']}/minutes/"
    # too early for minutes
    error(
        api(animatrice).put(minutes_url, {"minutes": "CR"}, format="json"), 409, "meeting_not_held"
    )
    clock.move_to(later(POSITIONING_END, days=2, hours=2))

    written = ok(
        api(animatrice).put(
            minutes_url,
            {
                "minutes": "Chacun prend un module.",
                "attendees": [world.partners[0].pk],
                "facilitator_present": True,
            },
            format="json",
        )
    )

    assert written["minutes"] == "Chacun prend un module."
    assert [o["name"] for o in written["attendees"]] == ["Covoit Libre SAS"]
    space = ok(api(world.buyer_agent).get(base + "space/"))
    assert space["meetings"][0]["minutes"] == "Chacun prend un module."
    assert space["may_write"] is False
    facilitation = ok(api(animatrice).get("/api/v1/facilitation/"))
    assert {"group", "questions"} >= {i["kind"] for i in facilitation}


def test_a_groups_space_is_hidden_from_other_candidates_and_strangers(world, clock, api, grouped):
    base = challenge_url(grouped.pk, f"working-groups/{first_group(grouped).pk}/")

    error(api(world.partner_users[1]).get(base + "space/"), 404, "group_not_found")
    error(api(world.stranger).get(base + "meetings/"), 404, "group_not_found")
    error(api().get(base + "space/"), 401)


def test_group_links_are_http_or_https(world, clock, api, grouped, animatrice):
    url = challenge_url(grouped.pk, f"working-groups/{first_group(grouped).pk}/space/")

    body = error(
        api(animatrice).patch(url, {"wiki_url": "ftp://wiki.example.fr/"}, format="json"), 400
    )
    assert "wiki_url" in body["fields"]
    done = ok(api(animatrice).patch(url, {"chat_url": "https://chat.example.fr/"}, format="json"))
    assert done["chat_url"] == "https://chat.example.fr/"
    error(api(world.buyer_agent).patch(url, {"chat_url": "https://x.fr/"}, format="json"), 403)


def test_a_motion_filed_adopted_with_its_plan_then_public(world, api):
    contributor = member(world.chambre, "contributrice", Role.CONTRIBUTEURS)
    commons = Commons.objects.create(name="Registre", slug="registre", category="knowledge")
    url = f"/api/v1/chambres/{world.chambre.pk}/motions/"

    error(
        api(world.partner_users[0]).post(url, {"title": "T", "text": "X"}, format="json"),
        403,
    )
    filed = ok(
        api(contributor).post(
            url,
            {"title": "Un guide", "text": "Accueillir les contributeurs.", "commons": commons.pk},
            format="json",
        ),
        201,
    )
    assert ok(api().get(url))["results"] == []
    due = (timezone.now() + timedelta(days=30)).date().isoformat()

    # the Chambre's engagement group may not decide; the modérateur does
    decision = f"/api/v1/motions/{filed['id']}/decision/"
    payload = {
        "adopted": True,
        "reason": "Utile",
        "actions": [{"title": "Rédiger", "owner": "Groupe engagement", "due_date": due}],
    }
    error(api(world.rapporteur).post(decision, payload, format="json"), 403)
    adopted = ok(api(world.moderator).post(decision, payload, format="json"))
    error(api(world.moderator).post(decision, payload, format="json"), 409, "motion_decided")

    assert adopted["status"] == "adopted"
    public = ok(api().get(url))["results"]
    assert [(m["title"], [a["title"] for a in m["actions"]]) for m in public] == [
        ("Un guide", ["Rédiger"])
    ]
    action = adopted["actions"][0]["id"]
    updated = ok(
        api(world.moderator).patch(
            f"/api/v1/motions/{filed['id']}/actions/{action}/", {"status": "done"}, format="json"
        )
    )
    assert updated["status"] == "done"
    error(
        api(contributor).patch(
            f"/api/v1/motions/{filed['id']}/actions/{action}/", {"status": "planned"}, format="json"
        ),
        403,
    )


def test_a_rejected_motion_is_not_public(world, api):
    contributor = member(world.chambre, "contributrice", Role.CONTRIBUTEURS)
    commons = Commons.objects.create(name="Registre", slug="registre", category="knowledge")
    filed = ok(
        api(contributor).post(
            f"/api/v1/chambres/{world.chambre.pk}/motions/",
            {"title": "Hors sujet", "text": "…", "commons": commons.pk},
            format="json",
        ),
        201,
    )

    ok(
        api(world.moderator).post(
            f"/api/v1/motions/{filed['id']}/decision/",
            {"adopted": False, "reason": "Hors du champ de la Chambre"},
            format="json",
        )
    )

    error(api().get(f"/api/v1/motions/{filed['id']}/"), 404, "motion_not_found")
    assert ok(api(world.rapporteur).get(f"/api/v1/motions/{filed['id']}/"))["status"] == "rejected"


def test_the_motions_list_runs_a_constant_number_of_queries(
    world, api, django_assert_max_num_queries
):
    from procurement.services import community

    contributor = member(world.chambre, "contributrice", Role.CONTRIBUTEURS)
    commons = Commons.objects.create(name="Registre", slug="registre", category="knowledge")
    url = f"/api/v1/chambres/{world.chambre.pk}/motions/"
    client = api(world.moderator)
    due = (timezone.now() + timedelta(days=3)).date()

    def add(n):
        for i in range(n):
            motion = community.motion_file(
                actor=contributor, chambre=world.chambre, title=f"M{i}", text="t", commons=commons
            )
            community.motion_decide(
                actor=world.moderator,
                motion=motion,
                adopted=True,
                reason="r",
                actions=[{"title": "a", "owner": "o", "due_date": due}] * 2,
            )

    add(2)
    with django_assert_max_num_queries(12) as few:
        ok(client.get(url))
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ok(client.get(url))["results"]) == 12
