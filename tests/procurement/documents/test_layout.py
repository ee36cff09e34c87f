"""Layout of every piece (issue 15, item 5): no empty heading, no bare internal value,
no identifier cut mid-word in a table, amounts and dates in French forms."""

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from procurement.documents import PIECES
from procurement.documents.base import PieceWriter, fit_widths, min_column_width
from procurement.documents.context import ChallengeContext, CriterionResult, FramingKind

from .layout import cut_identifiers, empty_headings, layout_defects, slugs_printed
from .reading import body_text, open_docx, table_texts

ALL_PIECES = sorted(PIECES)
LONG_CODES = {
    "C1": "valeur_technique",
    "C2": "production_communs",
    "C3": "gouvernance_ouverte",
    "C4": "sobriete_numerique",
    "C5": "prix",
}


def render(key, context):
    return open_docx(PIECES[key].render(context))


def with_long_codes(contexts):
    """The same pieces, the grid's criteria named by long codes with underscores (as a
    buyer may write them): the RC's grid and the RAO's tables must not cut them."""

    def recode(challenge):
        criteria = tuple(replace(c, code=LONG_CODES[c.code]) for c in challenge.criteria)
        return replace(challenge, criteria=criteria)

    variants = {}
    for key, context in contexts.items():
        if isinstance(context, ChallengeContext):
            variants[key] = recode(context)
            continue
        context = replace(context, challenge=recode(context.challenge))
        if key == "rapport_analyse":
            rows = tuple(
                replace(
                    row,
                    results=tuple(
                        CriterionResult(
                            criterion_code=LONG_CODES[r.criterion_code],
                            marks=r.marks,
                            score=r.score,
                            weighted_score=r.weighted_score,
                        )
                        for r in row.results
                    ),
                )
                for row in context.rows
            )
            context = replace(context, rows=rows)
        variants[key] = context
    return variants


@pytest.mark.parametrize("key", ALL_PIECES)
def test_no_piece_has_a_layout_defect(key, piece_contexts):
    # given / when
    document = render(key, piece_contexts[key])
    # then
    assert layout_defects(document) == {}


@pytest.mark.parametrize("key", ALL_PIECES)
def test_long_criteria_codes_are_never_cut_in_a_table(key, piece_contexts):
    # given criteria codes such as "gouvernance_ouverte" (19 characters)
    document = render(key, with_long_codes(piece_contexts)[key])
    # then every cell is wide enough for its longest word
    assert cut_identifiers(document) == []


def test_the_grid_s_code_column_fits_the_longest_code(piece_contexts):
    # given the RC with long codes
    document = render("reglement", with_long_codes(piece_contexts)["reglement"])
    # when
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "Code")
    # then the code column was widened from its 8 % (1,36 cm) to hold 19 characters
    assert grid.rows[0].cells[0].width > 1_200_000  # EMU: more than 3,3 cm
    assert "gouvernance_ouverte" in [row[0] for row in table_texts(document)[0]] or any(
        "gouvernance_ouverte" in row[0] for table in table_texts(document) for row in table
    )


def test_fit_widths_widens_a_narrow_column_at_the_expense_of_the_others():
    # given a code column of 8 % that needs 30 % of the width
    widths = fit_widths((0.08, 0.62, 0.3), (3000, 1000, 1000), 10000)
    # then
    assert widths[0] == 3000
    assert 9990 <= sum(widths) <= 10000
    assert widths[1] > widths[2] >= 1000


def test_fit_widths_keeps_the_proportions_when_everything_fits():
    assert fit_widths((1, 1), (100, 100), 1000) == (500, 500)


def test_min_column_width_breaks_words_at_spaces_only():
    # "gouvernance_ouverte" is one word; "Ouverture de la gouvernance" breaks at spaces
    assert min_column_width(["gouvernance_ouverte"]) > min_column_width(
        ["Ouverture de la gouvernance"]
    )


def _writer(piece_contexts):
    return PieceWriter(piece_contexts["reglement"], "Pièce d'essai")


def test_a_heading_with_nothing_under_it_is_not_written(piece_contexts):
    # given a heading whose section stays empty, then one with text
    writer = _writer(piece_contexts)
    writer.heading("Section vide")
    writer.bullets(())
    writer.heading("Section pleine")
    writer.paragraph("Du texte.")
    writer.heading("Dernière section vide")
    # when
    document = open_docx(writer.finish())
    # then
    text = body_text(document)
    assert "Section vide" not in text
    assert "Dernière section vide" not in text
    assert "Section pleine" in text
    assert empty_headings(document) == []


def test_an_empty_article_is_dropped_and_the_numbering_has_no_gap(piece_contexts):
    # given three articles, the second without content
    writer = _writer(piece_contexts)
    writer.article("Objet")
    writer.paragraph("L'objet.")
    writer.article("Vide")
    writer.paragraph("")
    writer.article("Prix")
    writer.table(("Montant",), [("10 €",)], widths=(1,))
    # when
    text = body_text(open_docx(writer.finish()))
    # then
    assert "Article 1 – Objet" in text
    assert "Vide" not in text
    assert "Article 2 – Prix" in text


def test_an_article_keeps_its_sub_headings_with_content(piece_contexts):
    writer = _writer(piece_contexts)
    writer.article("Lot n° 1")
    writer.heading("Classement")
    writer.paragraph("Premier.")
    text = body_text(open_docx(writer.finish()))
    assert "Article 1 – Lot n° 1\nClassement\nPremier." in text


def test_a_blank_paragraph_is_not_written(piece_contexts):
    writer = _writer(piece_contexts)
    writer.paragraph("")
    writer.paragraph("  ", "")
    document = open_docx(writer.finish())
    blank = [p for p in document.paragraphs if not p.text.strip()]
    assert blank == []


def test_the_slug_detector_finds_an_internal_value(piece_contexts):
    # given a piece that would print the framing's internal value
    writer = _writer(piece_contexts)
    writer.paragraph(f"Cadre : {FramingKind.OUTSIDE_CONTRACT.value}, intention produce.")
    # then the check the layout test relies on sees it
    assert slugs_printed(open_docx(writer.finish())) == {"outside_contract", "produce"}


@pytest.mark.parametrize("key", ALL_PIECES)
def test_amounts_and_dates_are_in_french_forms(key, piece_contexts):
    # given / when
    text = body_text(render(key, piece_contexts[key]))
    # then no ISO date, no amount with a decimal point (a licence's version such as
    # "ODbL-1.0" is no amount), no "EUR"
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)
    assert not re.search(r"(?<![\w.-])\d+\.\d\d\b", text)
    assert " EUR" not in text


def test_a_piece_stamped_at_a_later_moment_says_so(piece_contexts):
    # given an opinion issued after the call's last event
    opinion = piece_contexts["avis_chambre"]
    later = replace(
        opinion,
        challenge=replace(opinion.challenge, generated_at=datetime(2027, 1, 4, 9, tzinfo=UTC)),
        issued_at=datetime(2027, 1, 4, 9, tzinfo=UTC),
    )
    # when / then
    assert "Document établi le 4 janvier 2027" in body_text(render("avis_chambre", later))


def test_a_decimal_amount_is_never_written_with_a_point(piece_contexts):
    convention = piece_contexts["convention_cofinancement"]
    text = body_text(render("convention_cofinancement", convention))
    total = f"{convention.total:.2f}"
    assert total not in text
    assert Decimal(total) == convention.total
