"""The one way each piece writes a title, an article, a table, a signature block.

A renderer builds a ``PieceWriter`` (which opens ``templates/documents/base.docx``,
clears its body and puts the buyer in the header and "Page X sur Y" in the footer),
calls its methods in reading order and returns ``writer.finish()``.

Formatting lives in the base document's styles (``templates/documents/make_base.py``);
the writer only names styles. Two things are set on each table because styles cannot
carry them: table rows never split across pages (``w:cantSplit``) and header rows
repeat on every page (``w:tblHeader``). Paragraphs and tables are written as XML, each
in one go (``wordml``): python-docx's element-by-element calls dominated the rendering
of large tables.

Two layout rules hold for every piece, whatever its renderer writes:

* no empty heading: a heading is held back until something is written under it, and
  dropped when the next heading of its rank (or the end of the piece) comes first — a
  section with nothing to say is not announced (articles are numbered when written, so
  the numbering has no gap);
* no identifier cut mid-word in a table: a column is widened, at the expense of the
  others, until the longest word of its cells fits on one line (``min_column_width``).

Same context, same bytes: the metadata come from ``ChallengeContext.generated_at``
and every zip entry is stamped with that instant (``wordml.docx_bytes``), so the
SHA-256 of a piece only changes when its content does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from functools import cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.table import Table
from docx.text.paragraph import Paragraph

from kernel.formats import format_date_fr

from . import wordml
from .context import ChallengeContext, Party

BASE_PATH = Path(__file__).resolve().parents[2] / "templates" / "documents" / "base.docx"
GENERATOR = "appels-a-communs"
HEADER_FILL = "E3E3FD"  # "bleu France" 925, the lightest tint: sober header rows
LABEL_FILL = "F6F6F6"
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


@cache
def _style_ids() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """The ids of the base document's paragraph styles and table styles, by name.

    python-docx resolves a style name on every paragraph, scanning all the styles to
    find the default one; the base document does not change while the process runs."""
    styles = Document(io.BytesIO(_base_bytes())).styles
    by_type: dict[WD_STYLE_TYPE, dict[str, str]] = {
        WD_STYLE_TYPE.PARAGRAPH: {},
        WD_STYLE_TYPE.TABLE: {},
    }
    for style in styles:
        if style.type in by_type and style.name is not None:
            by_type[style.type][style.name] = style.style_id
    return by_type[WD_STYLE_TYPE.PARAGRAPH], by_type[WD_STYLE_TYPE.TABLE]


def describe_party(party: Party) -> tuple[str, ...]:
    """The lines that identify a party in a piece, in the usual order."""
    lines = [party.name]
    if party.legal_form:
        lines.append(f"Forme juridique : {party.legal_form}")
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


class PieceWriter:
    """Writes one piece of the pack about one challenge, top to bottom."""

    def __init__(self, challenge: ChallengeContext, piece_title: str) -> None:
        self.challenge = challenge
        self.piece_title = piece_title
        self.document = open_base()
        # Blocks are written as XML before the section properties, which end the body.
        self._body = self.document._body
        self._end = self.document.element.body.sectPr
        paragraph_styles, table_styles = _style_ids()
        self._paragraph_styles = paragraph_styles
        self._table_text = paragraph_styles["Table Text"]
        self._table_number = paragraph_styles["Table Number"]
        self._table_heading = paragraph_styles["Table Heading"]
        self._table_style = table_styles["Table Grid"]
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
        header = section.header.paragraphs[0]._p
        header.extend(
            wordml.element(
                "p",
                wordml.run_xml(self.challenge.buyer.name, bold=True)
                + wordml.run_xml(f"\tAppel à communs {self.challenge.reference}"),
            )
        )
        footer = section.footer.paragraphs[0]._p
        footer.extend(
            wordml.element(
                "p",
                wordml.run_xml(f"{self.piece_title}\tPage ")
                + wordml.field_xml("PAGE")
                + wordml.run_xml(" sur ")
                + wordml.field_xml("NUMPAGES"),
            )
        )

    def _set_metadata(self) -> None:
        properties = self.document.core_properties
        generated_at = self.challenge.generated_at.astimezone(UTC)
        # Texts typed by people: whatever character XML forbids is left out (see wordml).
        properties.title = wordml.xml_safe(f"{self.piece_title} — {self.challenge.title}")
        properties.subject = wordml.xml_safe(f"Appel à communs {self.challenge.reference}")
        properties.author = wordml.xml_safe(self.challenge.buyer.name)
        properties.last_modified_by = GENERATOR
        properties.identifier = wordml.xml_safe(self.challenge.reference)
        properties.language = "fr-FR"
        properties.keywords = "appel à communs; commande publique; communs"
        properties.created = properties.modified = generated_at
        properties.revision = 1

    def _write_title(self) -> None:
        self._add_paragraph(wordml.run_xml(self.piece_title), style="Title")
        self._add_paragraph(
            wordml.run_xml(
                f"Appel à communs « {self.challenge.title} » — référence {self.challenge.reference}"
            ),
            style="Subtitle",
        )
        # The legal framing is on every piece: a candidate must know at a glance whether
        # it answers a marché public or applies for a subsidy.
        self._add_paragraph(
            wordml.run_xml(f"Cadre juridique : {self.challenge.framing_label}"), style="Subtitle"
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
            self._add_paragraph(wordml.run_xml(text), style=f"Heading {level}")
        self._pending.clear()
        self._pending_articles.clear()

    def paragraph(self, *runs: str, style: str | None = None, center: bool = False) -> Paragraph:
        """A paragraph of runs; ``Strong`` runs are bold. A paragraph without any text is
        not written (an optional field left blank leaves no empty line); the paragraph
        returned then belongs to no document."""
        if not any(text.strip() for text in runs):
            return Paragraph(OxmlElement("w:p"), self._body)
        self._flush_headings()
        return self._add_paragraph(
            "".join(wordml.run_xml(text, bold=isinstance(text, Strong)) for text in runs),
            style=style,
            align="center" if center else None,
        )

    def mention(self, text: str) -> None:
        """A small italic note (legal reference, method remark)."""
        self.paragraph(text, style="Mention")

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            if item.strip():
                self._flush_headings()
                self._add_paragraph(wordml.run_xml(item), style="List Bullet")

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
        grid = self._grid(len(headers), widths)
        right = frozenset(numeric)
        lines = [self._row(headers, grid, right=right, header=True)]
        last = len(body)
        for index, values in enumerate(body, start=1):
            strong = strong_last_row and index == last
            lines.append(self._row(values, grid, right=right, strong=strong))
        table = self._add_table(grid, "".join(lines))
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
        label_width, value_width = grid = self._grid(2, widths)
        rows = "".join(
            wordml.row_xml(
                self._cell(label_width, label, bold=True, fill=LABEL_FILL)
                + self._cell(value_width, value)
            )
            for label, value in body
        )
        table = self._add_table(grid, rows)
        self._space_after_table()
        return table

    def signatures(self, signatories: Sequence[tuple[str, Party]]) -> None:
        """Signature boxes, two per row: "Pour <role>", the party, its signatory."""
        place_and_date = self.paragraph("Fait à ……………………………………, le ……………………………………")
        place_and_date.paragraph_format.keep_with_next = True
        columns = 2 if len(signatories) > 1 else 1
        grid = self._grid(columns, None)
        text = self._table_text
        boxes = []
        for role, party in signatories:
            signatory = party.representative or "nom et qualité du signataire"
            lines = (party.name, signatory, "", "Date et signature :", "", "")
            boxes.append(
                wordml.paragraph_xml(wordml.run_xml(f"Pour {role}", bold=True), style=text)
                + "".join(
                    wordml.paragraph_xml(wordml.run_xml(line) if line else "", style=text)
                    for line in lines
                )
            )
        boxes += [""] * (-len(boxes) % columns)  # an empty box completes the last row
        rows = "".join(
            wordml.row_xml(
                "".join(
                    wordml.cell_xml(width, box)
                    for width, box in zip(grid, boxes[start : start + columns], strict=True)
                )
            )
            for start in range(0, len(boxes), columns)
        )
        self._add_table(grid, rows)
        self._space_after_table()

    def _grid(self, columns: int, widths: Sequence[float] | None) -> tuple[int, ...]:
        """The columns' widths in twips, the text's width shared in the proportions of
        ``widths`` (``fit_widths`` gives them in EMU, already summing to it), or evenly
        as python-docx does."""
        if widths is None:
            return (Emu(self._text_width // columns).twips,) * columns
        total = sum(widths)
        return tuple(Emu(int(self._text_width * share / total)).twips for share in widths)

    def _row(
        self,
        values: Sequence[str],
        grid: Sequence[int],
        *,
        right: frozenset[int],
        header: bool = False,
        strong: bool = False,
    ) -> str:
        cells = []
        for index, (width, value) in enumerate(zip(grid, values, strict=True)):
            if header:  # a figure's heading is aligned with the figures
                align = "right" if index in right else None
                cells.append(
                    self._cell(
                        width, value, style=self._table_heading, align=align, fill=HEADER_FILL
                    )
                )
            else:
                style = self._table_number if index in right else self._table_text
                cells.append(self._cell(width, value, style=style, bold=strong))
        return wordml.row_xml("".join(cells), header=header)

    def _cell(
        self,
        width: int,
        text: str,
        *,
        style: str | None = None,
        bold: bool = False,
        align: str | None = None,
        fill: str | None = None,
    ) -> str:
        """A cell of one paragraph, in the "Table Text" style unless said otherwise."""
        paragraph = wordml.paragraph_xml(
            wordml.run_xml(text, bold=bold), style=style or self._table_text, align=align
        )
        return wordml.cell_xml(width, paragraph, fill=fill)

    def _add_table(self, grid: Sequence[int], rows: str) -> Table:
        self._flush_headings()
        table = wordml.element("tbl", wordml.table_content(self._table_style, grid, rows))
        self._end.addprevious(table)
        return Table(table, self._body)

    def _add_paragraph(
        self, runs: str = "", *, style: str | None = None, align: str | None = None
    ) -> Paragraph:
        """A paragraph of ``runs`` (``wordml.run_xml``) at the end of the body; ``style``
        is a paragraph style's name."""
        style_id = self._paragraph_styles[style] if style is not None else None
        paragraph = wordml.element("p", wordml.paragraph_content(runs, style=style_id, align=align))
        self._end.addprevious(paragraph)
        return Paragraph(paragraph, self._body)

    def _space_after_table(self) -> None:
        # Keeps two consecutive tables apart (Word would merge them) and airs the text.
        self._add_paragraph()

    # --- output -------------------------------------------------------------------------

    def finish(self) -> bytes:
        """Close the piece with the date it was drawn up and return the .docx bytes."""
        self._pending.clear()  # headings with nothing under them
        self._pending_articles.clear()
        self.mention(
            f"Document établi le {format_date_fr(self.challenge.generated_at)} "
            "par le service des appels à communs."
        )
        return wordml.docx_bytes(self.document, self.challenge.generated_at)
