"""Conseil d'État, 3 November 2014, Commune de Belleville-sur-Loire (n° 373362): the
method may be chosen freely but must not neutralise the published weights, and the
best offer on a criterion must be able to get that criterion's best mark."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.aggregation import Method, rank

from .builders import MJ, D, crit, grid, marks, order, totals

TWO_OFFERS = {
    # "tech" is best on a (9/10) and poor on b (2/20); "price" the other way round
    "tech": {"a": [9, 9], "b": [2, 2]},
    "price": {"a": [2, 2], "b": [18, 18]},
}


@pytest.mark.parametrize("method", list(Method))
def test_the_heavier_criterion_decides_between_offers_best_on_one_each(method):
    # given two offers, each the best on one criterion
    heavy_a = grid(crit("a", 70, 10), crit("b", 30, 20))
    heavy_b = grid(crit("a", 30, 10), crit("b", 70, 20))
    # when the published weights favour a, then b
    # then the winner follows the weights: they are not neutralised
    assert order(rank(heavy_a, marks(TWO_OFFERS), method)) == ["tech", "price"]
    assert order(rank(heavy_b, marks(TWO_OFFERS), method)) == ["price", "tech"]


@pytest.mark.parametrize("method", list(Method))
def test_a_criterion_weighted_zero_changes_nothing_and_a_weighted_one_does(method):
    # given p and q equal on a, q much better on b
    table = {"p": {"a": [8, 8], "b": [1, 1]}, "q": {"a": [8, 8], "b": [9, 9]}}
    # when b weighs 0, then 10 %
    unweighted = rank(grid(crit("a", 100), crit("b", 0)), marks(table), method)
    weighted = rank(grid(crit("a", 90), crit("b", 10)), marks(table), method)
    # then b changes nothing at 0 (a tie), and gives q the lead at 10 %
    assert [e.rank for e in unweighted.entries] == [1, 1]
    assert order(weighted) == ["q", "p"]
    assert [e.rank for e in weighted.entries] == [1, 2]


@pytest.mark.parametrize("method", [Method.WEIGHTED_MEAN, Method.MEDIAN_WEIGHTED])
def test_the_marks_are_never_rescaled_against_the_other_offers(method):
    # given every offer marked low on b (2 to 4 out of 20): a method that rescaled b
    # between the worst and the best offer would stretch this small gap to b's full
    # weight and neutralise a
    g = grid(crit("a", 80, 10), crit("b", 20, 20))
    table = {"p": {"a": [9], "b": [2]}, "q": {"a": [8], "b": [4]}}
    # when ranked
    ranking = rank(g, marks(table), method)
    # then b only brings its share of its published weight: 2/20 × 20 = 2 and 4
    assert [e.criterion("b").contribution for e in ranking.entries] == [D(2), D(4)]
    # p: 72 + 2 = 74, q: 64 + 4 = 68
    assert totals(ranking) == {"p": D(74), "q": D(68)}


@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("scale", [5, 10, 20, MJ])
def test_the_best_offer_on_a_criterion_gets_the_criterions_full_weight(method, scale):
    # given an offer with the scale's best mark from every evaluator on a criterion
    best = "Excellent" if scale == MJ else scale
    g = grid(crit("a", 35, scale), crit("b", 65, scale))
    worst = "À rejeter" if scale == MJ else 0
    table = {"best": {"a": [best, best, best], "b": [worst, worst, worst]}}
    # when ranked
    entry = rank(g, marks(table), method).entries[0]
    # then that criterion is normalised to 1 and brings its whole weight
    a = entry.criterion("a")
    assert (a.normalised, a.contribution) == (D(1), D(35))


@pytest.mark.parametrize("method", list(Method))
def test_top_marks_everywhere_give_100_even_against_no_competition(method):
    # given the only offer, marked at the top of each scale on a mixed grid
    g = grid(crit("a", 40, 20), crit("b", 30, 5), crit("c", 30, MJ))
    table = {"alone": {"a": [20, 20], "b": [5, 5], "c": ["Excellent", "Excellent"]}}
    # when ranked
    entry = rank(g, marks(table), method).entries[0]
    # then it gets the best total, 100
    assert entry.total == D(100)


@settings(max_examples=60, deadline=None)
@given(
    others=st.lists(st.lists(st.integers(0, 10), min_size=1, max_size=4), max_size=4),
    method=st.sampled_from(list(Method)),
)
def test_an_offers_marks_and_total_do_not_depend_on_the_other_offers(others, method):
    # given an offer, alone, then among other offers with any marks
    g = grid(crit("a", 60), crit("b", 40))
    mine = {"mine": {"a": [7, 3, 9], "b": [10, 4]}}
    crowd = {f"o{i}": {"a": values, "b": values[::-1]} for i, values in enumerate(others)}
    # when ranked both ways
    alone = rank(g, marks(mine), method).entry("mine")
    among = rank(g, marks(mine | crowd), method).entry("mine")
    # then its total and breakdown are the same: nothing is rescaled against the others
    assert (among.total, among.criteria, among.majority_grade) == (
        alone.total,
        alone.criteria,
        alone.majority_grade,
    )
