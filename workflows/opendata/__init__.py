"""The open data of the signed calls, from both domains: ``build`` makes the contexts of
``procurement.opendata`` from the database, ``feed`` pages them for the public API,
``export`` writes the files (a period's, and the daily export)."""

from workflows.opendata.build import (
    call_contexts,
    iter_calls,
    ocid_of,
    published_calls,
    unpublished_signed_calls,
)
from workflows.opendata.export import (
    FORMATS,
    LICENCE_NAME,
    LICENCE_URL,
    daily_export,
    daily_export_due,
    export_write,
    latest_export,
    package_kwargs,
)
from workflows.opendata.feed import MAX_PAGE_SIZE, PAGE_SIZE, Cursor, Page, calls_page

__all__ = [
    "FORMATS",
    "LICENCE_NAME",
    "LICENCE_URL",
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "Cursor",
    "Page",
    "call_contexts",
    "calls_page",
    "daily_export",
    "daily_export_due",
    "export_write",
    "iter_calls",
    "latest_export",
    "ocid_of",
    "package_kwargs",
    "published_calls",
    "unpublished_signed_calls",
]
