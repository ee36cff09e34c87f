"""The scoring method as the règlement de la consultation states it: the criteria, their
weights, the weighted sum and the price formula, exactly as ``scoring.aggregation``
computes them (CCP R2152-11 and R2152-12: criteria and weights are announced). The law does not
require the method itself to be published (CE 20 novembre 2020, n° 427761); the
service publishes it so that candidates know how their offers are marked.

Pure: a ``GridSpec`` and a ``Method`` in, French paragraphs out, no Django.
"""

from decimal import Decimal

from scoring.aggregation import GridSpec, Method

_AGGREGATE = {
    Method.WEIGHTED_MEAN: "la moyenne des notes des évaluateurs",
    Method.MEDIAN_WEIGHTED: (
        "la médiane des notes des évaluateurs (la moyenne des deux notes du milieu "
        "lorsqu'ils sont en nombre pair)"
    ),
}


def _number(value: Decimal) -> str:
    """A figure in French: 12.50 → « 12,5 », 20.00 → « 20 »."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _scale(criterion) -> str:
    if criterion.scale.is_majority:
        return "sur l'échelle des mentions, de « À rejeter » (0) à « Excellent » (6)"
    return f"de {_number(criterion.scale.minimum)} à {_number(criterion.scale.maximum)}"


def method_paragraphs(grid: GridSpec, method: Method | str) -> list[str]:
    """The paragraphs of the RC that describe the scoring method of ``grid`` by
    ``method``. Raises ``ValueError`` for majority judgment, which may not decide an
    award (``procurement.services.award_rules``): the RC only describes a method that
    is used."""
    method = Method(method)
    if method not in _AGGREGATE:
        raise ValueError(f"la méthode {method.value} ne peut pas départager les offres")
    paragraphs = [
        "Les offres sont jugées sur les critères suivants, avec leur pondération :",
    ]
    for criterion in grid.criteria:
        if criterion.is_price:
            how = (
                f"noté {_scale(criterion)} par la formule sur le prix offert décrite "
                "ci-dessous, et non par les évaluateurs"
            )
        else:
            how = f"noté {_scale(criterion)} par chaque évaluateur"
        line = f"– {criterion.label} : {_number(criterion.weight)} %, {how}"
        if criterion.threshold is not None:
            line += (
                f" ; une offre dont la note sur ce critère est inférieure à "
                f"{_number(criterion.threshold)} est éliminée"
            )
        paragraphs.append(line + ".")
    paragraphs.append(
        f"La note d'une offre sur un critère est {_AGGREGATE[method]}. Un critère que "
        "nul n'a noté compte pour la note la plus basse de son échelle."
    )
    paragraphs.append(
        "La note finale, sur 100, est la somme pondérée des critères : pour chaque "
        "critère, (note de l'offre − note minimale) ÷ (note maximale − note minimale) × "
        "poids du critère en %. Les offres sont classées par note finale décroissante ; "
        "deux offres de même note finale exacte sont classées ex aequo. Pour choisir "
        "entre des offres ex aequo, l'acheteur compare leurs notes pondérées critère par "
        "critère, du critère de plus fort poids au plus faible (dans l'ordre de la grille "
        "à poids égal) : la meilleure note pondérée l'emporte. Les pondérations "
        "publiées sont appliquées telles quelles : aucune note n'est rapportée à celles "
        "des autres offres, sauf celle du prix selon sa formule."
    )
    for criterion in grid.criteria:
        if criterion.is_price:
            maximum = _number(criterion.scale.maximum)
            paragraphs.append(
                f"Note du critère « {criterion.label} » = {maximum} × prix le plus bas ÷ "
                "prix de l'offre, arrondie au centième le plus proche (au centième "
                "supérieur à mi-distance). Le prix de l'offre est son montant total hors "
                "taxes ; le prix le plus bas est celui des offres jugées ensemble. L'offre "
                f"la moins chère obtient {maximum}, une offre deux fois plus chère la "
                "moitié. Une offre sans prix, ou d'un prix nul, n'est pas notée par la "
                "formule : elle compte 0 sur ce critère et n'est pas le prix de référence "
                "des autres ; un prix nul est examiné comme une offre anormalement basse."
            )
    if grid.commons_weight:
        paragraphs.append(
            f"Les critères relatifs aux communs pèsent ensemble "
            f"{_number(grid.commons_weight)} % de la note finale."
        )
    return paragraphs
