"""Each lot is awarded separately (article L2113-10 of the code de la commande publique):
its proposals are ranked together and priced on that lot, one proposal at most is
retained per lot under a marché public, a departure from a lot's ranking is justified
and printed, and a lot awarded to nobody is declared unsuccessful (issue 14, item 2).
Before publication the lots carry their estimates, which add up to the call's
(article R2121-1), and an undivided call states why (articles L2113-11 and R2113-3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from kernel.errors import ApplicationError
from procurement.models import BudgetLine, Challenge, ChallengeResource, LotOutcome, Proposal
from procurement.models.proposal_parts import BudgetScope
from procurement.services.proposals import proposal_submit
from scoring.ranking import offered_prices
from tests.api.conftest import token_client
from tests.api.steps import challenge_url, ok
from tests.conftest import paris
from tests.procurement.documents.reading import body_text, open_docx, table_texts
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion
from workflows.pack.analysis import ranking_context
from workflows.pack.call import challenge_context

# The standard and the booking brick in lot 1, the knowledge base in lot 2.
GROUPED = {
    "resources": [
        {**resource, "lot": number}
        for resource, number in zip(journey.RESOURCES, (1, 1, 2), strict=True)
    ],
    "lots": [
        {"title": "Standard et réservation", "estimated_amount": Decimal("120000.00")},
        {"title": "Base de connaissances", "estimated_amount": Decimal("60000.00")},
    ],
}
PER_RESOURCE = [{**resource, "lot": n} for n, resource in enumerate(journey.RESOURCES, 1)]
COFUNDING_END = paris(*journey.COFUNDING_END).isoformat()


def proposals(challenge) -> list[Proposal]:
    return list(Proposal.objects.filter(challenge_id=challenge.pk).order_by("pk"))


def double_contract_price(proposal: Proposal) -> None:
    BudgetLine.objects.filter(proposal=proposal, scope=BudgetScope.CONTRACT).update(
        amount=F("amount") * 2
    )


def select(world, challenge, chosen, justification=""):
    complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": [p.pk for p in chosen],
            "cofunding_deadline": COFUNDING_END,
            "justification": justification,
        },
    )


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ApplicationError) as excinfo:
        call()
    return excinfo.value.extra["fields"]


def rao_text(challenge) -> str:
    from procurement.documents.rapport_analyse import render_rapport_analyse

    challenge = Challenge.objects.get(pk=challenge.pk)
    docx = open_docx(
        render_rapport_analyse(ranking_context(challenge, challenge_context(challenge)))
    )
    text = body_text(docx) + "\n".join(
        cell for table in table_texts(docx) for row in table for cell in row
    )
    return text.replace("\xa0", " ").replace("\u202f", " ")


# --- the ranking, lot by lot --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_l2113_10_each_lot_is_ranked_apart_and_priced_against_its_own_offers(world, clock):
    # given two proposals in lot 1 and one in lot 2, marked alike, the lot-2 proposal
    # and the second of lot 1 at twice the price of the first (the offers' prices are
    # sealed before the scoring closes, which stores the ranking)
    challenge = journey.in_scoring(world, clock, **GROUPED)
    first, second, third = proposals(challenge)
    double_contract_price(third)
    double_contract_price(second)
    journey.score_all(world, challenge, value="5")

    # when the buyer reads the ranking
    ranking = ok(token_client(world.buyer_agent).get(challenge_url(challenge.pk, "ranking/")))

    # then there is one ranking per lot, each ranked from 1
    assert [(lot["number"], lot["title"]) for lot in ranking["lots"]] == [
        (1, "Standard et réservation"),
        (2, "Base de connaissances"),
    ]
    lot1, lot2 = ranking["lots"]
    assert {e["proposal_id"] for e in lot1["entries"]} == {first.pk, second.pk}
    assert [(e["proposal_id"], e["rank"], e["lot"]) for e in lot2["entries"]] == [(third.pk, 1, 2)]
    # and the lot-2 price is compared with lot 2's offers only: alone there, the
    # formula gives it the full mark although it is twice the lot-1 prices (R2152-7)
    price = {
        e["proposal_id"]: next(c for c in e["criteria"] if c["code"] == "prix")["aggregated"]
        for e in ranking["entries"]
    }
    # and within lot 1, twice the price gives half the mark
    assert price == {first.pk: "10.00", second.pk: "5.00", third.pk: "10.00"}
    assert [e["proposal_id"] for e in lot1["entries"]] == [first.pk, second.pk]


@pytest.mark.django_db(transaction=True)
def test_l2113_10_a_proposal_answering_several_lots_prices_each_of_them(world, clock):
    # given a call of three lots that lets a proposal answer several, positions closed
    challenge = journey.published(world, multi_lot_proposals=True)
    journey.position_and_propose(world, challenge)
    clock.move_to(paris(*journey.POSITIONING_END) + timedelta(seconds=1))
    journey.sweep()
    resource = ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order")[0]
    lines = journey.budget_lines("30000.00")

    def submit(budget_lines):
        return proposal_submit(
            actor=world.partner_users[0],
            group=resource.working_group,
            title="Standard et réservation",
            summary="Les deux lots ensemble.",
            deliverables="Code",
            licence="EUPL-1.2",
            budget_lines=budget_lines,
            milestones=journey.milestones(),
            lots=[2],
        )

    # when its group answers lots 1 and 2 with lines that do not say which lot they price
    fields = refusal(lambda: submit(lines))

    # then the line is refused, naming the lots it may price
    assert "Ligne 1 : indiquez le lot qu'elle chiffre" in fields["budget_lines"][0]
    assert "1, 2" in fields["budget_lines"][0]
    # and a line pricing a lot the proposal does not answer is refused too
    fields = refusal(lambda: submit([{**lines[0], "lot": 3}, {**lines[1], "lot": 1}]))
    assert "ne répond pas au lot n° 3" in fields["budget_lines"][0]

    # when the development is priced on lot 2 and only the animation, outside the
    # contract, on lot 1
    fields = refusal(lambda: submit([{**lines[0], "lot": 2}, {**lines[1], "lot": 1}]))

    # then it is refused: lot 1 is a marché of its own (L2113-10), concluded for a price
    # (L1111-1), and an offer that prices none of it is incomplete (L2152-2)
    assert fields["budget_lines"] == [
        "Lot n° 1 : aucune ligne ne le chiffre dans le prix du marché. Chaque lot est un "
        "marché distinct, conclu pour un prix : donnez à chaque lot auquel la proposition "
        "répond au moins une ligne « Dans le marché »."
    ]
    assert not Proposal.objects.filter(group=resource.working_group).exists()

    # when the development is priced on lot 2, and on lot 1 a day of it (the bound: the
    # smallest price) with the animation
    day = {**lines[0], "quantity": Decimal(1), "lot": 1}
    proposal = submit([{**lines[0], "lot": 2}, day, {**lines[1], "lot": 1}])

    # then its contract price on lot 2 is the development, on lot 1 that day (the
    # animation lies outside the contract)
    lots = {lot.number: lot for lot in challenge.lots.all()}
    clock.move_to(paris(*journey.PROPOSALS_END) + timedelta(seconds=1))
    journey.sweep()
    challenge.refresh_from_db()
    prices = offered_prices(challenge)
    assert prices[lots[2].pk][proposal.pk] == Decimal("25500.00")
    assert prices[lots[1].pk][proposal.pk] == Decimal("300.00")


# --- the selection, lot by lot ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_l2113_10_under_a_marche_public_one_proposal_at_most_per_lot(world, clock):
    # given the three proposals in one lot, the first best
    challenge = journey.in_scoring(world, clock, **journey.ONE_LOT)
    first, second, third = proposals(challenge)
    journey.score_all(world, challenge, marks={first.pk: "8", second.pk: "6", third.pk: "4"})

    # when the buyer retains the first two, then it is refused: one lot, one contract
    fields = refusal(lambda: select(world, challenge, [first, second]))
    assert "Lot n° 1 : une seule proposition peut être retenue" in fields["proposals"][0]
    assert "vous en retenez 2" in fields["proposals"][0]

    # and retaining the first alone is accepted
    select(world, challenge, [first])
    assert Proposal.objects.get(pk=first.pk).status == "selected"


@pytest.mark.django_db(transaction=True)
def test_hors_marche_several_proposals_of_one_lot_may_be_subsidised(world, clock):
    # given an appel à communs hors marché, three proposals in one lot
    challenge = journey.in_scoring(world, clock, **journey.ONE_LOT, framing="outside_contract")
    first, second, third = proposals(challenge)
    journey.score_all(world, challenge, marks={first.pk: "8", second.pk: "6", third.pk: "4"})

    # when the buyer retains the first two, then both are selected (subsidies)
    select(world, challenge, [first, second])
    assert sorted(
        Proposal.objects.filter(challenge=challenge, status="selected").values_list("pk", flat=True)
    ) == [first.pk, second.pk]


@pytest.mark.django_db(transaction=True)
def test_l2152_7_retaining_a_lot_s_second_needs_a_justification_printed_in_the_rao(world, clock):
    # given the three proposals in one lot, ranked first, second, third
    challenge = journey.in_scoring(world, clock, **journey.ONE_LOT)
    first, second, third = proposals(challenge)
    journey.score_all(world, challenge, marks={first.pk: "8", second.pk: "6", third.pk: "4"})

    # when the buyer retains the second without a reason, then it is refused on the
    # justification, naming the lot
    fields = refusal(lambda: select(world, challenge, [second]))
    assert "s'écarte du classement pour le lot n° 1" in fields["justification"][0]
    assert Proposal.objects.get(pk=second.pk).status == "submitted"

    # when it gives its reason, then the selection is made and the reason kept
    reason = "L'offre classée première s'est révélée anormalement basse après vérification."
    select(world, challenge, [second], justification=reason)
    challenge.refresh_from_db()
    assert challenge.selection_justification == reason
    assert Proposal.objects.get(pk=second.pk).status == "selected"

    # and the rapport d'analyse prints the ranking of the lot and the reason
    text = rao_text(challenge)
    assert "Lot n° 1 – Mobilité partagée" in text
    assert "Justification de la sélection" in text
    assert reason in text


@pytest.mark.django_db(transaction=True)
def test_retaining_each_lot_s_first_needs_no_justification(world, clock):
    # given two lots, the first ranked first in lot 1
    challenge = journey.in_scoring(world, clock, **GROUPED)
    first, second, third = proposals(challenge)
    journey.score_all(world, challenge, marks={first.pk: "8", second.pk: "6", third.pk: "5"})

    # when the buyer retains each lot's first, then no reason is asked
    select(world, challenge, [first, third])
    assert Challenge.objects.get(pk=challenge.pk).status == "selection_review"


@pytest.mark.django_db(transaction=True)
def test_leaving_a_ranked_lot_without_a_proposal_needs_a_justification(world, clock):
    # given three lots of one proposal each
    challenge = journey.in_scoring(world, clock)
    first, _second, _third = proposals(challenge)
    journey.score_all(world, challenge)

    # when the buyer retains lot 1's proposal only, then lots 2 and 3 need a reason
    fields = refusal(lambda: select(world, challenge, [first]))
    assert "lot n° 2, 3" in fields["justification"][0]


# --- the award, lot by lot ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_lot_awarded_to_nobody_is_declared_unsuccessful(world, clock):
    # given a call of three lots whose first lot's proposal alone was selected
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    first = proposals(challenge)[0]

    # when the buyer awards it, then signs (a MAPA: no standstill)
    complete(challenge, "award", world.buyer_agent, {"proposals": [first.pk]})
    complete(challenge, "sign", world.buyer_agent)

    # then lot 1 is awarded, lots 2 and 3 declared unsuccessful, as of the decision
    challenge.refresh_from_db()
    outcomes = {lot.number: (lot.outcome, lot.outcome_at) for lot in challenge.lots.all()}
    decided = challenge.award_decided_at
    assert decided is not None
    assert outcomes == {
        1: (LotOutcome.AWARDED, decided),
        2: (LotOutcome.UNSUCCESSFUL, decided),
        3: (LotOutcome.UNSUCCESSFUL, decided),
    }
    # and the API shows each lot's outcome to the public
    lots = ok(APIClient().get(challenge_url(challenge.pk, "lots/")))
    rows = lots["results"] if isinstance(lots, dict) else lots
    assert [(lot["number"], lot["outcome"]) for lot in rows] == [
        (1, "awarded"),
        (2, "unsuccessful"),
        (3, "unsuccessful"),
    ]
    # and the rapport d'analyse gives each lot its outcome
    text = rao_text(challenge)
    assert "Issue du lot : attribué." in text
    assert text.count("Issue du lot : infructueux.") == 2


# --- the lots, checked before publication -------------------------------------------------


def ready(world, **overrides):
    challenge = journey.start(world, **overrides)
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    return challenge


def publish(challenge):
    complete(
        challenge,
        "publish",
        challenge.buyer.memberships.first().user,
        {
            "positioning_deadline": paris(*journey.POSITIONING_END).isoformat(),
            "proposal_deadline": paris(*journey.PROPOSALS_END).isoformat(),
        },
    )


@pytest.mark.django_db(transaction=True)
def test_every_lot_of_a_divided_call_has_its_estimate_before_publication(world, clock):
    # given a call of three lots, the third without an estimate
    lots = [dict(lot) for lot in journey.LOTS]
    lots[2].pop("estimated_amount")
    challenge = ready(world, lots=lots, resources=PER_RESOURCE)

    # when the buyer publishes it, then it is refused on the lots, naming lot 3
    fields = refusal(lambda: publish(challenge))
    assert fields["lots"] == [
        "Indiquez le montant estimé HT du lot n° 3 : chaque lot est un marché."
    ]
    assert Challenge.objects.get(pk=challenge.pk).status == "ready"


@pytest.mark.django_db(transaction=True)
def test_r2121_1_the_lots_add_up_to_the_call_s_estimate_to_the_cent(world, clock):
    # given lots totalling one cent more than the call's estimate
    lots = [dict(lot) for lot in journey.LOTS]
    lots[2]["estimated_amount"] = Decimal("40000.01")
    challenge = ready(world, lots=lots, resources=PER_RESOURCE)

    # when published, then refused: the procedure follows all the lots together
    fields = refusal(lambda: publish(challenge))
    assert "article R2121-1" in fields["lots"][0]
    assert "180 000,01" in fields["lots"][0].replace("\u202f", " ").replace("\xa0", " ")

    # and at the exact total, it is published
    challenge.lots.filter(number=3).update(estimated_amount=Decimal("40000.00"))
    publish(challenge)
    assert Challenge.objects.get(pk=challenge.pk).status == "positioning"


@pytest.mark.django_db(transaction=True)
def test_l2113_11_an_undivided_call_of_several_resources_states_why(world, clock):
    # given the three resources in one lot, with no reason given
    challenge = ready(world, **{**journey.ONE_LOT, "single_lot_reason": ""})

    # when published, then refused on the reason, citing the articles
    fields = refusal(lambda: publish(challenge))
    assert "L2113-11" in fields["single_lot_reason"][0]
    assert "R2113-3" in fields["single_lot_reason"][0]

    # and with the reason, it is published
    Challenge.objects.filter(pk=challenge.pk).update(
        single_lot_reason="Un seul service, techniquement indissociable."
    )
    publish(Challenge.objects.get(pk=challenge.pk))
    assert Challenge.objects.get(pk=challenge.pk).status == "positioning"


@pytest.mark.django_db(transaction=True)
def test_a_divided_call_may_group_resources_in_a_lot_without_a_reason(world, clock):
    # given two lots, the first grouping two resources, and no reason
    challenge = ready(world, **GROUPED)

    # when published, then it is (the grouping within a divided call is the buyer's)
    publish(challenge)
    assert Challenge.objects.get(pk=challenge.pk).status == "positioning"


# --- the rapport d'analyse: prices, reasons, evaluators, ties -----------------------------


@pytest.mark.django_db(transaction=True)
def test_the_rao_gives_prices_reasons_evaluators_and_breaks_a_tie_by_the_stated_rule(world, clock):
    # given three proposals of one lot: the first and second tie at 75 on 100, the first
    # better on the heaviest criterion (technical value, 35 %), the second on the commons
    world.evaluators[0].first_name, world.evaluators[0].last_name = "Claire", "Martin"
    world.evaluators[0].save()
    challenge = journey.in_scoring(world, clock, **journey.ONE_LOT)
    first, second, third = proposals(challenge)
    reason = "Architecture modulaire, documentée et déjà éprouvée."
    journey.score_all(
        world,
        challenge,
        value="6",
        marks={
            first.pk: {"technique": "8"},
            second.pk: {"technique": "6", "usage-communs": "9.5", "production-communs": "9.5"},
            third.pk: dict.fromkeys(("technique", "environnement"), "4"),
        },
        comments={first.pk: {"technique": reason}},
    )

    # when the buyer retains the second, then it departs from the ranking: the rule of
    # the règlement puts the first ahead, so a justification is asked
    fields = refusal(lambda: select(world, challenge, [second]))
    assert "lot n° 1" in fields["justification"][0]
    select(world, challenge, [first])

    # then the rapport d'analyse gives each offer's price on the lot, the evaluators by
    # name and capacity, their reasons per criterion, and how the tie is broken
    text = rao_text(challenge)
    assert "Prix HT du lot" in text
    assert "25 500,00 €" in text
    assert "Claire Martin, évaluateur (Métropole Européenne de Lille)" in text
    assert "evaluateur2, évaluateur (Métropole Européenne de Lille)" in text
    assert reason in text
    assert (
        f"Ex aequo au rang 1 avec « {second.title} » ; selon la règle du règlement, "
        f"« {first.title} » l'emporte sur le critère « Valeur technique de la proposition »."
    ) in text


# --- the rapport de présentation, formal procedures only (R2184-1) ------------------------


def pack_pieces(challenge) -> dict[str, bytes]:
    from workflows.pack import build_pack

    challenge = Challenge.objects.get(pk=challenge.pk)
    return {f"{p.piece}:{p.key}": p.render for p in build_pack(challenge)}


@pytest.mark.django_db(transaction=True)
def test_r2184_1_a_formal_procedure_has_its_rapport_de_presentation(world, clock):
    # given a formal procedure (250 000 € HT, above the 216 000 € threshold), lot 1's
    # proposal retained, lots 2 and 3 left aside with the buyer's reason
    challenge = journey.in_cofunding(world, clock, estimated_amount=Decimal("250000.00"))
    journey.close_cofunding(clock)
    first, second, _third = proposals(challenge)

    # when the award pieces are put together
    pieces = pack_pieces(challenge)

    # then the rapport de présentation gives the R2184-2 and R2184-3 mentions
    docx = open_docx(pieces["rapport_presentation:"]())
    text = body_text(docx) + "\n".join(c for t in table_texts(docx) for r in t for c in r)
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    for mention in (
        "Métropole Européenne de Lille",
        "250 000,00 € HT",
        "appel d'offres ouvert",
        "Titulaire pressenti (R2184-2, 5°)",
        first.title,
        "25 500,00 € HT",
        "Aucune offre n'est retenue pour ce lot (R2184-3, 7°)",
        journey.LOTS_LEFT_ASIDE,
        "Conflits d'intérêts (6°)",
    ):
        assert mention in text, mention
    # and the lot-2 offer, ranked alone but not retained, is listed with its rank
    assert second.title in text


@pytest.mark.django_db(transaction=True)
def test_r2184_1_a_mapa_has_no_rapport_de_presentation(world, clock):
    # given a MAPA (180 000 € HT) at the same stage
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)

    # then its award pieces hold the rapport d'analyse but no rapport de présentation
    pieces = pack_pieces(challenge)
    assert "rapport_analyse:" in pieces
    assert "rapport_presentation:" not in pieces


@pytest.mark.django_db(transaction=True)
def test_r2183_1_an_awarded_formal_procedure_has_its_avis_d_attribution(world, clock):
    # given a formal procedure whose lot-1 proposal is awarded, lots 2 and 3 not
    challenge = journey.in_cofunding(world, clock, estimated_amount=Decimal("250000.00"))
    journey.close_cofunding(clock)
    first = proposals(challenge)[0]
    assert "avis_attribution:" not in pack_pieces(challenge)  # not before the award
    complete(challenge, "award", world.buyer_agent, {"proposals": [first.pk]})
    challenge.refresh_from_db()
    assert "avis_attribution:" not in pack_pieces(challenge)  # decided, not yet signed
    clock.move_to(challenge.standstill_ends_at)
    journey.sweep()
    complete(challenge, "sign", world.buyer_agent)
    # and the signature drew the pieces up again, the avis among them
    assert challenge.documents.filter(piece="avis_attribution").exists()

    # when the award pieces are put together
    docx = open_docx(pack_pieces(challenge)["avis_attribution:"]())

    # then lot 1 names its titulaire at its contract price, lots 2 and 3 are unsuccessful
    rows = {row[0]: row for row in table_texts(docx)[-1][1:]}
    titulaire = first.group.coordinator or first.group.members.first().organisation
    assert rows["1"][3] == titulaire.name
    assert rows["1"][4].replace("\u202f", " ").replace("\xa0", " ") == "25 500,00 €"
    # left aside at the selection, for a reason: declared sans suite (R2185-1)
    assert rows["2"][3] == rows["3"][3] == "Non attribué : lot déclaré sans suite"
