"""How long ``scoring.aggregation.rank`` takes, and whether it grows linearly.

Run from the repository root (no Django needed)::

    .venv/bin/python bench/scoring.py [--sizes 500 1000 2000] [--runs 3]

For 500, 1,000 and 2,000 proposals × 12 criteria × 7 evaluators, with marks drawn
from a seeded generator (the same every run), each method is timed on the same marks,
best of 3. The weighted methods run on a grid that mixes 0–5, 0–10 and 0–20 scales
(marks in half points), with four commons criteria and one eliminating threshold;
majority judgment runs on the same grid with mentions. The table shows wall-clock and
CPU seconds, the CPU cost per proposal, and that cost relative to the smallest size
(about 1.0 everywhere means linear). Target: under 1 s for 2,000 proposals, each
method, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from scoring.aggregation import (
    MJ_GRADES,
    CriterionSpec,
    GridSpec,
    Mark,
    Method,
    Scale,
    rank,
)

# code, weight, numeric scale, commons?
CRITERIA = [
    ("commons_use", 10, 10, True),
    ("commons_production", 15, 20, True),
    ("commons_governance", 5, 5, True),
    ("commons_reciprocity", 5, 5, True),
    ("environment", 10, 10, False),
    ("technical", 20, 20, False),
    ("method", 5, 10, False),
    ("team", 5, 5, False),
    ("planning", 5, 10, False),
    ("price", 10, 20, False),
    ("risks", 5, 5, False),
    ("accessibility", 5, 10, False),
]
EVALUATORS = 7
TARGET_SECONDS = 1.0
SEED = 2026


def grid(mentions: bool) -> GridSpec:
    return GridSpec(
        tuple(
            CriterionSpec(
                code=code,
                label=code.replace("_", " ").capitalize(),
                weight=Decimal(weight),
                scale=Scale.majority() if mentions else Scale.numeric(scale),
                is_commons=commons,
                is_environmental=code == "environment",
                # an eliminating threshold on the technical value (a quarter of the scale)
                threshold=(None if code != "technical" else Decimal(1) if mentions else Decimal(5)),
            )
            for code, weight, scale, commons in CRITERIA
        )
    )


def marks(proposals: int, mentions: bool) -> list[Mark]:
    """Each proposal has a quality, each evaluator a bias, each mark some noise."""
    rng = random.Random(SEED)
    bias = [rng.gauss(0, 0.08) for _ in range(EVALUATORS)]
    result = []
    for proposal in range(1, proposals + 1):
        quality = rng.random()
        for evaluator in range(EVALUATORS):
            for code, _, scale, _ in CRITERIA:
                level = min(1.0, max(0.0, quality + bias[evaluator] + rng.gauss(0, 0.15)))
                if mentions:
                    value: Decimal | str = MJ_GRADES[6 - round(level * 6)]
                else:
                    value = Decimal(round(level * scale * 2)) / 2  # half points
                result.append(Mark(proposal, f"evaluator-{evaluator}", code, value))
    return result


def best_of(runs: int, work) -> tuple[float, float]:
    """The best wall-clock and the best CPU time of ``runs`` runs."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    print(
        f"rank(): N proposals × {len(CRITERIA)} criteria × {EVALUATORS} evaluators, "
        f"best of {options.runs}"
    )
    header = f"{'proposals':>9}  {'marks':>7}  {'method':<17}  {'wall s':>7}  {'cpu s':>7}"
    print(header + f"  {'cpu µs/proposal':>15}  {'vs smallest':>11}")
    slowest = 0.0
    baseline: dict[Method, float] = {}
    for size in options.sizes:
        for method in Method:
            mentions = method is Method.MAJORITY_JUDGMENT
            the_grid, the_marks = grid(mentions), marks(size, mentions)
            wall, cpu = best_of(
                options.runs, lambda g=the_grid, m=the_marks, k=method: rank(g, m, k)
            )
            per_proposal = cpu / size
            baseline.setdefault(method, per_proposal)
            slowest = max(slowest, wall)
            print(
                f"{size:>9}  {len(the_marks):>7}  {method.value:<17}  {wall:>7.3f}  {cpu:>7.3f}"
                f"  {per_proposal * 1e6:>15.0f}  {per_proposal / baseline[method]:>11.2f}"
            )
    verdict = "within" if slowest < TARGET_SECONDS else "OVER"
    print(f"slowest run {slowest:.3f} s: {verdict} the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
