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
