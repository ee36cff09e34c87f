"""Validation of the exports against the official schemas vendored in ``schemas/``
(their sources in ``schemas/README.md``), offline, with jsonschema.

* DECP: the JSON schema 2.0.3 (draft-07).
* OCDS: the 1.1.5 release and record package schemas (draft-04), the Lots extension
  merged into the release schema and the Pagination extension into the package schemas
  (JSON Merge Patch, RFC 7386, as the OCDS tools do; a ``required`` list is extended,
  not replaced). The schemas refer to each other by their canonical URLs, resolved to
  the vendored files. The open codelists are not enforced by the schema: the codes the
  exports use are checked against the vendored CSV files (``codelist_problems``).

Dates (``format: date-time``) are checked as RFC 3339 timestamps with their offset.
"""

from __future__ import annotations

import copy
import csv
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft7Validator, FormatChecker
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parent / "schemas"
OCDS = SCHEMAS / "ocds" / "1.1.5"
EXTENSIONS = SCHEMAS / "ocds" / "extensions"
DECP_SCHEMA = SCHEMAS / "decp" / "schema_decp_v2.0.3.json"

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386, except that ``required`` lists are extended (an extension adds fields,
    it never makes the core's optional)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif key == "required" and isinstance(value, list):
            result[key] = list(dict.fromkeys([*result.get(key, []), *value]))
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def _ocds_registry() -> Registry:
    release = merge_patch(
        _load(OCDS / "release-schema.json"), _load(EXTENSIONS / "lots" / "release-schema.json")
    )
    resources = [release, _load(OCDS / "versioned-release-validation-schema.json")]
    for name in ("release-package-schema.json", "record-package-schema.json"):
        resources.append(merge_patch(_load(OCDS / name), _load(EXTENSIONS / "pagination" / name)))
    return Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        for schema in resources
    )


def _ocds_validator(name: str) -> Validator:
    registry = _ocds_registry()
    schema = registry.contents(f"https://standard.open-contracting.org/schema/1__1__5/{name}")
    return Draft4Validator(schema, registry=registry, format_checker=FORMATS)


@cache
def release_package_validator() -> Validator:
    return _ocds_validator("release-package-schema.json")


@cache
def record_package_validator() -> Validator:
    return _ocds_validator("record-package-schema.json")


@cache
def decp_validator() -> Validator:
    return Draft7Validator(_load(DECP_SCHEMA), format_checker=FORMATS)


def schema_errors(validator: Validator, document: Any) -> list[str]:
    """Each error, with the path where it lies (``marches/marche/0/codeCPV: …``)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(racine)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]


def decp_errors(document: Any) -> list[str]:
    return schema_errors(decp_validator(), document)


def release_package_errors(document: Any) -> list[str]:
    return schema_errors(release_package_validator(), document) + codelist_problems(document)


def record_package_errors(document: Any) -> list[str]:
    return schema_errors(record_package_validator(), document) + codelist_problems(document)


@cache
def codelist(name: str) -> frozenset[str]:
    with (OCDS / "codelists" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


def _walk(node: Any, key: str) -> list[Any]:
    """Every value held under ``key`` anywhere in ``node``."""
    found: list[Any] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                found.append(v)
            found.extend(_walk(v, key))
    elif isinstance(node, list):
        for v in node:
            found.extend(_walk(v, key))
    return found


def codelist_problems(document: Any) -> list[str]:
    """The codes of an open codelist the document uses that the codelist lacks."""
    problems = []
    checks = {
        "documentType": _walk(document, "documentType"),
        "partyRole": [r for roles in _walk(document, "roles") for r in roles],
        "itemClassificationScheme": [
            c.get("scheme") for c in _walk(document, "classification") if isinstance(c, dict)
        ],
        "currency": _walk(document, "currency"),
        "submissionMethod": [m for methods in _walk(document, "submissionMethod") for m in methods],
    }
    for name, codes in checks.items():
        for code in sorted(set(codes) - codelist(name)):
            problems.append(f"{name}: « {code} » n'est pas un code de la liste")
    return problems
