"""The acte d'engagement of one lot, reopened and read as the lawyer who signs it would
(issue 15, item 4): the titulaire identified, the groupement and its split, the advance
and its renunciation box, that lot's licences only, the proposal's timeline, the VAT of
the titulaire's regime — and none of the defects found in the demo's pieces."""

from dataclasses import replace
from decimal import Decimal

import pytest

from kernel.formats import format_eur
from procurement.documents import PIECES
from procurement.documents.context import GroupementForm, VatRegime

from .reading import body_text, open_docx, table_texts
from .test_pieces import french


def eur(amount: str) -> str:
    return format_eur(Decimal(amount))


DEFECTS = ("à désigner", "zéro centime", "douze mois", "12 mois")


def read(award):
    document = open_docx(PIECES["acte_engagement"].render(award))
    return body_text(document), table_texts(document)


def test_the_titulaire_is_identified_by_siret_address_and_representative(award_factory):
    # given / when
    text, _ = read(award_factory())
    # then (form ATTRI1, rubrique B)
    assert "Mobicoop SCIC" in text
    assert "SIRET : 80000000000017" in text
    assert "10 rue de la Coopération, 59000 Lille" in text
    assert "Représentant : M. Paul Girard, gérant" in text
    assert "Le titulaire se présente seul." in text
    for defect in DEFECTS:
        assert defect not in text


def test_only_the_lots_resources_and_licences_are_engaged(award_factory):
    # given lot 1, one resource (ODbL) of the call's three
    text, _ = read(award_factory())
    # then its licence only, not those of lot 2's resources
    assert "Acte d'engagement — lot 1" in text
    assert "licence ODbL-1.0" in text
    assert "AGPL-3.0-or-later" not in text
    assert "CC-BY-SA-4.0" not in text


def test_the_duration_runs_from_the_first_to_the_last_milestone(award_factory):
    # given milestones on 1 March and 30 June 2027
    text, tables = read(award_factory())
    # then the period is the proposal's, never a hard-coded twelve months
    assert "du 1er mars 2027 (premier jalon) au 30 juin 2027 (dernier jalon)" in text
    steps = next(t for t in tables if t[0] == ["Jalon", "Échéance", "Livrable"])
    assert [row[1] for row in steps[1:]] == ["1er mars 2027", "30 juin 2027"]
    assert "douze mois" not in text


@pytest.mark.parametrize(
    ("regime", "mention"),
    [
        (VatRegime.FRANCHISE, "TVA non applicable, article 293 B du CGI"),
        (VatRegime.EXEMPT_ASSOCIATION, "Exonération de TVA, article 261, 7-1° du CGI"),
    ],
)
def test_a_titulaire_exempt_of_vat_pays_ttc_the_ht_price(award_factory, regime, mention):
    # given an exempt association (or a business under the franchise) at 12 500 € HT
    text, tables = read(award_factory(vat_regime=regime))
    # then no 20 % VAT: the mention, and TTC = HT
    prices = next(t for t in tables if t[0][0] == "Montant")
    assert prices[1:] == [
        ["Hors taxes", french("12 500,00 €"), "douze mille cinq cents euros"],
        [mention, french("0,00 €"), "—"],
        ["Toutes taxes comprises", french("12 500,00 €"), "douze mille cinq cents euros"],
    ]
    assert mention in text
    assert "le montant toutes taxes comprises est égal au montant hors taxes" in text
    assert french("20 %") not in text
    assert "zéro centime" not in text


def test_a_titulaire_liable_to_vat_pays_20_percent(award_factory):
    text, tables = read(award_factory())
    prices = next(t for t in tables if t[0][0] == "Montant")
    assert prices[2][:2] == [french("TVA (20 %)"), french("2 500,00 €")]
    assert "TVA non applicable" not in text


def test_a_joint_groupement_prints_its_form_and_each_members_share(groupement_award):
    # given a joint groupement: Mobicoop (mandataire) 7 500 €, Covoit Libre 5 000 €
    text, tables = read(groupement_award())
    # then (R2142-19 to R2142-27) the form, the mandataire, each member identified, the
    # split adding up to the price, and every member signs
    assert "Groupement conjoint" in text
    assert "Le mandataire du groupement est Mobicoop SCIC" in text
    assert "Représentant : Mme Inès Petit, présidente" in text
    split = next(t for t in tables if t[0][0] == "Membre")
    assert [row[0] for row in split[1:]] == ["Mobicoop SCIC", "Covoit Libre SAS", "Total"]
    assert [row[2] for row in split[1:]] == [eur("7500"), eur("5000"), eur("12500")]
    assert "Pour le titulaire (mandataire)" in text
    assert "Pour un membre du groupement" in text


def test_a_several_groupement_says_each_member_answers_for_the_whole(groupement_award):
    text, _ = read(groupement_award(form=GroupementForm.SEVERAL))
    assert "Groupement solidaire" in text
    assert "pour la totalité du marché" in text


def test_a_groupement_member_exempt_of_vat_is_paid_its_share_without_vat(groupement_award):
    # given Covoit Libre under the franchise: its 5 000 € carry no VAT
    award = groupement_award()
    members = (award.members[0], replace(award.members[1], vat_regime=VatRegime.FRANCHISE))
    _text, tables = read(replace(award, members=members))
    # then VAT is 20 % of Mobicoop's share only
    split = next(t for t in tables if t[0][0] == "Membre")
    assert split[2][3:] == ["TVA non applicable, article 293 B du CGI", eur("5000")]
    assert split[3][4] == eur("14000")


def test_the_advance_over_50000_euros_comes_with_a_box_to_renounce_it_r2191_5(award_factory):
    # given a lot of 50 000,01 € HT over twelve months (R2191-3: over 50 000 € HT)
    text, _ = read(award_factory(amount_ht=Decimal("50000.01")))
    # then the advance, and the box to renounce it
    assert "une avance de 5" in text
    assert "☐ Le titulaire renonce au bénéfice de l'avance." in text
    assert "R2191-5" in text


def test_no_advance_at_50000_euros_r2191_3(award_factory):
    # given a lot of exactly 50 000 € HT
    text, _ = read(award_factory(amount_ht=Decimal("50000.00")))
    # then no advance is due, and no box
    assert "aucune avance n'est due" in text
    assert "renonce" not in text
