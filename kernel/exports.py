"""Tables exported as files: CSV for French spreadsheet software, and XLSX.

A table is headings and rows; cells are ``int``, ``Decimal`` or ``str``. Text written by
users may reach a cell, so text that a spreadsheet would run as a formula is neutralised
in both formats.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

# A cell starting with one of these is run as a formula by spreadsheet software; a
# proposal's title is written by a partner, so it is neutralised.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")  # French decimal comma
    if isinstance(value, str):
        return _text_cell(value)
    return str(value)


def render_csv(headings: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV for French spreadsheet software: ``;`` separator, decimal comma, UTF-8 with a
    byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headings)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(
    headings: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str,
    freeze_panes: str | None = None,
) -> bytes:
    """An Excel workbook of one sheet, headings in bold; numbers stay numbers, text is
    never a formula. ``freeze_panes`` is the first cell that scrolls (``"C2"``)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", title)[:31]  # characters Excel forbids
    sheet.append(list(headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # openpyxl reads a string starting with "=" as a formula.
                cell.data_type = "s"
    sheet.freeze_panes = freeze_panes
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
