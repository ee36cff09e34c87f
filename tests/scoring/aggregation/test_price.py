"""The price criterion's published formula (CCP R2152-7): lowest offered price ÷
offered price × maximum mark, computed from the prices and never given by evaluators."""

from decimal import Decimal

import pytest

from scoring.aggregation import (
    PRICE_FORMULA,
    Mark,
    MarkError,
    Method,
    lowest_price,
    price_mark,
    price_marks,
    rank,
)

from .builders import D, crit, grid, marks

TEN = D(10)


def test_r2152_7_lowest_price_gets_the_maximum_mark():
    # given three prices / when marked / then the lowest gets 10 out of 10
    assert price_marks({"a": D("50000"), "b": D("80000"), "c": D("64000")}, TEN)["a"] == TEN


def test_r2152_7_double_the_lowest_price_gets_half_the_maximum():
    assert price_marks({"a": D("50000"), "b": D("100000")}, TEN)["b"] == D(5)


def test_r2152_7_equal_prices_get_equal_marks():
    marks_ = price_marks({"a": D("70000"), "b": D("90000"), "c": D("90000")}, TEN)
    assert marks_["b"] == marks_["c"] == D("7.78")


def test_r2152_7_the_mark_is_rounded_half_up_to_the_hundredth():
    # 1 ÷ 3 × 10 = 3.333… → 3.33; 2 ÷ 3 × 10 = 6.666… → 6.67; 10 ÷ 16 × 10 = 6.25 exactly
    assert price_mark(D(1), D(3), TEN) == D("3.33")
    assert price_mark(D(2), D(3), TEN) == D("6.67")
    assert price_mark(D(10), D(16), TEN) == D("6.25")
    # 1 ÷ 8 × 10 = 1.25; 1 ÷ 400 × 10 = 0.025 → 0.03 (half up)
    assert price_mark(D(1), D(400), TEN) == D("0.03")


def test_r2152_7_a_missing_or_zero_price_gets_no_mark_and_is_not_the_reference():
    # given a missing price, a zero price and a negative one among real prices
    prices = {"a": D("60000"), "b": D("120000"), "none": None, "zero": D(0), "neg": D(-5)}
    # when marked
    marks_ = price_marks(prices, TEN)
    # then only the real prices are marked, against the lowest real price
    assert marks_ == {"a": TEN, "b": D(5)}
    assert lowest_price(prices) == D("60000")


def test_r2152_7_no_comparable_price_gives_no_mark():
    assert price_marks({"a": None, "b": D(0)}, TEN) == {}
    assert lowest_price({}) is None


@pytest.mark.parametrize(
    ("lowest", "price"), [(D(0), D(10)), (D(10), D(0)), (D(-1), D(10)), (D(20), D(10))]
)
def test_r2152_7_the_formula_refuses_a_price_it_cannot_compare(lowest, price):
    with pytest.raises(ValueError, match="prix"):
        price_mark(lowest, price, TEN)


def _priced_grid():
    return grid(crit("tech", 60), crit("prix", 40, is_price=True))


def test_r2152_7_the_ranking_marks_the_price_criterion_from_the_prices_compared_together():
    # given two offers equal on the technical value, one twice as dear
    table = marks({"a": {"tech": [8]}, "b": {"tech": [8]}})
    # when ranked with their prices
    ranking = rank(_priced_grid(), table, Method.WEIGHTED_MEAN, prices={"a": D(100), "b": D(200)})
    # then the cheaper gets the whole price weight, the dearer half of it
    assert ranking.entry("a").total == D(88)  # 60 × 0.8 + 40
    assert ranking.entry("b").total == D(68)  # 60 × 0.8 + 20
    assert ranking.entry("a").criterion("prix").evaluator_marks == ((PRICE_FORMULA, TEN),)


def test_r2152_7_an_offer_without_a_price_counts_zero_on_price_and_is_flagged():
    ranking = rank(
        _priced_grid(),
        marks({"a": {"tech": [8]}, "b": {"tech": [8]}}),
        Method.MEDIAN_WEIGHTED,
        prices={"a": D(100), "b": None},
    )
    assert ranking.entry("b").criterion("prix").unmarked
    assert ranking.entry("b").total == D(48)


def test_r2152_7_an_evaluator_may_not_mark_the_price_criterion():
    # given an evaluator's mark on the price criterion
    table = [Mark("a", "e1", "tech", D(8)), Mark("a", "e1", "prix", D(10))]
    # when ranked / then refused: the price is marked by the formula only
    with pytest.raises(MarkError, match="formule"):
        rank(_priced_grid(), table, Method.WEIGHTED_MEAN, prices={"a": D(100)})


def test_r2152_7_offers_with_a_price_but_no_mark_yet_are_ranked():
    ranking = rank(_priced_grid(), [], Method.WEIGHTED_MEAN, prices={"a": Decimal(100)})
    assert ranking.entry("a").total == D(40)
