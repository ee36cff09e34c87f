"""Wrong grids and wrong marks are refused with a clear message."""

import re
from decimal import Decimal

import pytest

from scoring.aggregation import (
    CriterionSpec,
    GridError,
    GridSpec,
    Mark,
    MarkError,
    Method,
    Scale,
    grade_name,
    grade_value,
    rank,
)

from .builders import MJ, D, crit, grid


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: grid(crit("a", 60), crit("b", 30)), "les poids totalisent 90 % au lieu de 100 %"),
        (lambda: grid(crit("a", 60), crit("b", 50)), "110 %"),
        (lambda: grid(crit("a", 50), crit("a", 50)), "code unique ; en double : a"),
        (lambda: GridSpec(()), "au moins un critère"),
        (lambda: crit("a", -5), "négatif"),
        (lambda: crit("a", "33.333"), "plus de deux décimales"),
        (lambda: CriterionSpec("a", "A", 50.0, Scale.numeric(10)), "nombre décimal"),
        (lambda: crit("", 100), "code non vide"),
        (lambda: crit("a", 100, threshold=D(11)), "le seuil 11 du critère a sort de l'échelle"),
        (lambda: crit("a", 100, threshold=D("4.125")), "plus de deux décimales"),
        (lambda: crit("a", 100, MJ, threshold="Génial"), "mention inconnue"),
        (lambda: Scale.numeric(0), "un maximum plus grand"),
        (lambda: Scale.numeric(10, minimum=10), "un maximum plus grand"),
        (lambda: Scale("stars", D(0), D(5)), "type d'échelle inconnu"),
        (lambda: Scale("mj", D(0), D(10)), "de 0 à 6"),
    ],
)
def test_a_wrong_grid_is_refused(build, message):
    # when a wrong grid, criterion or scale is built
    # then GridError says what is wrong
    with pytest.raises(GridError, match=re.escape(message)):
        build()


GRID = grid(crit("a", 50, 10), crit("q", 50, MJ))


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (D(11), "a", "la note 11 sort de l'échelle 0–10"),
        (D("-1"), "a", "la note -1 sort de l'échelle"),
        (D("2.555"), "a", "plus de deux décimales"),
        (7.5, "a", "une note décimale est attendue sur 0–10, pas 7.5"),
        (True, "a", "une note décimale est attendue"),
        ("7", "a", "une note décimale est attendue"),
        (D("NaN"), "a", "n'est pas un nombre fini"),
        (D("sNaN"), "a", "n'est pas un nombre fini"),
        (D("Infinity"), "a", "n'est pas un nombre fini"),
        ("Génial", "q", "mention inconnue 'Génial'"),
        ("bien", "q", "mention inconnue"),
        (D(4), "q", "une mention est attendue"),
        (D(1), "zz", "critère inconnu 'zz'"),
    ],
)
def test_a_wrong_mark_is_refused_with_where_and_why(value, code, message):
    # given a mark that is off its scale, of the wrong kind, or on no criterion
    bad = Mark(proposal_id=7, evaluator_id="alice", criterion_code=code, value=value)
    # when ranked
    # then MarkError names the mark and the reason
    with pytest.raises(MarkError, match=re.escape(message)) as raised:
        rank(GRID, [bad], Method.WEIGHTED_MEAN)
    assert "l'évaluateur 'alice' sur la proposition 7" in str(raised.value)


def test_a_float_is_refused_even_after_an_equal_decimal_was_accepted():
    # given a valid Decimal 5, then the float 5.0 (equal to it, and hashed alike)
    good, bad = Mark(1, "e1", "a", D(5)), Mark(2, "e1", "a", 5.0)
    # then the float is still refused: floats are inexact
    with pytest.raises(MarkError, match=r"pas 5\.0$"):
        rank(GRID, [good, bad], Method.WEIGHTED_MEAN)


def test_two_marks_by_one_evaluator_on_one_criterion_are_refused():
    # given alice marked a twice on proposal 7
    twice = [Mark(7, "alice", "a", D(2)), Mark(7, "alice", "a", D(9))]
    # then this is an error, not a second vote
    with pytest.raises(MarkError, match="deux notes du même évaluateur sur la proposition 7"):
        rank(GRID, twice, Method.MEDIAN_WEIGHTED)


def test_integer_marks_are_accepted_as_exact_numbers():
    entry = rank(GRID, [Mark(1, "e", "a", 7)], Method.WEIGHTED_MEAN).entries[0]
    assert entry.criterion("a").aggregated == D(7)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"disagreement_threshold": D("1.5")}, ValueError),
        ({"disagreement_threshold": D("-0.1")}, ValueError),
        ({"disagreement_threshold": 0.4}, TypeError),
    ],
)
def test_a_wrong_disagreement_threshold_is_refused(options, error):
    with pytest.raises(error, match="disagreement threshold"):
        rank(GRID, [], Method.WEIGHTED_MEAN, **options)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="'borda' is not a valid Method"):
        rank(GRID, [], "borda")


def test_mentions_and_their_numbers_convert_both_ways():
    assert [grade_value(grade_name(n)) for n in range(7)] == [Decimal(n) for n in range(7)]
    assert (grade_value("Excellent"), grade_value("À rejeter")) == (D(6), D(0))
    with pytest.raises(ValueError, match="numéro d'une mention"):
        grade_name(D("2.5"))
