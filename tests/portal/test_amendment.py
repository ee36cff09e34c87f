"""The buyer changes its published call from the portal (``workflows.services.call_amend``):
the call's page lists the change, a substantial one moves the proposal deadline; only
the buyer's agents may, while the call takes proposals; a refused change keeps what was
typed, says why next to the field, and writes nothing."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from procurement.models import Challenge, OrganisationKind, Role
from tests.conftest import later, member, paris
from tests.factories import OrganisationFactory
from tests.portal.steps import PROPOSAL_END, advance

SUMMARY = "Le lot 1 est réévalué et l'objet précisé."


def amend_url(challenge) -> str:
    return reverse("portal:amendment", args=[challenge.pk])


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-messages"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no message group for {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


@pytest.mark.django_db
def test_buyer_amends_the_call_and_its_page_lists_the_change(client, world, clock, login):
    # given a published call, and its buyer's agent on its page
    challenge = advance(world, clock, "positioning")
    login(world.buyer_agent)
    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert f'href="{amend_url(challenge)}"' in page
    form = client.get(amend_url(challenge)).content.decode()
    assert escape(challenge.context) in form  # the form starts from the call as it stands

    # when the agent clarifies the object, not substantially
    response = client.post(
        amend_url(challenge),
        {"summary": "Précision de l'objet.", "context": "Objet précisé : covoiturage."},
    )

    # then the call's page lists the change, and the deadline stays
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("portal:challenge", args=[challenge.pk]) + "#modifications"
    )
    page = client.get(response["Location"]).content.decode()
    assert "La modification est publiée" in page
    assert re.search(r'class="portal-amendment">[^<]*Précision de l&#x27;objet\.', page)
    assert "Objet précisé : covoiturage." in page
    challenge.refresh_from_db()
    assert challenge.context == "Objet précisé : covoiturage."
    assert challenge.proposal_deadline == PROPOSAL_END
    assert challenge.amendments.get().made_by == world.buyer_agent


@pytest.mark.django_db
def test_a_substantial_change_moves_the_proposal_deadline(client, world, clock, login):
    # given a published call whose proposals close on 20 October at noon, its object
    # told in two paragraphs
    challenge = advance(
        world, clock, "positioning", context="Des communs de mobilité.\n\nPour la métropole."
    )
    login(world.buyer_agent)

    # when its agent changes the first lot's estimate, substantially, with a later deadline
    response = client.post(
        amend_url(challenge),
        {
            "summary": SUMMARY,
            "context": challenge.context.replace("\n", "\r\n"),  # as a browser sends it
            "lot_1": "75 000,00",
            "substantial": "on",
            "new_proposal_deadline": "2026-10-27T12:00",
        },
        follow=True,
    )

    # then the deadline moved, with its notice, and the change is listed as substantial
    html = response.content.decode()
    assert "La date limite des propositions est reportée au 27 octobre 2026" in html
    assert re.search(r'class="portal-amendment">[^<]*Le lot 1 est réévalué', html)
    assert 'fr-badge--warning">substantielle' in html
    assert "portal-deadline-notice" in html
    challenge = Challenge.objects.get(pk=challenge.pk)
    assert challenge.proposal_deadline == paris(2026, 10, 27, 12, 0)
    assert challenge.lots.get(number=1).estimated_amount == Decimal("75000.00")
    event = challenge.audit_events.get(verb="challenge.amended")
    assert event.data["fields"] == []  # the untouched text, sent with CRLF, did not change


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        # substantial, without the new deadline it needs
        (
            {"summary": SUMMARY, "substantial": "on", "lot_1": "75000"},
            "id_new_proposal_deadline",
            "Fixez une nouvelle date limite des propositions, plus tardive.",
        ),
        # a new deadline before the current one
        (
            {
                "summary": SUMMARY,
                "substantial": "on",
                "lot_1": "75000",
                "new_proposal_deadline": "2026-10-10T12:00",
            },
            "id_new_proposal_deadline",
            "La nouvelle échéance doit suivre l'actuelle.",
        ),
        # no summary
        ({"summary": "", "lot_1": "75000"}, "id_summary", "Ce champ est obligatoire."),
        # nothing changes
        ({"summary": SUMMARY}, "id_summary", "Aucune modification de l'appel n'est demandée."),
        # a negative amount
        (
            {"summary": SUMMARY, "lot_1": "-5"},
            "id_lot_1",
            "Assurez-vous que cette valeur est supérieure ou égale à 0.",
        ),
    ],
    ids=["deadline-missing", "deadline-earlier", "summary-empty", "no-change", "negative-lot"],
)
def test_a_refused_change_keeps_what_was_typed_names_the_field_and_writes_nothing(
    client, world, clock, login, data, field, message
):
    # given a published call and its buyer's agent
    challenge = advance(world, clock, "positioning")
    login(world.buyer_agent)
    before = challenge.lots.get(number=1).estimated_amount

    # when a wrong change is posted
    response = client.post(amend_url(challenge), data)

    # then 400, the reason next to its field, what was typed kept, nothing written
    html = response.content.decode()
    assert response.status_code == 400
    assert field_error(html, field).replace("&#x27;", "'") == message
    assert 'aria-invalid="true"' in html
    if data["summary"]:
        assert f"{data['summary']}</textarea>".replace("'", "&#x27;") in html
    if "lot_1" in data:
        assert f'value="{data["lot_1"]}"' in html
    if "new_proposal_deadline" in data:
        assert f'value="{data["new_proposal_deadline"]}"' in html
    challenge = Challenge.objects.get(pk=challenge.pk)
    assert not challenge.amendments.exists()
    assert challenge.proposal_deadline == PROPOSAL_END
    assert challenge.lots.get(number=1).estimated_amount == before


@pytest.mark.django_db
def test_only_the_buyers_agents_may_amend(client, world, clock, login):
    # given a published call
    challenge = advance(world, clock, "positioning")
    other_buyer = OrganisationFactory(name="Région Sud", kind=OrganisationKind.BUYER)
    others = {
        "partner": world.partner_users[0],
        "other buyer": member(other_buyer, "agent.sud", Role.ADMIN),
        "buyer's evaluator": world.evaluators[0],
        "Chambre": world.moderator,
    }
    change = {"summary": SUMMARY, "context": "Un autre objet."}

    # when anyone else opens or posts the change / then 403, and no link to it
    for who, user in others.items():
        login(user)
        assert client.get(amend_url(challenge)).status_code == 403, who
        assert client.post(amend_url(challenge), change).status_code == 403, who
        page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
        assert amend_url(challenge) not in page, who
    # and a visitor is asked to sign in
    client.logout()
    response = client.post(amend_url(challenge), change)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
    assert not Challenge.objects.get(pk=challenge.pk).amendments.exists()


@pytest.mark.django_db
def test_a_call_another_buyer_cannot_see_is_not_found(client, world, clock, login):
    # given a draft, which only its buyer and its Chambre see
    challenge = advance(world, clock, "draft")
    other_buyer = OrganisationFactory(name="Région Sud", kind=OrganisationKind.BUYER)
    login(member(other_buyer, "agent.sud", Role.ADMIN))

    assert client.get(amend_url(challenge)).status_code == 404
    assert client.post(amend_url(challenge), {"summary": SUMMARY}).status_code == 404


@pytest.mark.django_db
def test_no_change_before_publication_nor_after_the_proposal_deadline(client, world, clock, login):
    # given a draft: its buyer edits it in its drafting step, not here
    draft = advance(world, clock, "draft")
    login(world.buyer_agent)
    assert client.get(amend_url(draft)).status_code == 409

    # given a published call whose proposal deadline has just passed (before the sweep)
    challenge = advance(world, clock, "positioning")
    clock.move_to(later(PROPOSAL_END, seconds=1))
    login(world.buyer_agent)

    # then the page says it is too late, the post writes nothing, and the link is gone
    page = client.get(amend_url(challenge))
    assert page.status_code == 409
    assert "La date limite des propositions est passée" in page.content.decode()
    response = client.post(amend_url(challenge), {"summary": SUMMARY, "lot_1": "1"})
    assert response.status_code == 409
    assert not Challenge.objects.get(pk=challenge.pk).amendments.exists()
    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert amend_url(challenge) not in page
