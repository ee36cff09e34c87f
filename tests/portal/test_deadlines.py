"""The answers page warns the buyer of late answers in a formal procedure and extends
the proposal deadline; the notice then shows on the public page of the call."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Challenge
from procurement.services.questions import question_answer_draft, question_ask
from tests.api import scenarios
from tests.api.scenarios import PROPOSAL_END


@pytest.mark.django_db
def test_late_answers_page_proposes_the_extension_and_the_notice_is_public(
    client, world, clock, login
):
    challenge = scenarios.published(world, estimated_amount=Decimal("250000.00"))
    challenge = Challenge.objects.get(pk=challenge.pk)
    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Faut-il un hébergement souverain ?",
    )
    question_answer_draft(question=question, actor=world.buyer_agent, answer="Oui.")
    clock.move_to(PROPOSAL_END - timedelta(days=2))
    url = reverse("portal:answers", args=[challenge.pk])
    login(world.buyer_agent)

    published = client.post(url, {"action": "publish"}, follow=True)

    html = published.content.decode()
    assert "1 réponse publiée pour tous les partenaires." in html
    assert "six jours" in html
    # answers on 13 October 17:00: six days later, same time of day
    assert "19/10/2026 17:00" in html
    assert 'value="extend"' in html
    assert "Prolonger la date limite" in html

    extended = client.post(
        url,
        {
            "action": "extend",
            "new_deadline": "2026-10-19T17:00",
            "notice": "Six jours rétablis après les réponses.",
        },
    )
    assert extended.status_code == 302
    assert 'value="extend"' not in client.get(url).content.decode()

    client.logout()
    page = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert "Six jours rétablis après les réponses." in page
    assert "Oui." in page


@pytest.mark.django_db
def test_buyer_extends_the_positioning_deadline_from_the_process_page(client, world, clock, login):
    from tests.conftest import later, paris
    from tests.workflows import journey

    challenge = journey.published(world)
    url = reverse("portal:process", args=[challenge.pk])
    login(world.buyer_agent)
    assert 'id="form-prolonger"' in client.get(url).content.decode()

    # an earlier date is refused next to its field, with what was typed kept
    refused = client.post(
        url,
        {
            "action": "extend",
            "extend-which": "positioning",
            "extend-new_deadline": "2026-09-05T12:00",
            "extend-notice": "Report.",
        },
    )
    assert refused.status_code == 400
    assert "Report.</textarea>" in refused.content.decode()

    done = client.post(
        url,
        {
            "action": "extend",
            "extend-which": "positioning",
            "extend-new_deadline": "2026-09-15T12:00",
            "extend-notice": "Positionnements prolongés de cinq jours.",
        },
    )
    assert done.status_code == 302
    challenge.refresh_from_db()
    assert challenge.positioning_deadline == paris(2026, 9, 15, 12)
    public = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert "Positionnements prolongés de cinq jours." in public

    # once the deadline has passed, the form refuses (409) and the date stays
    clock.move_to(later(paris(2026, 9, 15, 12), seconds=1))
    login(world.buyer_agent)  # a fortnight later: the session has expired
    late = client.post(
        url,
        {
            "action": "extend",
            "extend-which": "positioning",
            "extend-new_deadline": "2026-09-20T12:00",
            "extend-notice": "Trop tard.",
        },
    )
    assert late.status_code == 409
    challenge.refresh_from_db()
    assert challenge.positioning_deadline == paris(2026, 9, 15, 12)


@pytest.mark.django_db
def test_the_chambre_sees_the_process_page_without_the_extension_form(client, world, clock, login):
    from tests.workflows import journey

    challenge = journey.published(world)
    login(world.moderator)
    page = client.get(reverse("portal:process", args=[challenge.pk])).content.decode()
    assert 'id="form-prolonger"' not in page
