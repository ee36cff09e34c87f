"""The award pieces about the commons, built from the database: the conventions and the
reciprocity contracts need the commons' host (refused with a French message naming the
commons otherwise), take the proposal's milestones and the ledger's subsidies; the
Chambre's letters say what they are about and are numbered. Every piece of a demo-like
journey is read back for the layout defects a lawyer would notice."""

from datetime import date
from decimal import Decimal

import pytest

from kernel.errors import WrongState
from procurement.documents import PIECES
from procurement.models import (
    Commons,
    DocumentJob,
    DocumentStatus,
    IncomeKind,
    Intent,
    Role,
    TenderDocument,
)
from procurement.services.cofunding import (
    matching_offer_create,
    pledge_create,
    pledge_withdraw,
)
from procurement.services.hosting import resource_host_designate
from procurement.services.ledger import income_record
from tests.conftest import member
from tests.procurement.documents.layout import layout_defects
from tests.procurement.documents.reading import body_text, open_docx, table_texts
from tests.workflows import journey
from workflows.documents import documents_generate
from workflows.pack import Refusal, build_dce, build_pack, challenge_context
from workflows.pack.conventions import cofunding_contexts, reciprocity_contexts
from workflows.pack.opinions import opinion_contexts

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"


def plain(text: str) -> str:
    return text.replace(NNBSP, " ").replace(NBSP, " ")


def test_no_convention_without_a_host_the_job_names_the_commons(world, clock):
    # given a closed round whose funded resource has no host
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    journey.withdraw_hosts(challenge)
    challenge.refresh_from_db()
    resource = challenge.proposals.order_by("pk").first().group.resource
    # when the award pieces are generated
    with pytest.raises(WrongState):
        documents_generate(challenge=challenge)
    # then the convention is not generated, the other pieces are, and the job says why
    job = DocumentJob.objects.filter(challenge=challenge).order_by("-pk").first()
    assert job.status == DocumentStatus.FAILED
    assert job.error.startswith(
        f"Convention de cofinancement du commun « {resource.title} » non générée : "
        "désignez d'abord sa structure hébergeuse, qui reçoit les fonds et les reverse aux "
        "contributeurs."
    )
    # and so is the contrat d'hébergement, for the same reason
    assert (
        f"Contrat d'hébergement du commun « {resource.title} » non établi : la structure "
        "hébergeuse n'est pas désignée." in job.error
    )
    assert "Structure hébergeuse à désigner" not in job.error
    stored = set(TenderDocument.objects.filter(challenge=challenge).values_list("piece", flat=True))
    assert "convention_cofinancement" not in stored
    assert "rapport_analyse" in stored


def test_once_the_host_is_designated_the_convention_is_generated(world, clock):
    # given the same call, then the buyer designates the host
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    journey.withdraw_hosts(challenge)
    challenge.refresh_from_db()
    resource = challenge.proposals.order_by("pk").first().group.resource
    with pytest.raises(WrongState):
        documents_generate(challenge=challenge)
    resource_host_designate(actor=world.buyer_agent, resource=resource, host=world.host)
    # when
    job = documents_generate(challenge=challenge)
    # then
    assert job.status == DocumentStatus.DONE
    document = TenderDocument.objects.get(challenge=challenge, piece="convention_cofinancement")
    text = body_text(open_docx(document.file.read()))
    assert "La Coop des Communs" in text
    assert "à désigner" not in text


def test_a_reciprocity_contract_without_host_is_refused_naming_the_commons(world, clock):
    # given a partner that declared a commercial use of the funded resource, no host
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    journey.withdraw_hosts(challenge)
    resource = challenge.proposals.order_by("pk").first().group.resource
    position = resource.positions.first()
    position.intent = Intent.USE
    position.save()
    # when
    contexts = dict(reciprocity_contexts(challenge, challenge_context(challenge)))
    # then
    refusal = contexts[str(position.pk)]
    assert isinstance(refusal, Refusal)
    assert f"« {resource.title} »" in refusal.message
    assert position.organisation.name in refusal.message


def test_the_convention_takes_the_proposal_s_milestones_and_the_ledger_s_subsidies(world, clock):
    # given a funded, hosted commons with a subsidy recorded by its host
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    proposal = challenge.proposals.order_by("pk").first()
    commons = Commons.objects.get(challenge_resources__pk=proposal.group.resource_id)
    treasurer = member(world.host, "tresoriere.coop", Role.ADMIN)
    income_record(
        actor=treasurer,
        commons=commons,
        amount=Decimal("4000.00"),
        received_on=date(2026, 9, 15),
        source_name="ANCT",
        kind=IncomeKind.SUBSIDY,
        subsidy_label="Fabrique prospective",
    )
    income_record(  # a gift is no subsidy: not listed
        actor=treasurer,
        commons=commons,
        amount=Decimal("50.00"),
        received_on=date(2026, 9, 16),
        source_name="Un donateur",
    )
    # when
    convention = dict(cofunding_contexts(challenge, challenge_context(challenge)))[str(proposal.pk)]
    # then the proposal's single milestone releases the whole amount
    assert [(m.label, m.due_on, m.deliverable) for m in convention.milestones] == [
        ("Version 1", date(2027, 3, 1), "Code publié")
    ]
    assert convention.milestones[0].amount == convention.total
    assert [(s.grantor, s.amount, s.label) for s in convention.subsidies] == [
        ("ANCT", Decimal("4000.00"), "Fabrique prospective")
    ]
    assert {p.name for p in convention.contributors} == {
        m.organisation.name for m in proposal.group.members.all()
    }
    assert convention.host.name == "La Coop des Communs"
    # and the piece prints them
    document = open_docx(PIECES["convention_cofinancement"].render(convention))
    rows = next(t for t in table_texts(document) if t[0][0] == "Jalon")
    assert rows[1][0] == "Version 1"
    assert "Fabrique prospective" in body_text(document)


def test_the_convention_names_the_matcher_honoured_at_the_close(world, clock):
    # given the one commons short of a third, matched 1 for 1 by the Banque des
    # Territoires up to that third
    challenge = journey.in_cofunding(world, clock)
    round_ = challenge.cofunding_round
    bucket = round_.buckets.get()
    whole = bucket.pledges.get()
    third = (whole.amount / 3).quantize(Decimal("0.01"))
    pledge_withdraw(actor=world.funder_users[0], pledge=whole)
    pledge_create(
        actor=world.funder_users[0],
        bucket=bucket,
        funder=world.funders[0],
        amount=whole.amount - third,
    )
    matching_offer_create(
        actor=world.funder_users[1],
        round_=round_,
        matcher=world.funders[1],
        ratio=Decimal(1),
        cap=third * 2,
    )
    # when the round closes and the convention is built
    journey.close_cofunding(clock)
    convention = dict(cofunding_contexts(challenge, challenge_context(challenge)))[
        str(bucket.proposal_id)
    ]
    # then the matcher is a funder whose whole apport is matched funds, within its terms
    lines = {line.funder.name: line for line in convention.funders}
    banque = lines["Banque des Territoires"]
    assert (banque.amount, banque.matched, banque.ratio, banque.cap) == (
        third,
        third,
        Decimal("1.00"),
        third * 2,
    )
    assert lines["ADEME Hauts-de-France"].matched == 0
    assert convention.total == whole.amount
    text = plain(body_text(open_docx(PIECES["convention_cofinancement"].render(convention))))
    assert "Banque des Territoires intervenant en outre en qualité d'abondeur" in text


def test_opinions_are_numbered_per_subject_and_know_the_catalogue(world, clock):
    # given a call with an opinion on the call and one on the selection, and a catalogue
    # of two referenced commons
    challenge = journey.in_cofunding(world, clock)
    for name in ("Base Adresse Nationale", "OpenStreetMap"):
        Commons.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            category="knowledge",
            referenced=True,
            referenced_at=challenge.created_at,
        )
    # when
    contexts = [c for _key, c in opinion_contexts(challenge, challenge_context(challenge))]
    # then
    assert [(c.topic.value, c.number, c.count) for c in contexts] == [
        ("call", 1, 1),
        ("selection", 1, 1),
    ]
    assert all(c.catalogue_size == 2 for c in contexts)
    selection = contexts[1]
    first = challenge.proposals.order_by("pk").first()
    assert any(first.title in line for line in selection.selected)
    text = body_text(open_docx(PIECES["avis_chambre"].render(selection)))
    assert "Objet : avis sur la sélection des propositions de l'appel à communs" in text
    assert "Aucun commun n'est référencé à ce jour" not in text


def test_every_piece_of_the_journey_reads_without_layout_defect(world, clock):
    # given a demo-like journey: published, scored, selected, cofunded, hosted, closed
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    # when every piece of the DCE and of the award is rendered
    pieces = build_dce(challenge) + build_pack(challenge)
    # then
    assert not [p.refusal for p in pieces if p.refusal]
    defects = {f"{p.piece}/{p.key}": layout_defects(open_docx(p.render())) for p in pieces}
    assert {key: found for key, found in defects.items() if found} == {}
    assert {"convention_cofinancement", "avis_chambre", "reglement"} <= {p.piece for p in pieces}
