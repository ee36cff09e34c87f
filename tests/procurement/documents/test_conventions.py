"""The cofinancing convention and the reciprocity contract, read as the lawyer who signs
them: a host as a party, the proposal's milestones, the subsidies, the legal basis
(loi n° 2000-321, art. 10; décret n° 2001-495), redistribution (CGCT L1611-4),
reporting and disputes."""

from datetime import date
from decimal import Decimal

import pytest

from procurement.documents.context import FunderLine, Milestone, Party, SubsidyLine
from procurement.documents.contrat_reciprocite import render_contrat_reciprocite
from procurement.documents.convention_cofinancement import (
    convention_required,
    render_convention_cofinancement,
)

from .conftest import MEL
from .reading import body_text, open_docx, table_texts

NNBSP, NBSP = "\u202f", "\u00a0"


def plain_cells(document) -> str:
    return " ".join(cell for table in table_texts(document) for row in table for cell in row)


def text_of(data: bytes) -> str:
    return body_text(open_docx(data)).replace(NNBSP, " ").replace(NBSP, " ")


def test_convention_refuses_a_host_left_blank(cofunding_factory):
    # given / when / then: no "Structure hébergeuse à désigner" can reach a piece to sign
    with pytest.raises(ValueError, match="host"):
        cofunding_factory(host=Party(name=""))


def test_reciprocity_contract_refuses_a_beneficiary_left_blank(reciprocity_factory):
    with pytest.raises(ValueError, match="host"):
        reciprocity_factory(beneficiary=Party(name=" "))


def test_reciprocity_contract_names_the_host_as_beneficiary_and_signatory(reciprocity_factory):
    # given
    contract = reciprocity_factory()
    # when
    document = open_docx(render_contrat_reciprocite(contract))
    # then
    text = body_text(document)
    assert contract.beneficiary.name in text
    assert "à désigner" not in text
    assert any(
        contract.beneficiary.name in cell for row in table_texts(document)[-1] for cell in row
    )


@pytest.mark.parametrize(
    ("amount", "required"),
    [
        (Decimal("23000.00"), False),  # the décret says "dépasse": 23 000 € is not above it
        (Decimal("23000.01"), True),
    ],
)
def test_convention_is_required_above_23_000_euros_decret_2001_495(amount, required):
    assert convention_required(amount) is required


def test_convention_states_its_legal_basis_and_whether_the_decret_requires_it(
    cofunding_factory,
):
    # given a convention at 23 000,01 € and one at 23 000,00 €
    above = cofunding_factory(
        funders=(FunderLine(funder=Party(name="ADEME"), amount=Decimal("23000.01")),),
        milestones=(),
    )
    at = cofunding_factory(
        funders=(FunderLine(funder=Party(name="ADEME"), amount=Decimal("23000.00")),),
        milestones=(),
    )
    # when
    text_above = text_of(render_convention_cofinancement(above))
    text_at = text_of(render_convention_cofinancement(at))
    # then both cite the loi and the décret
    for text in (text_above, text_at):
        assert "article 10 de la loi n° 2000-321 du 12 avril 2000" in text
        assert "décret n° 2001-495 du 6 juin 2001" in text
    assert "dépassant 23 000,00 €, la conclusion d'une convention est obligatoire" in text_above
    assert "n'excédant pas 23 000,00 €" in text_at
    assert "est obligatoire" not in text_at


def test_convention_uses_the_milestones_given_never_a_30_70_split(cofunding_factory):
    # given the proposal's own two milestones, 5 000 € each
    convention = cofunding_factory(
        funders=(FunderLine(funder=Party(name="ADEME"), amount=Decimal("10000.00")),),
        milestones=(
            Milestone(
                label="Version 1",
                due_on=date(2027, 3, 1),
                amount=Decimal("5000.00"),
                deliverable="Code publié",
            ),
            Milestone(label="Version 2", due_on=date(2027, 9, 1), amount=Decimal("5000.00")),
        ),
    )
    # when
    document = open_docx(render_convention_cofinancement(convention))
    # then
    rows = next(t for t in table_texts(document) if t[0][0] == "Jalon")
    assert [row[0] for row in rows[1:-1]] == ["Version 1", "Version 2"]
    assert rows[1][1] == "1er mars 2027"
    amounts = [row[3].replace(NNBSP, " ").replace(NBSP, " ") for row in rows[1:-1]]
    assert amounts == ["5 000,00 €", "5 000,00 €"]
    assert "Lancement des travaux" not in text_of(render_convention_cofinancement(convention))


def test_convention_lists_the_subsidies_recorded_for_the_commons(cofunding_factory):
    # given a subsidy from the ANCT in the commons' ledger
    convention = cofunding_factory(
        subsidies=(
            SubsidyLine(
                grantor="ANCT",
                amount=Decimal("4000.00"),
                label="Fabrique prospective",
                received_on=date(2026, 9, 15),
            ),
        )
    )
    # when
    document = open_docx(render_convention_cofinancement(convention))
    # then
    rows = next(t for t in table_texts(document) if t[0][0] == "Accordée par")
    assert rows[1][0] == "ANCT"
    assert rows[1][2] == "15 septembre 2026"
    assert rows[1][3].replace(NNBSP, " ").replace(NBSP, " ") == "4 000,00 €"


def test_convention_allows_the_host_to_pass_funds_on_to_the_listed_contributors(
    cofunding_factory,
):
    # given the working group's two members
    convention = cofunding_factory(
        contributors=(Party(name="Mobicoop SCIC"), Party(name="Covoit Libre SAS"))
    )
    # when
    text = text_of(render_convention_cofinancement(convention))
    # then the clause CGCT L1611-4 requires, with the contributors named
    assert "Reversement des fonds aux contributeurs" in text
    assert "article L. 1611-4 du code général des collectivités territoriales" in text
    assert "autorisée à reverser" in text
    assert "Mobicoop SCIC" in text
    assert "Covoit Libre SAS" in text


def test_convention_requires_a_compte_rendu_financier_and_settles_disputes(cofunding_factory):
    # given a buyer whose court is known
    convention = cofunding_factory(recourse_court="Tribunal administratif de Lille")
    # when
    text = text_of(render_convention_cofinancement(convention))
    # then (loi n° 2000-321, art. 10: compte rendu financier within six months)
    assert "compte rendu financier" in text
    assert "dans les six mois suivant la fin de chaque exercice" in text
    assert "règlement amiable" in text
    assert "devant le tribunal administratif de Lille" in text


def test_convention_without_a_known_court_names_the_competent_one(cofunding_factory):
    text = text_of(render_convention_cofinancement(cofunding_factory(recourse_court="")))
    assert "devant le tribunal administratif compétent" in text


def test_convention_names_the_matcher_its_terms_and_its_matched_amount(cofunding_factory):
    # given the MEL's 20 000 € of which 10 000 € honour its matching offer (1 € per euro
    # pledged by others, up to 30 000 € for the round)
    convention = cofunding_factory(
        funders=(
            FunderLine(
                funder=MEL,
                amount=Decimal("20000.00"),
                matched=Decimal("10000.00"),
                ratio=Decimal("1"),
                cap=Decimal("30000"),
            ),
            FunderLine(funder=Party(name="ADEME"), amount=Decimal("15000.00")),
            FunderLine(funder=Party(name="Véloflux SAS"), amount=Decimal("5000.00")),
        )
    )
    # when
    document = open_docx(render_convention_cofinancement(convention))
    text = text_of(render_convention_cofinancement(convention))
    # then the matcher is a party in that capacity, and its commitment is an article
    assert (
        "ci-après « les financeurs », Métropole Européenne de Lille intervenant en outre en "
        "qualité d'abondeur, d'une part," in text
    )
    assert "Abondement" in text
    assert "à raison de 1,00 € pour un euro engagé, dans la limite de 30 000,00 €" in text
    assert "10 000,00 € (dix mille euros)" in text
    assert "ni sur l'apport propre de l'abondeur, ni sur l'abondement d'un autre financeur" in text
    assert "réduit du même ratio" in text
    # and it signs in that capacity
    assert "le financeur et abondeur" in plain_cells(document)
    # and the contributions table shows the matched part
    funders_table = next(t for t in table_texts(document) if t[0][0] == "Financeur")
    assert funders_table[0] == ["Financeur", "Montant", "Dont abondement", "Part"]
    assert [cell.replace(NNBSP, " ").replace(NBSP, " ") for cell in funders_table[1][:3]] == [
        "Métropole Européenne de Lille",
        "20 000,00 €",
        "10 000,00 €",
    ]


def test_convention_without_matching_has_no_matching_article(cofunding_factory):
    text = text_of(render_convention_cofinancement(cofunding_factory()))
    assert "abondeur" not in text
    assert "Dont abondement" not in text


def test_a_funder_line_refuses_matched_funds_beyond_its_amount_or_without_terms():
    with pytest.raises(ValueError, match="between"):
        FunderLine(funder=Party(name="ADEME"), amount=Decimal(10), matched=Decimal(11))
    with pytest.raises(ValueError, match="ratio"):
        FunderLine(funder=Party(name="ADEME"), amount=Decimal(10), matched=Decimal(5))
