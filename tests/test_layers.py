"""The import contracts of ``make lint`` (pyproject's [tool.importlinter]): they hold on
the code as it is, and they break the moment a module imports a layer above its own —
checked here by adding one such import to the real import graph."""

import copy
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter import configuration
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

CONFIG = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["tool"][
    "importlinter"
]
KINDS = {"layers": LayersContract, "forbidden": ForbiddenContract}


@pytest.fixture(scope="module")
def graph():
    configuration.configure()  # what lint-imports does before checking
    return grimp.build_graph(
        *CONFIG["root_packages"], include_external_packages=True, cache_dir=None
    )


def contract(contract_id: str):
    (options,) = [c for c in CONFIG["contracts"] if c["id"] == contract_id]
    options = {k: v for k, v in options.items() if k not in ("id", "name", "type")}
    session = {k: v for k, v in CONFIG.items() if k != "contracts"}
    kind = next(c["type"] for c in CONFIG["contracts"] if c["id"] == contract_id)
    return KINDS[kind](contract_id, session_options=session, contract_options=options)


def with_import(graph, importer: str, imported: str):
    changed = copy.deepcopy(graph)
    changed.add_import(
        importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
    )
    return changed


@pytest.mark.parametrize("contract_id", [c["id"] for c in CONFIG["contracts"]])
def test_every_contract_holds_on_the_code(graph, contract_id):
    check = contract(contract_id).check(graph, verbose=False)
    assert check.kept, check.metadata


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("procurement.services.challenges", "workflows.services"),  # domain → process
        ("procurement.queries", "scoring.models"),  # procurement → scoring
        ("scoring.services.grids", "workflows.flows"),  # domain → process
        ("workflows.services", "api.serializers"),  # process → API
        ("kernel.errors", "procurement.models"),  # kernel → domain
        ("api.views", "portal.views.common"),  # API ↔ portal are independent
        ("portal.chart", "api.processes"),
    ],
)
def test_layers_contract_breaks_on_a_backward_import(graph, importer, imported):
    # given the real import graph, with one import going up (or across) the layers
    changed = with_import(graph, importer, imported)

    # when the layers contract is checked, then it is broken
    assert not contract("layers").check(changed, verbose=False).kept


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("scoring.aggregation.engine", "django.db"),
        ("scoring.aggregation.engine", "procurement.models"),
        ("procurement.calculations", "django.utils.timezone"),
    ],
)
def test_pure_contract_breaks_when_a_pure_module_imports_a_framework(graph, importer, imported):
    changed = with_import(graph, importer, imported)
    assert not contract("pure").check(changed, verbose=False).kept
