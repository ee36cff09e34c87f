"""Tables exported as CSV for French spreadsheets and as XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kernel.exports import render_csv, render_xlsx


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (Decimal("1234.50"), "1234,50"),  # decimal comma
        (Decimal("-3"), "-3"),  # a number is not neutralised
        (7, "7"),
        ("Plateforme", "Plateforme"),
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+33", "'+33"),
        ("-1", "'-1"),
        ("@SUM", "'@SUM"),
        ("\tcmd", "'\tcmd"),
    ],
)
def test_csv_cells_for_french_spreadsheets_and_never_a_formula(cell, written):
    # when a one-cell table is written
    content = render_csv(("Colonne",), [(cell,)])

    # then it has a byte-order mark, ";" and CRLF, and the cell as expected
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.startswith("Colonne\r\n")
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [["Colonne"], [written]]


def test_xlsx_keeps_numbers_and_writes_formulas_as_text():
    # when a table is written as a workbook
    content = render_xlsx(
        ("Titre", "Note"),
        [("=1+1", Decimal("12.5"))],
        title="Classement: 2026/1",
        freeze_panes="B2",
    )

    # then text stays text, numbers are numbers, and the sheet's name is one Excel allows
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Classement- 2026-1"
    assert [c.value for c in sheet[1]] == ["Titre", "Note"]
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5
    assert sheet.freeze_panes == "B2"
