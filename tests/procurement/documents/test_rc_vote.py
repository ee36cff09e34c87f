"""The règlement announces the collective vote before cofunding when the call plans one
(issue 21): who votes and how, its end, the mention it retains from and how many — the
award of the contract being untouched. A call without a vote says nothing of it."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from procurement.documents import PIECES
from procurement.documents.context import FramingKind, VotePlan

from .test_dce_pieces import text

END = datetime(2027, 1, 8, 12, tzinfo=ZoneInfo("Europe/Paris"))


def test_the_rc_states_the_vote_its_rule_and_its_end(dce_challenge):
    # given a call whose vote retains the commons judged at least « Bien », the best 2,
    # and ends on a set date
    planned = replace(
        dce_challenge, vote=VotePlan(min_grade="Bien", max_retained=2, planned_end=END)
    )
    rc = text(PIECES["reglement"].render(planned))
    # then the RC has the vote's article: how one votes, when it ends, what it retains
    assert "Vote collectif avant le cofinancement" in rc
    assert "les communs des propositions retenues sont soumis à un vote collectif" in rc
    assert "au jugement majoritaire" in rc
    assert "elle ne juge pas le commun de son propre groupe de travail" in rc
    assert "Il s'achève le 8 janvier 2027 à 12 h 00." in rc
    assert "au moins « Bien », dans la limite des 2 mieux classés ;" in rc
    assert "un bulletin reçu à l'heure de clôture ou après est refusé" in rc
    # and, in a marché public, that the vote leaves the award to the RC's rules
    assert "Ce vote ne porte que sur le cofinancement" in rc
    # and its end is in the calendar
    assert "Fin du vote collectif" in rc


@pytest.mark.parametrize(
    ("days", "max_retained", "duration", "limit"),
    [
        (1, None, "Il dure 1 jour à compter de son ouverture.", "au moins « Très bien » ;"),
        (7, 1, "Il dure 7 jours à compter de son ouverture.", "dans la limite du mieux classé ;"),
    ],
)
def test_a_vote_by_duration_says_how_long_and_its_limit(
    dce_challenge, days, max_retained, duration, limit
):
    plan = VotePlan(min_grade="Très bien", max_retained=max_retained, days=days)
    rc = text(PIECES["reglement"].render(replace(dce_challenge, vote=plan)))
    assert duration in rc
    assert limit in rc
    assert "Fin du vote collectif" not in rc  # no set date, none in the calendar


def test_after_an_exploration_the_vote_is_on_the_proven_commons(dce_challenge):
    planned = replace(
        dce_challenge, exploration_budget=Decimal("2000.00"), vote=VotePlan(min_grade="Bien")
    )
    rc = text(PIECES["reglement"].render(planned))
    assert "les communs ayant fait leurs preuves à l'issue de l'exploration sont soumis" in rc


def test_hors_marche_the_vote_says_nothing_of_a_contract(dce_challenge):
    planned = replace(
        dce_challenge, framing=FramingKind.OUTSIDE_CONTRACT, vote=VotePlan(min_grade="Bien")
    )
    rc = text(PIECES["reglement_appel"].render(planned))
    assert "Vote collectif avant le cofinancement" in rc
    article = rc.split("Vote collectif avant le cofinancement")[1].split("Article")[0]
    assert "seuls les communs retenus sont ouverts au cofinancement" in article
    assert "marché" not in article


def test_the_rc_of_a_call_without_vote_says_nothing_of_it(dce_challenge):
    rc = text(PIECES["reglement"].render(dce_challenge))
    assert "vote" not in rc.lower()


@pytest.mark.parametrize(("days", "max_retained"), [(0, None), (7, 0)])
def test_a_plan_out_of_bounds_is_refused(days, max_retained):
    with pytest.raises(ValueError, match="at least"):
        VotePlan(min_grade="Bien", days=days, max_retained=max_retained)


def test_a_naive_end_is_refused():
    with pytest.raises(ValueError, match="aware"):
        VotePlan(min_grade="Bien", planned_end=datetime(2027, 1, 8, 12))  # noqa: DTZ001
