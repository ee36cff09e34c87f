"""The tally of a collective vote by majority judgment, at its bounds: ties, a single
voter, no ballot, candidates graded by fewer voters, the threshold and the cap."""

from fractions import Fraction

import pytest

from scoring.aggregation import majority_value
from scoring.aggregation.collective import Reason, VoteError, collective_choice

E, TB, B, AB, P, I, R = 6, 5, 4, 3, 2, 1, 0  # Excellent … À rejeter  # noqa: E741


def by_candidate(result):
    return {o.candidate: o for o in result.outcomes}


def test_the_majority_grade_is_the_lower_median():
    # given four voters: two « Très bien », two « Assez bien »
    result = collective_choice({"a": [TB, TB, AB, AB]}, ballots=4)
    # then the majority grade is the lower of the two middle grades
    assert result.outcomes[0].majority_grade == AB


def test_a_single_voter_decides_alone():
    # given one ballot
    result = collective_choice({"a": [B], "b": [AB]}, ballots=1, min_grade=B)
    a, b = by_candidate(result)["a"], by_candidate(result)["b"]
    # then its grade is each commons' majority grade, and « Bien » is enough
    assert (a.majority_grade, a.retained, a.reason) == (B, True, Reason.ABOVE_THRESHOLD)
    assert (b.majority_grade, b.retained, b.reason) == (AB, False, Reason.BELOW_THRESHOLD)
    assert [o.candidate for o in result.outcomes] == ["a", "b"]


def test_no_ballot_retains_every_candidate_as_selected():
    # given nobody voted
    result = collective_choice({"a": [], "b": []}, ballots=0)
    # then every commons keeps its place from the selection, and the reason says so
    assert result.retained == ("a", "b")
    assert {o.reason for o in result.outcomes} == {Reason.NO_BALLOT}
    assert all(o.majority_grade is None for o in result.outcomes)


def test_the_threshold_holds_at_its_bound():
    # given two commons, one exactly at « Bien », one just below
    result = collective_choice({"at": [B, B, TB], "below": [AB, B, AB]}, ballots=3, min_grade=B)
    # then the first is retained, the second not
    assert result.retained == ("at",)


def test_a_tie_on_the_majority_grade_is_broken_by_the_next_medians_and_explained():
    # given two commons with the same majority grade « Bien »
    grades = {"b": [B, B, AB, TB, AB], "a": [B, B, TB, AB, TB]}
    result = collective_choice(grades, ballots=5)
    a, b = by_candidate(result)["a"], by_candidate(result)["b"]
    assert a.majority_grade == b.majority_grade == B
    # then « a » passes: removing the medians one by one, its next one is better
    assert [o.candidate for o in result.outcomes] == ["a", "b"]
    assert (a.rank, b.rank) == (1, 2)
    tie = a.tie_break
    assert tie is not None
    assert tie.other == "b"
    # the expanded majority values part where the explanation says
    va = majority_value(dict(enumerate(a.counts)))
    vb = majority_value(dict(enumerate(b.counts)))
    position = next(i for i, (x, y) in enumerate(zip(va, vb, strict=True)) if x != y)
    assert tie.removed == Fraction(position, 5)
    assert (tie.grade, tie.other_grade) == (va[position], vb[position])
    assert tie.grade > tie.other_grade


def test_exactly_alike_profiles_stay_tied():
    # given two commons with the same grades in another order
    result = collective_choice({"a": [B, AB, TB], "b": [TB, B, AB]}, ballots=3)
    a, b = by_candidate(result)["a"], by_candidate(result)["b"]
    # then they share the rank, no tie-break is invented, each names the other
    assert a.rank == b.rank == 1
    assert a.tie_break is None
    assert b.tie_break is None
    assert a.tied_with == ("b",)
    assert b.tied_with == ("a",)


def test_profiles_are_compared_in_shares_when_some_voters_abstain():
    # given « own » graded by 2 voters (its group's abstained) and « other » by 4: the
    # same shares (half « Très bien », half « Bien »)
    result = collective_choice({"own": [TB, B], "other": [TB, TB, B, B]}, ballots=4)
    own, other = by_candidate(result)["own"], by_candidate(result)["other"]
    # then they are exactly tied: fewer grades is no disadvantage
    assert own.rank == other.rank == 1
    assert own.shares()[TB] == other.shares()[TB] == Fraction(1, 2)


def test_the_cap_keeps_the_best_and_every_candidate_tied_at_the_cut():
    # given four commons all judged at least « Bien », at most two to retain, the second
    # and third exactly tied
    grades = {"a": [E, E, E], "b": [TB, TB, B], "c": [B, TB, TB], "d": [B, B, B]}
    result = collective_choice(grades, ballots=3, min_grade=B, max_retained=2)
    # then the best and both tied at the cut are kept; the fourth is beyond the cap
    assert result.retained == ("a", "b", "c")
    assert by_candidate(result)["d"].reason == Reason.BEYOND_CAP


def test_a_candidate_nobody_could_grade_keeps_its_place_after_the_graded_ones():
    # given every voter belongs to the working group of « own »
    result = collective_choice({"own": [], "other": [R]}, ballots=1)
    own = by_candidate(result)["own"]
    assert own.retained
    assert own.reason == Reason.UNGRADED
    assert result.outcomes[-1].candidate == "own"


@pytest.mark.parametrize(
    ("grades", "kwargs"),
    [
        ({"a": [7]}, {"ballots": 1}),
        ({"a": [-1]}, {"ballots": 1}),
        ({"a": [True]}, {"ballots": 1}),
        ({"a": [B]}, {"ballots": 1, "min_grade": 7}),
        ({"a": [B]}, {"ballots": 1, "max_retained": 0}),
    ],
)
def test_grades_and_rules_off_the_scale_are_refused(grades, kwargs):
    with pytest.raises(VoteError):
        collective_choice(grades, **kwargs)


def test_the_result_as_plain_data_keeps_the_explanation():
    result = collective_choice({"a": [B, B, TB], "b": [B, B, AB]}, ballots=3)
    data = result.as_dict()
    first = data["outcomes"][0]
    assert first["candidate"] == "a"
    assert first["tie_break"]["other"] == "b"
    assert first["counts"][B] == 2
