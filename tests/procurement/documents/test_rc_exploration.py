"""The règlement announces the exploration before cofunding (issue 21, seed 003) when
the call plans one: the budget per team, its end, and that only proven commons are
cofunded — the award of the contract being untouched."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from procurement.documents import PIECES
from procurement.documents.context import FramingKind

from .test_dce_pieces import text

END = datetime(2026, 12, 15, 18, tzinfo=ZoneInfo("Europe/Paris"))


def test_the_rc_announces_the_exploration_and_its_end(dce_challenge):
    planned = replace(dce_challenge, exploration_budget=Decimal("2500.00"), exploration_end=END)
    rc = text(PIECES["reglement"].render(planned))
    assert "Exploration avant le cofinancement" in rc
    assert "avec un budget de 2 500,00 € accordé par l'acheteur jusqu'au 15 décembre 2026" in rc
    assert "seuls ceux-là sont ouverts au cofinancement" in rc
    assert "Cette décision ne porte que sur le cofinancement" in rc
    assert "Fin de l'exploration avant le cofinancement" in rc  # in the calendar


def test_the_rc_of_a_call_without_exploration_says_nothing_of_it(dce_challenge):
    rc = text(PIECES["reglement"].render(dce_challenge))
    assert "exploration" not in rc.lower()


def test_hors_marche_the_exploration_gates_the_subsidies_alone(dce_challenge):
    planned = replace(
        dce_challenge,
        framing=FramingKind.OUTSIDE_CONTRACT,
        exploration_budget=Decimal("1000.00"),
        exploration_end=END,
    )
    rc = text(PIECES["reglement_appel"].render(planned))
    assert "1 000,00 €" in rc
    assert "l'attribution du marché" not in rc
