"""The official schemas are vendored byte for byte (CI has no internet): each file is
the one its source commit holds, as ``schemas/sources.json`` and the README say."""

import hashlib
import json

from procurement.opendata import validation

SOURCES = validation.SCHEMAS / "sources.json"


def test_every_vendored_schema_and_codelist_is_the_official_file():
    # given the manifest of the vendored files
    files = json.loads(SOURCES.read_text())["files"]

    # then each file is there, unchanged, with its source commit noted
    assert {f["path"] for f in files} >= {
        "decp/schema_decp_v2.0.3.json",
        "ocds/1.1.5/release-schema.json",
        "ocds/1.1.5/release-package-schema.json",
        "ocds/1.1.5/record-package-schema.json",
        "ocds/extensions/lots/release-schema.json",
        "ocds/extensions/pagination/release-package-schema.json",
    }
    for entry in files:
        data = (validation.SCHEMAS / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
        assert len(entry["commit"]) == 40
        assert entry["repository"].startswith("https://github.com/")
    listed = {f["path"] for f in files}
    on_disk = {
        str(p.relative_to(validation.SCHEMAS))
        for p in validation.SCHEMAS.rglob("*")
        if p.suffix in (".json", ".csv") and p.name != "sources.json"
    }
    assert on_disk == listed


def test_the_schemas_are_the_versions_the_exports_claim():
    decp = json.loads(validation.DECP_SCHEMA.read_text())
    release = json.loads((validation.OCDS / "release-schema.json").read_text())
    assert "données essentielles" in decp["title"]
    assert (
        release["id"] == "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
    )
