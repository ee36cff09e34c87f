"""The tables of a piece as a reader sees them: the text of every cell as it was given
(ampersands, chevrons, quotes, line breaks), the header row shaded and repeated on
every page, figures right-aligned, the total in bold, the labels of a summary shaded,
the signature boxes side by side; and a piece still produced when a text carries a
control character pasted from elsewhere."""

from dataclasses import replace

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from procurement.documents import PIECES
from procurement.documents.base import PieceWriter
from procurement.documents.context import Party

from .layout import layout_defects, uneven_columns
from .reading import header_text, open_docx, row_flags, table_texts

AWKWARD = (
    'R&D <communs> « Dupont & Fils » l\'État "SCIC"',
    "  espaces gardés  ",
    "avant\taprès",
    "ligne 1\nligne 2",
    "a < b > c && d",
)


def _writer(piece_contexts):
    return PieceWriter(piece_contexts["reglement"], "Pièce d'essai")


def _fill(cell) -> str | None:
    shading = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    return None if shading is None else shading.get(qn("w:fill"))


def _bold(cell) -> bool:
    return all(run.bold for paragraph in cell.paragraphs for run in paragraph.runs)


def test_a_cell_shows_its_text_as_given_whatever_its_characters(piece_contexts):
    # given texts with XML's special characters, spaces at both ends, a tab, a newline
    writer = _writer(piece_contexts)
    writer.table(("Texte", "Même texte"), [(text, text) for text in AWKWARD], widths=(1, 1))
    writer.facts([(text, text) for text in AWKWARD])
    writer.paragraph(*AWKWARD)
    # when
    document = open_docx(writer.finish())
    # then each cell reads back exactly (python-docx reads a w:br as "\n", a w:tab "\t")
    grid, facts = table_texts(document)
    assert grid == [["Texte", "Même texte"], *([text, text] for text in AWKWARD)]
    assert facts == [[text, text] for text in AWKWARD]
    assert "".join(AWKWARD) in [paragraph.text for paragraph in document.paragraphs]


def test_a_control_character_pasted_in_a_text_does_not_stop_the_piece(piece_contexts):
    # given a comment copied from a word processor (vertical tab for its line breaks)
    # and a name with stray control characters, in a table, a summary and a paragraph
    writer = _writer(piece_contexts)
    writer.heading("Appréciations\x07")
    writer.table(("Critère", "Appréciation"), [("C1\x00", "Solide.\x0bÀ détailler.\x1b")])
    writer.facts([("Candidat", "Véloflux\x01 SAS")])
    writer.paragraph("Objet\x0c : communs\x08.")
    # when
    document = open_docx(writer.finish())
    # then the piece opens; line breaks stay line breaks, the other controls are gone
    assert table_texts(document) == [
        [["Critère", "Appréciation"], ["C1", "Solide.\nÀ détailler."]],
        [["Candidat", "Véloflux SAS"]],
    ]
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Appréciations" in paragraphs
    assert "Objet\n : communs." in paragraphs


def test_a_call_whose_title_carries_a_control_character_still_gets_its_rc(piece_contexts):
    # given a title and a buyer's name with control characters (in the body, the header
    # and the document's properties)
    challenge = piece_contexts["reglement"]
    challenge = replace(
        challenge,
        title="Mobilités\x01 partagées\x0bpour tous",
        buyer=replace(challenge.buyer, name="Métropole\x1f Européenne de Lille"),
    )
    # when
    document = open_docx(PIECES["reglement"].render(challenge))
    # then
    assert "Mobilités partagées\npour tous" in document.paragraphs[1].text
    assert header_text(document).startswith("Métropole Européenne de Lille")
    assert document.core_properties.title.endswith("Mobilités partagées\npour tous")
    assert document.core_properties.author == "Métropole Européenne de Lille"


def test_a_table_s_header_row_is_shaded_and_repeated_and_no_row_splits(piece_contexts):
    # given
    writer = _writer(piece_contexts)
    writer.table(("Code", "Montant"), [("C1", "10 €"), ("C2", "20 €")], widths=(1, 1))
    # when
    document = open_docx(writer.finish())
    # then
    (table,) = document.tables
    assert [_fill(cell) for cell in table.rows[0].cells] == ["E3E3FD", "E3E3FD"]
    assert [_fill(cell) for cell in table.rows[1].cells] == [None, None]
    assert row_flags(document) == [(True, True), (True, False), (True, False)]
    assert table.rows[0].cells[0].paragraphs[0].style.name == "Table Heading"
    assert table.style.name == "Table Grid"
    assert table.alignment == WD_TABLE_ALIGNMENT.CENTER


def test_figures_are_right_aligned_and_the_total_is_bold(piece_contexts):
    # given a table whose second column holds amounts, and a total line
    writer = _writer(piece_contexts)
    writer.table(
        ("Poste", "Montant"),
        [("Développement", "10 000,00 €"), ("Total", "10 000,00 €")],
        widths=(0.6, 0.4),
        numeric=(1,),
        strong_last_row=True,
    )
    # when
    (table,) = open_docx(writer.finish()).tables
    header, line, total = table.rows
    # then
    assert header.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert header.cells[0].paragraphs[0].alignment is None
    assert [cell.paragraphs[0].style.name for cell in line.cells] == [
        "Table Text",
        "Table Number",
    ]
    assert not _bold(line.cells[0])
    assert not _bold(line.cells[1])
    assert _bold(total.cells[0])
    assert _bold(total.cells[1])


def test_a_summary_s_labels_are_bold_on_a_grey_ground(piece_contexts):
    # given
    writer = _writer(piece_contexts)
    writer.facts([("Acheteur", "Métropole Européenne de Lille"), ("Lots", "5")])
    # when
    document = open_docx(writer.finish())
    # then
    (table,) = document.tables
    for label, value in (row.cells for row in table.rows):
        assert _fill(label) == "F6F6F6"
        assert _bold(label)
        assert _fill(value) is None
        assert not _bold(value)
    assert row_flags(document) == [(True, False), (True, False)]


def test_three_signatories_sign_in_two_rows_of_two_boxes(piece_contexts):
    # given
    writer = _writer(piece_contexts)
    writer.signatures(
        [
            ("l'acheteur", Party(name="Métropole Européenne de Lille", representative="Mme A")),
            ("le titulaire", Party(name="Mobicoop SCIC")),
            ("la structure hébergeuse", Party(name="Communs Mobilités Nord")),
        ]
    )
    # when
    document = open_docx(writer.finish())
    # then
    (boxes,) = table_texts(document)
    assert len(boxes) == 2
    assert boxes[0][0].splitlines()[:3] == [
        "Pour l'acheteur",
        "Métropole Européenne de Lille",
        "Mme A",
    ]
    assert boxes[0][1].splitlines()[:3] == [
        "Pour le titulaire",
        "Mobicoop SCIC",
        "nom et qualité du signataire",
    ]
    assert boxes[1][0].startswith("Pour la structure hébergeuse")
    assert boxes[1][1] == ""
    assert "Date et signature :" in boxes[1][0]
    assert row_flags(document) == [(True, False), (True, False)]
    assert uneven_columns(document) == []


def test_every_cell_is_as_wide_as_its_column_in_every_piece(piece_contexts):
    # given / when
    for key, (_title, render) in PIECES.items():
        document = open_docx(render(piece_contexts[key]))
        # then Word (cell widths) and LibreOffice (the grid) show the same columns
        assert uneven_columns(document) == [], key
        assert layout_defects(document) == {}, key
