"""scoring.aggregation stays pure Python: no Django, checked three ways."""

import ast
import subprocess
import sys
from pathlib import Path

import scoring.aggregation

PACKAGE = Path(scoring.aggregation.__file__).resolve().parent
ROOT = PACKAGE.parents[1]


def django_imports(source: str) -> list[str]:
    """The modules of Django that a piece of source imports, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        else:
            continue
        found += [name for name in names if name == "django" or name.startswith("django.")]
    return found


def test_the_scan_finds_every_way_of_importing_django():
    # given the ways a module could import Django, even inside a function
    source = (
        "import django\nfrom django.db import models\n"
        "def f():\n    import django.conf as c\n    importlib.import_module('django.apps')\n"
        "import djangoish\nfrom . import django_like\n"
    )
    # then the scan finds those four, and nothing that only looks like Django
    assert django_imports(source) == ["django", "django.db", "django.conf", "django.apps"]


def test_no_module_of_the_package_imports_django():
    # given every module of scoring/aggregation
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 5
    # then none imports Django
    offenders = {
        str(m.relative_to(ROOT)): django_imports(m.read_text(encoding="utf-8")) for m in modules
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_importing_the_package_loads_no_django_module():
    # given a fresh interpreter
    code = (
        "import sys, scoring.aggregation\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    # when it imports scoring.aggregation
    result = subprocess.run(  # noqa: S603 -- our own interpreter and a constant script
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # then no Django module was loaded, even indirectly
    assert result.stdout.strip() == "[]"


def test_ruff_forbids_django_in_the_package_and_nowhere_else():
    # given a module importing Django, checked by ruff as if it lived in the package,
    # then as if it lived in scoring/ (ruff picks the nearest configuration)
    source = "from django.db import models\n\nprint(models)\n"

    def check(path: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 -- our own interpreter and constant arguments
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--no-cache",
                "--output-format=concise",
                f"--stdin-filename={path}",
                "-",
            ],
            cwd=ROOT,
            input=source,
            capture_output=True,
            text=True,
            check=False,
        )

    inside, outside = check("scoring/aggregation/probe.py"), check("scoring/probe.py")
    # then ruff refuses it inside scoring/aggregation only (TID251, banned API)
    assert inside.returncode == 1
    assert "TID251 `django` is banned" in inside.stdout
    assert outside.returncode == 0, outside.stdout
