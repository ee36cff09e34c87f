"""The letter on a lot left unawarded (article R2185-1 of the code de la commande
publique) and the notification of the contract to its titulaire (articles R2182-4 and
R2182-5), read as the candidate, the titulaire and the buyer's lawyer would."""

from dataclasses import replace
from decimal import Decimal

import pytest

from .test_lettre_rejet import text as rendered_text


def text(piece: str, context) -> str:
    return rendered_text(context, piece)


def test_r2185_1_a_lot_declared_sans_suite_gives_the_buyer_s_reason_and_the_rank(
    discontinuation_factory,
):
    letter = text("lettre_non_attribution", discontinuation_factory())
    assert "Lettre de non-attribution — lot n° 2" in letter
    assert "Objet : non-attribution du lot n° 2 « Itinéraires et gouvernance »" in letter
    assert "il est déclaré sans suite" in letter
    assert "article R2185-1" in letter
    assert "Le besoin est désormais couvert par la mutualisation avec la région." in letter
    assert "se classait 1re sur 2" in letter
    assert "71,25 sur 100" in letter
    # no contract on the lot: neither awardee nor signature date; the recourse against
    # the decision itself
    assert "attribué à" not in letter
    assert "ne sera pas signé avant" not in letter
    assert "Aucun marché ne sera signé pour ce lot" in letter
    assert "Recours pour excès de pouvoir" in letter
    assert "R421-1" in letter
    assert "Mobicoop SCIC" in letter
    assert "8 rue de Nancy" in letter


def test_r2185_1_an_infructueux_lot_says_why_the_offer_was_eliminated(discontinuation_factory):
    context = discontinuation_factory(
        reason="",
        eliminated=("Note de 3 / 10 sous le seuil de 5 / 10 sur la valeur technique.",),
        rank=None,
        total=None,
    )
    assert context.infructueux
    letter = text("lettre_non_attribution", context)
    assert "déclaré infructueux" in letter
    assert "L2152-1 à L2152-4" in letter
    assert "Note de 3 / 10 sous le seuil de 5 / 10 sur la valeur technique." in letter
    assert "sans suite" not in letter
    assert "se classait" not in letter


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_r2185_1_a_valid_offer_s_lot_cannot_be_left_unawarded_without_a_reason(
    discontinuation_factory, reason
):
    with pytest.raises(ValueError, match="reason"):
        discontinuation_factory(reason=reason)


def test_r2182_4_the_notification_gives_the_contract_its_start_and_the_acknowledgement(
    notification_factory,
):
    letter = text("notification_marche", notification_factory())
    assert "Notification du marché — lot n° 1" in letter
    assert "que j'ai signé le 14 décembre 2026 à 16 h 30" in letter
    assert "Montant hors taxes | 12 500,00 €" in letter
    assert "Montant toutes taxes comprises | 15 000,00 €" in letter
    assert "12 mois à compter de la notification du marché" in letter
    assert "R2182-4" in letter
    assert "prend effet à la date à laquelle vous recevez la présente notification" in letter
    assert "R2182-5" in letter
    assert "Reçu notification du marché le" in letter
    # a MAPA: no avis d'attribution is announced; one acknowledgement line, no second
    # "Fait à … le …"
    assert "R2183-1" not in letter
    assert "Fait à" not in letter


def test_a_groupement_is_notified_through_its_mandataire(notification_factory, groupement_award):
    letter = text("notification_marche", notification_factory(award=groupement_award()))
    assert "au mandataire du groupement titulaire" in letter
    assert "(mandataire du groupement)" in letter
    assert "Groupement conjoint" in letter
    assert "à chacun des membres du groupement : Mobicoop" in letter


def test_a_formal_procedure_s_notification_announces_the_avis_d_attribution(
    notification_factory, award_factory
):
    award = award_factory()
    formal = replace(award.challenge, procedure_formal=True)
    letter = text(
        "notification_marche",
        notification_factory(award=replace(award, challenge=formal, amount_ht=Decimal("60000"))),
    )
    assert "R2183-1" in letter
    assert "avance" in letter  # over 50 000 € HT and two months: the advance is due
