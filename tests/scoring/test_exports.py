"""Exports of the ranking: CSV for French spreadsheets, and XLSX."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from scoring.ranking import ExportColumn, ranking_table, render_ranking_csv, render_ranking_xlsx
from tests.api import scenarios
from tests.api.steps import challenge_url, error
from tests.scoring.helpers import proposals
from tests.workflows import journey

HEADINGS = [
    "Lot",
    "Rang",
    "Proposition",
    "Note finale (sur 100)",
    "Part des communs (sur 30.00)",
    "Éliminée",
    "Motifs d'élimination",
    "Valeur technique de la proposition (sur 10)",
]


def scored(world, clock):
    """Both evaluators mark the first proposal 8, the second 6, the third 4 on every
    criterion they mark; the third falls below a threshold of 5 on the technical value.
    The offered prices are equal: the price formula gives each 10 out of 10."""
    from scoring.models import Criterion

    challenge = scenarios.scoring(world, clock, **journey.ONE_LOT)
    Criterion.objects.filter(grid__challenge=challenge, code="technique").update(threshold=5)
    marks = dict(zip((p.pk for p in proposals(challenge)), ("8", "6", "4"), strict=True))
    journey.score_all(world, challenge, marks=marks)
    return challenge


@pytest.mark.django_db(transaction=True)
def test_ranking_exports_as_csv_for_french_spreadsheets(world, clock, api):
    # given three scored proposals, the third eliminated on the technical value
    challenge = scored(world, clock)
    first, second, third = proposals(challenge)

    # when the buyer downloads the CSV export
    response = api(world.buyer_agent).get(challenge_url(challenge.pk, "ranking/export.csv"))

    # then it is a CSV with a byte-order mark, ";" between cells and decimal commas
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].endswith('-classement.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:8] == HEADINGS
    assert len(rows[0]) == 7 + 7  # one column per criterion
    assert [row[:7] for row in rows[1:]] == [
        ["1", "1", first.title, "84,00", "24,00", "non", ""],
        ["1", "2", second.title, "68,00", "18,00", "non", ""],
        ["1", "3", third.title, "52,00", "12,00", "oui", rows[3][6]],
    ]
    assert "technique" in rows[3][6]
    # the price column (second) holds the formula's mark
    assert rows[1][7:] == ["8,00", "10,00"] + ["8,00"] * 5


@pytest.mark.django_db(transaction=True)
def test_ranking_exports_as_an_excel_workbook(world, clock, api):
    # given three scored proposals
    challenge = scored(world, clock)
    first = proposals(challenge)[0]

    # when the buyer downloads the XLSX export
    response = api(world.buyer_agent).get(challenge_url(challenge.pk, "ranking/export.xlsx"))

    # then the workbook has a heading row and one row per proposal, marks as numbers
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:8]) == HEADINGS
    assert len(rows) == 4
    assert rows[1][:6] == (1, 1, first.title, 84, 24, "non")
    assert [row[1] for row in rows[1:]] == [1, 2, 3]
    assert rows[3][5] == "oui"
    assert rows[1][7:] == (8, 10, 8, 8, 8, 8, 8)


@pytest.mark.django_db(transaction=True)
def test_ranking_exports_are_for_the_buyers_staff_only(world, clock, api):
    # given a challenge being scored
    challenge = scenarios.scoring(world, clock)

    # when an evaluator or a partner downloads an export, then it is forbidden
    for tail in ("ranking/export.csv", "ranking/export.xlsx"):
        url = challenge_url(challenge.pk, tail)
        for user in (world.evaluators[0], world.partner_users[0]):
            error(api(user).get(url), 403, "buyer_only")
        # and the public must sign in
        error(api().get(url), 401)


def test_exported_text_never_runs_as_a_spreadsheet_formula():
    # given a proposal whose title a partner wrote as a formula
    ranking = {
        "entries": [
            {
                "proposal_id": 7,
                "lot": 1,
                "rank": 1,
                "title": '=HYPERLINK("http://example.org","Cliquez")',
                "total": "55.50",
                "commons_total": "12.25",
                "commons_weight": "30.00",
                "eliminated": False,
                "elimination_reasons": [],
                "criteria": [{"code": "technique", "aggregated": "5.55"}],
            }
        ]
    }
    table = ranking_table(ranking, [ExportColumn("technique", "Technique (sur 10)")])

    # when it is exported
    text = render_ranking_csv(table).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    sheet = load_workbook(io.BytesIO(render_ranking_xlsx(table))).active

    # then the CSV cell is quoted as text, and the workbook holds text, not a formula
    assert csv_rows[1][:4] == ["1", "1", "'" + ranking["entries"][0]["title"], "55,50"]
    assert csv_rows[1][-1] == "5,55"
    cell = sheet.cell(row=2, column=3)
    assert (cell.value, cell.data_type) == (ranking["entries"][0]["title"], "s")
    assert sheet.cell(row=2, column=4).value == Decimal("55.50")
