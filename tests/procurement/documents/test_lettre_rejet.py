"""The rejection letter (articles R2181-1 and R2181-3 of the code de la commande
publique), read as the candidate and the buyer's lawyer would."""

import pytest

from procurement.documents import PIECES

from .reading import body_text, open_docx, table_texts


def text(context, piece: str = "lettre_rejet") -> str:
    document = open_docx(PIECES[piece].render(context))
    rows = (" | ".join(row) for table in table_texts(document) for row in table)
    return (
        (body_text(document) + "\n" + "\n".join(rows)).replace("\xa0", " ").replace("\u202f", " ")
    )


def test_r2181_3_the_letter_gives_scores_rank_reasons_awardee_and_its_advantages(
    rejection_factory,
):
    # given / when
    letter = text(rejection_factory())
    # then its own marks, points, total and rank, beside the awardee's
    assert "Valeur technique | 60 % | 6,5 / 10 | 39,00 | 8 / 10 | 48,00" in letter
    assert "Production de communs | 40 % | 5,63 / 10 | 22,50 | 7,56 / 10 | 30,25" in letter
    assert "Note globale (sur 100) |  |  | 61,50 |  | 78,25" in letter
    assert "se classe 2e sur 3" in letter
    # the evaluators' reasons, and a plain statement where they gave none
    assert "API temps réel décrite sans engagement de disponibilité." in letter
    assert "n'ont pas assorti leur note d'un commentaire sur ce critère" in letter
    # the awardee (every member of its group) and the advantages of its offer
    assert "Le lot est attribué à Covoit Libre SAS, Rues Partagées" in letter
    assert "classée première" in letter
    assert "Valeur technique : 8 / 10 contre 6,5 / 10 pour votre offre, soit 9,00 points" in letter
    # the recipient, the date and the recourse
    assert "Mobicoop SCIC" in letter
    assert "8 rue de Nancy" in letter
    assert "Le 1er décembre 2026 à 8 h 30" in letter
    assert "ne sera pas signé avant le 12 décembre 2026 à 8 h 30" in letter
    assert "R2182-1" in letter
    assert "L551-1 du code de justice administrative" in letter
    assert "L551-13" in letter
    assert "Tarn-et-Garonne" in letter
    assert "à désigner" not in letter


def test_a_mapa_letter_says_no_standstill_is_imposed(rejection_factory, challenge):
    # given a MAPA without a standstill: signature possible from the letter's date
    context = rejection_factory()
    letter = text(rejection_factory(challenge=challenge, signature_from=context.sent_at))
    # then
    assert "aucun délai de suspension n'est imposé" in letter
    assert "susceptible d'être signé à compter du 1er décembre 2026 à 8 h 30" in letter
    assert "R2182-1" not in letter


def test_an_awardee_below_first_is_explained_by_the_buyer_s_justification(rejection_factory):
    # given the buyer departed from the ranking (L2152-7: a reason the ranking does not show)
    letter = text(
        rejection_factory(
            rank=1,
            awardee_rank=2,
            departure_reason="Offre première jugée anormalement basse après vérification.",
        )
    )
    # then the letter says so, and why
    assert "classée 2e" in letter
    assert "Offre première jugée anormalement basse après vérification." in letter


def test_a_letter_without_the_justification_of_a_departure_is_refused(rejection_factory):
    with pytest.raises(ValueError, match="justification"):
        rejection_factory(rank=1, awardee_rank=2)


def test_a_letter_cannot_date_the_signature_before_its_sending(rejection_factory):
    context = rejection_factory()
    with pytest.raises(ValueError, match="cannot be signed before"):
        rejection_factory(signature_from=context.sent_at.replace(year=2025))


def test_r2182_1_a_formal_procedure_s_letter_without_a_standstill_is_refused(rejection_factory):
    context = rejection_factory()
    with pytest.raises(ValueError, match="R2182-1"):
        rejection_factory(signature_from=context.sent_at)
