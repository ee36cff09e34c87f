"""A JSON document written piece by piece: its one long array (the contracts of a DECP
file, the releases of a package) comes from an iterator and is never held whole, so
an export of any size runs in flat memory."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

_MARK = "\x00items\x00"


def json_chunks(
    document: dict[str, Any], path: tuple[str, ...], items: Iterable[dict[str, Any]]
) -> Iterator[str]:
    """The text of ``document`` whose array at ``path`` (its keys, from the top) holds
    ``items``, in chunks: the head, then each item, then the tail. The same text as
    ``json.dumps`` of the whole document with the array filled in."""
    shell = json.loads(json.dumps(document))
    node = shell
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = [_MARK]
    head, tail = json.dumps(shell, ensure_ascii=False).split(json.dumps(_MARK), 1)
    yield head
    for index, item in enumerate(items):
        yield (", " if index else "") + json.dumps(item, ensure_ascii=False)
    yield tail
