"""The lists' pagination: by page number, the contract's (API.md, « Lists »); and on the
lists that offer it, by cursor for a client that needs no count (an inbox that scrolls,
a script that syncs).

Page mode, the default: ``?page=`` and ``?page_size=`` (200 at most), the answer
``{count, next, previous, results}``. Cursor mode, when the request carries ``cursor``
(empty for the first page): ``{next, previous, results}``, the links carrying opaque
cursors (DRF's ``CursorPagination``), the same rows in the same order, the same
filters and page size. It counts nothing and reads one page and one row more: its cost
does not grow with the rows before or after the page. A row's place is kept by the
value of the list's first ordering field (its creation time), so rows created or
removed between two requests neither repeat nor skip the older rows still to come."""

from datetime import UTC

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import remove_query_param

from kernel.guards import field_error

PAGE_SIZE = 20
MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class ListCursor(CursorPagination):
    """DRF's cursor over the list's own ordering, the one its page mode gives (the
    queryset's ``order_by``, whose last field is unique). A cursor that is not one of
    its links is refused as a bad parameter (400 on ``cursor``), as a bad filter is."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    cursor_query_description = (
        "Curseur opaque : reprenez le lien « next » ou « previous » d'une réponse ; vide pour "
        "la première page. Avec lui, la liste ne compte pas ses lignes (pas de « count »)."
    )

    def get_ordering(self, request, queryset, view):
        ordering = tuple(queryset.query.order_by)
        if not ordering or not all(isinstance(f, str) and "__" not in f for f in ordering):
            raise ImproperlyConfigured("A list paged by cursor is ordered by its own fields.")
        self.position_field = queryset.model._meta.get_field(ordering[0].lstrip("-"))
        return ordering

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
            valid = cursor is None or cursor.position is None or self.valid(cursor.position)
        except NotFound:  # DRF's answer to what it cannot decode
            valid = False
        if not valid:
            raise field_error(
                "cursor",
                _(
                    "Ce curseur n'est pas valable : reprenez le lien « next » ou « previous » "
                    "d'une page, ou un curseur vide pour la première."
                ),
                code="invalid_cursor",
            )
        return cursor

    def valid(self, position: str) -> bool:
        """The position read from a cursor is a value of the ordering's first field, as
        the links write it (a moment with its offset for a date and time)."""
        if isinstance(self.position_field, models.DateTimeField):
            try:
                moment = parse_datetime(position)
                if moment is None or moment.tzinfo is None:
                    return False
                moment.astimezone(UTC)  # what the database compares (none for year 1 at +05:00)
            except (ValueError, OverflowError):
                return False
            return True
        try:
            self.position_field.to_python(position)
        except ValidationError:
            return False
        return True

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        # the links take the cursor's place and leave the page mode's number out
        self.base_url = remove_query_param(self.base_url, "page")
        return page


class PageOrCursorPagination(Pagination):
    """The page mode, or the cursor mode when the request carries ``cursor``: one
    pagination for the lists that offer both. A list changes what the cursor reads
    (``cursor_queryset``) and makes its rows of what it read (``cursor_rows``)."""

    cursor_query_param = "cursor"
    cursor_class = ListCursor

    def paginate_queryset(self, queryset, request, view=None):
        if self.cursor_query_param not in request.query_params:
            self.by_cursor = None
            return super().paginate_queryset(queryset, request, view)
        self.by_cursor = self.cursor_class()
        page = self.by_cursor.paginate_queryset(self.cursor_queryset(queryset), request, view)
        self.display_page_controls = self.by_cursor.display_page_controls
        return self.cursor_rows(page)

    def cursor_queryset(self, queryset):
        return queryset

    def cursor_rows(self, page):
        return page

    def get_paginated_response(self, data):
        if self.by_cursor is None:
            return super().get_paginated_response(data)
        return self.by_cursor.get_paginated_response(data)

    def to_html(self):
        if self.by_cursor is None:
            return super().to_html()
        return self.by_cursor.to_html()

    def get_paginated_response_schema(self, schema):
        pages = super().get_paginated_response_schema(schema)
        cursor = self.cursor_class().get_paginated_response_schema(schema)
        pages["description"] = "Une page par numéro (sans « cursor ») : avec le total."
        cursor["description"] = (
            "Une page par curseur (avec « cursor ») : sans total ; « next » et « previous » "
            "portent les curseurs des pages voisines."
        )
        for link, example in (("next", "cD0yMDI2LTA5LTAx"), ("previous", "cj0xJnA9MjAyNi0wOS0wMQ")):
            cursor["properties"][link]["example"] = (
                f"http://api.example.org/accounts/?cursor={example}"
            )
        # exactly one shape fits an answer: the cursor's has no ``count``
        cursor["additionalProperties"] = False
        return {"oneOf": [pages, cursor]}

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        cursor = self.cursor_class().get_schema_operation_parameters(view)
        return [*parameters, *(p for p in cursor if p["name"] == self.cursor_query_param)]
