"""Fair pay (« juste rémunération », seed 003) on the evaluator's scoring page, beside
the proposal's budget: the hourly rates and coordination share, and a warning — not a
refusal — when a contribution line lies outside the call's reference."""

import pytest

from procurement.models import Challenge
from tests.portal.test_scoring_page import scoring  # noqa: F401 (fixture)


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
