"""Rank N proposals × 12 criteria × 7 evaluators with each method; print the times.

Target: under 1 second for 2,000 proposals with each method on a 2-core machine, and
a cost that grows linearly with the number of proposals (the per-proposal column).
Run: python bench/scoring.py
"""

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.aggregation import MJ_GRADES, CriterionSpec, GridSpec, Mark, Method, Scale, rank

WEIGHTS = [15, 10, 10, 10, 10, 5, 5, 10, 5, 5, 10, 5]
EVALUATORS = 7


def grid(mj: bool) -> GridSpec:
    return GridSpec(
        tuple(
            CriterionSpec(
                code=f"c{i}",
                label=f"Critère {i}",
                weight=Decimal(w),
                scale=Scale.majority() if mj else Scale.numeric(20),
                is_commons=i < 4,
            )
            for i, w in enumerate(WEIGHTS)
        )
    )


def marks(proposals: int, mj: bool, seed: int = 2026) -> list[Mark]:
    rng = random.Random(seed)
    return [
        Mark(p, e, f"c{c}", rng.choice(MJ_GRADES) if mj else Decimal(rng.randint(0, 40)) / 2)
        for p in range(proposals)
        for e in range(EVALUATORS)
        for c in range(len(WEIGHTS))
    ]


def best_of(runs: int, func) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print(f"{'proposals':>9} {'method':<18} {'seconds':>8} {'µs/proposal':>12}")
    for proposals in (500, 1000, 2000):
        for method in Method:
            mj = method is Method.MAJORITY_JUDGMENT
            g, m = grid(mj), marks(proposals, mj)
            seconds = best_of(3, lambda g=g, m=m, method=method: rank(g, m, method))
            per_proposal = seconds / proposals * 1e6
            print(f"{proposals:>9} {method.value:<18} {seconds:>8.3f} {per_proposal:>12.0f}")


if __name__ == "__main__":
    main()
