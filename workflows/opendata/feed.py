"""The open-data feed, page by page: the published calls in the order of their
signature, after an opaque cursor, from a date (``since``).

The cursor is the last call's signature and id (a keyset), never a page number: a call
signed while a reader goes through the feed comes at its end, so no page shifts and no
call is met twice or skipped.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from kernel.guards import field_error
from procurement.opendata.context import Call
from workflows.opendata.build import call_contexts, published_calls

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Cursor:
    signed_at: datetime
    pk: int

    def encode(self) -> str:
        raw = f"{self.signed_at.isoformat()}|{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor a page gave; a 400 on ``cursor`` for anything else."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            moment, pk = raw.split("|")
            signed_at = datetime.fromisoformat(moment)
            if signed_at.tzinfo is None:
                raise ValueError(moment)
            return cls(signed_at, int(pk))
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise field_error(
                "cursor",
                _("Ce curseur n'est pas valable : reprenez le lien « next » d'une page."),
                code="invalid_cursor",
            ) from None


@dataclass(frozen=True)
class Page:
    calls: list[Call]
    next: Cursor | None  # None on the last page


def calls_page(
    *, since: datetime | None = None, cursor: Cursor | None = None, size: int = PAGE_SIZE
) -> Page:
    """Up to ``size`` published calls signed from ``since`` (included), after
    ``cursor``, in signature order, and the cursor of the next page if there is one.
    A constant number of queries (``build.call_contexts``)."""
    qs = published_calls()
    if since is not None:
        qs = qs.filter(awarded_at__gte=since)
    if cursor is not None:
        qs = qs.filter(
            Q(awarded_at__gt=cursor.signed_at) | Q(awarded_at=cursor.signed_at, pk__gt=cursor.pk)
        )
    keys = list(qs.order_by("awarded_at", "pk").values_list("awarded_at", "pk")[: size + 1])
    more = len(keys) > size
    keys = keys[:size]
    calls = call_contexts([pk for _at, pk in keys])
    return Page(calls, Cursor(*keys[-1]) if more else None)
