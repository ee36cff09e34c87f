"""The public execution page of a call and of a commons (issue 21): anyone reads the
deliverables, milestones and progress with its formula; the holder submits and marks
reached, the buyer plans and decides, on the same page, through the same services."""

from datetime import date

import pytest
from django.test import Client

from procurement.models import Deliverable, DeliverableStatus, ExecutionMilestone
from procurement.services.execution import deliverable_plan, milestone_plan
from tests.procurement.execution_cast import signed_call

URL = "https://forge.example.fr/standard/v2"


@pytest.fixture
def call(world, clock):
    challenge, lot, _proposal = signed_call(world)
    deliverable = deliverable_plan(
        actor=world.buyer_agent, lot=lot, title="Spécification v2", due_on=date(2026, 10, 1)
    )
    milestone = milestone_plan(
        actor=world.buyer_agent, lot=lot, title="Bêta publique", planned_on=date(2026, 11, 1)
    )
    return challenge, deliverable, milestone


def page(challenge) -> str:
    return f"/defis/{challenge.pk}/execution/"


@pytest.mark.django_db
def test_the_holder_submits_the_buyer_admits_and_anyone_reads_it(world, call, login):
    challenge, deliverable, milestone = call

    # the holder submits the deliverable and marks the milestone reached
    holder = login(world.partner_users[0])
    response = holder.post(
        page(challenge),
        {"action": "submit", "deliverable": deliverable.pk, f"d{deliverable.pk}-evidence_url": URL},
    )
    assert response.status_code == 302
    response = holder.post(
        page(challenge),
        {
            "action": "reach",
            "milestone": milestone.pk,
            f"m{milestone.pk}-evidence_url": URL + "/beta",
            f"m{milestone.pk}-reached_on": "2026-09-01",
        },
    )
    assert response.status_code == 302
    assert ExecutionMilestone.objects.get(pk=milestone.pk).reached_on == date(2026, 9, 1)

    # the buyer admits it
    buyer = login(world.buyer_agent)
    response = buyer.post(
        page(challenge),
        {"action": "admit", "deliverable": deliverable.pk, f"d{deliverable.pk}-reason": ""},
    )
    assert response.status_code == 302
    assert Deliverable.objects.get(pk=deliverable.pk).status == DeliverableStatus.ADMITTED

    # anyone reads it, with the progress as a bar and in words, and its formula
    html = Client().get(page(challenge)).content.decode()
    assert "Spécification v2" in html
    assert "Admis le 01/09/2026" in html
    assert '<progress max="100" value="100"' in html
    assert "Avancement : 100 %" in html
    assert "1 livrable admis sur 1" in html
    assert "1 jalon atteint sur 1" in html
    assert "arrondi au pour-cent inférieur" in html
    assert "Remettre" not in html
    assert "Admettre" not in html
    # and in English
    english = Client().get(page(challenge), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Progress: 100 %" in english


@pytest.mark.django_db
def test_a_refusal_without_reason_is_shown_on_the_form(world, call, login):
    challenge, deliverable, _milestone = call
    holder = login(world.partner_users[0])
    holder.post(
        page(challenge),
        {"action": "submit", "deliverable": deliverable.pk, f"d{deliverable.pk}-evidence_url": URL},
    )
    buyer = login(world.buyer_agent)

    response = buyer.post(
        page(challenge),
        {"action": "refuse", "deliverable": deliverable.pk, f"d{deliverable.pk}-reason": ""},
    )

    assert response.status_code == 400
    assert "Indiquez au titulaire le motif du refus." in response.content.decode()
    assert Deliverable.objects.get(pk=deliverable.pk).status == DeliverableStatus.SUBMITTED


@pytest.mark.django_db
def test_a_wrong_address_is_shown_and_nothing_is_written(world, call, login):
    challenge, deliverable, _milestone = call
    response = login(world.partner_users[0]).post(
        page(challenge),
        {
            "action": "submit",
            "deliverable": deliverable.pk,
            f"d{deliverable.pk}-evidence_url": "forge",
        },
    )
    assert response.status_code == 400
    assert "Indiquez une adresse web complète" in response.content.decode()
    assert Deliverable.objects.get(pk=deliverable.pk).status == DeliverableStatus.EXPECTED


@pytest.mark.django_db
def test_only_the_holder_and_the_buyer_act(world, call, login):
    challenge, deliverable, _milestone = call
    data = {
        "action": "submit",
        "deliverable": deliverable.pk,
        f"d{deliverable.pk}-evidence_url": URL,
    }

    # anonymous: sent to sign in; another partner: 403; the forms are not shown to it
    assert Client().post(page(challenge), data).status_code == 302
    other = login(world.partner_users[1])
    assert other.post(page(challenge), data).status_code == 403
    assert "Remettre" not in other.get(page(challenge)).content.decode()
    assert Deliverable.objects.get(pk=deliverable.pk).status == DeliverableStatus.EXPECTED
    # the holder sees its forms, the buyer its own
    assert "Remettre" in login(world.partner_users[0]).get(page(challenge)).content.decode()
    buyer_html = login(world.buyer_agent).get(page(challenge)).content.decode()
    assert "Ajouter le livrable" in buyer_html
    assert "Remettre" not in buyer_html


@pytest.mark.django_db
def test_the_commons_and_the_call_pages_lead_to_the_follow_up(world, call):
    challenge, _deliverable, _milestone = call
    commons_html = Client().get("/communs/covoiturage-ouvert/").content.decode()
    assert "Exécution des marchés qui le produisent" in commons_html
    assert "Spécification v2" in commons_html
    assert f'href="/defis/{challenge.pk}/execution/"' in commons_html
    assert 'id="lien-contributions"' in commons_html


@pytest.mark.django_db
def test_before_the_signature_the_page_says_when_it_opens(world, clock):
    challenge, _lot, _proposal = signed_call(world, signed=False)
    html = Client().get(page(challenge)).content.decode()
    assert "Le suivi de l'exécution s'ouvre à la signature du marché." in html


@pytest.mark.django_db
def test_the_inbox_says_who_must_act_on_a_deliverable(world, call, login):
    challenge, deliverable, _milestone = call
    link = f'href="/defis/{challenge.pk}/execution/"'

    # expected: the holder's staff must submit it, by the day expected; not the others
    holder_inbox = login(world.partner_users[0]).get("/espace/").content.decode()
    assert "Remettre 1 livrable" in holder_inbox
    assert link in holder_inbox
    assert (
        "Remettre 1 livrable" not in login(world.partner_users[1]).get("/espace/").content.decode()
    )
    assert "livrable remis" not in login(world.buyer_agent).get("/espace/").content.decode()

    # submitted: now the buyer's staff must decide, and the holder has nothing left
    login(world.partner_users[0]).post(
        page(challenge),
        {"action": "submit", "deliverable": deliverable.pk, f"d{deliverable.pk}-evidence_url": URL},
    )
    assert "Admettre ou refuser 1 livrable remis" in (
        login(world.buyer_agent).get("/espace/").content.decode()
    )
    assert "Remettre 1 livrable" not in (
        login(world.partner_users[0]).get("/espace/").content.decode()
    )
