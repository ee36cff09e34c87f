"""Reading rendered pieces back with python-docx, for assertions."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn


def open_docx(data: bytes) -> DocxDocument:
    return Document(io.BytesIO(data))


def body_text(document: DocxDocument) -> str:
    """Every paragraph of the body, tables included, one per line."""
    body = document.element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def header_text(document: DocxDocument) -> str:
    return "\n".join(p.text for p in document.sections[0].header.paragraphs)


def footer_text(document: DocxDocument) -> str:
    return "\n".join(p.text for p in document.sections[0].footer.paragraphs)


def field_codes(paragraphs) -> list[str]:
    """The instructions of the complex fields in these paragraphs (" PAGE " → "PAGE")."""
    return [
        instruction.text.strip()
        for paragraph in paragraphs
        for instruction in paragraph._p.iter(qn("w:instrText"))
    ]


def row_flags(document: DocxDocument) -> list[tuple[bool, bool]]:
    """(cantSplit, tblHeader) for every row of every table of the body."""
    flags = []
    for row in document.element.body.iter(qn("w:tr")):
        properties = row.find(qn("w:trPr"))
        if properties is None:
            flags.append((False, False))
            continue
        flags.append(
            (
                properties.find(qn("w:cantSplit")) is not None,
                properties.find(qn("w:tblHeader")) is not None,
            )
        )
    return flags


def table_texts(document: DocxDocument) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
