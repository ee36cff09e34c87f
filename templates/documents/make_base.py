"""Build ``templates/documents/base.docx``, the styles every generated piece starts from.

Run from the repository root after changing a style, and commit both files::

    .venv/bin/python templates/documents/make_base.py

The renderers (``procurement/documents``) open this document, clear its body and
write; they never set a font or a colour themselves, so the look of the whole
pack is decided here.

Sober styles in the manner of the French State's design system: Arial (the
Marianne typeface is reserved to State services, and most buyers here are local
authorities; LibreOffice substitutes the metric-compatible Liberation Sans), headings
in "bleu France" #000091, A4 pages with 2 cm margins, French as the proofing
language. The output is reproducible: fixed metadata and fixed zip timestamps, so
running the script twice gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

BASE_PATH = Path(__file__).with_name("base.docx")
FONT = "Arial"
BLUE_FRANCE = RGBColor(0x00, 0x00, 0x91)
GREY_TEXT = RGBColor(0x3A, 0x3A, 0x3A)
GREY_LIGHT = RGBColor(0x66, 0x66, 0x66)
BORDER_COLOR = "929292"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(21), Cm(29.7), Cm(2)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _reset_run_properties(style, *, size: float, bold: bool = False, color=None) -> None:
    """Drop the template's theme fonts and colours, then set ours explicitly."""
    for rpr in style.element.findall(qn("w:rPr")):
        style.element.remove(rpr)
    style.element.append(
        parse_xml(
            f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" '
            f'w:cs="{FONT}" w:eastAsia="{FONT}"/></w:rPr>'
        )
    )
    style.font.size = Pt(size)
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color


def _spacing(style, *, before: float, after: float, keep_with_next: bool = False) -> None:
    paragraph_format = style.paragraph_format
    paragraph_format.space_before = Pt(before)
    paragraph_format.space_after = Pt(after)
    paragraph_format.line_spacing = 1.15
    if keep_with_next:
        paragraph_format.keep_with_next = True
        paragraph_format.keep_together = True


def _paragraph_style(document, name: str, base: str):
    styles = document.styles
    style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def _set_defaults(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    defaults.remove(defaults.find(qn("w:rPrDefault")))
    defaults.insert(
        0,
        parse_xml(
            f"<w:rPrDefault {nsdecls('w')}><w:rPr>"
            f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
            '<w:sz w:val="20"/><w:szCs w:val="20"/>'
            '<w:lang w:val="fr-FR" w:eastAsia="fr-FR" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault>"
        ),
    )


def _set_table_borders(document) -> None:
    grid = document.styles["Table Grid"].element
    table_properties = grid.find(qn("w:tblPr"))
    for borders in table_properties.findall(qn("w:tblBorders")):
        table_properties.remove(borders)
    sides = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{BORDER_COLOR}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    table_properties.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{sides}</w:tblBorders>"))


def _set_styles(document) -> None:
    styles = document.styles
    _set_defaults(document)

    normal = styles["Normal"]
    _reset_run_properties(normal, size=10, color=RGBColor(0x16, 0x16, 0x16))
    _spacing(normal, before=0, after=6)
    normal.paragraph_format.widow_control = True

    title = styles["Title"]
    for ppr_border in title.element.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}"):
        ppr_border.getparent().remove(ppr_border)
    _reset_run_properties(title, size=20, bold=True, color=BLUE_FRANCE)
    _spacing(title, before=0, after=6, keep_with_next=True)

    subtitle = styles["Subtitle"]
    for numbering in subtitle.element.findall(f"{qn('w:pPr')}/{qn('w:numPr')}"):
        numbering.getparent().remove(numbering)
    _reset_run_properties(subtitle, size=12, color=GREY_TEXT)
    _spacing(subtitle, before=0, after=12, keep_with_next=True)

    for level, size, before in ((1, 13, 18), (2, 11, 12), (3, 10, 8)):
        heading = styles[f"Heading {level}"]
        _reset_run_properties(heading, size=size, bold=True, color=BLUE_FRANCE)
        _spacing(heading, before=before, after=6, keep_with_next=True)

    for name in ("Header", "Footer"):
        style = styles[name]
        _reset_run_properties(style, size=8, color=GREY_LIGHT)
        _spacing(style, before=0, after=0)
        tab_stops = style.paragraph_format.tab_stops
        tab_stops.clear_all()
        tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)

    table_text = _paragraph_style(document, "Table Text", "Normal")
    _reset_run_properties(table_text, size=9)
    _spacing(table_text, before=1, after=1)

    table_number = _paragraph_style(document, "Table Number", "Table Text")
    table_number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    table_heading = _paragraph_style(document, "Table Heading", "Table Text")
    _reset_run_properties(table_heading, size=9, bold=True, color=BLUE_FRANCE)
    table_heading.paragraph_format.keep_with_next = True

    mention = _paragraph_style(document, "Mention", "Normal")
    _reset_run_properties(mention, size=8.5, color=GREY_TEXT)
    mention.font.italic = True

    _set_table_borders(document)


def _drop_unused_table_styles(document) -> None:
    """python-docx's template carries a hundred Word 2010 table styles (most of the
    350 kB of styles.xml); every render parses them, and no piece uses them."""
    keep = {"Normal Table", "Table Grid"}
    for style in list(document.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in keep:
            style.delete()


def _set_page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(1)


def _set_settings(document) -> None:
    settings = document.settings.element
    for tag in ("w:savePreviewPicture", "w:rsids"):
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    for tag, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        settings.find(qn(tag)).set(qn("w:val"), value)
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), "fr-FR")


def _drop_unused_parts(document) -> None:
    """The thumbnail, Word 2010's duplicate styles and the custom XML of python-docx's
    template describe a document that is no longer this one."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype in (STYLES_WITH_EFFECTS, RT.CUSTOM_XML):
            del document.part.rels[rel_id]


def _clear_body(document) -> None:
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def build_base() -> bytes:
    document = Document()
    _drop_unused_parts(document)
    _drop_unused_table_styles(document)
    _set_styles(document)
    _set_page(document)
    _set_settings(document)
    _clear_body(document)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "appels-a-communs"
    properties.title = "Base des pièces générées"
    properties.created = properties.modified = FIXED_TIME
    properties.revision = 1
    properties.language = "fr-FR"
    raw = io.BytesIO()
    document.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry))
    return fixed.getvalue()


def main() -> None:
    BASE_PATH.write_bytes(build_base())
    print(f"wrote {BASE_PATH}")


if __name__ == "__main__":
    main()
