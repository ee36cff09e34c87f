"""What an aggregation takes in: scales, criteria, the grid, marks and the method.

Every type is a frozen dataclass checked when it is built, so that a grid that reaches
``rank`` is known to be sound. Marks are the exception: there are many of them, so
``rank`` checks them while it reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeAlias, TypeGuard

Id: TypeAlias = str | int

# Majority-judgment mentions, best first, as the evaluators read them.
MJ_GRADES: tuple[str, ...] = (
    "Excellent",
    "Très bien",
    "Bien",
    "Assez bien",
    "Passable",
    "Insuffisant",
    "À rejeter",
)
_MJ_TOP = len(MJ_GRADES) - 1
_MJ_NUMBER = {name: _MJ_TOP - position for position, name in enumerate(MJ_GRADES)}

# Marks, weights and thresholds are counted in hundredths, as the database stores them:
# every figure then becomes an integer and the arithmetic stays exact.
HUNDRED = 100


class GridError(ValueError):
    """The grid cannot be used: a weight, a code, a scale or a threshold is wrong."""


class MarkError(ValueError):
    """A mark is off its scale, is not a mention, or names an unknown criterion."""


def grade_value(name: str) -> Decimal:
    """A mention's number: À rejeter = 0 … Excellent = 6."""
    try:
        return Decimal(_MJ_NUMBER[name])
    except (KeyError, TypeError):
        raise MarkError(f"mention inconnue {name!r} (mentions : {', '.join(MJ_GRADES)})") from None


def grade_name(number: Decimal | int) -> str:
    """The mention of a number from 0 (À rejeter) to 6 (Excellent)."""
    if number != int(number) or not 0 <= number <= _MJ_TOP:
        raise ValueError(f"{number} n'est pas le numéro d'une mention (de 0 à {_MJ_TOP})")
    return MJ_GRADES[_MJ_TOP - int(number)]


def _is_number(value: object) -> TypeGuard[int | Decimal]:
    # bool is an int and float is inexact: neither is a mark.
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _hundredths(value: Decimal | int, what: str) -> int:
    """``value`` in hundredths; it must be finite with at most two decimals."""
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{what} {value} n'est pas un nombre fini")
    scaled = number.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} {value} a plus de deux décimales")
    return int(scaled)


class ScaleKind(StrEnum):
    NUMERIC = "numeric"
    MAJORITY = "mj"


@dataclass(frozen=True, slots=True)
class Scale:
    """A numeric scale from ``minimum`` to ``maximum`` (0–5, 0–10, 0–20…), or the
    majority-judgment mentions, numbered from À rejeter = 0 to Excellent = 6.

    Build them with ``Scale.numeric(20)`` and ``Scale.majority()``."""

    kind: ScaleKind
    minimum: Decimal
    maximum: Decimal

    def __post_init__(self) -> None:
        try:
            kind = ScaleKind(self.kind)
        except ValueError:
            raise GridError(f"type d'échelle inconnu : {self.kind!r}") from None
        object.__setattr__(self, "kind", kind)
        if kind is ScaleKind.MAJORITY:
            if self.minimum != Decimal(0) or self.maximum != Decimal(_MJ_TOP):
                raise GridError(f"l'échelle des mentions va de 0 à {_MJ_TOP}")
            return
        if not (_is_number(self.minimum) and _is_number(self.maximum)):
            raise GridError("les bornes d'une échelle sont des nombres décimaux")
        try:
            low, high = _hundredths(self.minimum, "la borne"), _hundredths(self.maximum, "la borne")
        except ValueError as error:
            raise GridError(str(error)) from None
        if low >= high:
            raise GridError(
                f"une échelle va d'un minimum à un maximum plus grand, pas {self.label}"
            )
        object.__setattr__(self, "minimum", Decimal(self.minimum))
        object.__setattr__(self, "maximum", Decimal(self.maximum))

    @classmethod
    def numeric(cls, maximum: Decimal | int, minimum: Decimal | int = 0) -> Scale:
        # the bounds are checked (no float) before they become Decimals
        if not (_is_number(minimum) and _is_number(maximum)):
            raise GridError("les bornes d'une échelle sont des nombres décimaux")
        return cls(ScaleKind.NUMERIC, Decimal(minimum), Decimal(maximum))

    @classmethod
    def majority(cls) -> Scale:
        return cls(ScaleKind.MAJORITY, Decimal(0), Decimal(_MJ_TOP))

    @property
    def is_majority(self) -> bool:
        return self.kind is ScaleKind.MAJORITY

    @property
    def grades(self) -> tuple[str, ...]:
        """The mentions, best first (empty for a numeric scale)."""
        return MJ_GRADES if self.is_majority else ()

    @property
    def label(self) -> str:
        return "mentions" if self.is_majority else f"{self.minimum}–{self.maximum}"

    @property
    def bounds(self) -> tuple[int, int]:
        """The lowest and highest marks, in hundredths."""
        return int(self.minimum.scaleb(2)), int(self.maximum.scaleb(2))

    def units(self, value: object) -> int:
        """A mark in hundredths of a point (a mention's number times 100).

        Raises ``MarkError`` unless the value is a mention of ``MJ_GRADES`` on a
        mention scale, or a ``Decimal`` (or ``int``) with at most two decimals
        between the bounds of a numeric scale; a ``float`` is refused as inexact."""
        if self.is_majority:
            if not isinstance(value, str):
                raise MarkError(f"une mention est attendue ({', '.join(MJ_GRADES)}), pas {value!r}")
            return int(grade_value(value)) * HUNDRED
        if not _is_number(value):
            raise MarkError(f"une note décimale est attendue sur {self.label}, pas {value!r}")
        try:
            hundredths = _hundredths(value, "la note")
        except ValueError as error:
            raise MarkError(str(error)) from None
        low, high = self.bounds
        if not low <= hundredths <= high:
            raise MarkError(f"la note {value} sort de l'échelle {self.label}")
        return hundredths


@dataclass(frozen=True, slots=True)
class CriterionSpec:
    """One criterion of a published grid.

    ``weight`` is its share of the total in percent (at most two decimals, 0 allowed).
    ``threshold`` is an eliminating mark on the criterion's own scale (for mentions,
    a mention's number or its name; at most two decimals): a proposal whose
    aggregated mark on the criterion is strictly below it is eliminated.
    ``is_price``: the price criterion, marked by the published formula on the offered
    prices (``price.price_marks``) and never by evaluators; its scale is numeric."""

    code: str
    label: str
    weight: Decimal
    scale: Scale
    is_commons: bool = False
    is_environmental: bool = False
    threshold: Decimal | None = None
    is_price: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise GridError(f"un critère a un code non vide, pas {self.code!r}")
        if not isinstance(self.scale, Scale):
            raise GridError(f"le critère {self.code} n'a pas d'échelle")
        if not _is_number(self.weight):
            raise GridError(f"le poids du critère {self.code} est un nombre décimal")
        try:
            weight = _hundredths(self.weight, f"le poids du critère {self.code}")
        except ValueError as error:
            raise GridError(str(error)) from None
        if weight < 0:
            raise GridError(f"le poids du critère {self.code} est négatif")
        if self.is_price and self.scale.is_majority:
            raise GridError(f"le critère prix {self.code} est noté sur une échelle numérique")
        object.__setattr__(self, "weight", Decimal(self.weight))
        if self.threshold is not None:
            object.__setattr__(self, "threshold", self._checked_threshold(self.threshold))

    def _checked_threshold(self, threshold: object) -> Decimal:
        if self.scale.is_majority and isinstance(threshold, str):
            try:
                return grade_value(threshold)
            except MarkError as error:
                raise GridError(f"seuil du critère {self.code} : {error}") from None
        if not _is_number(threshold):
            raise GridError(f"le seuil du critère {self.code} est un nombre décimal")
        try:
            _hundredths(threshold, f"le seuil du critère {self.code}")
        except ValueError as error:
            raise GridError(str(error)) from None
        value = Decimal(threshold)
        if not self.scale.minimum <= value <= self.scale.maximum:
            raise GridError(
                f"le seuil {threshold} du critère {self.code} sort de l'échelle {self.scale.label}"
            )
        return value

    @property
    def weight_units(self) -> int:
        """The weight in hundredths of a percent."""
        return int(self.weight.scaleb(2))


@dataclass(frozen=True, slots=True)
class GridSpec:
    """A grid whose criteria have unique codes and weights that add up to 100 %."""

    criteria: tuple[CriterionSpec, ...]

    def __post_init__(self) -> None:
        criteria = tuple(self.criteria)
        object.__setattr__(self, "criteria", criteria)
        if not criteria:
            raise GridError("la grille compte au moins un critère")
        if not all(isinstance(c, CriterionSpec) for c in criteria):
            raise GridError("la grille est faite de CriterionSpec")
        codes = [c.code for c in criteria]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise GridError(
                f"chaque critère a un code unique ; en double : {', '.join(duplicates)}"
            )
        total = sum((c.weight for c in criteria), Decimal(0))
        if total != HUNDRED:
            raise GridError(f"les poids totalisent {total} % au lieu de 100 %")

    @property
    def commons_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria if c.is_commons), Decimal(0))

    @property
    def environmental_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria if c.is_environmental), Decimal(0))


@dataclass(frozen=True, slots=True)
class Mark:
    """One evaluator's mark on one criterion of one proposal: a ``Decimal`` on a
    numeric scale, a mention's name (``MJ_GRADES``) on the mention scale."""

    proposal_id: Id
    evaluator_id: Id
    criterion_code: str
    value: Decimal | str


class Method(StrEnum):
    WEIGHTED_MEAN = "weighted_mean"
    MEDIAN_WEIGHTED = "median_weighted"
    MAJORITY_JUDGMENT = "majority_judgment"
