"""What each card of the lists of calls and of the inbox shows: the call's stage badge
(its words in the page's language, green once awarded, red when it ended without award,
blue-new while partners may act, plain info otherwise) and the countdown to a deadline."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import translation

from portal.templatetags.portal_tags import countdown, stage_badge
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


@time_machine.travel(datetime(2026, 9, 1, 7, 0, tzinfo=UTC), tick=False)
def test_the_countdown_says_the_deadline_and_the_time_left_in_the_pages_language():
    # given a deadline nineteen days ahead (Paris time)
    deadline = datetime(2026, 9, 20, 10, 0, tzinfo=UTC)

    # when it is written in French, then in English
    french = countdown(deadline, "Fin des positionnements")
    with translation.override("en"):
        english = countdown(deadline, "Fin des positionnements")

    # then both carry the machine-readable date, the date as people read it and the
    # time left, each in its language
    assert 'datetime="2026-09-20T12:00:00+02:00"' in french
    assert 'data-countdown="2026-09-20T12:00:00+02:00"' in english
    assert "(dans 2\xa0semaines, 5\xa0jours)" in french
    assert "(in 2\xa0weeks, 5\xa0days)" in english
    assert french.startswith('<span class="portal-countdown">Fin des positionnements')


@time_machine.travel(datetime(2026, 9, 1, 7, 0, tzinfo=UTC), tick=False)
def test_the_countdown_says_a_deadline_passed_and_escapes_its_label():
    passed = countdown(datetime(2026, 8, 1, tzinfo=UTC), "<b>Clôture</b>")
    assert "(échéance passée)" in passed
    assert "&lt;b&gt;Clôture&lt;/b&gt;" in passed
    assert "<b>" not in passed
    assert countdown(None, "Clôture") == (
        '<span class="portal-countdown">Aucune échéance à venir</span>\n'
    )
