"""The CCAP, from the call alone, reopened and read (issue 15, item 4): the contract's
duration, the price decomposition per lot, the advance consistent with the acte
d'engagement, personal data (article 28 of the GDPR), the CCAG-TIC's version and the
intellectual-property regime, and the list of derogations to the CCAG."""

import pytest

from procurement.documents import PIECES

from .reading import body_text, open_docx, table_texts


def read(challenge):
    document = open_docx(PIECES["ccap"].render(challenge))
    return body_text(document), table_texts(document), document


def test_the_duration_is_the_calls(dce_challenge):
    from dataclasses import replace

    text, _, _ = read(replace(dce_challenge, contract_duration_months=18))
    assert "durée de 18\u00a0mois à compter de la notification du marché" in text
    assert "douze mois" not in text


def test_the_price_is_global_and_lump_sum_per_lot_decomposed_by_its_dpgf(dce_challenge):
    _, tables, _ = read(dce_challenge)
    prices = next(t for t in tables if t[0][0] == "Lot")
    assert prices[1:] == [
        [
            "1 — Données des stations",
            dce_challenge.lots[0].resources[0].title,
            "Prix global et forfaitaire, ferme",
            "DPGF du lot 1",
        ],
        [
            "2 — Itinéraires et gouvernance",
            " ; ".join(r.title for r in dce_challenge.lots[1].resources),
            "Prix global et forfaitaire, ferme",
            "DPGF du lot 2",
        ],
    ]


def test_the_ccag_tic_of_2021_and_its_intellectual_property_regime(dce_challenge):
    text, _, _ = read(dce_challenge)
    assert "CCAG-TIC), approuvé par l'arrêté du 30 mars 2021" in text
    # the 2021 CCAG has a single regime (the former option A), completed by the licence
    assert "régime de l'ancienne option A" in text
    assert "aucune cession de droits n'est consentie à l'acheteur" in text
    assert "publication des livrables sous licence ouverte" in text


def test_the_derogations_to_the_ccag_are_listed_in_the_last_article(dce_challenge):
    _, _, document = read(dce_challenge)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-1].endswith("Dérogations au CCAG-TIC")
    text = body_text(document)
    assert "article « Propriété intellectuelle » : les résultats sont publiés sous la licence" in (
        text
    )


@pytest.mark.parametrize(
    ("months", "advance"),
    [(2, False), (3, True)],  # R2191-3: over two months, not at two
)
def test_the_advance_clause_follows_r2191_3(dce_challenge, months, advance):
    from dataclasses import replace

    text, _, _ = read(replace(dce_challenge, contract_duration_months=months))
    if advance:
        assert "Une avance de 5\u00a0% du montant initial toutes taxes comprises" in text
        assert "R2191-5" in text  # renounced in the acte d'engagement's box
    else:
        assert "aucune avance n'est due" in text
        assert "Une avance de" not in text


def test_no_personal_data_says_so(dce_challenge):
    text, _, _ = read(dce_challenge)
    assert "n'impliquent aucun traitement de données à caractère personnel" in text
    assert "sous-traitant au sens de l'article 28" not in text


def test_personal_data_binds_the_titulaire_as_processor_article_28_gdpr(dce_challenge):
    from dataclasses import replace

    text, _, _ = read(replace(dce_challenge, personal_data=True))
    assert "sous-traitant au sens de l'article 28 du règlement (UE) 2016/679 (RGPD)" in text
    assert "autorisation écrite préalable de l'acheteur" in text
    assert "supprime ou restitue les données" in text
