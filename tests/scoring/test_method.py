"""The RC describes the method actually used (``scoring.method.method_paragraphs``)."""

from decimal import Decimal

import pytest

from scoring.aggregation import CriterionSpec, GridSpec, Method, Scale
from scoring.method import method_paragraphs
from scoring.ranking import grid_spec
from scoring.services import DEFAULT_GRID


def default_spec() -> GridSpec:
    return GridSpec(
        tuple(
            CriterionSpec(
                code=c["code"],
                label=c["label"],
                weight=c["weight"],
                scale=Scale.numeric(10),
                is_commons=c["kind"].startswith("commons"),
                is_environmental=c["kind"] == "environment",
                is_price=c["kind"] == "price",
            )
            for c in DEFAULT_GRID
        )
    )


@pytest.mark.parametrize("method", [Method.WEIGHTED_MEAN, Method.MEDIAN_WEIGHTED])
def test_r2152_12_the_method_names_every_criterion_with_its_weight_and_the_formulae(method):
    # given the default grid / when its method is described
    text = "\n".join(method_paragraphs(default_spec(), method))
    # then every criterion is named with its weight
    for criterion in DEFAULT_GRID:
        assert f"{criterion['label']} : {criterion['weight']} %" in text
    # and the weighted sum and the price formula are stated as computed
    assert "somme pondérée" in text
    assert "× poids du critère en %" in text
    assert "10 × prix le plus bas ÷ prix de l'offre, arrondie au centième" in text
    # and the rule that tells offers ex aequo apart (applied by aggregation.break_tie)
    assert "du critère de plus fort poids au plus faible" in text
    assert "hors taxes" in text
    assert "30 %" in text  # the commons share
    assert ("moyenne" if method is Method.WEIGHTED_MEAN else "médiane") in text


def test_the_method_states_an_eliminating_threshold_and_decimal_weights():
    spec = GridSpec(
        (
            CriterionSpec("t", "Technique", Decimal("62.5"), Scale.numeric(20), threshold=8),
            CriterionSpec("p", "Prix", Decimal("37.5"), Scale.numeric(10), is_price=True),
        )
    )
    text = "\n".join(method_paragraphs(spec, Method.WEIGHTED_MEAN))
    assert "Technique : 62,5 %, noté de 0 à 20 par chaque évaluateur" in text
    assert "inférieure à 8 est éliminée" in text
    assert "Prix : 37,5 %" in text


def test_belleville_the_method_of_an_award_is_never_majority_judgment():
    with pytest.raises(ValueError, match="majority_judgment"):
        method_paragraphs(default_spec(), Method.MAJORITY_JUDGMENT)


def test_grid_spec_of_stored_criteria_marks_the_price_by_formula():
    # the ranking's reading of a stored grid is the one the RC describes
    from scoring.models import Criterion, CriterionKind, ScaleKind

    criteria = [
        Criterion(code="t", label="T", kind=CriterionKind.TECHNICAL, weight=80),
        Criterion(
            code="p", label="P", kind=CriterionKind.PRICE, weight=20, scale=ScaleKind.PRICE_FORMULA
        ),
    ]
    spec = grid_spec(criteria)
    assert [c.is_price for c in spec.criteria] == [False, True]
    assert "10 × prix le plus bas" in "\n".join(method_paragraphs(spec, Method.WEIGHTED_MEAN))
