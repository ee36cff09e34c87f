"""The contrat d'hébergement de commun (seed 003: « à quoi ressemblerait un contrat
d'hébergement de commun »): generated with the award pieces for each commons of a
retained proposal that has a host or is funded, read as the lawyer who signs it — every
party identified (name, legal form, SIRET, address, representative), the commons and its
licence, the host's duties, its fee, the duration, the exit and transfer, the reporting
and the disputes — and refused, in French, listing what is missing otherwise."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden
from procurement.documents import PIECES
from procurement.models import Commons, DocumentStatus, Organisation, TenderDocument
from procurement.services.cofunding import pledge_withdraw
from procurement.services.hosting import commons_hosting_fee_set
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
