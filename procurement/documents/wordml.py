"""WordprocessingML written as text: the paragraphs and tables of a piece, and its zip.

python-docx builds a table cell by cell, and each step (``row.cells``, ``cell.width``,
``add_run``, a style set by name) walks the XML around it: for the rapport d'analyse
(thirty tables, thousands of cells) that walking was most of the rendering. Here a
paragraph or a whole table is written as one string and parsed once, by python-docx's
own parser: the elements are those python-docx would have built (same tags, order and
attributes, so the same bytes), and a renderer can still adjust a paragraph through
python-docx (``paragraph_format.left_indent``).

Text goes through ``run_xml``, which escapes it and writes tabs and line breaks as
python-docx does (``\\t`` a ``w:tab``, ``\\n`` and ``\\r`` each a ``w:br``). A vertical tab
or a form feed (the line break a word processor puts in copied text) is a line break
too; any other character that XML 1.0 forbids (control characters, lone surrogates,
U+FFFE, U+FFFF) is dropped, where python-docx refused the whole piece; ``xml_safe``
does the same for the texts of the document's properties.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

from docx.document import Document as DocxDocument
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.oxml.xmlchemy import BaseOxmlElement

W_NAMESPACE = nsdecls("w")
BOLD = "<w:rPr><w:b/></w:rPr>"
# The properties python-docx gives a new table (``CT_Tbl.new_tbl``) once its style is set
# and it is centred: width left to the columns, the style's header row and first column.
TABLE_LOOK = (
    '<w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
    'w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
)
LINE_BREAKS = frozenset("\n\r\v\f")
# Any character that needs more than escaping: C0 controls (tab and line breaks
# included), lone surrogates, and the two non-characters XML forbids.
_SPECIAL = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SEPARATORS = re.compile("([\t\n\r\v\f])")
_VERTICAL_BREAKS = re.compile("[\v\f]")
ZIP_EPOCH_YEAR = 1980  # the zip format cannot date an entry earlier
ZipDateTime = tuple[int, int, int, int, int, int]


def escape(text: str) -> str:
    """``text`` as XML character data (or a double-quoted attribute value)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _text_xml(text: str) -> str:
    # As python-docx: spaces at either end are kept only if the element says so.
    space = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
    return f"<w:t{space}>{escape(text)}</w:t>"


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids; line breaks and tabs are kept."""
    return _FORBIDDEN.sub("", _VERTICAL_BREAKS.sub("\n", text))


def run_xml(text: str, *, bold: bool = False) -> str:
    """A run of text (``w:r``), bold or not."""
    properties = BOLD if bold else ""
    if not text:
        return f"<w:r>{properties}</w:r>"
    if _SPECIAL.search(text) is None:
        return f"<w:r>{properties}{_text_xml(text)}</w:r>"
    content = []
    for piece in _SEPARATORS.split(_FORBIDDEN.sub("", text)):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in LINE_BREAKS:
            content.append("<w:br/>")
        elif piece:
            content.append(_text_xml(piece))
    return f"<w:r>{properties}{''.join(content)}</w:r>"


def field_xml(code: str) -> str:
    """A complex field (``PAGE``, ``NUMPAGES``…), computed by the word processor when it
    lays out the pages; "1" stands in until then."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(code)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>1</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def paragraph_content(runs: str, *, style: str | None = None, align: str | None = None) -> str:
    """What goes inside a ``w:p``: its style (by id) and alignment, then its runs."""
    if style is None and align is None:
        return runs
    style_xml = f'<w:pStyle w:val="{escape(style)}"/>' if style is not None else ""
    align_xml = f'<w:jc w:val="{align}"/>' if align is not None else ""
    return f"<w:pPr>{style_xml}{align_xml}</w:pPr>{runs}"


def paragraph_xml(runs: str, *, style: str | None = None, align: str | None = None) -> str:
    return f"<w:p>{paragraph_content(runs, style=style, align=align)}</w:p>"


def cell_xml(width: int, paragraphs: str, *, fill: str | None = None) -> str:
    """A cell ``width`` twips wide, shaded with ``fill`` (RGB hex) if given; a cell holds
    at least one paragraph."""
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{shading}</w:tcPr>'
        f"{paragraphs or '<w:p/>'}</w:tc>"
    )


def row_xml(cells: str, *, header: bool = False) -> str:
    """A row that never splits across pages; a header row is repeated on every page."""
    repeat = "<w:tblHeader/>" if header else ""
    return f"<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>{cells}</w:tr>"


def table_content(style: str, grid: Sequence[int], rows: str) -> str:
    """What goes inside a ``w:tbl``: its style (by id), centred, columns of ``grid``
    twips, then its rows."""
    columns = "".join(f'<w:gridCol w:w="{width}"/>' for width in grid)
    return (
        f'<w:tblPr><w:tblStyle w:val="{escape(style)}"/>{TABLE_LOOK}</w:tblPr>'
        f"<w:tblGrid>{columns}</w:tblGrid>{rows}"
    )


def element(tag: str, content: str) -> BaseOxmlElement:
    """Parse ``<w:tag>content</w:tag>`` into python-docx's element classes."""
    return parse_xml(f"<w:{tag} {W_NAMESPACE}>{content}</w:{tag}>")


class _StampedZip:
    """What python-docx's package writer writes to: every entry dated alike."""

    def __init__(self, archive: zipfile.ZipFile, date_time: ZipDateTime) -> None:
        self._archive = archive
        self._date_time = date_time

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, whatever the platform that renders
        info.external_attr = 0o644 << 16
        self._archive.writestr(info, blob)


def docx_bytes(document: DocxDocument, moment: datetime) -> bytes:
    """The .docx of ``document`` with every zip entry dated ``moment`` (in UTC), so that
    the bytes depend on the content only, not on when or where it was saved.

    The entries and their order are those of ``Document.save``, written once: saving
    then rewriting the zip with fixed dates compressed every entry twice."""
    utc = moment.astimezone(UTC)
    date_time = (
        max(utc.year, ZIP_EPOCH_YEAR),
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
    )
    package = document.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        target = _StampedZip(archive, date_time)
        # The steps of ``PackageWriter.write``, on a target that dates the entries.
        PackageWriter._write_content_types_stream(target, parts)
        PackageWriter._write_pkg_rels(target, package.rels)
        PackageWriter._write_parts(target, parts)  # type: ignore[arg-type]
    return output.getvalue()
