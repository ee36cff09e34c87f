"""Majority judgment: majority grades, the tie-breaking procedure, weights in the merit
profile, and the run-length key against the textbook procedure."""

from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.aggregation import MJ_GRADES, Method, majority_key, majority_value, rank

from .builders import MJ, D, crit, grid, marks, order

ONE = grid(crit("q", 100, MJ))
N = {name: 6 - position for position, name in enumerate(MJ_GRADES)}  # À rejeter 0 … 6


def by_mj(table, g=ONE):
    return rank(g, marks(table), Method.MAJORITY_JUDGMENT)


@pytest.mark.parametrize(
    ("table", "expected_order", "expected_grades"),
    [
        pytest.param(
            {
                # 1 2 4 4 5: medians 4, then 2 (of 1 2 4 5), 4, 1, 5
                "a": ["Très bien", "Bien", "Bien", "Passable", "Insuffisant"],
                # 0 3 4 4 6: medians 4, then 3 (of 0 3 4 6): Assez bien beats Passable
                "b": ["Excellent", "Bien", "Bien", "Assez bien", "À rejeter"],
            },
            ["b", "a"],
            ["Bien", "Bien"],
            id="same-grade-broken-at-the-second-median",
        ),
        pytest.param(
            {
                # 2 4 4 4 6: medians 4, 4, 4, then 2 (of 2 6), 6
                "c": ["Passable", "Bien", "Bien", "Bien", "Excellent"],
                # 3 4 4 4 5: medians 4, 4, 4, then 3 (of 3 5): d wins at the fourth
                "d": ["Assez bien", "Bien", "Bien", "Bien", "Très bien"],
            },
            ["d", "c"],
            ["Bien", "Bien"],
            id="same-grade-broken-at-the-fourth-median",
        ),
        pytest.param(
            {
                # 1 2 4 5: lower median 2 (Passable), then 4 (of 1 4 5): after the
                # lower median of an even count, the upper neighbour comes next
                "e": ["Très bien", "Bien", "Passable", "Insuffisant"],
                # 2 2 3 3: lower median 2, then 3 (of 2 3 3): e wins, 4 against 3
                "f": ["Assez bien", "Assez bien", "Passable", "Passable"],
            },
            ["e", "f"],
            ["Passable", "Passable"],
            id="even-count-the-upper-neighbour-comes-next",
        ),
        pytest.param(
            {
                # 0 0 3 6 6: majority Assez bien, whatever the extremes
                "g": ["Excellent", "Excellent", "Assez bien", "À rejeter", "À rejeter"],
                # 1 1 4 4 4: majority Bien
                "h": ["Bien", "Bien", "Bien", "Insuffisant", "Insuffisant"],
            },
            ["h", "g"],
            ["Bien", "Assez bien"],
            id="higher-majority-grade-wins",
        ),
    ],
)
def test_majority_grades_and_ties_broken_by_removing_medians(
    table, expected_order, expected_grades
):
    # given one criterion on mentions and the profiles worked out above
    # when ranked by majority judgment
    ranking = by_mj({proposal: {"q": mentions} for proposal, mentions in table.items()})
    # then the majority grades and the order are those worked by hand, with no tie
    assert order(ranking) == expected_order
    assert [entry.majority_grade for entry in ranking.entries] == expected_grades
    assert [entry.rank for entry in ranking.entries] == [1, 2]


def test_identical_merit_profiles_are_a_complete_tie():
    # given two proposals judged alike (in another order, by other evaluators) and a third
    table = {
        "p1": ["Bien", "Passable", "Très bien"],
        "p2": ["Très bien", "Bien", "Passable"],
        "p3": ["Passable", "Passable", "Bien"],
    }
    # when ranked
    ranking = by_mj({p: {"q": grades} for p, grades in table.items()})
    # then p1 and p2 share rank 1 and p3 is third
    assert [(e.proposal_id, e.rank) for e in ranking.entries] == [("p1", 1), ("p2", 1), ("p3", 3)]
    assert ranking.entry("p2").tied_with == ("p1",)


def test_the_total_shows_the_majority_grade_as_a_number():
    # given majority grades Bien (4/6) and Excellent (6/6)
    ranking = by_mj({"p": {"q": ["Bien"]}, "q": {"q": ["Excellent"]}})
    # then the totals are 4/6 → 66.67 and 100
    assert {e.proposal_id: e.total for e in ranking.entries} == {"p": D("66.67"), "q": D(100)}


def test_criteria_weights_count_in_the_merit_profile():
    # given P good on q and rejected on c, Q fair on q and excellent on c
    table = {
        "P": {"q": ["Bien", "Bien"], "c": ["À rejeter", "À rejeter"]},
        "Q": {"q": ["Assez bien", "Assez bien"], "c": ["Excellent", "Excellent"]},
    }
    # when q weighs 75 % (P: Bien 75 %, À rejeter 25 %; Q: Assez bien 75 %, Excellent 25 %)
    heavy_q = by_mj(table, grid(crit("q", 75, MJ), crit("c", 25, MJ)))
    # and when q weighs 25 % (P: À rejeter 75 %; Q: Excellent 75 %)
    light_q = by_mj(table, grid(crit("q", 25, MJ), crit("c", 75, MJ)))
    # then the weights decide the majority grades and the winner
    assert [(e.proposal_id, e.majority_grade) for e in heavy_q.entries] == [
        ("P", "Bien"),
        ("Q", "Assez bien"),
    ]
    assert [(e.proposal_id, e.majority_grade) for e in light_q.entries] == [
        ("Q", "Excellent"),
        ("P", "À rejeter"),
    ]
    assert heavy_q.entry("P").merit_profile == (("Bien", D(75)), ("À rejeter", D(25)))


def test_a_criterion_weighs_its_weight_however_many_evaluators_marked_it():
    # given q (60 %) marked Bien by one evaluator, c (40 %) marked Insuffisant by three
    g = grid(crit("q", 60, MJ), crit("c", 40, MJ))
    table = {"p": {"q": ["Bien", None, None], "c": ["Insuffisant"] * 3}}
    # when ranked
    entry = by_mj(table, g).entries[0]
    # then Bien counts for 60 % and Insuffisant for 40 % (counting marks, it would be 1
    # against 3), so the majority grade is Bien
    assert entry.merit_profile == (("Bien", D(60)), ("Insuffisant", D(40)))
    assert entry.majority_grade == "Bien"


def test_a_grid_of_numeric_scales_uses_the_normalised_marks_as_grades():
    # given a on 0–20 and b on 0–5; p: a 14, 14 (.7) and b 2, 2 (.4); q: a 12 (.6), b 5 (1)
    g = grid(crit("a", 70, 20), crit("b", 30, 5))
    table = {"p": {"a": [14, 14], "b": [2, 2]}, "q": {"a": [12, 12], "b": [5, 5]}}
    # when ranked: p's profile .4 (30 %), .7 (70 %) → .7; q's .6 (70 %), 1 (30 %) → .6
    ranking = by_mj(table, g)
    # then p comes first with 70 on 100, q second with 60
    assert [(e.proposal_id, e.total) for e in ranking.entries] == [("p", D(70)), ("q", D(60))]
    assert ranking.entry("p").merit_profile == (("70.00", D(70)), ("40.00", D(30)))


def test_each_criterion_shows_its_own_lower_median():
    # given three evaluators on q: Excellent, Bien, Passable (numbers 6, 4, 2)
    entry = by_mj({"p": {"q": ["Excellent", "Bien", "Passable"]}}).entries[0]
    # then q's aggregated mark is the median mention's number, 4
    assert entry.criteria[0].aggregated == D(4)


# -- the key against the textbook procedure ---------------------------------------------


def sign(x):
    return (x > 0) - (x < 0)


def lexicographic(a, b):
    return sign((a > b) - (a < b))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_the_majority_key_orders_profiles_like_their_expanded_majority_values(data):
    # given two profiles of the same size, on a few grades with small multiplicities
    size = data.draw(st.integers(min_value=1, max_value=40))
    grades = st.integers(min_value=0, max_value=6)
    a = Counter(data.draw(st.lists(grades, min_size=size, max_size=size)))
    b = Counter(data.draw(st.lists(grades, min_size=size, max_size=size)))
    # when compared by key and by the textbook procedure (median, remove it, again)
    by_key = lexicographic(majority_key(a), majority_key(b))
    by_hand = lexicographic(majority_value(a), majority_value(b))
    # then the two agree, and the key starts with the majority grade
    assert by_key == by_hand
    assert majority_key(a)[0] == majority_value(a)[0]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_key_compares_long_runs_without_expanding_them(data):
    # given profiles with large multiplicities, scaled down copies of which expand
    base = data.draw(st.dictionaries(st.integers(0, 6), st.integers(1, 6), min_size=1, max_size=4))
    other = data.draw(st.permutations(sorted(base.values())))
    twin = dict(zip(sorted(base), other, strict=True))
    # when both are multiplied by 10**6 (sizes stay equal)
    big_base = {g: c * 10**6 for g, c in base.items()}
    big_twin = {g: c * 10**6 for g, c in twin.items()}
    # then the key answers at once, as the small profiles expanded would (multiplying
    # every multiplicity by the same number never changes the order)
    assert lexicographic(majority_key(big_base), majority_key(big_twin)) == lexicographic(
        majority_value(base), majority_value(twin)
    )


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_ranking_by_majority_judgment_matches_the_textbook_procedure_with_weights(data):
    # given a grid of two or three criteria on mentions with small weights
    count = data.draw(st.integers(min_value=2, max_value=3))
    cuts = sorted(
        data.draw(st.lists(st.integers(1, 99), min_size=count - 1, max_size=count - 1, unique=True))
    )
    weights = [b - a for a, b in pairwise([0, *cuts, 100])]
    g = grid(*(crit(f"c{i}", w, MJ) for i, w in enumerate(weights)))
    # and proposals marked by one to three evaluators per criterion
    mention_lists = st.lists(st.sampled_from(MJ_GRADES), min_size=1, max_size=3)
    table = {f"p{i}": {f"c{j}": data.draw(mention_lists) for j in range(count)} for i in range(4)}
    # when ranked
    ranking = by_mj(table, g)

    # then the ranks are those of the expanded profiles, compared by their successive
    # lower medians: each mention repeated weight × 6 / (number of its criterion's
    # evaluators) times (6 is a multiple of 1, 2 and 3, so every count is whole)
    def expanded(per_criterion):
        profile = Counter()
        for code, values in per_criterion.items():
            for value in values:
                profile[N[value]] += weights[int(code[1:])] * 6 // len(values)
        return majority_value(profile)

    values = {p: expanded(per) for p, per in table.items()}
    for entry in ranking.entries:
        better = sum(1 for other in values.values() if other > values[entry.proposal_id])
        assert entry.rank == better + 1
