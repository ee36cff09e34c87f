"""E-mail notifications: to whom, when (after commit only, reminders at J-7 and J-1 in
Paris time), and never twice for one event and one recipient."""

import pytest
from django.db import transaction

from procurement.models import Notification, OrganisationKind
from procurement.services import notifications
from procurement.services.notifications import notify_answers_published, sending, subscription_set
from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from tests.conftest import later, paris
from tests.factories import OrganisationFactory
from tests.workflows import journey

# Real commits (not the test's enclosing transaction): mails leave on commit only.
pytestmark = pytest.mark.django_db(transaction=True)


HANDOFFS = {
    "procurement.services.opinions.referrals": [
        "notify_referral_opened",
        "notify_rapporteur_named",
        "notify_draft_submitted",
        "notify_opinion_published",
    ],
    "procurement.services.questions": ["notify_question_asked"],
    "procurement.services.cofunding.rounds": ["notify_cofunding_opened", "notify_pledges_released"],
    "scoring.services.evaluations": ["notify_evaluations_done"],
}


@pytest.fixture(autouse=True)
def _no_handoff_mails(monkeypatch):
    """The hand-offs' own mails (tests/workflows/test_handoffs.py) stay out of the
    outboxes these tests count."""
    for module, names in HANDOFFS.items():
        for name in names:
            monkeypatch.setattr(f"{module}.{name}", lambda *args, **kwargs: 0)


@pytest.fixture
def mails(mailoutbox):
    return mailoutbox


def recipients(outbox) -> list[str]:
    return sorted(address for mail in outbox for address in mail.to)


def subscribe_some(world):
    """partenaire1 to the buyer's calls, Mobicoop (hence partenaire2) to every call,
    the stranger to another buyer's calls."""
    other = OrganisationFactory(name="Ville de Roubaix", kind=OrganisationKind.BUYER)
    subscription_set(actor=world.partner_users[0], buyer=world.buyer, subscribed=True)
    subscription_set(actor=world.partner_users[1], organisation=world.partners[1], subscribed=True)
    subscription_set(actor=world.stranger, buyer=other, subscribed=True)


def test_publication_mails_the_subscribers_only_in_french_with_paris_time(world, clock, mailoutbox):
    subscribe_some(world)
    challenge = journey.published(world)
    assert recipients(mailoutbox) == ["partenaire1@example.fr", "partenaire2@example.fr"]
    mail = mailoutbox[0]
    assert mail.subject == "Nouvel appel à communs : Mobilité partagée dans la métropole"
    # 12:00 in Paris is 10:00 UTC: the mail speaks Paris time.
    assert "jeudi 10 septembre 2026 à 12h00 (heure de Paris)" in mail.body
    assert f"http://127.0.0.1:8000/defis/{challenge.pk}/" in mail.body
    assert "&#x27;" not in mail.body
    assert "l'appel" in mail.body


def test_unsubscribed_partner_gets_nothing(world, clock, mailoutbox, mails):
    subscription_set(actor=world.partner_users[0], subscribed=True)
    subscription_set(actor=world.partner_users[0], subscribed=False)
    journey.published(world)
    assert mailoutbox == []


def test_a_rolled_back_publication_sends_nothing(world, clock, mailoutbox):
    subscribe_some(world)

    def publish_then_fail():
        with transaction.atomic():
            journey.published(world)
            assert Notification.objects.count() == 2
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert mailoutbox == []
    assert Notification.objects.count() == 0


def test_never_twice_for_the_same_event(world, clock, mails, settings):
    subscribe_some(world)
    challenge = journey.published(world)
    assert len(mails) == 2
    notifications.notify_challenge_published(challenge)
    clock.move_to(later(paris(2026, 9, 1, 9, 0), minutes=30))
    journey.sweep()
    journey.sweep()
    assert len(mails) == 2
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0


def test_a_failed_send_is_retried_by_the_sweep_once(world, clock, mails, monkeypatch):
    subscribe_some(world)
    real_send = sending.send_mail

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(sending, "send_mail", broken)
    journey.published(world)  # the publication itself succeeds
    assert mails == []
    assert Notification.objects.filter(sent_at__isnull=True, attempts=1).count() == 2
    monkeypatch.setattr(sending, "send_mail", real_send)
    clock.move_to(later(paris(2026, 9, 1, 9, 0), minutes=2))
    journey.sweep()
    journey.sweep()
    assert recipients(mails) == ["partenaire1@example.fr", "partenaire2@example.fr"]


def test_positioning_reminders_seven_days_and_one_day_before(world, clock, mails):
    challenge = journey.published(world)
    journey.position_and_propose(world, challenge)
    positioned = ["partenaire1@example.fr", "partenaire2@example.fr", "partenaire3@example.fr"]
    end = paris(*journey.POSITIONING_END)

    clock.move_to(later(end, days=-7, seconds=-1))
    journey.sweep()
    assert mails == []

    clock.move_to(later(end, days=-7))
    journey.sweep()
    journey.sweep()
    assert recipients(mails) == positioned
    mail = mails[0]
    assert mail.subject.startswith("Rappel, J-7 : la fin des positionnements")
    assert "jeudi 10 septembre 2026 à 12h00 (heure de Paris)" in mail.body
    assert "moins de 7 jours" in mail.body

    mails.clear()
    clock.move_to(later(end, days=-3))
    journey.sweep()
    clock.move_to(later(end, days=-1, seconds=-1))
    journey.sweep()
    assert mails == []

    clock.move_to(later(end, days=-1))
    journey.sweep()
    journey.sweep()
    assert recipients(mails) == positioned
    assert "plus qu'un jour" in mails[0].subject
    assert "moins d'un jour" in mails[0].body

    mails.clear()
    clock.move_to(later(end, hours=-1))
    journey.sweep()
    assert mails == []


def test_cofunding_reminder_across_the_clock_change_goes_to_funders_with_an_envelope(
    world, clock, mails
):
    challenge = journey.in_cofunding(world, clock)
    mails.clear()
    end = paris(*journey.COFUNDING_END)  # 1 November, after the change to winter time
    clock.move_to(later(end, days=-7))
    journey.sweep()
    journey.sweep()
    assert recipients(mails) == ["financeur1@example.fr"]
    assert "dimanche 1 novembre 2026 à 18h00 (heure de Paris)" in mails[0].body
    assert challenge.title in mails[0].body


def test_opening_and_selection_results(world, clock, mails):
    challenge = journey.in_scoring(world, clock)
    opened = [m for m in mails if m.subject.startswith("Ouverture des propositions")]
    assert recipients(opened) == [
        "agent.mel@example.fr",
        "partenaire1@example.fr",
        "partenaire2@example.fr",
        "partenaire3@example.fr",
    ]
    assert "3 propositions déposées" in opened[0].body
    mails.clear()
    journey.score_all(world, challenge)
    first = challenge.proposals.order_by("pk").first()
    journey.complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk],
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
            "justification": journey.LOTS_LEFT_ASIDE,
        },
    )
    by_address = {m.to[0]: m for m in mails if m.subject.startswith("Résultat")}
    assert sorted(by_address) == [
        "partenaire1@example.fr",
        "partenaire2@example.fr",
        "partenaire3@example.fr",
    ]
    assert "retenue :\n- " + first.title in by_address["partenaire1@example.fr"].body
    assert "non retenue" not in by_address["partenaire1@example.fr"].body
    assert "non retenue :" in by_address["partenaire2@example.fr"].body


def test_answers_go_to_positioned_partners_and_subscribers(world, clock, mails):
    challenge = journey.published(world)
    journey.position_and_propose(world, challenge)
    subscription_set(actor=world.stranger, buyer=world.buyer, subscribed=True)
    challenge.refresh_from_db()
    mails.clear()
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Le standard doit-il couvrir l'autopartage ?",
    )
    question_answer_draft(question=question, actor=world.buyer_agent, answer="Oui.")
    assert mails == []  # a drafted answer is not published: nobody is told
    questions_publish_answers(challenge=challenge, actor=world.buyer_agent)
    assert recipients(mails) == [
        "etranger@example.fr",
        "partenaire1@example.fr",
        "partenaire2@example.fr",
        "partenaire3@example.fr",
    ]
    assert mails[0].subject.startswith("Réponses aux questions publiées")
    notify_answers_published(challenge)  # nothing new published: nobody mailed again
    assert len(mails) == 4


def test_an_extension_mails_its_notice_to_positioned_partners_and_subscribers(world, clock, mails):
    from procurement.services.deadlines import challenge_extend_deadline

    challenge = journey.published(world)
    journey.position_and_propose(world, challenge)
    subscription_set(actor=world.stranger, buyer=world.buyer, subscribed=True)
    challenge.refresh_from_db()
    mails.clear()

    challenge_extend_deadline(
        actor=world.buyer_agent,
        challenge=challenge,
        which="proposals",
        new_deadline=paris(2026, 10, 30, 12),
        notice="Délai prolongé à la demande des partenaires.",
    )

    assert recipients(mails) == [
        "etranger@example.fr",
        "partenaire1@example.fr",
        "partenaire2@example.fr",
        "partenaire3@example.fr",
    ]
    mail = mails[0]
    assert mail.subject == f"Échéance prolongée : {challenge.title}"
    assert "vendredi 30 octobre 2026 à 12h00 (heure de Paris)" in mail.body
    assert "Délai prolongé à la demande des partenaires." in mail.body
