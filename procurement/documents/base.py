"""The one way each piece writes a title, an article, a table, a signature block.

A renderer builds a ``PieceWriter`` (which opens ``templates/documents/base.docx``,
clears its body and puts the buyer in the header and "Page X sur Y" in the footer),
calls its methods in reading order and returns ``writer.finish()``.

Formatting lives in the base document's styles (``templates/documents/make_base.py``);
the writer only names styles. Two things are set here because styles cannot carry
them: table rows never split across pages (``w:cantSplit``) and header rows repeat
on every page (``w:tblHeader``).

Two layout rules hold for every piece, whatever its renderer writes:

* no empty heading: a heading is held back until something is written under it, and
  dropped when the next heading of its rank (or the end of the piece) comes first — a
  section with nothing to say is not announced (articles are numbered when written, so
  the numbering has no gap);
* no identifier cut mid-word in a table: a column is widened, at the expense of the
  others, until the longest word of its cells fits on one line (``min_column_width``).

Same context, same bytes: the metadata come from ``ChallengeContext.generated_at``
and every zip entry is stamped with that instant, so the SHA-256 of a piece only
changes when its content does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from kernel.formats import format_date_fr

from .context import ChallengeContext, Party

BASE_PATH = Path(__file__).resolve().parents[2] / "templates" / "documents" / "base.docx"
GENERATOR = "appels-a-communs"
HEADER_FILL = "E3E3FD"  # "bleu France" 925, the lightest tint: sober header rows
LABEL_FILL = "F6F6F6"
ZIP_EPOCH_YEAR = 1980  # the zip format cannot date an entry earlier
# Table cells: Arial 9 pt. A word is given 0.62 em per character — above Arial's
# average (about 0.5 em) so that a code of wide letters or in bold still fits — plus the
# cell's left and right margins (0.19 cm each, Word's and LibreOffice's default).
TABLE_FONT_PT = 9
CHAR_EM = 0.62
EMU_PER_PT = 12700
CELL_MARGINS_EMU = 2 * 68580
# A word wider than this share of the text (a long URL) is left to wrap: widening its
# column would crush the others.
MAX_WORD_SHARE = 0.45


class Strong(str):
    """A run of text written in bold: ``writer.paragraph("Total : ", Strong("100 %"))``."""

    __slots__ = ()


@cache
def _base_bytes() -> bytes:
    return BASE_PATH.read_bytes()


def open_base() -> DocxDocument:
    """A fresh copy of the base document, with an empty body."""
    document = Document(io.BytesIO(_base_bytes()))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def describe_party(party: Party) -> tuple[str, ...]:
    """The lines that identify a party in a piece, in the usual order."""
    lines = [party.name]
    if party.siret:
        lines.append(f"SIRET : {party.siret}")
    if party.address:
        lines.append(party.address)
    if party.representative:
        lines.append(f"Représentant : {party.representative}")
    return tuple(lines)


def word_width(word: str) -> int:
    """The width (EMU) a word of a table cell needs to stay on one line."""
    return int(len(word) * CHAR_EM * TABLE_FONT_PT * EMU_PER_PT)


def min_column_width(cells: Iterable[str]) -> int:
    """The narrowest a column may be (EMU) so that none of its words — a criterion code
    such as ``gouvernance_ouverte``, an amount, a date — is cut: its longest word and
    the cell margins. Words break only at spaces: a code's hyphen or underscore is part
    of the code."""
    longest = max((len(word) for text in cells for word in text.split()), default=0)
    return word_width("x" * longest) + CELL_MARGINS_EMU


def fit_widths(shares: Sequence[float], minima: Sequence[int], total: int) -> tuple[int, ...]:
    """Column widths (EMU) in the given proportions, each widened to its minimum, the
    width taken from the columns that have room to spare; the sum stays ``total``."""
    share_sum = sum(shares)
    widths = [int(total * share / share_sum) for share in shares]
    cap = int(total * MAX_WORD_SHARE)
    floors = [min(minimum, cap) for minimum in minima]
    if sum(floors) >= total:  # cannot fit every word: widths in proportion to the needs
        return tuple(int(total * floor / sum(floors)) for floor in floors)
    missing = sum(max(floor - width, 0) for floor, width in zip(floors, widths, strict=True))
    if not missing:
        return tuple(widths)
    spare = [max(width - floor, 0) for floor, width in zip(floors, widths, strict=True)]
    spare_sum = sum(spare)
    return tuple(
        max(floor, width - -(-missing * room // spare_sum))  # rounded up: the sum holds
        for floor, width, room in zip(floors, widths, spare, strict=True)
    )


def _fld_char(kind: str) -> OxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def add_field(paragraph: Paragraph, code: str) -> None:
    """A complex field (PAGE, NUMPAGES…), computed by the word processor when it lays
    out the pages; "1" stands in until then."""
    paragraph.add_run()._r.append(_fld_char("begin"))
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {code} "
    paragraph.add_run()._r.append(instruction)
    paragraph.add_run()._r.append(_fld_char("separate"))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(_fld_char("end"))


def _mark_row(row: _Row, *, header: bool) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


class PieceWriter:
    """Writes one piece of the pack about one challenge, top to bottom."""

    def __init__(self, challenge: ChallengeContext, piece_title: str) -> None:
        self.challenge = challenge
        self.piece_title = piece_title
        self.document = open_base()
        styles = self.document.styles
        # Style ids, set straight on the XML: python-docx's style setter scans every style
        # of the document on each call, which dominated the rendering of large tables.
        self._table_text = styles["Table Text"].style_id
        self._table_number = styles["Table Number"].style_id
        self._table_heading = styles["Table Heading"].style_id
        self._table_style = styles["Table Grid"]
        section = self.document.sections[0]
        self._text_width = section.page_width - section.left_margin - section.right_margin
        self._articles = 0
        # Headings wait here, as (level, text or None for an article, article title),
        # until something is written under them: see ``_flush_headings``.
        self._pending: list[tuple[int, str]] = []
        self._pending_articles: set[int] = set()
        self._set_header_and_footer()
        self._set_metadata()
        self._write_title()

    # --- page furniture ---------------------------------------------------------------

    def _set_header_and_footer(self) -> None:
        section = self.document.sections[0]
        header = section.header.paragraphs[0]
        header.add_run(self.challenge.buyer.name).bold = True
        header.add_run(f"\tAppel à communs {self.challenge.reference}")
        footer = section.footer.paragraphs[0]
        footer.add_run(f"{self.piece_title}\tPage ")
        add_field(footer, "PAGE")
        footer.add_run(" sur ")
        add_field(footer, "NUMPAGES")

    def _set_metadata(self) -> None:
        properties = self.document.core_properties
        generated_at = self.challenge.generated_at.astimezone(UTC)
        properties.title = f"{self.piece_title} — {self.challenge.title}"
        properties.subject = f"Appel à communs {self.challenge.reference}"
        properties.author = self.challenge.buyer.name
        properties.last_modified_by = GENERATOR
        properties.identifier = self.challenge.reference
        properties.language = "fr-FR"
        properties.keywords = "appel à communs; commande publique; communs"
        properties.created = properties.modified = generated_at
        properties.revision = 1

    def _write_title(self) -> None:
        self.document.add_paragraph(self.piece_title, style="Title")
        self.document.add_paragraph(
            f"Appel à communs « {self.challenge.title} » — référence {self.challenge.reference}",
            style="Subtitle",
        )
        # The legal framing is on every piece: a candidate must know at a glance whether
        # it answers a marché public or applies for a subsidy.
        self.document.add_paragraph(
            f"Cadre juridique : {self.challenge.framing_label}", style="Subtitle"
        )

    # --- text ---------------------------------------------------------------------------

    def article(self, title: str) -> None:
        """A numbered top-level heading: "Article 3 – Critères de jugement" (numbered when
        its first line is written: an empty article is dropped, the numbering has no gap)."""
        self._hold(1, title, article=True)

    def heading(self, text: str, level: int = 2) -> None:
        """A heading, written only if something follows it in its section."""
        self._hold(level, text, article=False)

    def _hold(self, level: int, text: str, *, article: bool) -> None:
        # A held heading of the same or a lower rank has nothing under it: drop it.
        while self._pending and self._pending[-1][0] >= level:
            self._pending.pop()
            self._pending_articles.discard(len(self._pending))
        if article:
            self._pending_articles.add(len(self._pending))
        self._pending.append((level, text))

    def _flush_headings(self) -> None:
        """Write the held headings: something is about to be written under them."""
        for index, (level, text) in enumerate(self._pending):
            if index in self._pending_articles:
                self._articles += 1
                text = f"Article {self._articles} – {text}"
            self.document.add_heading(text, level=level)
        self._pending.clear()
        self._pending_articles.clear()

    def paragraph(self, *runs: str, style: str | None = None, center: bool = False) -> Paragraph:
        """A paragraph of runs; ``Strong`` runs are bold. A paragraph without any text is
        not written (an optional field left blank leaves no empty line); the paragraph
        returned then belongs to no document."""
        if not any(text.strip() for text in runs):
            return Paragraph(OxmlElement("w:p"), self.document._body)
        self._flush_headings()
        paragraph = self.document.add_paragraph(style=style)
        for text in runs:
            run = paragraph.add_run(text)
            if isinstance(text, Strong):
                run.bold = True
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return paragraph

    def mention(self, text: str) -> None:
        """A small italic note (legal reference, method remark)."""
        self.paragraph(text, style="Mention")

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            if item.strip():
                self._flush_headings()
                self.document.add_paragraph(item, style="List Bullet")

    def party(self, party: Party) -> Paragraph:
        """The party's name in bold, then its SIRET, address and representative."""
        name, *rest = describe_party(party)
        return self.paragraph(Strong(name), *(f"\n{line}" for line in rest))

    # --- tables -------------------------------------------------------------------------

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        numeric: Iterable[int] = (),
        strong_last_row: bool = False,
    ) -> Table:
        """A table with one header row, repeated on every page; ``widths`` are relative,
        ``numeric`` columns are right-aligned, a ``strong_last_row`` is a total."""
        body = [tuple(row) for row in rows]
        if widths is not None:
            minima = [
                min_column_width([headers[column], *(row[column] for row in body)])
                for column in range(len(headers))
            ]
            widths = fit_widths(widths, minima, self._text_width)
        table, column_widths = self._new_table(len(body) + 1, len(headers), widths)
        right = frozenset(numeric)
        table_rows = table.rows
        self._fill_row(table_rows[0], headers, column_widths, right=right, header=True)
        last = len(body)
        for index, values in enumerate(body, start=1):
            strong = strong_last_row and index == last
            self._fill_row(table_rows[index], values, column_widths, right=right, strong=strong)
        self._space_after_table()
        return table

    def facts(self, pairs: Iterable[tuple[str, str]]) -> Table:
        """A two-column table of labels and values, without a header row."""
        body = list(pairs)
        widths = fit_widths(
            (0.32, 0.68),
            [min_column_width(pair[column] for pair in body) for column in (0, 1)],
            self._text_width,
        )
        table, column_widths = self._new_table(len(body), 2, widths)
        for row, (label, value) in zip(table.rows, body, strict=True):
            _mark_row(row, header=False)
            label_cell, value_cell = row.cells
            label_cell.width, value_cell.width = column_widths
            _shade(label_cell, LABEL_FILL)
            self._write_cell(label_cell, label, bold=True)
            self._write_cell(value_cell, value)
        self._space_after_table()
        return table

    def signatures(self, signatories: Sequence[tuple[str, Party]]) -> None:
        """Signature boxes, two per row: "Pour <role>", the party, its signatory."""
        place_and_date = self.paragraph("Fait à ……………………………………, le ……………………………………")
        place_and_date.paragraph_format.keep_with_next = True
        columns = 2 if len(signatories) > 1 else 1
        rows = -(-len(signatories) // columns)
        table, _ = self._new_table(rows, columns, None)
        cells = []
        for row in table.rows:
            _mark_row(row, header=False)
            cells.extend(row.cells)
        for cell, (role, party) in zip(cells, signatories, strict=False):
            signatory = party.representative or "nom et qualité du signataire"
            self._write_cell(cell, f"Pour {role}", bold=True)
            for line in (party.name, signatory, "", "Date et signature :", "", ""):
                cell.add_paragraph(line)._p.style = self._table_text
        self._space_after_table()

    def _new_table(
        self, rows: int, columns: int, widths: Sequence[float] | None
    ) -> tuple[Table, tuple[int, ...] | None]:
        self._flush_headings()
        table = self.document.add_table(rows=rows, cols=columns)
        table.style = self._table_style
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if widths is None:
            return table, None
        total = sum(widths)
        column_widths = tuple(int(self._text_width * share / total) for share in widths)
        for column, width in zip(table.columns, column_widths, strict=True):
            column.width = width
        return table, column_widths

    def _fill_row(
        self,
        row: _Row,
        values: Sequence[str],
        widths: Sequence[int] | None,
        *,
        right: frozenset[int],
        header: bool = False,
        strong: bool = False,
    ) -> None:
        _mark_row(row, header=header)
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            if widths is not None:
                cell.width = widths[index]
            if header:
                _shade(cell, HEADER_FILL)
            paragraph = self._write_cell(cell, value, bold=strong, heading=header)
            if index in right:
                if header:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                else:
                    paragraph._p.style = self._table_number

    def _write_cell(
        self, cell: _Cell, text: str, *, bold: bool = False, heading: bool = False
    ) -> Paragraph:
        paragraph = cell.paragraphs[0]
        paragraph._p.style = self._table_heading if heading else self._table_text
        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        return paragraph

    def _space_after_table(self) -> None:
        # Keeps two consecutive tables apart (Word would merge them) and airs the text.
        self.document.add_paragraph()

    # --- output -------------------------------------------------------------------------

    def finish(self) -> bytes:
        """Close the piece with the date it was drawn up and return the .docx bytes."""
        self._pending.clear()  # headings with nothing under them
        self._pending_articles.clear()
        self.mention(
            f"Document établi le {format_date_fr(self.challenge.generated_at)} "
            "par le service des appels à communs."
        )
        raw = io.BytesIO()
        self.document.save(raw)
        return stamp_zip(raw.getvalue(), self.challenge.generated_at)


def stamp_zip(data: bytes, moment: datetime) -> bytes:
    """Rewrite a .docx with every entry dated ``moment`` (in UTC), so that the bytes
    depend on the content only, not on when or where it was saved."""
    utc = moment.astimezone(UTC)
    date_time = (max(utc.year, ZIP_EPOCH_YEAR), *utc.timetuple()[1:6])
    stamped = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stamped, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the platform that renders
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry))
    return stamped.getvalue()
