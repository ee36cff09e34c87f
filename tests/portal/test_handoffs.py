"""Every hand-off of the process reaches the person who must act next: a mail (in their
language, French by default; once per event and recipient) and a row in their inbox,
soonest deadline first."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kernel.formats import format_eur
from procurement import queries
from procurement.models import MailPreference, Notification, OpinionSubject
from procurement.services import notifications
from procurement.services.cofunding import matching_offer_create, pledge_create, pledge_withdraw
from procurement.services.opinions import referral_draft, referral_name_rapporteur
from procurement.services.questions import question_ask
from scoring.queries import marked_criteria
from tests.conftest import later, paris
from tests.workflows import journey

# Real commits: mails leave after commit only.
pytestmark = pytest.mark.django_db(transaction=True)


def to(outbox, user) -> list:
    return [mail for mail in outbox if user.email in mail.to]


def inbox_rows(client, user) -> list[tuple[str, str]]:
    """(what to do, its link) for each row of the user's « À faire maintenant »."""
    client.force_login(user)
    response = client.get(reverse("portal:inbox"))
    assert response.status_code == 200
    table = re.search(r'<table id="taches">(.*?)</table>', response.content.decode(), re.S)
    if table is None:
        return []
    rows = re.findall(r'<th scope="row"><a href="([^"]+)">(.*?)</a></th>', table.group(1))
    return [(html.unescape(label).strip(), html.unescape(href)) for href, label in rows]


def referral_url(challenge, subject=OpinionSubject.CALL) -> str:
    referral = queries.open_referral(challenge, subject)
    return reverse("portal:referral", args=[challenge.pk, referral.pk])


def test_referral_mails_the_moderator_once_and_asks_them_to_name_the_rapporteur(
    world, clock, client, mailoutbox
):
    # given a draft call
    challenge = journey.start(world)
    # when the buyer refers it to the Chambre
    journey.complete(challenge, "draft", world.buyer_agent)
    # then the modérateur gets one mail, in French, with the referral's page and delay
    (mail,) = to(mailoutbox, world.moderator)
    assert mail.subject == f"Saisine de la Chambre (avis sur l'appel) : {challenge.title}"
    assert "nommer le rapporteur" in mail.body
    assert "(heure de Paris)" in mail.body
    assert "http://127.0.0.1:8000" + referral_url(challenge) in mail.body
    # and a row in the inbox, to the referral page
    rows = inbox_rows(client, world.moderator)
    assert ("Nommer le rapporteur", referral_url(challenge)) in rows
    # a retry of the same event mails nobody again
    referral = queries.open_referral(challenge, OpinionSubject.CALL)
    assert notifications.notify_referral_opened(referral) == 0
    assert len(to(mailoutbox, world.moderator)) == 1


def test_the_rapporteur_then_the_moderator_are_told_their_turn(world, clock, client, mailoutbox):
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    referral = queries.open_referral(challenge, OpinionSubject.CALL)

    # when the modérateur names the rapporteur
    referral_name_rapporteur(actor=world.moderator, referral=referral, rapporteur=world.rapporteur)
    # then the rapporteur is mailed and finds the draft to write in its inbox
    (mail,) = to(mailoutbox, world.rapporteur)
    assert mail.subject == f"Vous êtes rapporteur : {challenge.title}"
    assert "rédiger le projet d'avis" in mail.body
    assert inbox_rows(client, world.rapporteur) == [
        ("Rédiger le projet d'avis", referral_url(challenge))
    ]

    # when the rapporteur submits the draft
    referral_draft(actor=world.rapporteur, referral=referral, verdict="favorable", submit=True)
    # then the modérateur is mailed a second time (the referral, now the draft)
    subjects = [m.subject for m in to(mailoutbox, world.moderator)]
    assert subjects[-1] == f"Projet d'avis à valider : {challenge.title}"
    assert len(subjects) == 2
    assert ("Valider et publier l'avis", referral_url(challenge)) in inbox_rows(
        client, world.moderator
    )


def test_a_published_opinion_tells_the_buyer_what_to_do_next(world, clock, client, mailoutbox):
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    # when the Chambre publishes a favorable opinion
    journey.give_opinion(world, challenge)
    # then the buyer's agent is mailed, and publishing is its next row
    (mail,) = [m for m in to(mailoutbox, world.buyer_agent) if "Avis de la Chambre" in m.subject]
    assert mail.subject == f"Avis de la Chambre publié : {challenge.title}"
    assert "favorable" in mail.body
    assert "À vous : publier l'appel." in mail.body
    assert [label for label, _ in inbox_rows(client, world.buyer_agent)] == ["Publier l'appel"]


def test_an_unfavorable_opinion_asks_the_buyer_to_revise(world, clock, mailoutbox):
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    journey.give_opinion(world, challenge, verdict="unfavorable", reasons="Licence fermée.")
    (mail,) = [m for m in to(mailoutbox, world.buyer_agent) if "Avis de la Chambre" in m.subject]
    assert "À vous : réviser l'appel" in mail.body


def test_a_new_question_reaches_the_buyer_with_its_answer_deadline(
    world, clock, client, mailoutbox
):
    # given a published call ("Rien à faire" in the buyer's inbox until now)
    challenge = journey.published(world)
    challenge.refresh_from_db()
    assert inbox_rows(client, world.buyer_agent) == []
    # when a partner asks a question
    question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Les données produites seront-elles sous licence ODbL ?",
    )
    # then the buyer's agent is mailed the question
    (mail,) = [m for m in to(mailoutbox, world.buyer_agent) if "question" in m.subject]
    assert mail.subject == f"Nouvelle question : {challenge.title}"
    assert "Les données produites seront-elles sous licence ODbL ?" in mail.body
    assert "R2132-6" in mail.body
    # and answering is in its inbox, linked to the answers page
    assert inbox_rows(client, world.buyer_agent) == [
        ("Répondre à 1 question", reverse("portal:answers", args=[challenge.pk]))
    ]


def test_only_the_last_evaluation_tells_the_buyer_to_select(world, clock, client, mailoutbox):
    challenge = journey.in_scoring(world, clock)
    codes = [c.code for c in marked_criteria(challenge)]
    data = {
        "evaluations": [
            {"proposal": pid, "conflict": False, "scores": dict.fromkeys(codes, "7")}
            for pid in challenge.proposals.values_list("pk", flat=True)
        ]
    }
    subject = f"Évaluations rendues, sélection à faire : {challenge.title}"
    first, last = world.evaluators
    # when the first evaluator hands in: nothing yet
    journey.complete(challenge, "score", first, data=data, owner=first)
    assert subject not in [m.subject for m in to(mailoutbox, world.buyer_agent)]
    # when the last one does: the buyer is told, and selecting is in its inbox
    journey.complete(challenge, "score", last, data=data, owner=last)
    assert [m.subject for m in to(mailoutbox, world.buyer_agent)].count(subject) == 1
    labels = [label for label, _ in inbox_rows(client, world.buyer_agent)]
    assert "Sélectionner les propositions" in labels


def test_the_cofunding_round_opening_mails_every_funder(world, clock, mailoutbox):
    challenge = journey.in_cofunding(world, clock)
    for user in world.funder_users:
        (mail,) = [m for m in to(mailoutbox, user) if m.subject.startswith("Cofinancement")]
        assert mail.subject == f"Cofinancement ouvert : {challenge.title}"
        assert "fixer d'abord l'enveloppe" in mail.body
        assert reverse("portal:cofunding", args=[challenge.pk]) in mail.body


def test_released_pledges_are_mailed_to_their_funder_with_the_amounts(world, clock, mailoutbox):
    # given a round where the funder's pledge stays under the commons' minimum
    challenge = journey.in_cofunding(world, clock)
    round_ = challenge.cofunding_round
    bucket = round_.buckets.get()
    funder, user = world.funders[0], world.funder_users[0]
    pledge_withdraw(actor=user, pledge=bucket.pledges.get())
    pledge_create(actor=user, bucket=bucket, funder=funder, amount=Decimal("1000.00"))
    # when the round closes
    journey.close_cofunding(clock)
    # then that funder's staff is told, with the amount given back (the pledge it
    # withdrew itself during the round is not the close's, so not in the mail)
    (mail,) = [m for m in to(mailoutbox, user) if m.subject.startswith("Cofinancement clos")]
    assert (
        f"- {bucket.proposal.title} ({funder.name}) : minimum non atteint — 1\u202f000,00\xa0€ "
        "libérés, l'argent reste à votre organisation." in mail.body
    )
    assert mail.body.count(f"- {bucket.proposal.title}") == 1
    # and the other funder, who pledged nothing, is not
    assert not [m for m in to(mailoutbox, world.funder_users[1]) if "clos" in m.subject]
    # a second close (a retried sweep) sends nothing more
    assert notifications.notify_pledges_released(round_) == 0
    assert Notification.objects.filter(kind="cofunding_settled").count() == 1


def test_the_close_mails_each_funder_what_was_taken_matches_included_in_its_language(
    world, clock, mailoutbox
):
    # given the ADEME's pledge on the one commons, short of its minimum by a third, and
    # the Banque des Territoires matching 1 for 1 up to that third; its agent reads English
    challenge = journey.in_cofunding(world, clock)
    round_ = challenge.cofunding_round
    bucket = round_.buckets.get()
    funder, user = world.funders[0], world.funder_users[0]
    whole = bucket.pledges.get()
    third = (whole.amount / 3).quantize(Decimal("0.01"))
    pledge_withdraw(actor=user, pledge=whole)
    pledge_create(actor=user, bucket=bucket, funder=funder, amount=whole.amount - third)
    matching_offer_create(
        actor=world.funder_users[1],
        round_=round_,
        matcher=world.funders[1],
        ratio=Decimal(1),
        cap=third,
    )
    MailPreference.objects.create(user=world.funder_users[1], language="en")
    # when the round closes
    journey.close_cofunding(clock)
    # then the ADEME is told its pledge is taken and what the match added
    (mail,) = [m for m in to(mailoutbox, user) if m.subject.startswith("Cofinancement clos")]
    assert mail.subject == f"Cofinancement clos, vos engagements : {challenge.title}"
    assert (
        f"- {bucket.proposal.title} ({funder.name}) : commun financé — "
        f"{format_eur(whole.amount - third)} pris ; les abondements d'autres financeurs y "
        f"ajoutent {format_eur(third)}." in mail.body
    )
    # and the matcher, in English, what its match gave, its amounts as English writes them
    in_english = format_eur(third, locale="en")
    (matcher_mail,) = [m for m in to(mailoutbox, world.funder_users[1]) if "closed" in m.subject]
    assert matcher_mail.subject == f"Cofunding closed, your pledges: {challenge.title}"
    assert (
        f"- {bucket.proposal.title} ({world.funders[1].name}): commons funded — "
        f"{in_english} taken, of which {in_english} of your matching funds." in matcher_mail.body
    )
    assert f"(1 € per euro pledged by others, cap {in_english}): {in_english} taken" in (
        matcher_mail.body
    )
    # once each
    assert Notification.objects.filter(kind="cofunding_settled").count() == 2
    assert notifications.notify_pledges_released(round_) == 0


def test_a_recipient_who_chose_english_gets_the_english_mail(world, clock, mailoutbox):
    MailPreference.objects.create(user=world.moderator, language="en")
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    (mail,) = to(mailoutbox, world.moderator)
    assert mail.subject == f"Referral to the Chambre (opinion on the call): {challenge.title}"
    assert mail.body.startswith("Hello ")
    assert "name the rapporteur" in mail.body
    assert "(Paris time)" in mail.body


def test_the_inbox_lists_the_soonest_deadline_first(world, clock, client):
    # given a buyer with an unanswered question on a published call and a draft to refer
    published = journey.published(world)
    published.refresh_from_db()
    question_ask(
        challenge=published,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Une question ?",
    )
    clock.move_to(later(paris(2026, 9, 1, 9), minutes=5))
    journey.start(world)
    rows = inbox_rows(client, world.buyer_agent)
    # then the row with a deadline comes before the one without
    assert [label for label, _ in rows] == ["Répondre à 1 question", "Rédiger l'appel"]


def test_a_user_chooses_english_mails_from_the_inbox(world, clock, client, mailoutbox):
    # when the modérateur picks English in its inbox
    client.force_login(world.moderator)
    response = client.post(reverse("portal:mail_language"), {"language": "en"})
    assert response.status_code == 302
    assert 'value="en" lang="en" selected' in client.get(reverse("portal:inbox")).content.decode()
    # then the next hand-off reaches it in English
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    (mail,) = to(mailoutbox, world.moderator)
    assert mail.subject.startswith("Referral to the Chambre")
    # and a language the service does not write is refused, the choice kept
    refused = client.post(reverse("portal:mail_language"), {"language": "de"}, follow=True)
    assert "Langue inconnue." in refused.content.decode()
    assert MailPreference.objects.get(user=world.moderator).language == "en"
