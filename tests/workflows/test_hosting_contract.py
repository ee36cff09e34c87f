"""The contrat d'hébergement de commun (seed 003: « à quoi ressemblerait un contrat
d'hébergement de commun »): generated with the award pieces for each commons of a
retained proposal that has a host or is funded, read as the lawyer who signs it — every
party identified (name, legal form, SIRET, address, representative), the commons and its
licence, the host's duties, its fee, the duration, the exit and transfer, the reporting
and the disputes — and refused, in French, listing what is missing otherwise."""

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden
from procurement.documents import PIECES
from procurement.documents.context import LotPrice
from procurement.models import (
    BudgetLine,
    Commons,
    DocumentStatus,
    Lot,
    MemberShare,
    Organisation,
    TenderDocument,
    WorkingGroupMember,
)
from procurement.services.cofunding import pledge_withdraw
from procurement.services.hosting import commons_hosting_fee_set
from procurement.services.proposals import proposal_groupement_settle
from tests.procurement.documents.layout import layout_defects
from tests.procurement.documents.reading import body_text, open_docx
from tests.workflows import journey
from workflows.documents import documents_generate
from workflows.pack import Gap, Missing, Refusal, challenge_context, pack_refusals
from workflows.pack.hosting import hosting_contexts

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"


def plain(text: str) -> str:
    return text.replace(NNBSP, " ").replace(NBSP, " ")


def contract_of(challenge):
    [(key, context)] = hosting_contexts(challenge, challenge_context(challenge))
    return key, context


def test_a_funded_hosted_commons_gets_its_contract_with_every_party_identified(world, clock):
    # given a funded commons hosted by La Coop des Communs, the round closed
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    proposal = challenge.proposals.get(status="selected")

    # when the award pieces are generated, then the job stored the contract
    job = documents_generate(challenge=challenge)
    assert job.status == DocumentStatus.DONE, job.error
    document = TenderDocument.objects.get(challenge=challenge, piece="contrat_hebergement")
    docx = open_docx(document.file.read())
    text = plain(body_text(docx))

    # every party: the host, the buyer and each organisation of the working group
    parties = [world.host, world.buyer, *[m.organisation for m in proposal.group.members.all()]]
    for organisation in parties:
        for line in (
            organisation.name,
            f"Forme juridique : {organisation.legal_form}",
            f"SIRET : {organisation.siret}",
            organisation.address,
            f"Représentant : {organisation.representative_name}, "
            f"{organisation.representative_capacity}",
        ):
            assert line in text, line
    # the object, its licence, the duties, the fee, duration, exit, reporting, disputes
    assert f"licence {proposal.licence}" in text
    for clause in (
        "Obligations de la structure hébergeuse",
        "Reverser ces fonds aux contributeurs selon le budget de la proposition retenue",
        "Tenir les comptes du commun ouverts à tout moment aux contributeurs et aux financeurs",
        "Garder les ressources du commun accessibles sous sa licence",
        "Ne jamais s'approprier le commun",
        "La structure hébergeuse n'a pas de droit de décision sur le commun",
        "héberge le commun à titre gratuit",
        f"pour une durée de {challenge.contract_duration_months} mois",
        "Sortie et transfert du commun à une autre structure hébergeuse",
        "un préavis de 3 mois",
        "Compte rendu",
        "Règlement des litiges",
    ):
        assert clause in text, clause
    # nothing left to fill in by hand but the place and date of the signatures, and it
    # reads without a layout defect
    body = text.split("Fait à")[0]
    for blank in ("à désigner", "…", "___", "[", "None"):
        assert blank not in body, blank
    assert layout_defects(docx) == {}


def test_the_fee_agreed_is_printed_with_an_example(world, clock):
    # given the buyer states a fee of 2.5 % for the commons
    challenge = journey.in_cofunding(world, clock)
    resource = challenge.proposals.get(status="selected").group.resource
    commons_hosting_fee_set(actor=world.buyer_agent, resource=resource, hosting_fee=Decimal("2.5"))
    # when the contract is rendered
    _key, context = contract_of(challenge)
    text = plain(body_text(open_docx(PIECES["contrat_hebergement"].render(context))))
    # then it says what the host keeps, with an example
    assert "retient 2,5 % de chaque somme reçue" in text
    assert "pour 1 000,00 € reçus : 25,00 €" in text
    assert "à titre gratuit" not in text


@pytest.mark.parametrize("fee", ["0", "100"])
def test_the_fee_bounds_are_accepted(world, clock, fee):
    challenge = journey.in_cofunding(world, clock)
    resource = challenge.proposals.get(status="selected").group.resource
    commons = commons_hosting_fee_set(
        actor=world.buyer_agent, resource=resource, hosting_fee=Decimal(fee)
    )
    assert commons.hosting_fee == Decimal(fee)


@pytest.mark.parametrize("fee", ["-0.01", "100.01", "2.555"])
def test_a_fee_outside_0_to_100_or_finer_than_a_hundredth_is_refused(world, clock, fee):
    challenge = journey.in_cofunding(world, clock)
    resource = challenge.proposals.get(status="selected").group.resource
    with pytest.raises(ApplicationError) as refused:
        commons_hosting_fee_set(
            actor=world.buyer_agent, resource=resource, hosting_fee=Decimal(fee)
        )
    assert "hosting_fee" in refused.value.extra["fields"]
    assert Commons.objects.get(pk=resource.commons_id).hosting_fee == Decimal(0)


def test_only_the_buyer_sets_the_fee(world, clock):
    challenge = journey.in_cofunding(world, clock)
    resource = challenge.proposals.get(status="selected").group.resource
    with pytest.raises(Forbidden):
        commons_hosting_fee_set(
            actor=world.partner_users[0], resource=resource, hosting_fee=Decimal(5)
        )


def test_an_unidentified_party_refuses_the_contract_listing_what_is_missing(world, clock):
    # given the host without representative and a contributor without legal form
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    contributor = challenge.proposals.get(status="selected").group.members.first().organisation
    Organisation.objects.filter(pk=world.host.pk).update(representative_name="")
    Organisation.objects.filter(pk=contributor.pk).update(legal_form="")

    # when the contexts are built
    _key, refusal = contract_of(challenge)

    # then the piece is refused, naming each party and what it lacks
    assert isinstance(refusal, Refusal)
    assert refusal.message.startswith("Contrat d'hébergement du commun « ")
    assert "« La Coop des Communs » est incomplète (manque : représentant légal)" in (
        refusal.message
    )
    assert f"« {contributor.name} » est incomplète (manque : forme juridique)" in (refusal.message)
    assert set(refusal.gaps) == {
        Gap(Missing.IDENTITY, world.host.pk),
        Gap(Missing.IDENTITY, contributor.pk),
    }
    # and the buyer's page reads the same refusal
    assert refusal in pack_refusals(challenge)


def test_a_funded_commons_without_host_refuses_the_contract(world, clock):
    # given a funded resource whose host was withdrawn after the close
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    journey.withdraw_hosts(challenge)
    resource = challenge.proposals.get(status="selected").group.resource
    # then the contract waits for the host, pointing to where it is designated
    _key, refusal = contract_of(challenge)
    assert isinstance(refusal, Refusal)
    assert "la structure hébergeuse n'est pas désignée" in refusal.message
    assert Gap(Missing.HOST, resource.pk) in refusal.gaps


def test_a_commons_neither_hosted_nor_funded_has_no_contract(world, clock):
    # given a retained proposal in cofunding, no host and no pledge yet
    challenge = journey.in_cofunding(world, clock, host=False)
    pledge = challenge.cofunding_round.buckets.get().pledges.get()
    pledge_withdraw(actor=world.funder_users[0], pledge=pledge)
    # then there is nothing to host, so no contract and no refusal
    assert hosting_contexts(challenge, challenge_context(challenge)) == []


# --- the budget passed on: who receives how much ---------------------------------------

# journey.budget_lines("30000.00"): 25 500 € of development inside the contract, 4 500 €
# of coordination outside it.
PRICE, OUTSIDE = Decimal("25500.00"), Decimal("4500.00")
BUDGET_ARTICLE = "Budget reversé aux contributeurs"
FALLBACK = "Le groupe des contributeurs n'a pas fixé la part de chacun de ses membres"


def render(context) -> str:
    return plain(body_text(open_docx(PIECES["contrat_hebergement"].render(context))))


def budget_article(text: str) -> str:
    """The article « Budget reversé aux contributeurs », up to the next article."""
    heading = re.search(rf"Article \d+\W+{BUDGET_ARTICLE}\n", text)
    assert heading, text
    return text[heading.start() : text.index("Article", heading.end())]


def amounts(text: str) -> list[Decimal]:
    """Every amount in euros the text states in figures."""
    return [
        Decimal(figure.replace(" ", "").replace(",", "."))
        for figure in re.findall(r"(\d{1,3}(?: \d{3})*,\d{2}) €", text)
    ]


def with_second_member(world, challenge):
    """The selected proposal's working group joined by a second partner: a groupement."""
    proposal = challenge.proposals.get(status="selected")
    other = next(p for p in world.partners if p.pk != proposal.group.coordinator_id)
    WorkingGroupMember.objects.create(group=proposal.group, organisation=other)
    return proposal, other


def test_under_a_marche_public_the_price_is_set_apart_and_the_sole_contributor_gets_the_rest(
    world, clock
):
    # given a marché public whose selected proposal comes from a single organisation
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    proposal = challenge.proposals.get(status="selected")
    [member] = [m.organisation for m in proposal.group.members.all()]

    # when its contract is built and rendered
    _key, context = contract_of(challenge)
    article = budget_article(render(context))

    # then the price, paid by the buyer under the acte d'engagement, is not passed on by
    # the host; what it passes on is the part outside the contract, all to the member
    assert (context.contract_price, context.budget_total) == (PRICE, OUTSIDE)
    assert context.contract_lots == (LotPrice(number=1, price=PRICE),)
    # (article L2113-10: in a call of two lots, the price of lot 1, a marché of its own,
    # paid to the sole titulaire)
    assert (
        "Le prix du lot n° 1, 25 500,00 € HT (vingt-cinq mille cinq cents euros), est payé "
        f"par l'acheteur directement au titulaire, {member.name}, selon l'acte d'engagement : "
        "il ne transite pas par la structure hébergeuse" in article
    )
    assert "prix du marché" not in article
    assert "lots n°" not in article
    assert "répartition entre eux" not in article
    assert "s'élève à 4 500,00 € HT (quatre mille cinq cents euros)" in article
    assert (
        f"{member.name}, seule organisation contributrice, reçoit la totalité de ce budget : "
        "4 500,00 € HT (quatre mille cinq cents euros)." in article
    )


@pytest.mark.parametrize(
    "amounts_recorded",
    [("18000.00", "12000.00"), ("17000.00", "12000.00")],
    ids=["adding-up-to-the-budget", "missing-it"],
)
def test_hors_marche_member_shares_recorded_before_the_rule_are_not_read(
    world, clock, amounts_recorded
):
    """Articles R2142-19 to R2142-27: hors marché no groupement is declared
    (``proposal_submit`` refuses it); member shares a database may still hold from
    before that rule are no split of the subsidies, whether or not they make them."""
    # given a call hors marché whose selected proposal (30 000 €, all subsidised) comes
    # from a group of two, with member shares recorded as the submission once accepted
    challenge = journey.in_cofunding(world, clock, **journey.SUBSIDISED)
    journey.close_cofunding(clock)
    proposal, other = with_second_member(world, challenge)
    coordinator = proposal.group.coordinator
    lot = proposal.lots.get()
    for organisation, amount in zip((coordinator, other), amounts_recorded, strict=True):
        MemberShare.objects.create(
            proposal=proposal, lot=lot, organisation=organisation, amount=Decimal(amount)
        )

    # when the award pieces are generated
    job = documents_generate(challenge=challenge)
    assert job.status == DocumentStatus.DONE, job.error
    document = TenderDocument.objects.get(challenge=challenge, piece="contrat_hebergement")
    docx = open_docx(document.file.read())
    article = budget_article(plain(body_text(docx)))

    # then the contract is drawn up: no price of a marché, the budget passed on, the
    # contributors named, and no amount per contributor — the fallback says how it is
    # decided
    assert "Le prix" not in article
    assert "s'élève à 30 000,00 € HT (trente mille euros)" in article
    assert FALLBACK in article
    assert coordinator.name in article
    assert other.name in article
    assert amounts(article) == [Decimal("30000.00")]
    assert layout_defects(docx) == {}


def test_a_marche_public_groupement_gets_no_invented_split_of_the_budget_passed_on(world, clock):
    # given a marché public groupement that settled its shares of the contract price
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    proposal, other = with_second_member(world, challenge)
    coordinator = proposal.group.coordinator
    proposal_groupement_settle(
        actor=world.partner_users[world.partners.index(coordinator)],
        proposal=proposal,
        groupement_kind="joint",
        member_shares=[
            {"organisation": coordinator, "amount": PRICE - 10000},
            {"organisation": other, "amount": Decimal(10000)},
        ],
    )

    # when the contract is rendered
    _key, context = contract_of(challenge)
    article = budget_article(render(context))

    # then the shares of the price stay with the acte d'engagement: the contract fixes
    # no amount per contributor of what the host passes on, says how it is decided and
    # names the contributors among whom it is split
    assert FALLBACK in article
    assert (
        "tel que le groupe des contributeurs l'approuve selon l'article « Gouvernance du "
        "commun » ; la structure hébergeuse inscrit au registre la part ainsi approuvée "
        "avant tout versement" in article
    )
    assert coordinator.name in article
    assert other.name in article
    assert amounts(article) == [PRICE, OUTSIDE]
    # and the price goes to the titulaires as their acte d'engagement splits it
    assert (
        "est payé par l'acheteur directement aux titulaires, selon la répartition entre eux "
        "que fixe l'acte d'engagement : il ne transite pas" in article
    )


def answering_lots_1_and_2(challenge, price_of_lot_2: str):
    """The selected proposal answering lot 2 as well, one contract line pricing it, as
    ``proposal_submit`` records a proposal of a call that allows several lots
    (tests/procurement/test_proposal_lots.py)."""
    proposal = challenge.proposals.get(status="selected")
    second = Lot.objects.get(challenge=challenge, number=2)
    proposal.lots.add(second)
    BudgetLine.objects.create(
        proposal=proposal,
        lot=second,
        category="development",
        label="Développement du lot 2",
        quantity=Decimal(10),
        unit="day",
        rate=Decimal(price_of_lot_2) / 10,
        amount=Decimal(price_of_lot_2),
        scope="contract",
    )
    return proposal


def test_a_proposal_answering_two_lots_names_the_price_of_each_lot_not_of_the_marche(world, clock):
    """Article L2113-10: each lot is a marché of its own; the price of a proposal
    answering lots 1 and 2 is the price of those lots, not « le prix du marché »."""
    # given a marché public whose selected proposal answers lots 1 (25 500 €) and 2
    # (10 000 €) with 4 500 € outside the contract
    challenge = journey.in_cofunding(world, clock)
    proposal = answering_lots_1_and_2(challenge, "10000.00")

    # when its contract is built and rendered
    _key, context = contract_of(challenge)
    article = budget_article(render(context))

    # then the price is of lots 1 and 2, 35 500 € in all, each lot with its price
    assert context.contract_lots == (
        LotPrice(number=1, price=PRICE),
        LotPrice(number=2, price=Decimal("10000.00")),
    )
    assert "prix du marché" not in article
    assert (
        "Le prix des lots n° 1 et 2, 35 500,00 € HT (trente-cinq mille cinq cents euros) au "
        "total, est payé par l'acheteur directement au titulaire, "
        f"{proposal.group.coordinator.name}, selon l'acte d'engagement de chaque lot : il "
        "ne transite pas par la structure hébergeuse et le présent contrat ne le reverse "
        "pas. Chaque lot est un marché distinct, à son prix :" in article
    )
    assert "lot n° 1 : 25 500,00 € HT (vingt-cinq mille cinq cents euros)" in article
    assert "lot n° 2 : 10 000,00 € HT (dix mille euros)" in article
    assert (
        "Le budget de la proposition retenue hors du prix des lots n° 1 et 2, reversé par la "
        "structure hébergeuse, s'élève à 4 500,00 € HT" in article
    )
    assert amounts(article) == [PRICE + 10000, PRICE, Decimal("10000.00"), OUTSIDE, OUTSIDE]


def test_lot_prices_that_do_not_make_the_contract_price_are_refused(world, clock):
    # given the contract of a proposal answering lots 1 and 2, 35 500 € in all
    challenge = journey.in_cofunding(world, clock)
    answering_lots_1_and_2(challenge, "10000.00")
    _key, context = contract_of(challenge)

    # then lot prices making 35 400 € are refused, and so is a lot priced twice
    with pytest.raises(ValueError, match=r"lots' prices make 35400.00, the contract price"):
        replace(
            context,
            contract_lots=(
                LotPrice(number=1, price=PRICE),
                LotPrice(number=2, price=Decimal("9900.00")),
            ),
        )
    with pytest.raises(ValueError, match="priced twice"):
        replace(
            context,
            contract_lots=(
                LotPrice(number=1, price=PRICE),
                LotPrice(number=1, price=Decimal("10000.00")),
            ),
        )


def test_a_proposal_without_lines_outside_the_price_passes_nothing_on_but_what_comes_later(
    world, clock
):
    # given a marché public of one lot whose whole budget is the contract price
    challenge = journey.in_cofunding(world, clock)
    _key, context = contract_of(challenge)
    context = replace(
        context,
        challenge=replace(context.challenge, lots=context.challenge.lots[:1]),
        contract_price=PRICE + OUTSIDE,
        contract_lots=(LotPrice(number=1, price=PRICE + OUTSIDE),),
        budget_total=Decimal("0.00"),
    )
    # when it is rendered
    text = render(context)
    article = budget_article(text)
    # then the price is set apart, the host passes on only what it receives later, and
    # no duty sets a limit of zero
    assert "Le prix du marché, 30 000,00 € HT (trente mille euros)" in article
    assert "La proposition retenue n'a aucune ligne hors du prix du marché" in article
    assert amounts(article) == [PRICE + OUTSIDE]
    assert "dans la limite de 0,00 €" not in text
    assert "selon le budget de la proposition retenue, comme le prévoit l'article" in text
