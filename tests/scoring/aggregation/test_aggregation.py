"""The three aggregation methods against hand-worked examples, the case law, and
properties (hypothesis)."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.aggregation import (
    MJ_GRADES,
    CriterionSpec,
    GridError,
    GridSpec,
    Mark,
    MarkError,
    Method,
    Scale,
    rank,
)

D = Decimal


def grid(*criteria):
    return GridSpec(tuple(criteria))


def crit(code, weight, maximum=10, **kwargs):
    scale = Scale.majority() if maximum == "mj" else Scale.numeric(maximum)
    return CriterionSpec(code=code, label=code.upper(), weight=D(weight), scale=scale, **kwargs)


def marks(table):
    """{proposal: {criterion: [marks by evaluator e1, e2, …]}} → Mark list."""
    return [
        Mark(p, f"e{i}", c, v if isinstance(v, str) else D(v))
        for p, per in table.items()
        for c, values in per.items()
        for i, v in enumerate(values, 1)
    ]


def order(ranking):
    return [e.proposal_id for e in ranking.entries]


def entry(ranking, proposal):
    return next(e for e in ranking.entries if e.proposal_id == proposal)


# Grid: A weighs 60 % on 0–10, B 40 % on 0–20 (commons).
GRID = grid(crit("a", 60, 10), crit("b", 40, 20, is_commons=True))
TABLE = {
    # A: mean (2+8+9)/3 = 6.333… → 63.33 % of 60 = 38.00; median 8 → 48.00
    # B: mean (20+0+10)/3 = 10 → 50 % of 40 = 20.00; median 10 → 20.00
    "p1": {"a": [2, 8, 9], "b": [20, 0, 10]},
    # A: mean 7, median 7 → 42.00; B: mean (14+16+12)/3 = 14 → 70 % of 40 = 28.00, median 14
    "p2": {"a": [7, 7, 7], "b": [14, 16, 12]},
}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (Method.WEIGHTED_MEAN, {"p1": D("58.00"), "p2": D("70.00")}),
        (Method.MEDIAN_WEIGHTED, {"p1": D("68.00"), "p2": D("70.00")}),
    ],
)
def test_numeric_methods_match_the_hand_worked_totals(method, expected):
    # given the grid and marks worked by hand above / when ranked
    ranking = rank(GRID, marks(TABLE), method)
    # then the totals and the order are those of the worked example
    assert {e.proposal_id: e.total for e in ranking.entries} == expected
    assert order(ranking) == ["p2", "p1"]


def test_breakdown_explains_each_criterion_and_the_commons_share():
    ranking = rank(GRID, marks(TABLE), Method.WEIGHTED_MEAN)
    p2 = entry(ranking, "p2")
    a, b = p2.criteria
    assert (a.aggregated, a.normalised, a.contribution) == (D("7.00"), D("0.7000"), D("42.00"))
    assert (b.aggregated, b.contribution) == (D("14.00"), D("28.00"))
    assert b.evaluator_marks == (("e1", D(14)), ("e2", D(16)), ("e3", D(12)))
    assert p2.commons_weight == D(40)
    assert p2.commons_total == D("28.00")


def test_disagreement_beyond_the_threshold_flags_the_criterion():
    # p1's B marks spread over the whole scale (0 to 20), its A marks over 0.7 of it
    ranking = rank(GRID, marks(TABLE), Method.WEIGHTED_MEAN, disagreement_threshold=D("0.5"))
    a, b = entry(ranking, "p1").criteria
    assert (a.disagreement, b.disagreement) == (True, True)
    assert not any(c.disagreement for c in entry(ranking, "p2").criteria)


def test_mj_majority_grade_and_tie_broken_by_removing_medians():
    # given one criterion with mentions: both have the majority grade "Bien"
    g = grid(crit("q", 100, "mj"))
    table = {
        "p1": {"q": ["Excellent", "Bien", "Passable"]},  # without the median: Passable…
        "p2": {"q": ["Très bien", "Bien", "Insuffisant"]},  # … against Insuffisant
    }
    # when ranked by majority judgment
    ranking = rank(g, marks(table), Method.MAJORITY_JUDGMENT)
    # then both show Bien, and p1 wins the tie-break
    assert [e.majority_grade for e in ranking.entries] == ["Bien", "Bien"]
    assert order(ranking) == ["p1", "p2"]
    assert [e.rank for e in ranking.entries] == [1, 2]


def test_mj_higher_majority_grade_wins_whatever_the_extremes():
    g = grid(crit("q", 100, "mj"))
    table = {
        "p1": {"q": ["Excellent", "Excellent", "Assez bien", "Assez bien", "À rejeter"]},
        "p2": {"q": ["Bien", "Bien", "Bien", "Insuffisant", "Insuffisant"]},
    }
    ranking = rank(g, marks(table), Method.MAJORITY_JUDGMENT)
    assert order(ranking) == ["p2", "p1"]
    assert [e.majority_grade for e in ranking.entries] == ["Bien", "Assez bien"]


def test_mj_identical_profiles_are_tied_and_share_their_rank():
    g = grid(crit("q", 100, "mj"))
    table = {
        "p1": {"q": ["Bien", "Passable", "Très bien"]},
        "p2": {"q": ["Très bien", "Bien", "Passable"]},
        "p3": {"q": ["Passable", "Passable", "Passable"]},
    }
    ranking = rank(g, marks(table), Method.MAJORITY_JUDGMENT)
    assert [(e.proposal_id, e.rank) for e in ranking.entries] == [("p1", 1), ("p2", 1), ("p3", 3)]
    assert entry(ranking, "p1").tied_with == ("p2",)


def test_mj_even_number_of_grades_takes_the_lower_median():
    g = grid(crit("q", 100, "mj"))
    ranking = rank(g, marks({"p": {"q": ["Excellent", "Passable"]}}), Method.MAJORITY_JUDGMENT)
    assert ranking.entries[0].majority_grade == "Passable"


def test_eliminating_threshold_ranks_the_proposal_last_with_its_reason():
    g = grid(crit("a", 50, 10, threshold=D(4)), crit("b", 50, 10))
    table = {"strong": {"a": [3, 3], "b": [10, 10]}, "weak": {"a": [5, 5], "b": [5, 5]}}
    ranking = rank(g, marks(table), Method.WEIGHTED_MEAN)
    assert order(ranking) == ["weak", "strong"]
    strong = entry(ranking, "strong")
    assert strong.eliminated
    assert "A" in strong.elimination_reasons[0]
    assert "seuil" in strong.elimination_reasons[0]


def test_a_criterion_nobody_marked_counts_zero_and_is_flagged():
    ranking = rank(GRID, marks({"p": {"a": [10]}}), Method.WEIGHTED_MEAN)
    only = ranking.entries[0]
    assert only.total == D("60.00")
    assert only.criteria[1].unmarked


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ((crit("a", 60), crit("b", 30)), "100"),
        ((crit("a", 50), crit("a", 50)), "unique"),
        ((), "au moins"),
    ],
)
def test_an_invalid_grid_is_refused(criteria, message):
    with pytest.raises(GridError, match=message):
        GridSpec(criteria)


@pytest.mark.parametrize(
    "bad",
    [
        Mark("p", "e", "a", D(11)),
        Mark("p", "e", "a", D("-1")),
        Mark("p", "e", "a", D("2.555")),
        Mark("p", "e", "a", "Bien"),
        Mark("p", "e", "zz", D(1)),
    ],
)
def test_a_mark_off_its_scale_or_criterion_is_refused(bad):
    with pytest.raises(MarkError):
        rank(GRID, [bad], Method.WEIGHTED_MEAN)


# --- Conseil d'État, 3 November 2014, Commune de Belleville-sur-Loire ----------------


@pytest.mark.parametrize("method", list(Method))
def test_published_weights_are_never_neutralised(method):
    # given two proposals, each best on one criterion
    table = {"tech": {"a": [9, 9], "b": [2, 2]}, "price": {"a": [2, 2], "b": [18, 18]}}
    heavy_a = grid(crit("a", 70, 10), crit("b", 30, 20))
    heavy_b = grid(crit("a", 30, 10), crit("b", 70, 20))
    # when the weights change, the best proposal follows the heavier criterion
    assert order(rank(heavy_a, marks(table), method))[0] == "tech"
    assert order(rank(heavy_b, marks(table), method))[0] == "price"


@pytest.mark.parametrize("method", [Method.WEIGHTED_MEAN, Method.MEDIAN_WEIGHTED])
def test_the_best_offer_on_a_criterion_can_get_its_best_mark(method):
    # the marks are taken as given, never rescaled: a full mark gives the full weight
    ranking = rank(GRID, marks({"p": {"a": [10, 10], "b": [20, 20]}}), method)
    assert ranking.entries[0].total == D("100.00")
    assert [c.contribution for c in ranking.entries[0].criteria] == [D("60.00"), D("40.00")]


# --- properties ----------------------------------------------------------------------

MJ_VALUES = st.sampled_from(MJ_GRADES)
NUMERIC = st.integers(min_value=0, max_value=10).map(D)
PROPOSALS = ["p1", "p2", "p3", "p4"]


def tables(values):
    per_proposal = st.fixed_dictionaries(
        {
            "a": st.lists(values, min_size=1, max_size=5),
            "b": st.lists(values, min_size=1, max_size=5),
        }
    )
    return st.fixed_dictionaries({p: per_proposal for p in PROPOSALS})


def _grid_for(method):
    maximum = "mj" if method is Method.MAJORITY_JUDGMENT else 10
    return grid(crit("a", 55, maximum), crit("b", 45, maximum))


def _values_for(method):
    return MJ_VALUES if method is Method.MAJORITY_JUDGMENT else NUMERIC


def _ranks(ranking):
    return {e.proposal_id: e.rank for e in ranking.entries}


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_order_of_evaluators_and_marks_never_changes_a_result(method, data):
    table = data.draw(tables(_values_for(method)))
    all_marks = marks(table)
    shuffled = data.draw(st.permutations(all_marks))
    g = _grid_for(method)
    assert rank(g, all_marks, method).to_dict() == rank(g, shuffled, method).to_dict()


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_raising_one_grade_never_lowers_the_proposals_rank(method, data):
    table = data.draw(tables(_values_for(method)))
    g = _grid_for(method)
    before = _ranks(rank(g, marks(table), method))
    proposal = data.draw(st.sampled_from(PROPOSALS))
    criterion = data.draw(st.sampled_from(["a", "b"]))
    values = table[proposal][criterion]
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    if method is Method.MAJORITY_JUDGMENT:
        position = MJ_GRADES.index(values[index])
        values[index] = MJ_GRADES[max(0, position - 1)]  # one mention better
    else:
        values[index] = min(D(10), values[index] + 1)
    after = _ranks(rank(g, marks(table), method))
    assert after[proposal] <= before[proposal]


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_criteria_weighted_in_the_same_proportions_rank_alike(method, data):
    # weights scaled together (55/45 and 11/9 of a 100 % grid split the same way)
    table = data.draw(tables(_values_for(method)))
    maximum = "mj" if method is Method.MAJORITY_JUDGMENT else 10
    g1 = grid(crit("a", 55, maximum), crit("b", 45, maximum))
    g2 = grid(crit("a", D("55.00"), maximum), crit("b", D("45.00"), maximum))
    assert _ranks(rank(g1, marks(table), method)) == _ranks(rank(g2, marks(table), method))


def _naive_majority_value(grades):
    """The textbook procedure: lower median, remove it, again, on the plain list."""
    remaining = sorted(grades)
    sequence = []
    while remaining:
        median = remaining[(len(remaining) - 1) // 2]
        sequence.append(median)
        remaining.remove(median)
    return sequence


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(MJ_VALUES, min_size=3, max_size=3), min_size=2, max_size=5))
def test_mj_with_one_criterion_agrees_with_the_textbook_procedure(profiles):
    # given proposals each judged by the same three evaluators on one criterion
    g = grid(crit("q", 100, "mj"))
    table = {f"p{i}": {"q": grades} for i, grades in enumerate(profiles)}
    ranking = rank(g, marks(table), Method.MAJORITY_JUDGMENT)
    # then the ranks are those of the textbook majority values
    values = {
        p: _naive_majority_value([6 - MJ_GRADES.index(x) for x in t["q"]]) for p, t in table.items()
    }
    for e in ranking.entries:
        better = sum(1 for other in values.values() if other > values[e.proposal_id])
        assert e.rank == better + 1


def test_the_aggregation_package_imports_nothing_from_django():
    package = Path(__file__).resolve().parents[3] / "scoring" / "aggregation"
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n == "django" or n.startswith("django.") for n in names), module
