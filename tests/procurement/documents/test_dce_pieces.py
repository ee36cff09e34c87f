"""The consultation documents' renderers: each piece opened again and checked for the
mentions a candidate needs (issue 14, item 3)."""

from dataclasses import replace

import pytest

from procurement.documents import PIECES
from procurement.documents.context import FramingKind

from .reading import body_text, open_docx, table_texts


def text(data: bytes) -> str:
    document = open_docx(data)
    cells = "\n".join(c for table in table_texts(document) for row in table for c in row)
    return (body_text(document) + "\n" + cells).replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("key", ["reglement", "cctp", "ccap", "ae_lot", "dpgf"])
def test_every_dce_piece_states_the_framing(key, piece_contexts):
    assert "Cadre juridique : Marché public" in text(PIECES[key].render(piece_contexts[key]))


def test_the_rc_gives_lots_estimates_method_deadlines_recourse_and_contact(dce_challenge):
    rc = text(PIECES["reglement"].render(dce_challenge))
    for mention in (
        "divisée en 2 lots",
        "Données des stations",
        "80 000,00 € HT",
        # the reserved lot, in one sentence citing its article
        "est réservé aux entreprises de l'économie sociale et solidaire au sens de l'article "
        "1er de la loi n° 2014-856 du 31 juillet 2014 (article L2113-15 du code de la "
        "commande publique)",
        "Formule : note globale",
        "15 novembre 2026",  # the question deadline
        "22 novembre 2026",
        "Tribunal administratif de Lille",
        "référé précontractuel",
        "commande.publique@lillemetropole.fr",
        "https://communs.example.fr/defis/14/",
        "R2123-5",  # negotiation in a MAPA
        "120 jours",
    ):
        assert mention in rc, mention


def test_a_single_lot_rc_states_the_reason(dce_challenge):
    single = replace(
        dce_challenge,
        lots=dce_challenge.lots[:1],
        single_lot_reason="Les ressources forment un seul ensemble technique.",
    )
    rc = text(PIECES["reglement"].render(single))
    assert "n'est pas divisée en lots" in rc
    assert "Les ressources forment un seul ensemble technique." in rc


def test_a_formal_procedure_rc_excludes_negotiation(dce_challenge):
    formal = replace(dce_challenge, procedure_code="formal_open", procedure_formal=True)
    rc = text(PIECES["reglement"].render(formal))
    assert "Aucune négociation" in rc
    assert "R2123-5" not in rc


def test_the_reglement_de_l_appel_has_no_contract_clauses(dce_challenge):
    outside = replace(dce_challenge, framing=FramingKind.OUTSIDE_CONTRACT)
    reglement = text(PIECES["reglement_appel"].render(outside))
    assert "Règlement de l'appel à communs" in reglement
    assert "subvention" in reglement
    assert "référé précontractuel" not in reglement
    assert "DUME" not in reglement


def test_the_ae_form_and_dpgf_leave_the_prices_blank(lot_context):
    ae = text(PIECES["ae_lot"].render(lot_context))
    dpgf = text(PIECES["dpgf"].render(lot_context))
    assert "lot 2" in ae
    assert "Itinéraires et gouvernance" in ae
    assert "groupement conjoint" in ae
    assert "Calculateur d'itinéraires multimodaux" in dpgf
    assert "Référentiel ouvert des stations" not in dpgf  # lot 1's resource
    assert "Total toutes taxes comprises" in dpgf
    # every price cell of the DPGF is empty
    table = table_texts(open_docx(PIECES["dpgf"].render(lot_context)))[0]
    assert all(row[3] == "" for row in table[1:])


def test_the_subsidy_form_asks_for_the_budget(piece_contexts):
    form = text(PIECES["demande_subvention"].render(piece_contexts["demande_subvention"]))
    assert "Subvention demandée" in form
    assert "Cadre juridique : Appel à communs hors marché public" in form


def test_the_rc_announces_only_the_reserved_lot(dce_challenge):
    """Article L2113-15: one sentence per reserved lot, none for the others."""
    rc = text(PIECES["reglement"].render(dce_challenge))
    assert "Le lot n° 2 est réservé aux entreprises de l'économie sociale" in rc
    assert "Le lot n° 1 est réservé" not in rc
    unreserved = replace(
        dce_challenge, lots=tuple(replace(lot, reserved_ess=False) for lot in dce_challenge.lots)
    )
    assert "L2113-15" not in text(PIECES["reglement"].render(unreserved))


def test_the_rc_states_each_inclusion_reservation_with_its_article(dce_challenge):
    """Article R2113-7, second paragraph: the reservation under L2113-12 or L2113-13 is
    stated in the consultation documents, with the 50 % share; both at once under
    L2113-14."""
    lots = dce_challenge.lots
    only = replace(
        dce_challenge,
        lots=(
            replace(lots[0], reserved_disability=True),
            replace(lots[1], reserved_ess=False, reserved_insertion=True),
        ),
    )
    rc = text(PIECES["reglement"].render(only))
    assert (
        "Le lot n° 1 est réservé aux entreprises adaptées (article L5213-13 du code du "
        "travail), aux établissements et services d'aide par le travail" in rc
    )
    assert "au moins 50 % de travailleurs handicapés (article L2113-12" in rc
    assert (
        "Le lot n° 2 est réservé aux structures d'insertion par l'activité économique "
        "(article L5132-4 du code du travail)" in rc
    )
    assert "au moins 50 % de travailleurs défavorisés (article L2113-13" in rc
    assert "R2113-7" in rc
    assert "L2113-15" not in rc
    assert "L2113-14" not in rc

    both = replace(
        dce_challenge,
        lots=(replace(lots[0], reserved_disability=True, reserved_insertion=True), lots[1]),
    )
    rc = text(PIECES["reglement"].render(both))
    assert "Le lot n° 1 est réservé à la fois aux entreprises adaptées" in rc
    assert "comme le permet l'article L2113-14" in rc
