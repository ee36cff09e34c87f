import hashlib
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import time_machine

from procurement.documents import PIECES
from procurement.documents.context import ChallengeContext

ALL_PIECES = sorted(PIECES)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("key", ALL_PIECES)
def test_same_context_gives_the_same_bytes_whenever_it_is_rendered(key, piece_contexts):
    # given one context, rendered on two different days (zip entries and document
    # metadata would otherwise carry the wall-clock time of the rendering)
    context = piece_contexts[key]
    render = PIECES[key].render
    # when
    with time_machine.travel(datetime(2027, 3, 1, 8, 0, 1, tzinfo=UTC), tick=False):
        first = render(context)
    with time_machine.travel(datetime(2031, 7, 14, 23, 59, 58, tzinfo=UTC), tick=False):
        second = render(context)
    # then
    assert sha256(first) == sha256(second)


@pytest.mark.parametrize("key", ALL_PIECES)
def test_every_zip_entry_is_dated_from_the_context(key, piece_contexts):
    # given
    context = piece_contexts[key]
    # when
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        data = PIECES[key].render(context)
    # then: generated_at of the fixture is 1 December 2026 at 07:30 UTC
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        dates = {entry.date_time for entry in archive.infolist()}
    assert dates == {(2026, 12, 1, 7, 30, 0)}


@pytest.mark.parametrize("key", ALL_PIECES)
def test_another_generation_instant_gives_other_bytes(key, piece_contexts):
    # given the same content generated at another instant
    context = piece_contexts[key]
    moment = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    if isinstance(context, ChallengeContext):
        other = replace(context, generated_at=moment)
    else:
        other = replace(context, challenge=replace(context.challenge, generated_at=moment))
    render = PIECES[key].render
    # when / then
    assert sha256(render(context)) != sha256(render(other))


@pytest.mark.parametrize(
    ("key", "change"),
    [
        ("reglement", {"title": "Mobilités partagées, deuxième édition"}),
        ("cctp", {"licence_requirements": "Licence EUPL-1.2 pour tout logiciel."}),
        ("ccap", {"payment_delay_days": 20}),
    ],
)
def test_changed_challenge_gives_other_bytes(key, change, challenge):
    # given
    render = PIECES[key].render
    # when
    before, after = render(challenge), render(replace(challenge, **change))
    # then
    assert sha256(before) != sha256(after)


def test_changed_award_amount_gives_other_bytes(award_factory):
    # given
    render = PIECES["acte_engagement"].render
    # when
    before = render(award_factory())
    after = render(award_factory(amount_ht=award_factory().amount_ht + 1))
    # then
    assert sha256(before) != sha256(after)
