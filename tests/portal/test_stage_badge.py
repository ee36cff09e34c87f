"""A call's stage badge: its words in the page's language, green once awarded, red when
it ended without award, blue-new while partners may act, plain info otherwise."""

import pytest
from django.utils import translation

from portal.templatetags.portal_tags import stage_badge
from procurement.models import ChallengeStatus


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (ChallengeStatus.AWARDED, "fr-badge--success"),
        (ChallengeStatus.CANCELLED, "fr-badge--error"),
        (ChallengeStatus.UNSUCCESSFUL, "fr-badge--error"),
        (ChallengeStatus.POSITIONING, "fr-badge--new"),
        (ChallengeStatus.PROPOSALS, "fr-badge--new"),
        (ChallengeStatus.COFUNDING, "fr-badge--new"),
        (ChallengeStatus.DRAFT, "fr-badge--info"),
        (ChallengeStatus.SCORING, "fr-badge--info"),
        (ChallengeStatus.STANDSTILL, "fr-badge--info"),
    ],
)
def test_the_badge_colours_the_stage(status, colour):
    html = stage_badge(status)
    assert html == (
        f'<p class="fr-badge fr-badge--sm {colour} fr-badge--no-icon">{status.label}</p>'
    )


def test_the_badge_speaks_the_pages_language():
    with translation.override("en"):
        english = stage_badge(ChallengeStatus.AWARDED)
    assert "Attribué" in stage_badge(ChallengeStatus.AWARDED)
    assert "Attribué" not in english
    assert english.startswith('<p class="fr-badge')
