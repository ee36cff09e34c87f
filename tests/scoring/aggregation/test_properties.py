"""Properties that hold for any grid and any marks (hypothesis)."""

import statistics
from decimal import ROUND_HALF_UP
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.aggregation import MJ_GRADES, Method, rank, rank_with_weights

from .builders import MJ, D, crit, grid, marks, ranks

NUMBER = {name: 6 - position for position, name in enumerate(MJ_GRADES)}
SCALES = [5, 10, 20, MJ]
PROPOSALS = ["p1", "p2", "p3", "p4"]
EVALUATORS = 4


def values_on(scale):
    if scale == MJ:
        return st.sampled_from(MJ_GRADES)
    return st.integers(0, 2 * scale).map(lambda halves: D(halves) / 2)


@st.composite
def scenarios(draw, with_thresholds=True):
    """A valid grid of 1 to 4 criteria (mixed scales, integer weights adding up to 100,
    maybe thresholds) and marks by up to four evaluators, some missing."""
    count = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    criteria = []
    for position, weight in enumerate(weights):
        scale = draw(st.sampled_from(SCALES))
        top = 6 if scale == MJ else scale
        threshold = draw(st.none() | st.integers(0, top)) if with_thresholds else None
        criteria.append(
            crit(
                f"c{position}",
                weight,
                scale,
                is_commons=draw(st.booleans()),
                threshold=None if threshold is None else D(threshold),
            )
        )
    table = {
        proposal: {
            c.code: draw(
                st.lists(
                    st.none() | values_on(MJ if c.scale.is_majority else int(c.scale.maximum)),
                    min_size=1,
                    max_size=EVALUATORS,
                )
            )
            for c in criteria
        }
        for proposal in PROPOSALS
    }
    return grid(*criteria), table


METHODS = st.sampled_from(list(Method))


@settings(max_examples=100, deadline=None)
@given(scenario=scenarios(), method=METHODS, data=st.data())
def test_the_order_of_the_marks_never_changes_the_ranking(scenario, method, data):
    # given marks in some order, then shuffled
    g, table = scenario
    given_marks = marks(table)
    shuffled = data.draw(st.permutations(given_marks))
    # when both are ranked
    # then the rankings are identical, to the last figure
    assert rank(g, shuffled, method).to_dict() == rank(g, given_marks, method).to_dict()


@settings(max_examples=100, deadline=None)
@given(scenario=scenarios(), method=METHODS, data=st.data())
def test_which_evaluator_gave_which_mark_never_changes_a_result(scenario, method, data):
    # given the same marks, with the evaluators' names swapped around
    g, table = scenario
    names = [f"e{n}" for n in range(1, EVALUATORS + 1)]
    swap = dict(zip(names, data.draw(st.permutations(names)), strict=True))
    original = marks(table)
    swapped = [
        type(m)(m.proposal_id, swap[m.evaluator_id], m.criterion_code, m.value) for m in original
    ]
    # when both are ranked
    before, after = rank(g, original, method), rank(g, swapped, method)

    # then everything but the names is the same
    def anonymous(ranking):
        data = ranking.to_dict()
        for entry in data["entries"]:
            for criterion in entry["criteria"]:
                criterion["evaluator_marks"] = sorted(
                    m["value"] for m in criterion["evaluator_marks"]
                )
        return data

    assert anonymous(after) == anonymous(before)


def raise_one(table, proposal, code, index, scale):
    """The table with one mark one step better (half a point, or one mention)."""
    values = list(table[proposal][code])
    if scale == MJ:
        values[index] = MJ_GRADES[max(0, MJ_GRADES.index(values[index]) - 1)]
    else:
        values[index] = min(D(scale), values[index] + D("0.5"))
    return {
        p: {c: values if (p, c) == (proposal, code) else v for c, v in per.items()}
        for p, per in table.items()
    }


@pytest.mark.parametrize("method", list(Method))
@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_raising_one_mark_never_lowers_that_proposals_rank(method, scenario, data):
    # given any grid and marks, and one existing mark of one proposal
    g, table = scenario
    proposal = data.draw(st.sampled_from(PROPOSALS))
    criterion = data.draw(st.sampled_from(g.criteria))
    present = [i for i, v in enumerate(table[proposal][criterion.code]) if v is not None]
    if not present:
        return
    index = data.draw(st.sampled_from(present))
    scale = MJ if criterion.scale.is_majority else int(criterion.scale.maximum)
    # when that mark is raised by one step
    before = rank(g, marks(table), method)
    after = rank(g, marks(raise_one(table, proposal, criterion.code, index, scale)), method)
    # then the proposal's rank is the same or better, and it is not newly eliminated
    assert after.entry(proposal).rank <= before.entry(proposal).rank
    assert after.entry(proposal).eliminated <= before.entry(proposal).eliminated


@settings(max_examples=150, deadline=None)
@given(
    scenario=scenarios(),
    method=METHODS,
    raw_weights=st.lists(st.integers(0, 40), min_size=4, max_size=4).filter(any),
    factor=st.integers(2, 1000),
)
def test_multiplying_every_weight_by_the_same_number_changes_nothing(
    scenario, method, raw_weights, factor
):
    # given any weights (as integers, in no particular unit), then all times k
    g, table = scenario
    weights = raw_weights[: len(g.criteria)]
    if not any(weights):
        return
    scaled = [w * factor for w in weights]
    # when ranked with either
    # then the rankings are identical: only the proportions of the weights count
    assert (
        rank_with_weights(g.criteria, scaled, marks(table), method).to_dict()
        == rank_with_weights(g.criteria, weights, marks(table), method).to_dict()
    )


def reference(g, table, method):
    """The two weighted methods written plainly with fractions: proposal → (eliminated,
    exact total on 100)."""
    results = {}
    for proposal, per_criterion in table.items():
        total, eliminated = Fraction(0), False
        for c in g.criteria:
            low, high = (0, 6) if c.scale.is_majority else (0, int(c.scale.maximum))
            present = [
                Fraction(NUMBER[v]) if isinstance(v, str) else Fraction(v)
                for v in per_criterion[c.code]
                if v is not None
            ]
            if not present:
                aggregated = Fraction(low)
            elif method is Method.WEIGHTED_MEAN:
                aggregated = sum(present) / len(present)
            else:
                aggregated = statistics.median(present)
            total += Fraction(c.weight) * (aggregated - low) / (high - low)
            eliminated |= c.threshold is not None and aggregated < c.threshold
        results[proposal] = (eliminated, total)
    return results


@pytest.mark.parametrize("method", [Method.WEIGHTED_MEAN, Method.MEDIAN_WEIGHTED])
@settings(max_examples=200, deadline=None)
@given(scenario=scenarios())
def test_the_weighted_methods_agree_with_a_plain_fraction_model(method, scenario):
    # given any grid and marks
    g, table = scenario
    # when ranked, and computed plainly with fractions
    ranking = rank(g, marks(table), method)
    expected = reference(g, table, method)
    # then every total is the exact one rounded half up, and every rank is 1 + the
    # number of proposals strictly ahead (not eliminated first, then a higher total)
    for entry in ranking.entries:
        eliminated, total = expected[entry.proposal_id]
        exact = D(total.numerator) / D(total.denominator)
        assert entry.total == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert entry.eliminated == eliminated
        ahead = sum(
            1 for other in expected.values() if (not other[0], other[1]) > (not eliminated, total)
        )
        assert entry.rank == ahead + 1


@settings(max_examples=100, deadline=None)
@given(scenario=scenarios(), method=METHODS)
def test_tied_proposals_share_their_rank_and_name_each_other(scenario, method):
    # given any ranking of the listed proposals (marked or not)
    g, table = scenario
    ranking = rank(g, marks(table), method, proposals=PROPOSALS)
    by_id = {entry.proposal_id: entry for entry in ranking.entries}
    for entry in ranking.entries:
        # then ties are mutual and share the rank
        for other in entry.tied_with:
            assert entry.proposal_id in by_id[other].tied_with
            assert by_id[other].rank == entry.rank
        # and a rank is 1 + the number of proposals placed before the tie group
        assert entry.rank == 1 + sum(1 for e in ranking.entries if e.rank < entry.rank)
    # and the eliminated come last, and every listed proposal is there
    flags = [entry.eliminated for entry in ranking.entries]
    assert flags == sorted(flags)
    assert set(ranks(ranking)) == set(PROPOSALS)
