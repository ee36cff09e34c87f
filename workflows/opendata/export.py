"""The open-data files: the données essentielles (DECP) and the OCDS release and record
packages of the calls signed in a period, written piece by piece (flat memory), and the
daily export of every published call that the public page offers for download.

Published under the Licence Ouverte 2.0 (Etalab), the licence of the French public
administrations' open data (article D323-2-1 of the code des relations entre le public
et l'administration).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from procurement.opendata import decp, ocds
from procurement.opendata.context import Call
from procurement.opendata.stream import json_chunks
from workflows.opendata.build import iter_calls

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
POLICY_PATH = "/donnees-ouvertes/"
DIRECTORY = "opendata"
MANIFEST = f"{DIRECTORY}/export.json"


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def package_kwargs(uri: str, next_uri: str | None = None) -> dict[str, Any]:
    """What every OCDS package of the service states: who publishes it, when, under
    which licence and policy."""
    return {
        "uri": uri,
        "published_at": timezone.now(),
        "publisher": settings.OPENDATA_PUBLISHER,
        "publisher_uri": settings.SITE_URL,
        "licence": LICENCE_URL,
        "policy": site_url(POLICY_PATH),
        "next_uri": next_uri,
    }


@dataclass(frozen=True)
class Format:
    """One kind of file: its name, what it counts, and its chunks from the calls."""

    key: str
    filename: str
    unit: str
    chunks: Callable[[Iterable[Call], str], Iterator[tuple[str, int]]]


def _counted(items: Iterable[dict[str, Any]], counter: list[int]) -> Iterator[dict[str, Any]]:
    for item in items:
        counter[0] += 1
        yield item


def _decp(calls: Iterable[Call], uri: str) -> Iterator[tuple[str, int]]:
    counter = [0]
    for chunk in json_chunks(
        decp.document([]), ("marches", "marche"), _counted(decp.marches(calls), counter)
    ):
        yield chunk, counter[0]


def _releases(calls: Iterable[Call], uri: str) -> Iterator[tuple[str, int]]:
    counter = [0]
    items = (release for call in calls for release in ocds.releases(call))
    shell = ocds.package("releases", [], **package_kwargs(uri))
    for chunk in json_chunks(shell, ("releases",), _counted(items, counter)):
        yield chunk, counter[0]


def _records(calls: Iterable[Call], uri: str) -> Iterator[tuple[str, int]]:
    counter = [0]
    items = (ocds.record(call) for call in calls)
    shell = ocds.package("records", [], **package_kwargs(uri))
    for chunk in json_chunks(shell, ("records",), _counted(items, counter)):
        yield chunk, counter[0]


FORMATS = {
    "decp": Format("decp", "decp.json", "marchés", _decp),
    "ocds-releases": Format("ocds-releases", "ocds-releases.json", "releases", _releases),
    "ocds-records": Format("ocds-records", "ocds-records.json", "records", _records),
}


def export_write(
    key: str,
    out: IO[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    on_skip: Callable[[str, str], None] | None = None,
    calls: Iterable[Call] | None = None,
) -> int:
    """Write the ``key`` file (``FORMATS``) of the calls signed from ``since`` until
    ``until`` to ``out``, piece by piece; return the number of items written (contracts
    or releases or records)."""
    fmt = FORMATS[key]
    source = calls if calls is not None else iter_calls(since=since, until=until, on_skip=on_skip)
    written = 0
    for chunk, count in fmt.chunks(source, site_url(f"/{DIRECTORY}/{fmt.filename}")):
        out.write(chunk)
        written = count
    return written


def daily_export(now: datetime | None = None) -> dict[str, Any]:
    """Write every format for every published call to the storage (``opendata/``,
    replacing the previous day's), then the manifest the public page reads: when, how
    many, each file's size and SHA-256. Idempotent: run twice, it writes the same
    files again."""
    now = now or timezone.now()
    files = []
    for fmt in FORMATS.values():
        with tempfile.TemporaryFile("w+b") as raw:
            digest = hashlib.sha256()
            text = _HashingWriter(raw, digest)
            count = export_write(fmt.key, text)
            raw.seek(0)
            name = f"{DIRECTORY}/{fmt.filename}"
            if default_storage.exists(name):
                default_storage.delete(name)
            default_storage.save(name, File(raw, name=fmt.filename))
            files.append(
                {
                    "format": fmt.key,
                    "name": fmt.filename,
                    "count": count,
                    "unit": fmt.unit,
                    "size": text.size,
                    "sha256": digest.hexdigest(),
                }
            )
    manifest = {"generated_at": now.isoformat(timespec="seconds"), "files": files}
    if default_storage.exists(MANIFEST):
        default_storage.delete(MANIFEST)
    default_storage.save(MANIFEST, ContentFile(json.dumps(manifest, ensure_ascii=False).encode()))
    return manifest


def latest_export() -> dict[str, Any] | None:
    """The manifest of the last daily export, or None before the first."""
    if not default_storage.exists(MANIFEST):
        return None
    with default_storage.open(MANIFEST, "rb") as f:
        manifest: dict[str, Any] = json.loads(f.read().decode())
    return manifest


def daily_export_due(now: datetime | None = None) -> bool:
    """No export yet, or none since midnight (Paris time)."""
    manifest = latest_export()
    if manifest is None:
        return True
    generated = datetime.fromisoformat(manifest["generated_at"])
    return timezone.localdate(generated) < timezone.localdate(now or timezone.now())


class _HashingWriter:
    """A text sink writing UTF-8 to a binary file, hashing and counting as it goes."""

    def __init__(self, raw: IO[bytes], digest: Any) -> None:
        self.raw, self.digest, self.size = raw, digest, 0

    def write(self, text: str) -> int:
        data = text.encode()
        self.raw.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(text)
