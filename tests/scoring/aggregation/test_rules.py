"""Eliminating thresholds, disagreement flags, the commons share and missing marks."""

import pytest

from scoring.aggregation import Method, rank

from .builders import MJ, D, crit, grid, marks, order, ranks

# a weighs 50 % on 0–10 with an eliminating threshold of 4; b 50 % on 0–10
THRESHOLD_GRID = grid(crit("a", 50, threshold=D(4)), crit("b", 50))


@pytest.mark.parametrize("method", list(Method))
def test_a_proposal_below_a_threshold_is_eliminated_and_ranked_last_with_its_reason(method):
    # given "strong", best overall but with a at 3 and 4 (mean and median 3.5, lower
    # median 3: below 4 whatever the method), and "weak" at 5 everywhere
    table = {"strong": {"a": [3, 4], "b": [10, 10]}, "weak": {"a": [5, 5], "b": [5, 5]}}
    # when ranked
    ranking = rank(THRESHOLD_GRID, marks(table), method)
    # then strong stays in the ranking, after weak, eliminated, with the reason
    assert order(ranking) == ["weak", "strong"]
    strong = ranking.entry("strong")
    assert (strong.rank, strong.eliminated) == (2, True)
    assert not ranking.entry("weak").eliminated
    (reason,) = strong.elimination_reasons
    assert reason.startswith("A (a) : note agrégée 3")
    assert reason.endswith("sous le seuil éliminatoire 4 sur 0–10")


def test_a_mark_exactly_at_the_threshold_is_not_eliminated():
    # given a at 4 and 4: the threshold itself
    ranking = rank(THRESHOLD_GRID, marks({"p": {"a": [4, 4], "b": [0, 0]}}), Method.WEIGHTED_MEAN)
    # then the proposal is kept: only a mark strictly below eliminates
    assert not ranking.entries[0].eliminated


def test_eliminated_proposals_are_ranked_among_themselves_after_the_others():
    # given two eliminated proposals and one kept, the kept one being the weakest
    table = {
        "kept": {"a": [4], "b": [0]},  # 20
        "out1": {"a": [3], "b": [10]},  # 65, eliminated
        "out2": {"a": [1], "b": [10]},  # 55, eliminated
    }
    # when ranked
    ranking = rank(THRESHOLD_GRID, marks(table), Method.WEIGHTED_MEAN)
    # then the kept one is first, and the eliminated ones follow in their own order
    assert ranks(ranking) == {"kept": 1, "out1": 2, "out2": 3}


def test_an_unmarked_criterion_with_a_threshold_eliminates_and_says_why():
    # given a proposal nobody marked on a
    ranking = rank(THRESHOLD_GRID, marks({"p": {"b": [9]}}), Method.MEDIAN_WEIGHTED)
    # then it counts 0 on a, which is below 4
    (reason,) = ranking.entries[0].elimination_reasons
    assert "non noté, compté 0.00" in reason


def test_a_mention_threshold_names_the_mentions():
    # given a threshold of Passable on mentions, and a lower median of Insuffisant
    g = grid(crit("q", 100, MJ, threshold="Passable"))
    table = {"p": {"q": ["Excellent", "Insuffisant", "À rejeter", "Bien"]}}
    # when ranked by majority judgment
    ranking = rank(g, marks(table), Method.MAJORITY_JUDGMENT)
    # then the reason reads in mentions
    assert ranking.entries[0].elimination_reasons == (
        "Q (q) : note agrégée Insuffisant (1), sous le seuil éliminatoire Passable (2)",
    )


def test_a_reason_never_shows_a_mark_rounded_up_to_the_threshold():
    # given a mean of 3.995 (marks 3.99 and 4) against a threshold of 4
    table = {"p": {"a": [D("3.99"), 4], "b": [5, 5]}}
    ranking = rank(THRESHOLD_GRID, marks(table), Method.WEIGHTED_MEAN)
    # then the breakdown shows 4.00 but the reason shows the mark rounded down, 3.99
    entry = ranking.entries[0]
    assert entry.criterion("a").aggregated == D("4.00")
    assert "note agrégée 3.99," in entry.elimination_reasons[0]


@pytest.mark.parametrize(
    ("scale", "values", "threshold", "flagged"),
    [
        (10, [2, 6], None, False),  # spread 4/10 = .4: not beyond .4
        (10, [2, D("6.01"), 5], None, True),  # 4.01/10 = .401
        (20, [0, 20], None, True),  # the whole scale
        (20, [10], None, False),  # one evaluator: no spread
        (MJ, ["Excellent", "Passable"], None, True),  # (6 − 2)/6 = .667
        (MJ, ["Bien", "Assez bien", "Bien"], None, False),  # 1/6
        (10, [2, 6], D("0.3"), True),  # a stricter threshold
        (10, [0, 10], D(1), False),  # the loosest threshold flags nothing
    ],
)
def test_a_spread_beyond_the_threshold_flags_the_criterion(scale, values, threshold, flagged):
    # given the marks of several evaluators on one criterion
    g = grid(crit("a", 100, scale))
    options = {} if threshold is None else {"disagreement_threshold": threshold}
    # when ranked (the flag is the same whatever the method)
    for method in Method:
        entry = rank(g, marks({"p": {"a": values}}), method, **options).entries[0]
        # then the criterion is flagged for deliberation exactly when the spread exceeds it
        assert entry.criteria[0].disagreement is flagged
        assert entry.to_deliberate == (("a",) if flagged else ())


def test_the_spread_is_reported_as_a_part_of_the_scale():
    entry = rank(grid(crit("a", 100, 20)), marks({"p": {"a": [3, 12]}}), "weighted_mean")
    assert entry.entries[0].criteria[0].spread == D("0.45")  # (12 − 3) / 20


@pytest.mark.parametrize("method", list(Method))
def test_the_commons_share_adds_up_the_commons_criteria(method):
    # given two commons criteria (use 20 %, production 15 %) and a technical one (65 %)
    g = grid(
        crit("use", 20, is_commons=True),
        crit("production", 15, 5, is_commons=True),
        crit("tech", 65, 20),
    )
    # and marks giving use .5 (10 of its 20), production .8 (12 of 15), tech .5
    table = {"p": {"use": [5, 5], "production": [4, 4], "tech": [10, 10]}}
    # when ranked
    entry = rank(g, marks(table), method).entries[0]
    # then the commons total is 10 + 12 = 22, out of a commons weight of 35
    assert (entry.commons_total, entry.commons_weight) == (D(22), D(35))


def test_a_grid_without_commons_criteria_has_no_commons_share():
    entry = rank(grid(crit("a", 100)), marks({"p": {"a": [7]}}), "weighted_mean").entries[0]
    assert (entry.commons_total, entry.commons_weight) == (D(0), D(0))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (Method.WEIGHTED_MEAN, D(6)),  # (4 + 8) / 2: e2's missing mark is ignored
        (Method.MEDIAN_WEIGHTED, D(6)),
        (Method.MAJORITY_JUDGMENT, D(4)),  # lower median of 4, 8
    ],
)
def test_a_missing_mark_is_ignored_for_that_criterion(method, expected):
    # given e2 did not mark a, but marked b
    table = {"p": {"a": [4, None, 8], "b": [5, 5, 5]}}
    # when ranked
    entry = rank(grid(crit("a", 50), crit("b", 50)), marks(table), method).entries[0]
    # then a is aggregated over e1 and e3 only, and is not flagged as unmarked
    a = entry.criterion("a")
    assert (a.aggregated, a.unmarked) == (expected, False)
    assert [evaluator for evaluator, _ in a.evaluator_marks] == ["e1", "e3"]


@pytest.mark.parametrize("method", list(Method))
def test_a_criterion_nobody_marked_counts_zero_and_is_flagged(method):
    # given nobody marked b (40 %)
    g = grid(crit("a", 60), crit("b", 40, MJ))
    entry = rank(g, marks({"p": {"a": [10, 10]}}), method).entries[0]
    # then b counts as the lowest mark, 0, flagged; a brings its 60 %
    b = entry.criterion("b")
    assert (b.aggregated, b.contribution, b.unmarked, b.evaluator_marks) == (D(0), D(0), True, ())
    # weighted: 60 + 0; majority judgment: 10/10 for 60 % of the weight → 100
    assert entry.total == (D(100) if method is Method.MAJORITY_JUDGMENT else D(60))


def test_proposals_listed_without_any_mark_are_ranked_last_with_zero():
    # given p has marks and q, a listed proposal, has none
    ranking = rank(
        grid(crit("a", 100)), marks({"p": {"a": [3]}}), "weighted_mean", proposals=["q", "p"]
    )
    # then q is in the ranking with 0, every criterion flagged as unmarked
    assert order(ranking) == ["p", "q"]
    q = ranking.entry("q")
    assert q.total == D(0)
    assert all(c.unmarked for c in q.criteria)


def test_an_empty_ranking_is_empty():
    assert rank(grid(crit("a", 100)), [], Method.MAJORITY_JUDGMENT).entries == ()
