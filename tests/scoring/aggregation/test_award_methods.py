"""Why majority judgment may not decide an award (CE 3 novembre 2014, Commune de
Belleville-sur-Loire, n° 373362: the method must not neutralise the published weights,
and the best offer must be able to get the best mark).

For the methods still allowed, hypothesis checks two properties on the default grid's
shape (price by formula 20 %, technical value 35 %, commons 30 %, environment 15 %):
an offer marked at least as well on every criterion never ranks below another, and one
marked 0 on every commons and environmental criterion never beats one marked at the
maximum there when they are equal elsewhere. A concrete example then shows what
majority judgment does on the same grid: the commons and environmental criteria, 45 %
of the published weight, never decide."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.aggregation import Mark, Method, rank

from .builders import D, crit, grid

ALLOWED = [Method.WEIGHTED_MEAN, Method.MEDIAN_WEIGHTED]
# The default grid's shape (scoring.services.grids.DEFAULT_GRID).
DEFAULT = grid(
    crit("technique", 35),
    crit("prix", 20, is_price=True),
    crit("usage-communs", 10, is_commons=True),
    crit("production-communs", 10, is_commons=True),
    crit("gouvernance", 5, is_commons=True),
    crit("reciprocite", 5, is_commons=True),
    crit("environnement", 15, is_environmental=True),
)
MARKED = [c.code for c in DEFAULT.criteria if not c.is_price]
WEIGHED_APART = [c.code for c in DEFAULT.criteria if c.is_commons or c.is_environmental]
EVALUATORS = 3

halves = st.integers(0, 20).map(lambda n: D(n) / 2)  # 0 to 10 by halves
prices = st.integers(1000, 500000).map(Decimal)


def marks_of(proposal: str, table: dict[str, list[Decimal]]) -> list[Mark]:
    return [
        Mark(proposal, f"e{number}", code, value)
        for code, values in table.items()
        for number, value in enumerate(values, 1)
    ]


def tables():
    return st.fixed_dictionaries(
        {code: st.lists(halves, min_size=EVALUATORS, max_size=EVALUATORS) for code in MARKED}
    )


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(ALLOWED),
    worse=tables(),
    raises=st.fixed_dictionaries(
        {code: st.lists(halves, min_size=EVALUATORS, max_size=EVALUATORS) for code in MARKED}
    ),
    price=prices,
    cheaper_by=st.integers(0, 900),
)
def test_belleville_an_offer_at_least_as_well_marked_everywhere_never_ranks_below(
    method, worse, raises, price, cheaper_by
):
    # given b, and a marked at least as well by every evaluator on every criterion, at a
    # price no higher (so the price formula marks it at least as well)
    better = {
        code: [min(D(10), mark + raise_) for mark, raise_ in zip(values, raises[code], strict=True)]
        for code, values in worse.items()
    }
    marks = marks_of("a", better) + marks_of("b", worse)
    offered = {"a": price * (1000 - cheaper_by) / 1000, "b": price}
    # when ranked by an allowed method
    ranking = rank(DEFAULT, marks, method, prices=offered)
    # then a never ranks below b
    assert ranking.entry("a").rank <= ranking.entry("b").rank


@settings(max_examples=150, deadline=None)
@given(method=st.sampled_from(ALLOWED), elsewhere=tables(), price=prices)
def test_belleville_zero_on_commons_and_environment_never_beats_the_maximum_there(
    method, elsewhere, price
):
    # given two offers equal on the technical value and the price, a marked 0 on every
    # commons and environmental criterion, b marked 10 there
    low = {**elsewhere, **{code: [D(0)] * EVALUATORS for code in WEIGHED_APART}}
    high = {**elsewhere, **{code: [D(10)] * EVALUATORS for code in WEIGHED_APART}}
    marks = marks_of("a", low) + marks_of("b", high)
    # when ranked / then a does not beat b: b is strictly ahead, by the 45 % weighed apart
    ranking = rank(DEFAULT, marks, method, prices={"a": price, "b": price})
    assert ranking.entry("b").rank < ranking.entry("a").rank
    assert ranking.entry("b").total - ranking.entry("a").total == D(45)


def _example(commons_and_environment_of_a: Decimal) -> list[Mark]:
    # a: 10 on the technical value, 0 (or 10) on the 45 % of commons and environment;
    # b: 6 on the technical value, 10 on the commons and environment
    a = {"technique": [D(10)] * EVALUATORS}
    a |= {code: [commons_and_environment_of_a] * EVALUATORS for code in WEIGHED_APART}
    b = {"technique": [D(6)] * EVALUATORS}
    b |= {code: [D(10)] * EVALUATORS for code in WEIGHED_APART}
    return marks_of("a", a) + marks_of("b", b)


def test_belleville_majority_judgment_neutralises_the_commons_and_environment_weights():
    # given the default grid and the offers of ``_example``, b twice a's price
    prices_ = {"a": D(100000), "b": D(200000)}
    marks = _example(D(0))

    # when ranked by the weighted mean, b wins by 21 points: 35 × 0.6 + 20 × 0.5 + 45 =
    # 76, against 35 + 20 = 55 for a, which has nothing on the commons and environment
    weighted = rank(DEFAULT, marks, Method.WEIGHTED_MEAN, prices=prices_)
    assert [e.proposal_id for e in weighted.entries] == ["b", "a"]
    assert (weighted.entry("b").total, weighted.entry("a").total) == (D(76), D(55))

    # but by majority judgment a, marked 0 on every commons and environmental criterion,
    # beats b, marked at the maximum there: the 55 % of the technical value and the price
    # carry a's majority grade to 10 whatever the other 45 % say, and b's lower median
    # falls in its 55 % (5 and 6) although its 45 % are at 10
    majority = rank(DEFAULT, marks, Method.MAJORITY_JUDGMENT, prices=prices_)
    assert [e.proposal_id for e in majority.entries] == ["a", "b"]
    # and a's marks on those 45 % change nothing: at 0 or at 10 its majority grade is
    # the same — the published weights of the commons and environment are neutralised
    raised = rank(DEFAULT, _example(D(10)), Method.MAJORITY_JUDGMENT, prices=prices_)
    assert raised.entry("a").total == majority.entry("a").total
    assert [e.proposal_id for e in raised.entries] == ["a", "b"]
