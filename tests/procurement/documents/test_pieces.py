from datetime import UTC, datetime
from decimal import Decimal

import pytest
from docx.oxml.ns import qn
from docx.shared import RGBColor

from kernel.formats import amount_in_words_fr, format_eur
from procurement.documents import PIECES
from procurement.documents.context import ReciprocityKind

from .reading import (
    body_text,
    field_codes,
    footer_text,
    header_text,
    open_docx,
    row_flags,
    table_texts,
)

NNBSP, NBSP = "\u202f", "\u00a0"
BLUE_FRANCE = RGBColor(0x00, 0x00, 0x91)
ALL_PIECES = sorted(PIECES)


def french(text: str) -> str:
    """Write test expectations with plain spaces; the documents use no-break ones."""
    return (
        text.replace(" €", f"{NBSP}€")
        .replace(" %", f"{NBSP}%")
        .replace(" h ", f"{NBSP}h{NBSP}")
        .replace("12 500", f"12{NNBSP}500")
        .replace("15 000", f"15{NNBSP}000")
        .replace("2 500", f"2{NNBSP}500")
    )


def render(key, piece_contexts):
    _title, render_piece = PIECES[key]
    return open_docx(render_piece(piece_contexts[key]))


def test_registry_lists_the_pieces_with_french_titles():
    # given / when
    keys = set(PIECES)
    # then
    assert keys == {
        "reglement",
        "reglement_appel",
        "ae_lot",
        "dpgf",
        "demande_subvention",
        "cctp",
        "ccap",
        "acte_engagement",
        "rapport_analyse",
        "rapport_presentation",
        "avis_attribution",
        "avis_chambre",
        "convention_cofinancement",
        "contrat_reciprocite",
        "contrat_hebergement",
        "lettre_rejet",
        "lettre_non_attribution",
        "notification_marche",
    }
    assert PIECES["reglement"].title == "Règlement de la consultation"
    assert all(title and callable(render_piece) for title, render_piece in PIECES.values())


@pytest.mark.parametrize("key", ALL_PIECES)
def test_every_piece_names_the_buyer_in_its_header(key, piece_contexts):
    # given / when
    document = render(key, piece_contexts)
    # then
    header = header_text(document)
    assert "Métropole Européenne de Lille" in header
    assert "AAC-2026-014" in header


@pytest.mark.parametrize("key", ALL_PIECES)
def test_every_piece_numbers_its_pages_page_x_sur_y(key, piece_contexts):
    # given / when
    document = render(key, piece_contexts)
    # then
    footer = document.sections[0].footer.paragraphs
    assert field_codes(footer) == ["PAGE", "NUMPAGES"]
    assert "Page 1 sur 1" in footer_text(document)  # the fields' placeholders


@pytest.mark.parametrize("key", ALL_PIECES)
def test_no_table_row_of_any_piece_splits_across_pages(key, piece_contexts):
    # given / when
    document = render(key, piece_contexts)
    # then
    flags = row_flags(document)
    assert flags
    assert all(cant_split for cant_split, _header in flags)


@pytest.mark.parametrize("key", ALL_PIECES)
def test_every_piece_starts_with_its_title_and_the_challenge(key, piece_contexts):
    # given / when
    document = render(key, piece_contexts)
    # then
    first, second = document.paragraphs[:2]
    assert first.style.name == "Title"
    assert first.text.startswith(PIECES[key].title)
    assert second.style.name == "Subtitle"
    assert "Mobilités partagées : des communs pour la métropole" in second.text


@pytest.mark.parametrize("key", ALL_PIECES)
def test_every_piece_carries_reproducible_metadata(key, piece_contexts):
    # given / when
    properties = render(key, piece_contexts).core_properties
    # then: the instant of the context, not of the rendering
    generated_at = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
    assert properties.created == properties.modified == generated_at
    assert properties.author == "Métropole Européenne de Lille"
    assert properties.last_modified_by == "appels-a-communs"
    assert properties.language == "fr-FR"


def test_headings_take_the_base_document_styles(challenge):
    # given / when
    document = open_docx(PIECES["reglement"].render(challenge))
    # then
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0].text == "Article 1 – Acheteur"
    style = document.styles["Heading 1"]
    assert style.font.color.rgb == BLUE_FRANCE
    assert style.font.name == "Arial"
    assert document.sections[0].page_width == 7560310  # A4, 21 cm


def test_data_tables_repeat_their_header_row(challenge):
    # given / when
    document = open_docx(PIECES["reglement"].render(challenge))
    # then: the first row of each data table is a repeated header, no other row is
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "Code")
    repeated = [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in grid.rows]
    assert repeated == [True] + [False] * (len(grid.rows) - 1)


def test_reglement_states_every_criterion_weight_and_the_commons_share(challenge):
    # given / when
    document = open_docx(PIECES["reglement"].render(challenge))
    # then
    text = body_text(document)
    grid = next(t for t in table_texts(document) if t[0][0] == "Code")
    assert grid[1:] == [
        ["C1", "Valeur technique de la proposition", french("30 %"), "de 0 à 10", "—"],
        ["C2", "Production et réutilisation de communs", french("25 %"), "de 0 à 10", "Communs"],
        ["C3", "Gouvernance et animation de la communauté", french("10 %"), "de 0 à 10", "Communs"],
        ["C4", "Performance environnementale", french("15 %"), "de 0 à 10", "Environnement"],
        ["C5", "Prix", french("20 %"), "de 0 à 10", "—"],
        ["", "Total", french("100 %"), "", ""],
    ]
    assert french("comptent pour 35 % de la note globale") in text
    assert "par les critères C4 « Performance environnementale »" in text


def test_reglement_gives_the_deadlines_in_french(challenge):
    # given / when
    text = body_text(open_docx(PIECES["reglement"].render(challenge)))
    # then
    assert "1er octobre 2026" in text
    assert french("2 novembre 2026 à 12 h 00") in text
    assert french("22 novembre 2026 à 12 h 00") in text
    assert french("16 novembre 2026 à 12 h 00") in text  # answers: six days before
    assert f"180{NNBSP}000,00{NBSP}€ HT" in text


def test_reglement_lists_the_resources_their_licences_and_the_chambre_commons(challenge):
    # given / when
    text = body_text(open_docx(PIECES["reglement"].render(challenge)))
    # then
    for resource in challenge.resources:
        assert resource.title in text
        assert resource.licence_spdx in text
    assert "OpenStreetMap — licence ODbL-1.0" in text
    assert "CoopCycle — licence CoopyLeft" in text
    assert "licence à réciprocité" in text


def test_cctp_describes_resources_deliverables_governance_and_community(challenge):
    # given / when
    text = body_text(open_docx(PIECES["cctp"].render(challenge)))
    # then
    for resource in challenge.resources:
        assert resource.title in text
        assert all(deliverable in text for deliverable in resource.deliverables)
    assert "Comité des contributeurs ouvert aux opérateurs et aux communes." in text
    assert "Opérateurs de mobilité, communes, associations d'usagers." in text
    assert "OpenTripPlanner — licence LGPL-3.0-or-later" in text
    assert "CoopCycle — licence CoopyLeft" in text
    assert "n'a pas de droit de décision sur le commun" in text


def test_ccap_puts_deliverables_under_the_open_licence_with_reciprocity(challenge):
    # given / when
    document = open_docx(PIECES["ccap"].render(challenge))
    # then
    text = body_text(document)
    licences = next(
        t for t in table_texts(document) if t[0] == ["Ressource", "Livrables", "Licence"]
    )
    assert [row[2] for row in licences[1:]] == ["ODbL-1.0", "AGPL-3.0-or-later", "CC-BY-SA-4.0"]
    assert "Aucune cession exclusive de droits" in text
    assert "contrat de réciprocité" in text
    assert "OpenStreetMap — licence ODbL-1.0" in text
    assert "délai global de paiement est de 30 jours" in text
    assert "CCAG-TIC" in text


def test_acte_engagement_writes_amounts_in_figures_and_in_words(award_factory):
    # given
    award = award_factory()
    # when
    document = open_docx(PIECES["acte_engagement"].render(award))
    # then
    text = body_text(document)
    assert french("12 500,00 € (douze mille cinq cents euros)") in text
    assert french("15 000,00 € (quinze mille euros)") in text
    prices = next(t for t in table_texts(document) if t[0][0] == "Montant")
    assert prices[1:] == [
        ["Hors taxes", french("12 500,00 €"), "douze mille cinq cents euros"],
        [french("TVA (20 %)"), french("2 500,00 €"), "deux mille cinq cents euros"],
        ["Toutes taxes comprises", french("15 000,00 €"), "quinze mille euros"],
    ]


def test_acte_engagement_names_the_awardee(award_factory):
    # given / when
    text = body_text(open_docx(PIECES["acte_engagement"].render(award_factory())))
    # then
    assert "Mobicoop SCIC" in text
    assert "SIRET : 80000000000017" in text
    assert "Pour le titulaire" in text
    assert "Pour l'acheteur" in text
    assert "licence ODbL-1.0" in text


def test_acte_engagement_amounts_follow_the_award(award_factory):
    # given an award of 1 000 000 € HT to a titulaire liable to VAT
    award = award_factory(amount_ht=Decimal("1000000.00"))
    # when
    text = body_text(open_docx(PIECES["acte_engagement"].render(award)))
    # then
    assert "un million d'euros" in text
    assert f"{format_eur(Decimal('1200000.00'))} ({amount_in_words_fr(Decimal('1200000'))})" in text


def test_rapport_ranks_and_breaks_down_marks_per_criterion_and_evaluator(ranking_factory):
    # given
    ranking = ranking_factory()
    # when
    document = open_docx(PIECES["rapport_analyse"].render(ranking))
    # then
    tables = table_texts(document)
    ranking_table = next(t for t in tables if t[0][0] == "Rang")
    assert [row[:2] for row in ranking_table[1:]] == [
        ["1", "Stations ouvertes"],
        ["2", "Flotte en commun"],
        ["3", "Itinéraires pour tous"],
    ]
    assert [row[5] for row in ranking_table[1:]] == ["Oui", "Non", "Non"]
    assert ranking_table[0][3] == "Prix HT du lot"
    assert [row[3] for row in ranking_table[1:]] == ["—"] * 3  # no price in the factory
    breakdowns = [t for t in tables if t[0][0] == "Critère"]
    assert len(breakdowns) == 3
    assert breakdowns[0][0] == [
        "Critère",
        "Poids",
        "É1",
        "É2",
        "É3",
        "Note retenue",
        "Note pondérée",
    ]
    assert breakdowns[0][1] == ["C1", french("30 %"), "7", "8", "9", "8,00", "24,00"]
    assert breakdowns[0][-1][0] == "Total"
    # the evaluator who declared a conflict on "Flotte en commun" has no mark there
    assert [row[3] for row in breakdowns[1][1:-1]] == ["—"] * 5


def test_rapport_reports_method_conflicts_and_eliminations(ranking_factory):
    # given / when
    text = body_text(open_docx(PIECES["rapport_analyse"].render(ranking_factory())))
    # then
    assert "Moyenne des notes des évaluateurs, pondérée par critère" in text
    assert "Ancien salarié d'un membre du groupe de travail" in text
    assert "Bastien Lefebvre" in text
    assert "É2 = Bastien Lefebvre" in text
    assert "Trottinettes fermées" in text
    assert "Livrables sous licence propriétaire, contraire au règlement." in text
    assert "« Stations ouvertes »" in text
    assert "Valeur technique de la proposition" in text


def test_rapport_says_so_when_nothing_was_declared(ranking_factory):
    # given
    ranking = ranking_factory(conflicts=(), eliminations=())
    # when
    text = body_text(open_docx(PIECES["rapport_analyse"].render(ranking)))
    # then
    assert "Aucun conflit d'intérêts n'a été déclaré." in text
    assert "Aucune proposition n'a été écartée." in text


def test_avis_chambre_is_a_letter_with_verdict_reservations_and_commons(opinion_factory):
    # given / when
    document = open_docx(PIECES["avis_chambre"].render(opinion_factory()))
    # then
    text = body_text(document)
    assert "Chambre des communs de Lille" in text
    assert "Lille, le 1er septembre 2026" in text
    assert "Avis favorable avec réserves" in text
    assert "Madame, Monsieur," in text
    assert "Sylvain Delattre" in text
    assert "OpenStreetMap — licence ODbL-1.0" in text
    assert "consultatif" in text
    reservations = next(t for t in table_texts(document) if t[0][0] == "N°")
    assert reservations[1][1:] == [
        "Préciser la licence du guide de gouvernance.",
        "Le guide sera publié sous CC-BY-SA-4.0.",
    ]
    assert reservations[2][2] == "En attente de réponse"


def test_convention_gives_parties_amounts_host_and_milestones(cofunding_factory):
    # given / when
    document = open_docx(PIECES["convention_cofinancement"].render(cofunding_factory()))
    # then
    text = body_text(document)
    tables = table_texts(document)
    funders = next(t for t in tables if t[0][0] == "Financeur")
    assert funders[1:] == [
        ["Métropole Européenne de Lille", f"20{NNBSP}000,00{NBSP}€", french("50 %")],
        ["ADEME", french("15 000,00 €"), french("37,5 %")],
        ["Véloflux SAS", f"5{NNBSP}000,00{NBSP}€", french("12,5 %")],
        ["Total", f"40{NNBSP}000,00{NBSP}€", french("100 %")],
    ]
    assert "quarante mille euros" in text
    milestones = next(t for t in tables if t[0][0] == "Jalon")
    assert milestones[1][:2] == ["Lancement", "1er janvier 2027"]
    assert "Association Communs Mobilités Nord" in text
    assert "n'a pas de droit de décision sur le commun" in text
    assert "licence ODbL-1.0" in text
    assert "Pour la structure hébergeuse" in text


def test_contrat_reciprocite_fills_the_template_for_the_partner(reciprocity_factory):
    # given / when
    text = body_text(open_docx(PIECES["contrat_reciprocite"].render(reciprocity_factory())))
    # then
    assert "Véloflux SAS" in text
    assert "SIRET : 70000000000015" in text
    assert french("3 % du chiffre d'affaires hors taxes") in text
    assert "par trimestre" in text
    assert "licence AGPL-3.0-or-later" in text
    assert "1er janvier 2027" in text
    assert "Intégration du calculateur" in text


def test_contrat_reciprocite_writes_a_fixed_amount_in_words(reciprocity_factory):
    # given
    reciprocity = reciprocity_factory(
        kind=ReciprocityKind.FIXED_AMOUNT,
        revenue_share=None,
        fixed_amount=Decimal("1280.50"),
        period_label="année",
    )
    # when
    text = body_text(open_docx(PIECES["contrat_reciprocite"].render(reciprocity)))
    # then
    assert (
        f"1{NNBSP}280,50{NBSP}€ (mille deux cent quatre-vingts euros et cinquante centimes)" in text
    )
    assert "par année" in text


def test_r2183_1_the_avis_d_attribution_names_each_lot_s_titulaire_or_its_failure(
    piece_contexts,
):
    # given a call whose lot 1 is awarded and lot 2 is not
    text = body_text(
        open_docx(PIECES["avis_attribution"].render(piece_contexts["avis_attribution"]))
    )
    tables = "\n".join(
        c
        for t in table_texts(
            open_docx(PIECES["avis_attribution"].render(piece_contexts["avis_attribution"]))
        )
        for r in t
        for c in r
    )
    text = (text + tables).replace("\xa0", " ").replace("\u202f", " ")
    # then each lot's titulaire and price, or that it is unsuccessful, and the recourse
    for mention in (
        "Mobicoop SCIC",
        "76 500,00 €",
        "Non attribué : lot infructueux",
        "référé contractuel",
        "trente et un jours",
        "R551-7",
    ):
        assert mention in text, mention
