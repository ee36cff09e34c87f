"""The three methods against examples worked by hand (the arithmetic is in comments)."""

import json

import pytest

from scoring.aggregation import Method, rank

from .builders import D, crit, grid, marks, order, ranks, totals

# tech 50 % on 0–20, commons 30 % on 0–10 (commons), env 20 % on 0–5; three evaluators.
GRID = grid(crit("tech", 50, 20), crit("commons", 30, 10, is_commons=True), crit("env", 20, 5))
TABLE = {
    # p1, consistent marks.
    #   mean:   tech 45/3 = 15 → .75 × 50 = 37.5; commons 24/3 = 8 → .8 × 30 = 24;
    #           env 10/3 → .6667 × 20 = 13.333…; total 74.8333… → 74.83
    #   median: tech 16 → .8 × 50 = 40; commons 9 → .9 × 30 = 27; env 3 → .6 × 20 = 12;
    #           total 79
    #   MJ:     profile, each mark weighing its criterion's weight / 3 (in %):
    #           .4: 6.67 (env 2) · .6: 33.33 (tech 12, commons 6, env 3) · .8: 16.67 ·
    #           .85: 16.67 · .9: 20 · 1: 6.67 → cumulated 6.67, 40, 56.67: the lower
    #           median (at 50 %) is .8 → 80
    "p1": {"tech": [12, 16, 17], "commons": [6, 9, 9], "env": [2, 3, 5]},
    # p2, one harsh evaluator (e1).
    #   mean:   tech 39/3 = 13 → .65 × 50 = 32.5; commons 21/3 = 7 → 21; env 9/3 = 3 → 12;
    #           total 65.5
    #   median: tech 17 → .85 × 50 = 42.5; commons 9 → 27; env 4 → .8 × 20 = 16; total 85.5
    #   MJ:     0: 6.67 · .2: 26.67 · .8: 6.67 · .85: 16.67 · .9: 26.67 · 1: 16.67 →
    #           cumulated 6.67, 33.33, 40, 56.67: lower median .85 → 85
    "p2": {"tech": [4, 17, 18], "commons": [2, 9, 10], "env": [0, 4, 5]},
}


@pytest.mark.parametrize(
    ("method", "expected_totals", "expected_order", "expected_commons"),
    [
        (Method.WEIGHTED_MEAN, {"p1": "74.83", "p2": "65.50"}, ["p1", "p2"], ("24.00", "21.00")),
        (Method.MEDIAN_WEIGHTED, {"p1": "79.00", "p2": "85.50"}, ["p2", "p1"], ("27.00", "27.00")),
        (
            Method.MAJORITY_JUDGMENT,
            {"p1": "80.00", "p2": "85.00"},
            ["p2", "p1"],
            ("27.00", "27.00"),
        ),
    ],
)
def test_each_method_gives_the_hand_worked_totals_and_order(
    method, expected_totals, expected_order, expected_commons
):
    # given the grid and the marks worked out above
    # when they are ranked
    ranking = rank(GRID, marks(TABLE), method)
    # then the totals, the order and the commons share are those worked by hand
    assert totals(ranking) == {p: D(total) for p, total in expected_totals.items()}
    assert order(ranking) == expected_order
    assert [ranking.entry(p).commons_total for p in ("p1", "p2")] == [
        D(x) for x in expected_commons
    ]
    assert all(entry.commons_weight == D(30) for entry in ranking.entries)


def test_the_breakdown_explains_every_criterion():
    # given p1 ranked by the weighted mean
    ranking = rank(GRID, marks(TABLE), Method.WEIGHTED_MEAN)
    # when its breakdown is read
    tech, commons, env = ranking.entry("p1").criteria
    # then each criterion shows its aggregated mark, normalised mark, contribution and
    # the evaluators' marks
    assert (tech.aggregated, tech.normalised, tech.contribution) == (D(15), D("0.75"), D("37.5"))
    assert (commons.aggregated, commons.contribution) == (D(8), D(24))
    # env: 10/3 = 3.333… on 0–5 → .666… → 13.333…
    assert (env.aggregated, env.normalised, env.contribution) == (
        D("3.33"),
        D("0.6667"),
        D("13.33"),
    )
    assert tech.evaluator_marks == (("e1", D(12)), ("e2", D(16)), ("e3", D(17)))
    assert str(tech.aggregated) == "15.00"  # two decimals for display


def test_the_median_of_an_even_number_of_marks_is_the_mean_of_the_two_middle_ones():
    # given four evaluators on 0–20: 10, 12, 16, 20
    g = grid(crit("a", 100, 20))
    # when ranked by median
    ranking = rank(g, marks({"p": {"a": [20, 10, 16, 12]}}), Method.MEDIAN_WEIGHTED)
    # then the median is (12 + 16) / 2 = 14, i.e. 70 on 100
    only = ranking.entries[0]
    assert (only.criteria[0].aggregated, only.total) == (D(14), D(70))


def test_the_majority_judgment_takes_the_lower_median_of_an_even_number_of_marks():
    # given two evaluators on 0–20: 8 and 16
    g = grid(crit("a", 100, 20))
    # when ranked by majority judgment
    ranking = rank(g, marks({"p": {"a": [16, 8]}}), Method.MAJORITY_JUDGMENT)
    # then the majority grade is the lower one, 8/20 = 40 on 100
    assert ranking.entries[0].total == D(40)
    assert ranking.entries[0].majority_grade is None  # a numeric grid has no mention


def test_totals_are_rounded_half_up_for_display():
    # given a criterion (40 %) on 0–10 marked 2 and 2.01: mean 2.005, normalised .2005,
    # contribution 8.02; and one (60 %) on 0–20 marked 0.01 and 0: mean 0.005,
    # normalised .00025, contribution 0.015
    g = grid(crit("a", 40, 10), crit("b", 60, 20))
    table = {"p": {"a": [2, D("2.01")], "b": [D("0.01"), 0]}}
    # when ranked by the weighted mean
    entry = rank(g, marks(table), Method.WEIGHTED_MEAN).entries[0]
    # then the halves go up (the banker's rounding would give 2.00, 0.00 and 0.02):
    # 2.005 → 2.01, 0.005 → 0.01, 0.015 → 0.02, total 8.035 → 8.04
    assert entry.criteria[0].aggregated == D("2.01")
    assert entry.criteria[1].aggregated == D("0.01")
    assert entry.criteria[1].contribution == D("0.02")
    assert entry.total == D("8.04")


def test_ties_are_decided_on_exact_results_not_on_rounded_totals():
    # given three criteria weighing 33.33, 33.33 and 33.34 on 0–10
    g = grid(crit("a", "33.33"), crit("b", "33.33"), crit("c", "33.34"))
    table = {
        # 20/3 on each criterion: 66.666… (shown 66.67)
        "p": {"a": [6, 7, 7], "b": [6, 7, 7], "c": [6, 7, 7]},
        # 7, 7, 6: 23.331 + 23.331 + 20.004 = 66.666 (shown 66.67)
        "q": {"a": [7], "b": [7], "c": [6]},
    }
    # when ranked
    ranking = rank(g, marks(table), Method.WEIGHTED_MEAN)
    # then both show 66.67 but p is strictly ahead, and they are not tied
    assert totals(ranking) == {"p": D("66.67"), "q": D("66.67")}
    assert ranks(ranking) == {"p": 1, "q": 2}
    assert ranking.entry("p").tied_with == ()


@pytest.mark.parametrize("method", list(Method))
def test_proposals_with_exactly_equal_results_share_a_rank(method):
    # given p and q with different marks but the same exact results, and r below them
    g = grid(crit("a", 100))
    table = {
        "q": {"a": [6, 7, 7]},  # mean 20/3, median 7, lower median 7
        "p": {"a": [7, 6, 7]},  # the same marks, by other evaluators
        "r": {"a": [5, 5, 5]},
    }
    # when ranked
    ranking = rank(g, marks(table), method)
    # then p and q share rank 1, name each other, and r is third (rank 2 is skipped)
    assert [(e.proposal_id, e.rank) for e in ranking.entries] == [("p", 1), ("q", 1), ("r", 3)]
    assert ranking.entry("p").tied_with == ("q",)
    assert ranking.entry("q").tied_with == ("p",)


def test_ids_order_numerically_within_a_tie():
    # given tied proposals with integer ids 10, 2 and 1
    g = grid(crit("a", 100))
    table = {10: {"a": [5]}, 2: {"a": [5]}, 1: {"a": [5]}}
    # when ranked
    ranking = rank(g, marks(table), Method.WEIGHTED_MEAN)
    # then they come in numeric order, not text order (1, 10, 2)
    assert order(ranking) == [1, 2, 10]


def test_the_ranking_is_json_ready():
    # given a ranking with mentions and numbers
    g = grid(crit("a", 60), crit("q", 40, "mj", is_commons=True))
    table = {1: {"a": [5, 7], "q": ["Bien", "Excellent"]}, 2: {"a": [9, 9], "q": ["Passable"]}}
    ranking = rank(g, marks(table), Method.MAJORITY_JUDGMENT)
    # when it is turned into a dict
    data = ranking.to_dict()
    # then JSON can carry it, with decimals as strings and mentions as they are
    assert json.loads(json.dumps(data)) == data
    one = next(entry for entry in data["entries"] if entry["proposal_id"] == 1)
    assert data["method"] == "majority_judgment"
    assert one["total"] == "66.67"
    assert one["criteria"][1]["evaluator_marks"] == [
        {"evaluator": "e1", "value": "Bien"},
        {"evaluator": "e2", "value": "Excellent"},
    ]
