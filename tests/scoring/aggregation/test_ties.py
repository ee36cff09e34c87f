"""The tie rule the règlement states (``break_tie``): offers ex aequo are told apart by
their weighted marks, the heaviest criterion first, the grid's order between criteria
of equal weight; offers equal on every criterion stay tied."""

from scoring.aggregation import break_tie, rank, tie_order

from .builders import crit, grid, marks


def tied_pair(ranking):
    first = ranking.entries[0]
    return [e for e in ranking.entries if e.rank == first.rank]


def test_the_heaviest_criterion_decides_first():
    # given two offers at 60 on 100: A better on the 50 % criterion, B on the two 25 %
    spec = grid(crit("lourd", 50), crit("moyen", 25), crit("leger", 25))
    ranking = rank(
        spec,
        marks(
            {
                "A": {"lourd": [8], "moyen": [4], "leger": [4]},
                "B": {"lourd": [4], "moyen": [8], "leger": [8]},
            }
        ),
        "weighted_mean",
    )
    tied = tied_pair(ranking)
    assert {e.proposal_id for e in tied} == {"A", "B"}

    # when the rule orders them, then A wins on the heaviest criterion
    decided = break_tie(tied, spec)
    assert decided.order == ("A", "B")
    assert decided.deciding.code == "lourd"


def test_between_equal_weights_the_grid_order_decides():
    # given two criteria of equal weight, A better on the second listed, B on the first
    spec = grid(crit("premier", 50), crit("second", 50))
    ranking = rank(
        spec,
        marks({"A": {"premier": [4], "second": [8]}, "B": {"premier": [8], "second": [4]}}),
        "weighted_mean",
    )

    # then the first listed decides: B
    assert tie_order(spec)[0].code == "premier"
    decided = break_tie(tied_pair(ranking), spec)
    assert (decided.order, decided.deciding.code) == (("B", "A"), "premier")


def test_offers_equal_on_every_criterion_stay_tied():
    spec = grid(crit("a", 60), crit("b", 40))
    ranking = rank(
        spec,
        marks({"A": {"a": [7], "b": [5]}, "B": {"a": [7], "b": [5]}}),
        "weighted_mean",
    )
    decided = break_tie(tied_pair(ranking), spec)
    assert decided.deciding is None
    assert set(decided.order) == {"A", "B"}
