"""The award in two times (issue 15, items 2 and 3): the buyer's decision sends a
rejection letter to each unsuccessful candidate, per lot (articles R2181-1 and R2181-3
of the code de la commande publique), by e-mail and in its space; in a formal procedure
the contract is signed eleven days after, not one second before (article R2182-1); a
MAPA may sign at once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kernel.errors import WrongState
from procurement.models import (
    REJECTION_LETTER,
    Challenge,
    ChallengeStatus,
    Proposal,
    ProposalStatus,
    TenderDocument,
)
from procurement.services.award import contract_sign
from scoring.queries import marked_criteria
from tests.api.conftest import token_client
from tests.api.steps import challenge_url
from tests.conftest import paris
from tests.procurement.documents.reading import body_text, open_docx, table_texts
from tests.workflows import journey
from tests.workflows.journey import complete, current_steps, give_opinion

FORMAL_AMOUNT = Decimal("250000.00")  # above the 216 000 € HT threshold: formal
# The three resources in one lot: the three proposals are ranked together on it.
ONE_LOT_FORMAL = {
    **journey.ONE_LOT,
    "estimated_amount": FORMAL_AMOUNT,
    "lots": [{"title": "Mobilité partagée", "estimated_amount": FORMAL_AMOUNT}],
}
ONE_LOT_MAPA = journey.ONE_LOT  # 180 000 € HT: a procédure adaptée
MARKS = ("8", "6", "5")  # the first proposal leads, the second and third follow
COMMENT = "Gouvernance ouverte mais sans règles de contribution écrites ({})."


def proposals(challenge) -> list[Proposal]:
    return list(Proposal.objects.filter(challenge_id=challenge.pk).order_by("pk"))


def decided(world, clock, standstill=False, **overrides):
    """Scored (with a comment on each mark), the first proposal selected and awarded;
    the letters generated and sent. Returns the challenge, fresh."""
    challenge = journey.in_scoring(world, clock, **overrides)
    ranked = proposals(challenge)
    codes = [c.code for c in marked_criteria(challenge)]
    for evaluator in world.evaluators:
        complete(
            challenge,
            "score",
            evaluator,
            owner=evaluator,
            data={
                "evaluations": [
                    {
                        "proposal": proposal.pk,
                        "conflict": False,
                        "scores": dict.fromkeys(codes, mark),
                        "comments": {
                            code: COMMENT.format(f"{evaluator.username}, {proposal.pk}")
                            for code in codes
                        },
                    }
                    for proposal, mark in zip(ranked, MARKS, strict=True)
                ]
            },
        )
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [ranked[0].pk],
            "cofunding_deadline": paris(*journey.COFUNDING_END).isoformat(),
        },
    )
    give_opinion(world, challenge, "selection_opinion")
    journey.close_cofunding(clock)
    complete(
        challenge,
        "award",
        world.buyer_agent,
        {"proposals": [ranked[0].pk], "standstill": standstill},
    )
    return Challenge.objects.get(pk=challenge.pk)


def letters(challenge) -> list[TenderDocument]:
    return list(
        TenderDocument.objects.filter(challenge=challenge, piece=REJECTION_LETTER).order_by("key")
    )


def letter_text(document: TenderDocument) -> str:
    with document.file.open("rb") as handle:
        docx = open_docx(handle.read())
    rows = (" | ".join(row) for table in table_texts(docx) for row in table)
    text = body_text(docx) + "\n" + "\n".join(rows)
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.django_db(transaction=True)
def test_r2181_3_a_letter_per_unsuccessful_candidate_scores_reasons_awardee_date_recourse(
    world, clock
):
    # given a formal procedure whose one lot ranked three proposals
    challenge = decided(world, clock, **ONE_LOT_FORMAL)
    _first, second, third = proposals(challenge)

    # then the second and third get one letter each, the awardee none
    sent = letters(challenge)
    assert [d.addressee_id for d in sent] == [second.pk, third.pk]
    assert {d.key for d in sent} == {f"lot-1-p{second.pk}", f"lot-1-p{third.pk}"}
    text = letter_text(sent[0])
    # its scores, total and rank in the lot
    assert "Votre note" in text
    assert "6 / 10" in text
    assert "se classe 2e sur 3" in text
    # the reasons per criterion, from the evaluators' comments on its marks
    assert COMMENT.format(f"evaluateur1, {second.pk}") in text
    assert COMMENT.format(f"evaluateur2, {second.pk}") in text
    assert COMMENT.format(f"evaluateur1, {third.pk}") not in text
    # the awardee's name, its scores and the advantages of its offer
    assert "Le lot est attribué à Covoit Libre SAS" in text
    assert "8 / 10 contre 6 / 10 pour votre offre" in text
    # the date from which the contract may be signed: 11 days after the letters
    assert challenge.standstill_ends_at == challenge.letters_sent_at + timedelta(days=11)
    assert "Le marché ne sera pas signé avant le 12 novembre 2026 à 18 h 00" in text
    # and the recourse
    assert "Référé précontractuel" in text
    assert "L551-1" in text
    assert "Tarn-et-Garonne" in text
    # the call waits the standstill
    assert challenge.status == ChallengeStatus.STANDSTILL
    assert current_steps(challenge) == {"standstill"}


@pytest.mark.django_db(transaction=True)
def test_r2181_1_the_letters_are_e_mailed_to_each_candidate_with_the_letter_attached(
    world, clock, mailoutbox
):
    # given the award decided in a formal procedure
    mailoutbox.clear()
    challenge = decided(world, clock, **ONE_LOT_FORMAL)

    # then each unsuccessful candidate's member gets its own letter, attached
    mails = {m.to[0]: m for m in mailoutbox if "Lettre de rejet" in m.subject}
    assert sorted(mails) == ["partenaire2@example.fr", "partenaire3@example.fr"]
    mail = mails["partenaire2@example.fr"]
    assert "12 novembre 2026 à 18h00" in mail.body
    assert [name.startswith("lettre_rejet-lot-1-p") for name, _c, _t in mail.attachments] == [True]
    assert "partenaire1@example.fr" not in mails
    assert challenge.letters_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_r2182_1_the_signature_waits_eleven_days_to_the_second(world, clock):
    # given the letters sent in a formal procedure
    challenge = decided(world, clock, **ONE_LOT_FORMAL)
    end = challenge.letters_sent_at + timedelta(days=11)
    # and the process page shows the standstill's timer with its date
    buyer = APIClient()
    buyer.force_login(world.buyer_agent)
    page = buyer.get(f"/espace/defis/{challenge.pk}/processus/").content.decode()
    assert 'id="echeance-standstill"' in page
    assert "Fin du délai de suspension" in page
    assert "12 novembre 2026" in page

    # when eleven days minus one second have passed
    clock.move_to(end - timedelta(seconds=1))
    journey.sweep()

    # then the sign task is not open, and signing is refused with the date
    assert current_steps(challenge) == {"standstill"}
    with pytest.raises(WrongState) as refused:
        contract_sign(challenge=Challenge.objects.get(pk=challenge.pk), actor=world.buyer_agent)
    assert refused.value.code == "standstill"
    assert "12 novembre 2026 à 18" in refused.value.message
    assert "R2182-1" in refused.value.message

    # when eleven days have passed, the timer opens the signature, which is accepted
    clock.move_to(end)
    journey.sweep()
    assert current_steps(challenge) == {"sign"}
    complete(challenge, "sign", world.buyer_agent)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARDED
    assert challenge.awarded_at == end


@pytest.mark.django_db(transaction=True)
def test_a_mapa_may_sign_once_the_letters_are_sent(world, clock):
    # given a procédure adaptée whose award is decided
    challenge = decided(world, clock, **ONE_LOT_MAPA)

    # then the letters are sent, say so, and the signature is open at once
    assert challenge.standstill_ends_at == challenge.letters_sent_at
    assert current_steps(challenge) == {"sign"}
    assert "aucun délai de suspension" in letter_text(letters(challenge)[0])
    complete(challenge, "sign", world.buyer_agent)
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.AWARDED


@pytest.mark.django_db(transaction=True)
def test_a_mapa_whose_buyer_chooses_the_standstill_waits_it(world, clock):
    # given a procédure adaptée whose buyer observes the standstill all the same
    challenge = decided(world, clock, standstill=True, **ONE_LOT_MAPA)

    # then the call waits eleven days, and the letters say so without claiming R2182-1
    assert challenge.status == ChallengeStatus.STANDSTILL
    assert challenge.standstill_ends_at == challenge.letters_sent_at + timedelta(days=11)
    assert current_steps(challenge) == {"standstill"}
    text = letter_text(letters(challenge)[0])
    assert "Bien que la consultation soit passée selon une procédure adaptée" in text
    assert "ne sera pas signé avant le 12 novembre 2026 à 18 h 00" in text


@pytest.mark.django_db(transaction=True)
def test_a_letter_is_read_by_its_candidate_and_the_buyer_only(world, clock):
    # given the letters of a decided award
    challenge = decided(world, clock, **ONE_LOT_MAPA)
    to_second = letters(challenge)[0]
    url = challenge_url(challenge.pk, f"documents/{to_second.pk}/download/")

    # then its candidate and the buyer's staff download it
    assert token_client(world.partner_users[1]).get(url).status_code == 200
    assert token_client(world.buyer_agent).get(url).status_code == 200
    # and another partner — even the awardee or the other rejected candidate — gets 404
    assert token_client(world.partner_users[0]).get(url).status_code == 404
    assert token_client(world.partner_users[2]).get(url).status_code == 404
    assert APIClient().get(url).status_code == 404
    # and the candidate finds it, and only its own, in its space on the call's page
    client = token_client(world.partner_users[1])
    client.force_login(world.partner_users[1])
    page = client.get(f"/defis/{challenge.pk}/").content.decode()
    assert f"/documents/{to_second.pk}/download/" in page
    assert f"/documents/{letters(challenge)[1].pk}/download/" not in page
    assert Proposal.objects.get(pk=to_second.addressee_id).status == ProposalStatus.REJECTED
