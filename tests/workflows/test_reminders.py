"""The reminders of the newer deadlines, sent by the periodic sweep 7 days and 1 day
before, each once, to those who still have something to do, in their language: the end
of an exploration (the exploring teams), the close of a collective vote (the
organisations that have not voted) and a deliverable's due day (the lot's holder)."""

from datetime import UTC, date, timedelta

import pytest

from procurement.models import Notification
from procurement.services.execution import deliverable_decide, deliverable_plan, deliverable_submit
from procurement.services.notifications import mail_language_set, reminders_send_due
from scoring.services.votes import ballot_submit, vote_reminders_send_due
from tests.conftest import later, paris
from tests.procurement.execution_cast import award_lot, signed_call
from tests.workflows.journey import sweep
from tests.workflows.test_exploration import EXPLORATION_END, PLAN, selected_two
from tests.workflows.vote_journey import in_vote, proposals

# Real commits (not the test's enclosing transaction): mails leave on commit only.
pytestmark = pytest.mark.django_db(transaction=True)

URL = "https://forge.example.fr/standard/v2"


def reminders(outbox) -> dict:
    """The reminder mails sent, by address (one each, or the test fails)."""
    sent = [m for m in outbox if m.subject.startswith(("Rappel", "Reminder"))]
    by_address = {address: mail for mail in sent for address in mail.to}
    assert len(by_address) == len(sent), "a recipient got two reminders at once"
    return by_address


# --- the end of the exploration ----------------------------------------------------------


def test_exploring_teams_are_reminded_of_the_end_7_days_and_1_day_before(world, clock, mailoutbox):
    # given two teams exploring until 20 October 18:00 (partners 1 and 2; partner 3's
    # proposal was not selected), partner 2 reading its mails in English
    challenge, first, second = selected_two(world, clock, **PLAN)
    mail_language_set(actor=world.partner_users[1], language="en")
    end = paris(*EXPLORATION_END)
    teams = {world.partner_users[0].email, world.partner_users[1].email}
    # a sweep at the end itself reminds nobody, though no reminder was ever sent
    assert reminders_send_due(end) == 0

    # one second before the 7 days: nothing
    clock.move_to(later(end, days=-7, seconds=-1))
    sweep()
    assert reminders(mailoutbox) == {}

    # 7 days before, to the second: the exploring teams, once
    clock.move_to(later(end, days=-7))
    assert sweep()["reminders"] == 2
    assert sweep()["reminders"] == 0
    sent = reminders(mailoutbox)
    assert set(sent) == teams
    french = sent[world.partner_users[0].email]
    assert french.subject == f"Rappel, J-7 : la fin de l'exploration — {challenge.title}"
    assert "mardi 20 octobre 2026 à 18h00 (heure de Paris)" in french.body
    assert "moins de 7 jours" in french.body
    assert f"- {first.title}" in french.body
    assert second.title not in french.body
    assert "l'acheteur décide si le commun a fait ses preuves" in french.body
    assert f"http://127.0.0.1:8000/defis/{challenge.pk}/" in french.body
    english = sent[world.partner_users[1].email]
    assert (
        english.subject == f"Reminder, 7 days left: the end of the exploration — {challenge.title}"
    )
    assert "Tuesday 20 October 2026, 18:00 (Paris time)" in english.body
    assert f"- {second.title}" in english.body
    assert "the buyer decides whether the commons proved itself" in english.body

    # nothing more until 1 day before, to the second
    mailoutbox.clear()
    clock.move_to(later(end, days=-3))
    sweep()
    clock.move_to(later(end, days=-1, seconds=-1))
    sweep()
    assert reminders(mailoutbox) == {}
    clock.move_to(later(end, days=-1))
    sweep()
    sweep()
    sent = reminders(mailoutbox)
    assert set(sent) == teams
    assert "plus qu'un jour" in sent[world.partner_users[0].email].subject
    assert "moins d'un jour" in sent[world.partner_users[0].email].body
    assert "one day left" in sent[world.partner_users[1].email].subject

    # then nothing, up to the end and after it
    mailoutbox.clear()
    clock.move_to(later(end, hours=-1))
    sweep()
    clock.move_to(later(end, seconds=1))
    sweep()
    assert reminders(mailoutbox) == {}


def test_an_extended_exploration_gets_its_own_reminders(world, clock, mailoutbox):
    from workflows.services import deadline_extend

    # given the teams reminded 1 day before the end
    challenge, _first, _second = selected_two(world, clock, **PLAN)
    end = paris(*EXPLORATION_END)
    clock.move_to(later(end, days=-1))
    sweep()
    # when the buyer extends the exploration by ten days
    new_end = later(end, days=10).astimezone(UTC)
    deadline_extend(
        actor=world.buyer_agent,
        challenge=challenge,
        which="exploration",
        new_deadline=new_end,
        notice="Une semaine de plus avec les habitants.",
    )
    mailoutbox.clear()
    # then the new end is reminded 7 days and 1 day before, once each (in elapsed time:
    # 7 × 24 hours before 18:00 after the change to winter time is 19:00 in summer time)
    for moment in (new_end - timedelta(days=7), new_end - timedelta(days=1)):
        clock.move_to(later(moment, seconds=-1))
        sweep()
        assert reminders(mailoutbox) == {}
        clock.move_to(moment)
        sweep()
        sweep()
        sent = reminders(mailoutbox)
        assert set(sent) == {world.partner_users[0].email, world.partner_users[1].email}
        assert "vendredi 30 octobre 2026 à 18h00" in sent[world.partner_users[0].email].body
        mailoutbox.clear()
    # the old end's 1-day reminder, then the new end's two, to both teams
    assert Notification.objects.filter(kind="reminder_exploration").count() == 3 * 2


# --- the close of the collective vote ------------------------------------------------------


def test_organisations_that_have_not_voted_are_reminded_of_the_close(world, clock, mailoutbox):
    # given a 10-day vote closing on 20 October at 12:00:01, the electorate being both
    # funders and the three partners; the first funder has voted, the second reads its
    # mails in English
    challenge = in_vote(world, clock, vote={"days": 10})
    vote = challenge.collective_vote
    first, second, third = proposals(challenge)
    ballot_submit(
        actor=world.funder_users[0],
        vote=vote,
        organisation=world.funders[0],
        grades={str(first.pk): "Bien", str(second.pk): "Passable", str(third.pk): "Bien"},
    )
    mail_language_set(actor=world.funder_users[1], language="en")
    end = vote.ends_at
    # a sweep at the close itself reminds nobody
    assert vote_reminders_send_due(end) == 0

    # one second before the 7 days: nothing
    clock.move_to(end - timedelta(days=7, seconds=1))
    sweep()
    assert reminders(mailoutbox) == {}

    # 7 days before, to the second: every voter without a ballot, once; not the first
    # funder (it voted), not the buyer (it does not vote)
    clock.move_to(end - timedelta(days=7))
    sweep()
    sweep()
    sent = reminders(mailoutbox)
    assert set(sent) == {world.funder_users[1].email} | {u.email for u in world.partner_users}
    french = sent[world.partner_users[0].email]
    assert french.subject == f"Rappel, J-7 : la clôture du vote collectif — {challenge.title}"
    assert "se clôt le mardi 20 octobre 2026 à 12h00 (heure de Paris)" in french.body
    assert "Votre organisation Covoit Libre SAS n'a pas encore voté." in french.body
    assert "Un bulletin incomplet est refusé" in french.body
    assert f"http://127.0.0.1:8000/espace/defis/{challenge.pk}/vote/" in french.body
    english = sent[world.funder_users[1].email]
    assert english.subject == (
        f"Reminder, 7 days left: the close of the collective vote — {challenge.title}"
    )
    assert "closes on Tuesday 20 October 2026, 12:00 (Paris time)" in english.body
    assert "Your organisation Banque des Territoires has not voted yet." in english.body
    assert "An incomplete ballot is refused" in english.body

    # when the first partner votes meanwhile
    ballot_submit(
        actor=world.partner_users[0],
        vote=vote,
        organisation=world.partners[0],
        grades={str(second.pk): "Assez bien", str(third.pk): "Bien"},
    )
    # then 1 day before, to the second, only those still without a ballot are reminded
    mailoutbox.clear()
    clock.move_to(end - timedelta(days=1, seconds=1))
    sweep()
    assert reminders(mailoutbox) == {}
    clock.move_to(end - timedelta(days=1))
    sweep()
    sweep()
    sent = reminders(mailoutbox)
    assert set(sent) == {
        world.funder_users[1].email,
        world.partner_users[1].email,
        world.partner_users[2].email,
    }
    assert "plus qu'un jour" in sent[world.partner_users[1].email].subject
    assert "moins d'un jour" in sent[world.partner_users[1].email].body

    # and nothing more up to the close and after it
    mailoutbox.clear()
    clock.move_to(end - timedelta(seconds=1))
    sweep()
    clock.move_to(end)
    sweep()
    assert reminders(mailoutbox) == {}


def test_a_seven_day_vote_is_not_reminded_7_days_before_at_its_opening(world, clock, mailoutbox):
    # given a 7-day vote: its opening mail tells the close, 7 days ahead
    challenge = in_vote(world, clock)
    end = challenge.collective_vote.ends_at
    # when the sweep runs at the opening
    sweep()
    # then no « J-7 » repeats it; the 1-day reminder comes 1 day before
    assert reminders(mailoutbox) == {}
    clock.move_to(end - timedelta(days=1))
    sweep()
    assert len(reminders(mailoutbox)) == 5
    assert all("plus qu'un jour" in m.subject for m in reminders(mailoutbox).values())


# --- a deliverable's due day ------------------------------------------------------------


def test_the_holder_is_reminded_of_a_deliverable_still_expected(world, clock, mailoutbox):
    # given a signed call (1 September): lot 1 held by partner 1, lot 2 by partner 2
    # (reading its mails in English); each lot expects a deliverable on 1 October, and
    # lot 1 two more: one already submitted, one refused (to be submitted again)
    challenge, lot1, _holder = signed_call(world)
    lot2, _other = award_lot(world, challenge, 2, members=(1,))
    mail_language_set(actor=world.partner_users[1], language="en")
    due = date(2026, 10, 1)

    def plan(lot, title):
        return deliverable_plan(actor=world.buyer_agent, lot=lot, title=title, due_on=due)

    plan(lot1, "Spécification")
    plan(lot2, "Jeu de tests")
    submitted = plan(lot1, "Documentation")
    deliverable_submit(actor=world.partner_users[0], deliverable=submitted, evidence_url=URL)
    refused = plan(lot1, "Code source")
    deliverable_submit(actor=world.partner_users[0], deliverable=refused, evidence_url=URL)
    deliverable_decide(actor=world.buyer_agent, deliverable=refused, admit=False, reason="Vide.")
    mailoutbox.clear()
    # due on 1 October: on time until that day ends in Paris (2 October, 00:00)
    end = paris(2026, 10, 2, 0, 0)
    assert reminders_send_due(end) == 0

    # one second before the 7 days: nothing
    clock.move_to(later(end, days=-7, seconds=-1))
    sweep()
    assert reminders(mailoutbox) == {}

    # 7 days before, to the second: each holder of its own lot's deliverables, once each
    clock.move_to(later(end, days=-7))
    sweep()
    sweep()
    sent = [m for m in mailoutbox if m.subject.startswith(("Rappel", "Reminder"))]
    by_title = {(m.to[0], m.subject.rsplit(" — ", 1)[1]): m for m in sent}
    assert sorted(by_title) == [
        (world.partner_users[0].email, "Code source"),
        (world.partner_users[0].email, "Spécification"),
        (world.partner_users[1].email, "Jeu de tests"),
    ]
    french = by_title[(world.partner_users[0].email, "Spécification")]
    assert french.subject == "Rappel, J-7 : livrable attendu — Spécification"
    assert "le livrable « Spécification » du lot 1" in french.body
    assert "attendu le jeudi 1 octobre 2026, au plus tard à 24h00 (heure de Paris)" in french.body
    assert "refusé" not in french.body
    assert f"http://127.0.0.1:8000/defis/{challenge.pk}/execution/" in french.body
    again = by_title[(world.partner_users[0].email, "Code source")]
    assert "L'acheteur a refusé la version remise" in again.body
    english = by_title[(world.partner_users[1].email, "Jeu de tests")]
    assert english.subject == "Reminder, 7 days left: deliverable due — Jeu de tests"
    assert "of lot 2" in english.body
    assert "due on Thursday 1 October 2026, by 24:00 at the latest (Paris time)" in english.body

    # 1 day before, to the second: again, for what is still expected
    deliverable_submit(actor=world.partner_users[0], deliverable=refused, evidence_url=URL)
    mailoutbox.clear()
    clock.move_to(later(end, days=-1, seconds=-1))
    sweep()
    assert reminders(mailoutbox) == {}
    clock.move_to(later(end, days=-1))
    sweep()
    sweep()
    sent = [m for m in mailoutbox if m.subject.startswith(("Rappel", "Reminder"))]
    assert sorted((m.to[0], m.subject) for m in sent) == [
        (
            world.partner_users[0].email,
            "Rappel, plus qu'un jour : livrable attendu — Spécification",
        ),
        (world.partner_users[1].email, "Reminder, one day left: deliverable due — Jeu de tests"),
    ]

    # and nothing on the day after
    mailoutbox.clear()
    clock.move_to(later(end, seconds=1))
    sweep()
    assert reminders(mailoutbox) == {}
