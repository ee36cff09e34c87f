"""Facilitation and community (seeds 004 and 000): the facilitator's neutrality at both
ends, the working groups' meetings, links and who sees them, the Chambre's motions and
the action plan its modérateur follows."""

from datetime import timedelta
from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement import queries
from procurement.models import (
    AuditEvent,
    Challenge,
    ChallengeResource,
    Commons,
    Facilitation,
    Membership,
    MotionStatus,
    Notification,
    Role,
)
from procurement.services import community
from procurement.services.notifications import notification_render
from procurement.services.notifications.subscriptions import mail_language_set
from procurement.services.positions import position_create
from scoring.services import evaluators_assign
from tests.api.scenarios import POSITIONING_END, PROPOSAL_END, in_proposals, opened, published
from tests.conftest import later, member, paris
from tests.workflows import journey
from workflows import operations
from workflows.tasks import sweep

pytestmark = pytest.mark.django_db

SKILLS = [{"kind": "skills", "days": Decimal(10), "profile": "Développeuse"}]


def facilitator(world, username="animatrice"):
    return member(world.buyer, username, Role.FACILITATOR)


def designate(world, challenge, person):
    return operations.facilitator_designate(
        challenge=challenge, actor=world.buyer_agent, facilitator=person
    )


def first_group(challenge):
    resource = ChallengeResource.objects.filter(challenge=challenge).order_by("order").first()
    return resource.working_group


def recipients(key_prefix):
    return sorted(
        Notification.objects.filter(key__startswith=key_prefix).values_list(
            "recipient__username", flat=True
        )
    )


# --- the facilitator and its neutrality --------------------------------------------------


def test_buyer_designates_a_facilitator_recorded_in_the_audit_trail(world, clock):
    challenge = published(world)
    person = facilitator(world)

    designate(world, challenge, person)

    assert queries.is_facilitator(person, challenge)
    event = AuditEvent.objects.get(verb="facilitator.designated")
    assert event.challenge_id == challenge.pk
    assert event.data == {"facilitator": person.pk}


def test_only_the_buyers_resource_persons_may_be_designated(world, clock):
    challenge = published(world)

    with pytest.raises(ApplicationError) as refused:
        designate(world, challenge, world.stranger)

    assert refused.value.code == "not_a_facilitator"
    assert not Facilitation.objects.exists()


def test_a_partner_may_not_designate_the_facilitator(world, clock):
    challenge = published(world)

    with pytest.raises(Forbidden):
        community.facilitator_designate(
            actor=world.partner_users[0], challenge=challenge, facilitator=facilitator(world)
        )


def test_a_member_of_a_candidate_organisation_is_refused_as_facilitator(world, clock):
    # given a resource person who also belongs to Covoit Libre, positioned on the call
    challenge = published(world)
    person = facilitator(world)
    Membership.objects.create(user=person, organisation=world.partners[0], role=Role.MEMBER)
    resource = ChallengeResource.objects.filter(challenge=challenge).first()
    position_create(
        actor=world.partner_users[0],
        resource=resource,
        organisation=world.partners[0],
        intent="contribute",
        contributions=SKILLS,
    )

    # when the buyer designates them
    with pytest.raises(ApplicationError) as refused:
        designate(world, challenge, person)

    # then the refusal names the candidate
    assert refused.value.code == "facilitator_not_neutral"
    assert "Covoit Libre SAS" in refused.value.message
    assert not Facilitation.objects.exists()


def test_a_mere_user_of_the_commons_is_no_candidate(world, clock):
    # An organisation positioned only to use the commons joins no working group.
    challenge = published(world)
    person = facilitator(world)
    Membership.objects.create(user=person, organisation=world.partners[0], role=Role.MEMBER)
    resource = ChallengeResource.objects.filter(challenge=challenge).first()
    position_create(
        actor=world.partner_users[0],
        resource=resource,
        organisation=world.partners[0],
        intent="use",
        contributions=SKILLS,
    )

    designate(world, challenge, person)

    assert queries.is_facilitator(person, challenge)


def test_an_evaluator_of_the_call_is_refused_as_facilitator(world, clock):
    # given evaluators assigned to the call's proposals, one of them also a resource person
    challenge = Challenge.objects.get(pk=opened(world, clock).pk)
    evaluator = world.evaluators[0]
    Membership.objects.create(user=evaluator, organisation=world.buyer, role=Role.FACILITATOR)
    evaluators_assign(challenge=challenge, actor=world.buyer_agent, evaluator_ids=[evaluator.pk])

    with pytest.raises(ApplicationError) as refused:
        designate(world, challenge, evaluator)

    assert refused.value.code == "facilitator_is_evaluator"


def test_the_facilitator_may_not_be_named_evaluator(world, clock):
    # given the call's facilitator, who also holds the evaluator role at the buyer
    challenge = Challenge.objects.get(pk=opened(world, clock).pk)
    evaluator = world.evaluators[0]
    Membership.objects.create(user=evaluator, organisation=world.buyer, role=Role.FACILITATOR)
    designate(world, challenge, evaluator)

    # when the buyer names them among the evaluators
    with pytest.raises(ApplicationError) as refused:
        evaluators_assign(
            challenge=challenge,
            actor=world.buyer_agent,
            evaluator_ids=[u.pk for u in world.evaluators],
        )

    # then nobody is assigned
    assert refused.value.code == "evaluator_is_facilitator"
    assert refused.value.extra["fields"]["evaluators"]


def test_the_facilitators_organisation_joining_a_group_flags_the_facilitation(world, clock):
    # given a facilitator who belongs to Mobicoop, not yet a candidate
    challenge = published(world)
    person = facilitator(world)
    Membership.objects.create(user=person, organisation=world.partners[1], role=Role.MEMBER)
    designate(world, challenge, person)
    resource = ChallengeResource.objects.filter(challenge=challenge).first()

    # when Mobicoop positions to produce the commons
    position = position_create(
        actor=world.partner_users[1],
        resource=resource,
        organisation=world.partners[1],
        intent="produce",
        contributions=SKILLS,
    )

    # then the position stands, and the facilitation is flagged and suspended
    assert position.pk
    facilitation = Facilitation.objects.get(challenge=challenge)
    assert facilitation.conflict_at is not None
    assert "Mobicoop SCIC" in facilitation.conflict_reason
    assert not queries.is_facilitator(person, challenge)
    assert queries.facilitation_items(person) == []
    assert AuditEvent.objects.filter(verb="facilitator.conflict").count() == 1
    # and the buyer's staff are asked to designate another (mail and inbox)
    assert recipients("facilitation.conflict:") == ["agent.mel"]
    assert [f.challenge_id for f in queries.facilitations_flagged_for(world.buyer_agent)] == [
        challenge.pk
    ]


def test_a_facilitator_joining_a_candidate_by_invitation_is_flagged(world, clock):
    # given a facilitator designated while Mobicoop is already a candidate
    from procurement.services import accounts

    challenge = published(world)
    person = facilitator(world)
    person.email = "animatrice@example.fr"
    person.save()
    position_create(
        actor=world.partner_users[1],
        resource=ChallengeResource.objects.filter(challenge=challenge).first(),
        organisation=world.partners[1],
        intent="produce",
        contributions=SKILLS,
    )
    designate(world, challenge, person)
    Membership.objects.create(
        user=world.partner_users[1], organisation=world.partners[1], role=Role.ADMIN
    )

    # when the facilitator accepts an invitation to join Mobicoop
    invitation = accounts.invitation_create(
        actor=world.partner_users[1],
        organisation=world.partners[1],
        email="animatrice@example.fr",
        role="member",
    )
    token = accounts.invitation_link(invitation).rstrip("/").rsplit("/", 1)[-1]
    accounts.invitation_accept(token=token, user=person)

    # then the facilitation is suspended
    assert not queries.is_facilitator(person, challenge)
    assert "a rejoint Mobicoop SCIC" in Facilitation.objects.get().conflict_reason


def test_a_new_designation_clears_the_flag(world, clock):
    challenge = published(world)
    person = facilitator(world)
    Membership.objects.create(user=person, organisation=world.partners[1], role=Role.MEMBER)
    designate(world, challenge, person)
    position_create(
        actor=world.partner_users[1],
        resource=ChallengeResource.objects.filter(challenge=challenge).first(),
        organisation=world.partners[1],
        intent="produce",
        contributions=SKILLS,
    )
    other = facilitator(world, "animateur2")

    designate(world, challenge, other)

    facilitation = Facilitation.objects.get(challenge=challenge)
    assert facilitation.facilitator == other
    assert facilitation.conflict_at is None
    # the former one, now a candidate's member, may not come back
    with pytest.raises(ApplicationError):
        designate(world, challenge, person)


# --- meetings and links -----------------------------------------------------------------


@pytest.fixture
def grouped(world, clock):
    """Positioning closed: each partner alone in the group of one resource; a
    facilitator designated."""
    challenge = in_proposals(world, clock)
    person = facilitator(world)
    designate(world, challenge, person)
    return challenge, person


def schedule(actor, group, **fields):
    values = {
        "starts_at": later(POSITIONING_END, days=3),
        "agenda": "Feuille de route du commun",
        "place": "Euratechnologies, Lille",
    } | fields
    return community.meeting_schedule(actor=actor, group=group, **values)


def test_a_member_schedules_a_meeting_and_the_group_and_facilitator_are_told(world, clock, grouped):
    challenge, person = grouped
    group = first_group(challenge)

    meeting = schedule(world.partner_users[0], group, visio_url="https://visio.example.fr/abc")

    assert meeting.group == group
    assert recipients("meeting.scheduled:") == ["animatrice", "partenaire1"]
    subject, body = notification_render(
        Notification.objects.get(key__startswith="meeting.scheduled:", recipient=person)
    )
    assert "Réunion du groupe" in subject
    assert "https://visio.example.fr/abc" in body
    assert "Feuille de route" in body
    assert AuditEvent.objects.filter(verb="meeting.scheduled", challenge=challenge).exists()


def test_meeting_mail_in_english_for_who_chose_it(world, clock, grouped):
    challenge, _person = grouped
    mail_language_set(actor=world.partner_users[0], language="en")

    schedule(world.partner_users[0], first_group(challenge))

    subject, body = notification_render(
        Notification.objects.get(
            key__startswith="meeting.scheduled:", recipient=world.partner_users[0]
        )
    )
    assert subject.startswith("Working group")
    assert "Agenda:" in body


def test_the_facilitator_schedules_too_but_not_the_buyer_nor_another_candidate(
    world, clock, grouped
):
    challenge, person = grouped
    group = first_group(challenge)

    assert schedule(person, group).pk
    with pytest.raises(Forbidden):
        schedule(world.buyer_agent, group)
    with pytest.raises(Forbidden):
        schedule(world.partner_users[1], group)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"starts_at": paris(2026, 9, 1, 8, 0)}, "starts_at"),
        ({"place": "", "visio_url": ""}, "place"),
        ({"place": "", "visio_url": "ftp://visio.example.fr/abc"}, "visio_url"),
        ({"place": "", "visio_url": "javascript:alert(1)"}, "visio_url"),
        ({"agenda": "  "}, "agenda"),
    ],
)
def test_a_meeting_needs_a_future_date_a_place_or_web_link_and_an_agenda(
    world, clock, grouped, fields, field
):
    challenge, _person = grouped
    from django.core.exceptions import ValidationError

    with pytest.raises((ApplicationError, ValidationError)) as refused:
        schedule(world.partner_users[0], first_group(challenge), **fields)

    error = refused.value
    named = error.extra["fields"] if isinstance(error, ApplicationError) else error.message_dict
    assert field in named


def test_minutes_are_written_after_the_meeting_with_who_came(world, clock, grouped):
    challenge, person = grouped
    group = first_group(challenge)
    meeting = schedule(world.partner_users[0], group, starts_at=later(POSITIONING_END, days=3))

    # before it: refused
    with pytest.raises(WrongState):
        community.meeting_minutes_write(actor=person, meeting=meeting, minutes="Trop tôt")

    # at its start: written by the facilitator
    clock.move_to(later(POSITIONING_END, days=3))
    community.meeting_minutes_write(
        actor=person,
        meeting=meeting,
        minutes="Décidé : un dépôt commun.",
        attendee_ids=[world.partners[0].pk],
        facilitator_present=True,
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "Décidé : un dépôt commun."
    assert meeting.minutes_by == person
    assert list(meeting.attendees.all()) == [world.partners[0]]
    assert AuditEvent.objects.filter(verb="meeting.minutes").count() == 1


def test_attendees_are_organisations_of_the_group(world, clock, grouped):
    challenge, _person = grouped
    meeting = schedule(world.partner_users[0], first_group(challenge))
    clock.move_to(later(POSITIONING_END, days=4))

    with pytest.raises(ApplicationError) as refused:
        community.meeting_minutes_write(
            actor=world.partner_users[0],
            meeting=meeting,
            minutes="CR",
            attendee_ids=[world.partners[1].pk],
        )

    assert "attendees" in refused.value.extra["fields"]


def test_group_links_accept_web_addresses_only(world, clock, grouped):
    from django.core.exceptions import ValidationError

    challenge, _person = grouped
    group = first_group(challenge)

    community.working_group_links_set(
        actor=world.partner_users[0],
        group=group,
        chat_url="https://chat.example.fr/covoit",
        wiki_url="http://wiki.example.fr/Covoit",
    )
    group.refresh_from_db()
    assert group.chat_url == "https://chat.example.fr/covoit"

    with pytest.raises(ValidationError) as refused:
        community.working_group_links_set(
            actor=world.partner_users[0], group=group, wiki_url="ftp://wiki.example.fr/"
        )
    assert "wiki_url" in refused.value.message_dict
    with pytest.raises(Forbidden):
        community.working_group_links_set(
            actor=world.buyer_agent, group=group, chat_url="https://x.example.fr/"
        )


def visible_groups(user, challenge):
    return sorted(g.pk for g in queries.group_spaces_visible_to(user, challenge))


def test_a_groups_space_is_need_to_know_until_the_offers_are_opened(world, clock, grouped):
    # given the groups of three partners, each alone in its group
    challenge, person = grouped
    groups = sorted(
        r.working_group.pk for r in ChallengeResource.objects.filter(challenge=challenge)
    )
    own = first_group(challenge).pk

    # before the opening: its members, the facilitator and the buyer only
    assert visible_groups(world.partner_users[0], challenge) == [own]
    assert own not in visible_groups(world.partner_users[1], challenge)
    assert visible_groups(person, challenge) == groups
    assert visible_groups(world.buyer_agent, challenge) == groups
    assert visible_groups(world.stranger, challenge) == []
    assert visible_groups(world.moderator, challenge) == []
    with pytest.raises(Exception, match="introuvable"):
        queries.access_group_space(user=world.partner_users[1], challenge=challenge, pk=own)

    # once the offers are opened, the other candidates see it; still not the public
    clock.move_to(later(PROPOSAL_END, seconds=1))
    sweep()
    challenge.refresh_from_db()
    assert own in visible_groups(world.partner_users[1], challenge)
    assert visible_groups(world.stranger, challenge) == []


def test_the_facilitators_inbox_lists_groups_meetings_minutes_and_questions(world, clock, grouped):
    challenge, person = grouped
    group = first_group(challenge)
    past = schedule(world.partner_users[0], group, starts_at=later(POSITIONING_END, days=1))
    coming = schedule(world.partner_users[0], group, starts_at=later(POSITIONING_END, days=9))
    clock.move_to(later(POSITIONING_END, days=2))

    items = queries.facilitation_items(person)

    kinds = [(i.kind, i.meeting.pk if i.meeting else None) for i in items]
    assert ("minutes", past.pk) in kinds
    assert ("meeting", coming.pk) in kinds
    assert [i.kind for i in items].count("group") == 3
    # nobody else's inbox
    assert queries.facilitation_items(world.buyer_agent) == []


# --- the Chambre's motions ----------------------------------------------------------------


@pytest.fixture
def contributor(world):
    return member(world.chambre, "contributrice", Role.CONTRIBUTEURS)


@pytest.fixture
def commons(db):
    return Commons.objects.create(name="Registre de preuve", slug="registre", category="knowledge")


def file(world, contributor, commons, **fields):
    values = {
        "title": "Un guide de contribution",
        "text": "Le commun a besoin d'un guide pour accueillir ses contributeurs.",
        "commons": commons,
    } | fields
    return community.motion_file(actor=contributor, chambre=world.chambre, **values)


def plan(days=30):
    from django.utils import timezone

    return [
        {
            "title": "Rédiger le guide",
            "owner": "Groupe engagement",
            "due_date": timezone.now().date() + timedelta(days=days),
        }
    ]


def test_the_contributors_file_a_motion_and_the_moderators_are_told(world, contributor, commons):
    motion = file(world, contributor, commons)

    assert motion.status == MotionStatus.FILED
    assert recipients("motion.filed:") == ["moderateur"]
    assert AuditEvent.objects.filter(verb="motion.filed", chain="global").exists()


@pytest.mark.parametrize("who", ["moderator", "rapporteur", "partner"])
def test_only_the_contributors_group_files_motions(world, commons, who):
    actor = {
        "moderator": world.moderator,
        "rapporteur": world.rapporteur,
        "partner": world.partner_users[0],
    }[who]

    with pytest.raises(Forbidden):
        file(world, actor, commons)


def test_a_motion_is_about_a_commons_or_a_call_of_this_chambre(world, contributor, clock):
    with pytest.raises(ApplicationError) as refused:
        file(world, contributor, None)
    assert refused.value.code == "motion_about_nothing"

    draft = journey.start(world)
    with pytest.raises(ApplicationError) as unpublished:
        file(world, contributor, None, challenge=draft)
    assert unpublished.value.code == "challenge_not_public"

    challenge = published(world)
    motion = file(world, contributor, None, challenge=challenge)
    assert AuditEvent.objects.filter(verb="motion.filed", challenge=challenge).exists()
    assert motion.challenge == challenge


def test_adopted_with_its_plan_the_motion_is_public_and_its_author_told(
    world, contributor, commons
):
    motion = file(world, contributor, commons)
    assert list(queries.motions_visible_to(None)) == []

    community.motion_decide(
        actor=world.moderator, motion=motion, adopted=True, reason="Utile", actions=plan()
    )

    public = list(queries.motions_visible_to(None))
    assert [m.pk for m in public] == [motion.pk]
    assert [a.title for a in public[0].actions.all()] == ["Rédiger le guide"]
    assert recipients("motion.decided:") == ["contributrice"]
    _subject, body = notification_render(Notification.objects.get(key__startswith="motion.decided"))
    assert "adopté" in body
    assert "Rédiger le guide" in body


def test_an_adoption_needs_a_plan_and_a_reason(world, contributor, commons):
    motion = file(world, contributor, commons)

    with pytest.raises(ApplicationError) as no_plan:
        community.motion_decide(actor=world.moderator, motion=motion, adopted=True, reason="Oui")
    with pytest.raises(ApplicationError) as no_reason:
        community.motion_decide(
            actor=world.moderator, motion=motion, adopted=True, reason=" ", actions=plan()
        )
    with pytest.raises(ApplicationError) as past_due:
        community.motion_decide(
            actor=world.moderator, motion=motion, adopted=True, reason="Oui", actions=plan(-1)
        )

    assert no_plan.value.code == "plan_required"
    assert "reason" in no_reason.value.extra["fields"]
    assert "due_date" in past_due.value.extra["fields"]["actions"]["0"]


def test_a_rejected_motion_stays_with_the_chambre_and_is_decided_once(world, contributor, commons):
    motion = file(world, contributor, commons)

    community.motion_decide(
        actor=world.moderator, motion=motion, adopted=False, reason="Hors du champ"
    )

    assert list(queries.motions_visible_to(None)) == []
    assert list(queries.motions_visible_to(world.partner_users[0])) == []
    assert [m.pk for m in queries.motions_visible_to(world.rapporteur)] == [motion.pk]
    with pytest.raises(WrongState):
        community.motion_decide(
            actor=world.moderator, motion=motion, adopted=True, reason="Si", actions=plan()
        )


def test_only_the_moderator_decides_and_follows_the_plan(world, contributor, commons):
    motion = file(world, contributor, commons)
    with pytest.raises(Forbidden):
        community.motion_decide(
            actor=world.rapporteur, motion=motion, adopted=True, reason="Oui", actions=plan()
        )
    community.motion_decide(
        actor=world.moderator, motion=motion, adopted=True, reason="Oui", actions=plan()
    )
    action = motion.actions.get()

    with pytest.raises(Forbidden):
        community.motion_action_update(actor=contributor, action=action, status="done")
    community.motion_action_update(
        actor=world.moderator, action=action, status="in_progress", note="Plan du guide écrit"
    )

    action.refresh_from_db()
    assert (action.status, action.note) == ("in_progress", "Plan du guide écrit")
    assert AuditEvent.objects.filter(verb="motion.action_updated").count() == 1


def test_an_overdue_action_is_signalled_to_the_moderator_once(world, contributor, commons, clock):
    motion = file(world, contributor, commons)
    community.motion_decide(
        actor=world.moderator, motion=motion, adopted=True, reason="Oui", actions=plan(10)
    )
    done = community.motion_action_add(
        actor=world.moderator,
        motion=motion,
        title="Publier l'annonce",
        owner="Modératrice",
        due_date=plan(5)[0]["due_date"],
    )
    community.motion_action_update(actor=world.moderator, action=done, status="done")

    # on the due date itself, not yet overdue
    clock.move_to(later(paris(2026, 9, 1, 9, 0), days=10))
    assert sweep()["actions_overdue"] == 0
    # the day after: once
    clock.move_to(later(paris(2026, 9, 1, 9, 0), days=11))
    assert sweep()["actions_overdue"] == 1
    assert sweep()["actions_overdue"] == 0
    assert recipients("motion.action_overdue:") == ["moderateur"]
    subject, _body = notification_render(
        Notification.objects.get(key__startswith="motion.action_overdue:")
    )
    assert subject == "Action en retard : Rédiger le guide"
