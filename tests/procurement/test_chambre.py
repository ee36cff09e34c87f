"""The Chambre des communs: its referral sequence, its deadline, the answers to its
reservations and the decisions that keep its catalogue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement import queries
from procurement.models import (
    AuditEvent,
    ChallengeStatus,
    Commons,
    OpinionSubject,
    ReferralStatus,
    Role,
    Verdict,
)
from procurement.services import opinions as chambre
from tests.conftest import later, member, paris
from tests.workflows import journey
from tests.workflows.journey import complete, current_steps, give_opinion
from workflows.tasks import sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(world, clock):
    """A call referred to the Chambre on 1 September 2026 at 9:00 (Paris)."""
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent, {"note": "Merci."})
    return challenge


@pytest.fixture
def cast(world):
    return {
        "moderator": world.moderator,
        "rapporteur": world.rapporteur,
        "other_engagement": member(world.chambre, "engage2", Role.ENGAGEMENT),
        "porteur": member(world.chambre, "porteur", Role.PORTEURS),
        "contributeur": member(world.chambre, "contrib", Role.CONTRIBUTEURS),
        "chambre_admin": member(world.chambre, "admin.chambre", Role.ADMIN),
        "buyer": world.buyer_agent,
        "partner": world.partner_users[0],
        "stranger": world.stranger,
    }


def named(world, challenge):
    referral = queries.open_referral(challenge, OpinionSubject.CALL)
    return chambre.referral_name_rapporteur(
        actor=world.moderator, referral=referral, rapporteur=world.rapporteur
    )


def test_referral_opens_with_the_chambres_delay_at_the_same_paris_hour(world, referred):
    referral = queries.open_referral(referred, OpinionSubject.CALL)
    assert referral.status == ReferralStatus.AWAITING_RAPPORTEUR
    assert referral.deadline == paris(2026, 9, 16, 9, 0)


def test_the_delay_is_set_per_chambre_and_holds_across_a_daylight_saving_change(world, clock):
    world.chambre.opinion_delay_days = 30
    world.chambre.save()
    clock.move_to(paris(2026, 10, 10, 9, 0))  # summer time; 25 October goes back to winter
    challenge = journey.start(world)
    complete(challenge, "draft", world.buyer_agent)
    referral = queries.open_referral(challenge, OpinionSubject.CALL)
    assert referral.deadline == paris(2026, 11, 9, 9, 0)
    assert referral.deadline - referral.opened_at == timedelta(days=30, hours=1)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("moderator", True),
        ("chambre_admin", False),
        ("porteur", False),
        ("rapporteur", False),
        ("buyer", False),
        ("stranger", False),
    ],
)
def test_only_the_moderator_names_the_rapporteur(world, referred, cast, who, allowed):
    referral = queries.open_referral(referred, OpinionSubject.CALL)
    if allowed:
        chambre.referral_name_rapporteur(
            actor=cast[who], referral=referral, rapporteur=world.rapporteur
        )
        referral.refresh_from_db()
        assert referral.rapporteur == world.rapporteur
    else:
        with pytest.raises(Forbidden):
            chambre.referral_name_rapporteur(
                actor=cast[who], referral=referral, rapporteur=world.rapporteur
            )
        referral.refresh_from_db()
        assert referral.rapporteur is None


@pytest.mark.parametrize("who", ["porteur", "moderator", "buyer"])
def test_the_rapporteur_comes_from_the_engagement_group(world, referred, cast, who):
    referral = queries.open_referral(referred, OpinionSubject.CALL)
    with pytest.raises(ApplicationError) as refused:
        chambre.referral_name_rapporteur(
            actor=world.moderator, referral=referral, rapporteur=cast[who]
        )
    assert "rapporteur" in refused.value.extra["fields"]


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("rapporteur", True),
        ("other_engagement", False),
        ("moderator", False),
        ("porteur", False),
        ("buyer", False),
        ("stranger", False),
    ],
)
def test_only_the_named_rapporteur_drafts(world, referred, cast, who, allowed):
    referral = named(world, referred)
    if allowed:
        chambre.referral_draft(actor=cast[who], referral=referral, verdict="favorable")
        referral.refresh_from_db()
        assert referral.draft_verdict == "favorable"
    else:
        with pytest.raises(Forbidden):
            chambre.referral_draft(actor=cast[who], referral=referral, verdict="favorable")
        referral.refresh_from_db()
        assert referral.draft_verdict == ""


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("porteur", True),
        ("contributeur", True),
        ("rapporteur", True),
        ("moderator", True),
        ("buyer", False),
        ("partner", False),
        ("stranger", False),
    ],
)
def test_members_of_every_group_comment_and_nobody_else(world, referred, cast, who, allowed):
    referral = queries.open_referral(referred, OpinionSubject.CALL)
    if allowed:
        chambre.referral_comment(actor=cast[who], referral=referral, body="Avis du groupe.")
        assert referral.comments.get().author == cast[who]
    else:
        with pytest.raises(Forbidden):
            chambre.referral_comment(actor=cast[who], referral=referral, body="Avis du groupe.")
        assert not referral.comments.exists()


@pytest.mark.parametrize("who", ["rapporteur", "porteur", "chambre_admin", "buyer"])
def test_only_the_moderator_publishes(world, referred, cast, who):
    referral = named(world, referred)
    chambre.referral_draft(
        actor=world.rapporteur, referral=referral, verdict="favorable", submit=True
    )
    with pytest.raises(Forbidden):
        chambre.referral_publish(actor=cast[who], challenge=referred, subject="call")
    assert not referred.opinions.exists()
    opinion = chambre.referral_publish(actor=world.moderator, challenge=referred, subject="call")
    assert opinion.verdict == Verdict.FAVORABLE
    referred.refresh_from_db()
    assert referred.status == ChallengeStatus.READY


def test_the_moderator_cannot_publish_before_the_rapporteur_submits(world, referred):
    referral = named(world, referred)
    chambre.referral_draft(actor=world.rapporteur, referral=referral, verdict="favorable")
    with pytest.raises(WrongState) as refused:
        chambre.referral_publish(actor=world.moderator, challenge=referred, subject="call")
    assert refused.value.code == "no_draft"


def test_a_returned_draft_goes_back_to_the_rapporteur_with_the_reason(world, referred):
    referral = named(world, referred)
    chambre.referral_draft(
        actor=world.rapporteur, referral=referral, verdict="favorable", submit=True
    )
    chambre.referral_return(
        actor=world.moderator, referral=referral, comment="Motivez davantage l'avis."
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFTING
    assert referral.comments.get().body == "Motivez davantage l'avis."
    # the rapporteur can write again, the moderator cannot publish meanwhile
    with pytest.raises(WrongState):
        chambre.referral_publish(actor=world.moderator, challenge=referred, subject="call")
    chambre.referral_draft(
        actor=world.rapporteur,
        referral=referral,
        verdict="favorable",
        reasons="L'appel produit trois communs.",
        submit=True,
    )
    opinion = chambre.referral_publish(actor=world.moderator, challenge=referred, subject="call")
    assert opinion.reasons == "L'appel produit trois communs."


def test_nobody_edits_a_published_opinion(world, referred):
    give_opinion(world, referred)
    referral = referred.referrals.get()
    assert referral.status == ReferralStatus.PUBLISHED
    with pytest.raises(WrongState):
        chambre.referral_draft(actor=world.rapporteur, referral=referral, verdict="unfavorable")
    with pytest.raises(WrongState):
        chambre.referral_return(actor=world.moderator, referral=referral, comment="Revoir")
    with pytest.raises(WrongState):
        chambre.referral_comment(actor=world.moderator, referral=referral, body="Trop tard")
    assert referred.opinions.get().verdict == Verdict.FAVORABLE


def test_recommended_commons_come_from_the_catalogue(world, referred):
    outside = Commons.objects.create(name="Hors catalogue", slug="hors", category="knowledge")
    referral = named(world, referred)
    with pytest.raises(ApplicationError) as refused:
        chambre.referral_draft(
            actor=world.rapporteur,
            referral=referral,
            verdict="favorable",
            recommended_commons=[outside],
        )
    assert "recommended_commons" in refused.value.extra["fields"]


# --- the deadline ---------------------------------------------------------------------


def test_without_an_opinion_in_time_the_process_goes_on_and_says_so(world, referred, clock):
    referral = named(world, referred)
    chambre.referral_draft(actor=world.rapporteur, referral=referral, verdict="favorable")

    # one second before the deadline, the sweep does nothing
    clock.move_to(later(paris(2026, 9, 16, 9, 0), seconds=-1))
    assert sweep()["opinions_expired"] == 0
    assert current_steps(referred) == {"call_opinion"}

    # at the deadline, with nobody clicking, the record says no opinion came in time
    clock.move_to(paris(2026, 9, 16, 9, 0))
    assert sweep()["opinions_expired"] == 1
    opinion = referred.opinions.get()
    assert opinion.verdict == Verdict.NONE_IN_TIME
    assert opinion.issued_by is None
    assert "15 jours" in opinion.reasons
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    assert current_steps(referred) == {"publish"}
    assert AuditEvent.objects.filter(challenge=referred, verb="task.expired").count() == 1

    # a second sweep changes nothing, and the late rapporteur is refused
    assert sweep()["opinions_expired"] == 0
    assert referred.opinions.count() == 1
    with pytest.raises(WrongState):
        chambre.referral_draft(
            actor=world.rapporteur, referral=referral, verdict="favorable", submit=True
        )


def test_a_submitted_draft_cannot_be_published_once_the_delay_is_over(world, referred, clock):
    referral = named(world, referred)
    chambre.referral_draft(
        actor=world.rapporteur, referral=referral, verdict="favorable", submit=True
    )
    clock.move_to(paris(2026, 9, 16, 9, 0))
    with pytest.raises(WrongState) as refused:
        chambre.referral_publish(actor=world.moderator, challenge=referred, subject="call")
    assert refused.value.code == "opinion_late"


def test_the_selection_referral_expires_too_and_cofunding_opens(world, clock):
    challenge = journey.in_scoring(world, clock)
    journey.score_all(world, challenge)
    first = challenge.proposals.order_by("pk").first()
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk],
            "cofunding_deadline": paris(2026, 12, 20, 18).isoformat(),
            "justification": journey.LOTS_LEFT_ASIDE,
        },
    )
    referral = queries.open_referral(challenge, OpinionSubject.SELECTION)
    clock.move_to(referral.deadline)
    sweep()
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.COFUNDING
    assert challenge.opinions.get(subject="selection").verdict == Verdict.NONE_IN_TIME
    assert current_steps(challenge) == {"cofunding"}


# --- reservations -----------------------------------------------------------------------


def reserved(world, challenge, *reservations):
    give_opinion(world, challenge, verdict="reservations", reservations=list(reservations))
    return challenge.opinions.get()


def test_every_reservation_is_answered_before_the_call_is_published(world, referred):
    opinion = reserved(world, referred, "Licence à réciprocité", "Code publié dès le début")
    chambre.reservation_answer(
        actor=world.buyer_agent,
        opinion=opinion,
        index=1,
        accepted=True,
        answer="Licence CeCILL-C retenue.",
    )
    with pytest.raises(WrongState) as refused:
        complete(referred, "revise", world.buyer_agent, {"resubmit": False})
    assert refused.value.code == "reservations_unanswered"
    assert refused.value.extra["unanswered"] == [2]
    assert current_steps(referred) == {"revise"}

    complete(
        referred,
        "revise",
        world.buyer_agent,
        {
            "resubmit": False,
            "answers": [
                {"reservation": "2", "accepted": False, "answer": "Publication à la livraison."}
            ],
        },
    )
    assert current_steps(referred) == {"publish"}
    answers = {a.index: (a.accepted, a.answer) for a in opinion.answers.all()}
    assert answers == {
        1: (True, "Licence CeCILL-C retenue."),
        2: (False, "Publication à la livraison."),
    }


@pytest.mark.parametrize(
    ("accepted", "message"),
    [(False, "Indiquez pourquoi la réserve est déclinée."), (True, "Indiquez ce qui a changé.")],
)
def test_an_answer_says_why_or_what_changed(world, referred, accepted, message):
    opinion = reserved(world, referred, "Licence à réciprocité")
    with pytest.raises(ApplicationError) as refused:
        chambre.reservation_answer(
            actor=world.buyer_agent, opinion=opinion, index=1, accepted=accepted, answer=" "
        )
    assert refused.value.extra["fields"]["answer"] == [message]
    assert not opinion.answers.exists()


@pytest.mark.parametrize("who", ["moderator", "partner", "stranger"])
def test_only_the_buyer_answers_reservations(world, referred, cast, who):
    opinion = reserved(world, referred, "Licence à réciprocité")
    with pytest.raises(Forbidden):
        chambre.reservation_answer(
            actor=cast[who], opinion=opinion, index=1, accepted=True, answer="Fait."
        )


def test_an_unfavorable_opinion_does_not_block_the_buyer(world, referred):
    give_opinion(world, referred, verdict="unfavorable", reasons="Aucun commun n'est produit.")
    complete(referred, "revise", world.buyer_agent, {"resubmit": False})
    assert current_steps(referred) == {"publish"}
    assert referred.opinions.get().verdict == Verdict.UNFAVORABLE


# --- the catalogue ----------------------------------------------------------------------


def incomplete_commons():
    return Commons.objects.create(
        name="Standard de covoiturage", slug="standard", category="knowledge", licence="ODbL-1.0"
    )


def test_a_commons_is_referenced_only_with_its_community_and_rules(world):
    commons = incomplete_commons()
    with pytest.raises(ApplicationError) as refused:
        chambre.commons_reference(
            actor=world.moderator, chambre=world.chambre, commons=commons, reason="Utile."
        )
    assert set(refused.value.extra["fields"]) == {"description", "community", "governance"}
    commons.refresh_from_db()
    assert not commons.referenced


def test_referencing_and_dereferencing_are_dated_reasoned_and_audited(world, clock):
    commons = incomplete_commons()
    Commons.objects.filter(pk=commons.pk).update(
        description="Format d'échange", community="Opérateurs", governance="Comité ouvert"
    )
    chambre.commons_reference(
        actor=world.moderator, chambre=world.chambre, commons=commons, reason="Gouverné."
    )
    commons.refresh_from_db()
    assert commons.referenced
    assert commons.referenced_at == timezone.now()
    with pytest.raises(WrongState):
        chambre.commons_reference(
            actor=world.moderator, chambre=world.chambre, commons=commons, reason="Encore."
        )
    with pytest.raises(ApplicationError):
        chambre.commons_dereference(
            actor=world.moderator, chambre=world.chambre, commons=commons, reason=""
        )
    chambre.commons_dereference(
        actor=world.moderator, chambre=world.chambre, commons=commons, reason="Plus maintenu."
    )
    commons.refresh_from_db()
    assert not commons.referenced
    assert [(d.kind, d.reason) for d in commons.decisions.order_by("id")] == [
        ("reference", "Gouverné."),
        ("dereference", "Plus maintenu."),
    ]
    assert list(
        AuditEvent.objects.filter(verb__startswith="catalogue.")
        .order_by("seq")
        .values_list("verb", flat=True)
    ) == ["catalogue.reference", "catalogue.dereference"]


@pytest.mark.parametrize("who", ["porteur", "rapporteur", "buyer", "stranger"])
def test_only_the_moderator_decides_on_the_catalogue(world, cast, who):
    commons = incomplete_commons()
    with pytest.raises(Forbidden):
        chambre.commons_reference(
            actor=cast[who], chambre=world.chambre, commons=commons, reason="Gouverné."
        )


def test_cancelling_the_call_closes_its_referral_and_the_sweep_leaves_it(world, referred, clock):
    from workflows.services import process_cancel

    process_cancel(actor=world.buyer_agent, challenge=referred, reason="Budget supprimé.")
    referral = referred.referrals.get()
    assert referral.status == ReferralStatus.CANCELLED
    clock.move_to(later(referral.deadline, days=1))
    assert sweep()["opinions_expired"] == 0
    assert not referred.opinions.exists()
    from procurement.queries import referrals_open_for

    assert referrals_open_for(world.moderator) == []


def test_a_commons_dereferenced_after_the_draft_cannot_be_recommended(world, referred):
    commons = Commons.objects.create(
        name="Gouverné",
        slug="gouverne",
        category="knowledge",
        licence="EUPL-1.2",
        description="Ressource",
        community="Communauté",
        governance="Règles",
    )
    chambre.commons_reference(
        actor=world.moderator, chambre=world.chambre, commons=commons, reason="Gouverné."
    )
    referral = named(world, referred)
    chambre.referral_draft(
        actor=world.rapporteur,
        referral=referral,
        verdict="favorable",
        recommended_commons=[commons],
        submit=True,
    )
    chambre.commons_dereference(
        actor=world.moderator, chambre=world.chambre, commons=commons, reason="Abandonné."
    )
    with pytest.raises(ApplicationError) as refused:
        chambre.referral_publish(actor=world.moderator, challenge=referred, subject="call")
    assert "recommended_commons" in refused.value.extra["fields"]


def test_dereferencing_checks_the_role_before_the_state(world):
    commons = incomplete_commons()
    with pytest.raises(Forbidden):
        chambre.commons_dereference(
            actor=world.buyer_agent, chambre=world.chambre, commons=commons, reason="Non."
        )
