"""Exploration before cofunding in the portal (issue 21, seed 003): the buyer plans it in
the call editor, decides its outcome on the step's page, and the call's public page and
process page show it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Bucket, Challenge, ChallengeStatus
from tests.conftest import later, paris
from tests.portal.test_call_editor import editor_data
from tests.portal.test_tasks import field_error, task_url
from tests.workflows import journey
from tests.workflows.test_exploration import EXPLORATION_END, PLAN, selected_two


@pytest.mark.django_db
def test_buyer_plans_the_exploration_in_the_call_editor(client, world, login):
    # given a draft call in its editor
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    assert "Phase d&#x27;exploration avant le cofinancement" in client.get(url).content.decode()
    plan = {
        "call-exploration_planned": "on",
        "call-exploration_end": "2026-10-20T18:00",
    }
    # when the buyer gives 999,99 € per team, then it is refused next to the field
    refused = client.post(
        url, editor_data(challenge, **plan, **{"call-exploration_budget": "999,99"})
    )
    assert refused.status_code == 400
    assert "1 000 € à 3 000 €" in field_error(
        refused.content.decode(), "id_call-exploration_budget"
    )
    assert Challenge.objects.get(pk=challenge.pk).exploration_planned is False
    # when it gives 3 000 €, then the call keeps the plan
    saved = client.post(url, editor_data(challenge, **plan, **{"call-exploration_budget": "3000"}))
    assert saved.status_code == 302
    challenge.refresh_from_db()
    assert challenge.exploration_planned is True
    assert challenge.exploration_budget == Decimal("3000.00")
    assert challenge.exploration_end == paris(2026, 10, 20, 18)


@pytest.mark.django_db
def test_buyer_decides_the_exploration_on_its_page(client, world, clock, login):
    # given a call whose exploration just ended
    challenge, first, second = selected_two(world, clock, **PLAN)
    public = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert 'id="exploration"' in public
    assert "en exploration" in public
    # while the teams explore, the process page offers the buyer to extend their end only
    login(world.buyer_agent)
    process = client.get(reverse("portal:process", args=[challenge.pk])).content.decode()
    assert '<option value="exploration">fin de l&#x27;exploration</option>' in process
    assert 'value="proposals"' not in process
    clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
    journey.sweep()
    url = task_url(challenge, "decide_exploration")
    html = client.get(url).content.decode()
    assert "Décider de l&#x27;issue de l&#x27;exploration" in html
    assert first.title in html
    assert "au registre du commun" in html  # the hosted commons' grant
    assert f'name="proven_{first.pk}"' in html
    assert f'name="reason_{second.pk}"' in html

    # when the buyer leaves a reason out, then the page says so by the field
    missing = client.post(
        url,
        {
            f"proven_{first.pk}": "yes",
            f"reason_{first.pk}": "Trois villes l'utilisent déjà.",
            f"proven_{second.pk}": "no",
        },
    )
    assert missing.status_code == 400
    assert field_error(missing.content.decode(), f"id_reason_{second.pk}")

    # when it decides the first proven, the second not, with their reasons
    done = client.post(
        url,
        {
            f"proven_{first.pk}": "yes",
            f"reason_{first.pk}": "Trois villes l'utilisent déjà.",
            f"proven_{second.pk}": "no",
            f"reason_{second.pk}": "Aucun usage constaté.",
        },
    )

    # then the round opens with the proven commons alone
    assert done.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.COFUNDING
    assert list(
        Bucket.objects.filter(round__challenge=challenge).values_list("proposal", flat=True)
    ) == [first.pk]
    # and the public page shows each outcome with its reason
    public = client.get(reverse("portal:challenge", args=[challenge.pk])).content.decode()
    assert "a fait ses preuves" in public
    assert "Trois villes l&#x27;utilisent déjà." in public
    assert "Aucun usage constaté." in public
    # and the process page too, its audit trail in words
    process = client.get(reverse("portal:process", args=[challenge.pk])).content.decode()
    assert 'id="exploration"' in process
    assert "Issue d&#x27;une exploration décidée" in process
    assert "Phase d&#x27;exploration ?" in process
