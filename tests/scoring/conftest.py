"""Fixtures of the scoring tests: token-authenticated API clients (as in tests/api)."""

import pytest

from procurement.models import Role
from tests.api.conftest import api  # noqa: F401  (a fixture, used by name)
from tests.conftest import member


@pytest.fixture
def third_evaluator(world):
    """An evaluator of the buyer named on nothing yet: the buyer's replacement."""
    return member(world.buyer, "evaluateur3", Role.EVALUATOR)
