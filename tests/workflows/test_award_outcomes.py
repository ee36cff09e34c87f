"""What the award decision tells those it does not reward, and the titulaire (issue 15).

A lot left unawarded (article R2185-1 of the code de la commande publique): its
candidates are told why, by a letter of their own — the buyer's reason, or the
selection's justification when nothing was selected on the lot, or, when every offer
was eliminated, that the lot is infructueux and why theirs was. A lot whose proposal
was selected cannot be left unawarded without a reason. Once signed, each lot's contract
is notified to its titulaire (articles R2182-4 and R2182-5), who alone, with the buyer,
reads the notification."""

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from kernel.errors import ApplicationError
from kernel.formats import format_eur
from procurement.models import (
    CONTRACT_NOTIFICATION,
    DISCONTINUATION_LETTER,
    REJECTION_LETTER,
    BudgetLine,
    BudgetScope,
    Challenge,
    Lot,
    LotOutcome,
    Proposal,
    TenderDocument,
)
from tests.conftest import paris
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion
from tests.workflows.test_standstill import letter_text

# Lot 2 is not awarded although its proposal was selected: the buyer says why.
LOT_2_REASON = "Le besoin du lot 2 est couvert par la mutualisation avec la région."


def proposals(challenge) -> list[Proposal]:
    return list(Proposal.objects.filter(challenge_id=challenge.pk).order_by("pk"))


def selected_two_lots(world, clock, **overrides):
    """Three lots, one proposal each, all marked 7; the proposals of lots 1 and 2
    selected (lot 3 left aside, with the selection's justification); the round closed."""
    challenge = journey.in_scoring(world, clock, **overrides)
    journey.score_all(world, challenge)
    first, second, _third = proposals(challenge)
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk, second.pk],
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
            "justification": journey.LOTS_LEFT_ASIDE,
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    journey.close_cofunding(clock)
    return Challenge.objects.get(pk=challenge.pk)


def documents(challenge, piece) -> list[TenderDocument]:
    return list(TenderDocument.objects.filter(challenge=challenge, piece=piece).order_by("key"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_r2185_1_a_lot_whose_proposal_was_selected_is_not_left_unawarded_without_reason(
    world, clock, reason
):
    # given the proposals of lots 1 and 2 selected
    challenge = selected_two_lots(world, clock)
    first = proposals(challenge)[0]
    data = {"proposals": [first.pk]}
    if reason is not None:
        data["lot_reasons"] = {"2": reason}

    # when the buyer awards lot 1 only, without a reason for lot 2
    with pytest.raises(ApplicationError) as refused:
        complete(challenge, "award", world.buyer_agent, data)

    # then the award is refused, naming the lot and the article; nothing is decided
    assert refused.value.code == "invalid_award"
    assert list(refused.value.extra["fields"]["lot_reasons"]) == ["2"]
    (message,) = refused.value.extra["fields"]["lot_reasons"]["2"]
    assert "lot n° 2" in message
    assert "R2185-1" in message
    challenge.refresh_from_db()
    assert challenge.award_decided_at is None
    assert set(Lot.objects.filter(challenge=challenge).values_list("outcome", flat=True)) == {
        LotOutcome.PENDING
    }


@pytest.mark.django_db(transaction=True)
def test_a_reason_for_a_lot_the_call_does_not_have_is_refused(world, clock):
    challenge = selected_two_lots(world, clock)
    first = proposals(challenge)[0]
    with pytest.raises(ApplicationError) as refused:
        complete(
            challenge,
            "award",
            world.buyer_agent,
            {"proposals": [first.pk], "lot_reasons": {"2": LOT_2_REASON, "7": "?"}},
        )
    assert refused.value.extra["fields"]["lot_reasons"] == {"7": ["Cet appel n'a pas de lot n° 7."]}


@pytest.mark.django_db(transaction=True)
def test_r2185_1_each_candidate_of_an_unawarded_lot_gets_a_letter_with_the_reason(
    world, clock, mailoutbox
):
    # given lots 1 and 2 selected, lot 3 left aside at the selection
    challenge = selected_two_lots(world, clock)
    first, second, third = proposals(challenge)
    mailoutbox.clear()

    # when the buyer awards lot 1 and says why lot 2 is not awarded
    complete(
        challenge,
        "award",
        world.buyer_agent,
        {"proposals": [first.pk], "lot_reasons": {"2": f"  {LOT_2_REASON}  "}},
    )

    # then lots 2 and 3 are not awarded, each with its reason recorded
    lots = {lot.number: lot for lot in Lot.objects.filter(challenge=challenge)}
    assert lots[1].outcome == LotOutcome.AWARDED
    assert (lots[2].outcome, lots[2].outcome_reason) == (LotOutcome.UNSUCCESSFUL, LOT_2_REASON)
    assert (lots[3].outcome, lots[3].outcome_reason) == (
        LotOutcome.UNSUCCESSFUL,
        journey.LOTS_LEFT_ASIDE,
    )
    # and each candidate of lots 2 and 3 gets its letter (no rejection letter: no awardee)
    assert documents(challenge, REJECTION_LETTER) == []
    sent = documents(challenge, DISCONTINUATION_LETTER)
    assert [(d.key, d.addressee_id) for d in sent] == [
        (f"lot-2-p{second.pk}", second.pk),
        (f"lot-3-p{third.pk}", third.pk),
    ]
    lot_2, lot_3 = (letter_text(d) for d in sent)
    assert "Lettre de non-attribution — lot n° 2" in lot_2
    assert "déclaré sans suite" in lot_2
    assert "R2185-1" in lot_2
    assert LOT_2_REASON in lot_2
    assert "se classait 1re sur 1" in lot_2
    assert "R421-1" in lot_2  # the recourse against the decision
    assert "ne sera pas signé avant" not in lot_2  # no contract, no standstill date
    assert journey.LOTS_LEFT_ASIDE in lot_3
    # by e-mail, the letter attached, saying the lot is not awarded
    mails = [m for m in mailoutbox if m.to == ["partenaire2@example.fr"]]
    (mail,) = [m for m in mails if m.attachments]
    assert "n'est pas attribué" in mail.body
    (attachment,) = mail.attachments
    assert attachment[0].startswith(f"lettre_non_attribution-lot-2-p{second.pk}-")
    # and the acte d'engagement drawn for lot 2 at the selection leaves the pack once the
    # contracts are signed: kept for the record, read by the buyer only
    complete(challenge, "sign", world.buyer_agent)
    drawn = {d.key: d for d in documents(challenge, "acte_engagement")}
    assert drawn["lot-1"].withdrawn_at is None
    assert drawn["lot-2"].withdrawn_at is not None
    listed = APIClient()
    listed.force_authenticate(world.partner_users[1])
    url = f"/api/v1/challenges/{challenge.pk}/documents/"
    assert drawn["lot-2"].pk not in {d["id"] for d in listed.get(url).json()["documents"]}


@pytest.mark.django_db(transaction=True)
def test_r2185_1_an_infructueux_lot_tells_each_candidate_why_its_offer_was_eliminated(world, clock):
    # given a threshold of 5 on the technical value, which the offers of lots 2 and 3 miss
    from scoring.models import Criterion

    challenge = journey.in_scoring(world, clock)
    Criterion.objects.filter(grid__challenge=challenge, code="technique").update(threshold=5)
    first, second, third = proposals(challenge)
    journey.score_all(
        world, challenge, marks={first.pk: "7", second.pk: {"technique": "3"}, third.pk: "2"}
    )
    # when only lot 1 is selected (no justification is due: lots 2 and 3 rank no valid
    # offer) and awarded
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk],
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    journey.close_cofunding(clock)
    complete(challenge, "award", world.buyer_agent, {"proposals": [first.pk]})

    # then lots 2 and 3 are infructueux, without a reason of the buyer's
    assert Lot.objects.get(challenge=challenge, number=2).outcome_reason == ""
    letter = letter_text(documents(challenge, DISCONTINUATION_LETTER)[0])
    assert "déclaré infructueux" in letter
    assert "aucune offre régulière, acceptable et appropriée" in letter
    assert "L2152-1 à L2152-4" in letter
    assert "Votre offre a été écartée pour les motifs suivants" in letter
    assert "seuil" in letter  # the threshold the offer missed
    assert "se classait" not in letter  # an eliminated offer is not ranked


def signed(world, clock):
    """A MAPA of three lots, each with its proposal selected; lots 1 and 2 awarded,
    lot 3 not; the titulaires identified; the contracts signed."""
    challenge = journey.in_scoring(world, clock)
    journey.score_all(world, challenge)
    first, second, third = proposals(challenge)
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [first.pk, second.pk, third.pk],
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    journey.close_cofunding(clock)
    complete(
        challenge,
        "award",
        world.buyer_agent,
        {"proposals": [first.pk, second.pk], "lot_reasons": {"3": LOT_2_REASON}},
    )
    complete(challenge, "sign", world.buyer_agent)
    return Challenge.objects.get(pk=challenge.pk)


@pytest.mark.django_db(transaction=True)
def test_r2182_4_once_signed_each_titulaire_is_notified_its_lot(world, clock):
    # given the contracts of lots 1 and 2 signed
    challenge = signed(world, clock)
    first, second, _third = proposals(challenge)

    # then a notification per awarded lot, addressed to the awarded proposal
    notifications = documents(challenge, CONTRACT_NOTIFICATION)
    assert [(d.key, d.addressee_id) for d in notifications] == [
        ("lot-1", first.pk),
        ("lot-2", second.pk),
    ]
    text = letter_text(notifications[0])
    assert "Notification du marché — lot n° 1" in text
    assert "J'ai l'honneur de vous notifier le marché" in text
    assert "R2182-4" in text  # the contract takes effect on reception
    assert "prend effet à la date à laquelle vous recevez la présente notification" in text
    assert "R2182-5" in text  # hence the dated acknowledgement
    assert "Reçu notification du marché le" in text
    assert "Pour le titulaire, Covoit Libre SAS" in text
    price = BudgetLine.objects.filter(proposal=first, scope=BudgetScope.CONTRACT).aggregate(
        total=Sum("amount")
    )["total"]
    amount = format_eur(price).replace("\u202f", " ").replace("\xa0", " ")
    assert f"Montant hors taxes | {amount}" in text  # the lot's contract price


@pytest.mark.django_db(transaction=True)
def test_the_notification_is_read_by_its_titulaire_and_the_buyer_only(world, clock):
    challenge = signed(world, clock)
    notification = documents(challenge, CONTRACT_NOTIFICATION)[0]
    url = f"/api/v1/challenges/{challenge.pk}/documents/{notification.pk}/download/"

    def status(user) -> int:
        client = APIClient()
        client.force_authenticate(user)
        return client.get(url).status_code

    assert status(world.partner_users[0]) == 200  # the titulaire of lot 1
    assert status(world.buyer_agent) == 200
    assert status(world.partner_users[1]) == 404  # the titulaire of another lot
