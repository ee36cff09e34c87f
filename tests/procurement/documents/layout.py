"""The layout defects a reader of a piece would notice, found in a rendered .docx:
an empty heading, a bare internal value (a slug), an identifier cut mid-word in a
table, a table whose columns differ between word processors or overflow the page.
Shared by the tests of the pieces rendered from the factories and from the journey
through the database."""

from __future__ import annotations

import re

from django.apps import apps
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

# English slugs of the code that are no French words (a value that is also one, like
# "contribution", "documents" or "favorable", cannot be told apart in a text; "open"
# is left out for "open source").
ENGLISH_SLUGS = frozenset(
    {
        "produce", "contribute", "outside", "contract", "awarded", "funded", "funder",
        "unfavorable", "submitted", "drafting", "expired", "refused", "rejected",
        "released", "reopen", "subsidy", "hosting", "majority", "knowledge", "natural",
        "health", "exploration", "paid", "pending", "failed", "committed", "approved",
        "dereference", "supplies", "quarter", "month", "year", "day", "hour", "use",
        "fund", "money", "skills", "technical", "works", "price", "development",
        "expense", "evaluator", "contributor", "moderator", "scoring", "cofunding",
    }
)  # fmt: skip
CODE_APPS = ("procurement", "scoring", "workflows")
# Table cells (Arial 9 pt): what a character needs at least (0.55 em, Arial's widest
# lowercase letters average less), and the cell's margins.
MIN_CHAR_EMU = int(0.55 * 9 * 12700)
CELL_MARGINS_EMU = 2 * 68580


def internal_values() -> frozenset[str]:
    """Every stored value of a choice field of the project with an underscore
    (``outside_contract``, ``none_in_time``…), and the English slugs above."""
    values = set(ENGLISH_SLUGS)
    for model in apps.get_models():
        if model._meta.app_label not in CODE_APPS:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or ():
                if isinstance(value, str) and "_" in value:
                    values.add(value)
    return frozenset(values)


def _blocks(document: DocxDocument) -> list[tuple[str, int | None]]:
    """The body in reading order: (text, heading level or None); tables count as text."""
    blocks: list[tuple[str, int | None]] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):
            blocks.append(("<table>", None))
        elif element.tag == qn("w:p"):
            text = "".join(t.text or "" for t in element.iter(qn("w:t"))).strip()
            if not text:
                continue
            style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            style_id = style.get(qn("w:val")) if style is not None else ""
            match = re.fullmatch(r"Heading(\d)", style_id or "")
            blocks.append((text, int(match.group(1)) if match else None))
    return blocks


def empty_headings(document: DocxDocument) -> list[str]:
    """Headings with nothing under them: followed by a heading of the same or a higher
    rank, or by the end of the piece (its closing "Document établi le…" mention aside).
    A heading followed by its own sub-heading opens a section that has content."""
    blocks = _blocks(document)
    if blocks and blocks[-1][0].startswith("Document établi le"):
        blocks = blocks[:-1]
    empty = []
    for index, (text, level) in enumerate(blocks):
        if level is None:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is None or (following[1] is not None and following[1] <= level):
            empty.append(text)
    return empty


def slugs_printed(document: DocxDocument) -> set[str]:
    text = "\n".join(t.text or "" for t in document.element.body.iter(qn("w:t")))
    words = set(re.findall(r"[A-Za-z_]+(?:_[A-Za-z]+)*", text))
    return words & internal_values()


def cut_identifiers(document: DocxDocument) -> list[str]:
    """Words of a table cell wider than the cell: Word and LibreOffice would cut them."""
    cut = []
    for cell in document.element.body.iter(qn("w:tc")):
        width = cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        if width is None or width.get(qn("w:type")) not in (None, "dxa"):
            continue
        available = int(width.get(qn("w:w"))) * 635 - CELL_MARGINS_EMU  # twips to EMU
        text = " ".join(t.text or "" for t in cell.iter(qn("w:t")))
        cut += [word for word in text.split() if len(word) * MIN_CHAR_EMU > available]
    return cut


def uneven_columns(document: DocxDocument) -> list[str]:
    """Tables whose cells are not as wide as their grid's columns (LibreOffice lays a
    table out from the grid, Word from the cells: each would show other columns), or
    wider than the text (the table would run into the margin)."""
    section = document.sections[0]
    text_width = (section.page_width - section.left_margin - section.right_margin) // 635
    uneven = []
    for number, table in enumerate(document.element.body.iter(qn("w:tbl")), start=1):
        grid = [int(column.get(qn("w:w"))) for column in table.iter(qn("w:gridCol"))]
        if sum(grid) > text_width + len(grid):
            uneven.append(f"table {number}: {sum(grid)} twips, the text is {text_width}")
        for row in table.iter(qn("w:tr")):
            cells = [
                int(width.get(qn("w:w")))
                for width in row.iterfind(f"{qn('w:tc')}/{qn('w:tcPr')}/{qn('w:tcW')}")
            ]
            if cells != grid:
                uneven.append(f"table {number}: cells {cells}, grid {grid}")
    return uneven


def layout_defects(document: DocxDocument) -> dict[str, object]:
    """Every defect found, by kind; empty when the piece reads well."""
    defects = {
        "empty headings": empty_headings(document),
        "slugs": sorted(slugs_printed(document)),
        "cut identifiers": cut_identifiers(document),
        "uneven columns": uneven_columns(document),
    }
    return {kind: found for kind, found in defects.items() if found}
