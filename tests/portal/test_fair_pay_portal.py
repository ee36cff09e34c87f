"""Fair pay (« juste rémunération », seed 003) in the portal: the buyer sets the call's
hourly reference in its editor; the evaluator's scoring page shows, beside the proposal's
budget, the hourly rates and coordination share, and a warning — not a
refusal — when a contribution line lies outside the call's reference."""

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Challenge
from tests.portal.test_call_editor import editor_data
from tests.portal.test_scoring_page import scoring  # noqa: F401 (fixture)
from tests.workflows import journey


@pytest.mark.django_db
def test_scoring_page_shows_fair_pay_figures_and_warns_outside_the_reference(
    client,
    scoring,  # noqa: F811
):
    # given proposals at 300 € a day (42,86 € an hour) and 15 % coordination
    challenge, _evaluator, url = scoring
    proposal = challenge.proposals.order_by("pk").first()

    # when the evaluator opens the page, then the figures show, without a warning
    page = client.get(url).content.decode()
    assert f'id="juste-remuneration-{proposal.pk}"' in page
    assert "Juste rémunération" in page
    assert "42,86" in page
    assert "Coordination et animation : 15 % du budget" in page
    assert "Hors de la référence de juste rémunération" not in page

    # when the call's reference is 45 € to 60 € an hour
    Challenge.objects.filter(pk=challenge.pk).update(fair_rate_min="45", fair_rate_max="60")
    page = client.get(url).content.decode()

    # then each proposal's development line is flagged, the proposal still to be scored
    assert "Hors de la référence de juste rémunération" in page
    assert "« Développement » : 42,86" in page
    assert f'id="proposition-complete-{proposal.pk}"' in page


@pytest.mark.django_db
def test_buyer_sets_the_call_s_hourly_reference_in_the_editor(client, world, login):
    # given a draft call at the default reference, in its editor
    challenge = journey.start(world)
    login(world.buyer_agent)
    url = reverse("portal:call_edit", args=[challenge.pk])
    assert "Juste rémunération : taux horaire minimal HT" in client.get(url).content.decode()

    # when the buyer gives a minimum above the maximum, then it is refused, nothing saved
    response = client.post(
        url, editor_data(challenge, **{"call-fair_rate_min": "50", "call-fair_rate_max": "40"})
    )
    assert response.status_code == 400
    assert "ne peut être inférieur au minimal" in response.content.decode()
    challenge.refresh_from_db()
    assert (challenge.fair_rate_min, challenge.fair_rate_max) == (Decimal(30), Decimal(45))

    # when it gives 35 € to 50,50 €, then the call keeps them
    client.post(
        url,
        editor_data(challenge, **{"call-fair_rate_min": "35", "call-fair_rate_max": "50,50"}),
    )
    challenge.refresh_from_db()
    assert (challenge.fair_rate_min, challenge.fair_rate_max) == (Decimal(35), Decimal("50.50"))
