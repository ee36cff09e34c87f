"""Writes of the scoring, one module per concept; the names are re-exported here."""

from scoring.aggregation import MJ_GRADES
from scoring.services.assignments import (
    assignment_add,
    evaluator_for_task,
    evaluator_task_data,
    evaluators_assign,
)
from scoring.services.evaluations import (
    conflict_declare,
    evaluation_record,
    evaluation_submit,
    scoring_check,
    scoring_close,
    scoring_draft_save,
    scoring_round_open,
    scoring_submit_all,
)
from scoring.services.grids import (
    DEFAULT_GRID,
    EVALUATION_OPEN,
    grid_check,
    grid_copy,
    grid_freeze,
    grid_set,
)
from scoring.services.rankings import ranking_store

__all__ = [
    "DEFAULT_GRID",
    "EVALUATION_OPEN",
    "MJ_GRADES",
    "assignment_add",
    "conflict_declare",
    "evaluation_record",
    "evaluation_submit",
    "evaluator_for_task",
    "evaluator_task_data",
    "evaluators_assign",
    "grid_check",
    "grid_copy",
    "grid_freeze",
    "grid_set",
    "ranking_store",
    "scoring_check",
    "scoring_close",
    "scoring_draft_save",
    "scoring_round_open",
    "scoring_submit_all",
]
