"""The acte d'engagement of a lot is drawn up only once its titulaire is identified
(issue 15, item 4): without a SIRET, an address, a legal representative and a capacity
the piece is not generated, and the document job says so in French, naming the
organisation and what is missing — a deed to sign never names "à désigner"."""

import pytest
from docx import Document

from kernel.errors import WrongState
from procurement.models import ChallengeStatus, DocumentStatus, Organisation
from procurement.services.organisations import organisation_identity_update
from tests.api.conftest import api  # noqa: F401 (fixture)
from tests.workflows import journey
from workflows.documents import documents_generate


def awardee_of(challenge) -> Organisation:
    proposal = challenge.proposals.filter(status="selected").get()
    return proposal.group.coordinator


def text_of(document) -> str:
    docx = Document(document.file.open("rb"))
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in docx.paragraphs] + cells)


@pytest.mark.django_db(transaction=True)
def test_the_acte_engagement_is_refused_while_the_titulaire_is_not_identified(world, clock):
    # given a selected proposal whose organisation has no SIRET nor representative
    challenge = journey.in_cofunding(world, clock)
    awardee = awardee_of(challenge)
    Organisation.objects.filter(pk=awardee.pk).update(siret="", representative_name="")

    # when the round closes and the process generates the award pieces
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    with pytest.raises(WrongState) as refused:
        documents_generate(challenge=challenge)

    # then no acte d'engagement, the other pieces are stored, and the job names the
    # organisation and the missing fields
    job = challenge.document_jobs.get(stage="award")
    assert job.status == DocumentStatus.FAILED
    expected = (
        f"Acte d'engagement du lot 1 non établi : l'identité de « {awardee.name} » est "
        "incomplète (manque : SIRET, représentant légal)."
    )
    assert expected in job.error
    assert expected in str(refused.value.message)
    assert refused.value.code == "pieces_refused"
    assert "WrongState" not in job.error
    award = set(challenge.documents.filter(stage="award").values_list("piece", flat=True))
    assert "acte_engagement" not in award
    assert "rapport_analyse" in award
    # and the process waits at the generation: the award cannot be signed without it
    assert challenge.status != ChallengeStatus.AWARD


@pytest.mark.django_db(transaction=True)
def test_the_acte_engagement_follows_once_a_member_completes_the_identity(world, clock):
    # given a titulaire without a representative: the generation was refused
    challenge = journey.in_cofunding(world, clock)
    awardee = awardee_of(challenge)
    Organisation.objects.filter(pk=awardee.pk).update(
        representative_name="", representative_capacity=""
    )
    journey.close_cofunding(clock)
    with pytest.raises(WrongState, match="représentant légal, qualité du représentant"):
        documents_generate(challenge=challenge)

    # when one of its members states it
    user = world.partner_users[world.partners.index(awardee)]
    organisation_identity_update(
        actor=user,
        organisation=Organisation.objects.get(pk=awardee.pk),
        representative_name="Mme Inès Petit",
        representative_capacity="présidente",
    )
    job = documents_generate(challenge=challenge)

    # then the acte d'engagement of the lot names it, with its SIRET and address
    assert job.status == DocumentStatus.DONE
    piece = challenge.documents.get(piece="acte_engagement", key="lot-1")
    text = text_of(piece)
    assert "Représentant : Mme Inès Petit, présidente" in text
    assert f"SIRET : {awardee.siret}" in text
    assert awardee.address in text
    for defect in ("à désigner", "zéro centime", "douze mois"):
        assert defect not in text


@pytest.mark.django_db(transaction=True)
def test_the_process_goes_on_to_the_award_when_every_titulaire_is_identified(world, clock):
    # given the world's partners, identified; when the round closes
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    # then the pieces are generated, the acte d'engagement among them
    assert challenge.status == ChallengeStatus.AWARD
    assert challenge.documents.filter(piece="acte_engagement", key="lot-1").exists()


@pytest.mark.django_db(transaction=True)
def test_the_buyer_asking_for_the_pack_is_told_what_is_missing_409(world, clock, api):  # noqa: F811
    # given the award step reached, then the titulaire's address removed
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    awardee = awardee_of(challenge)
    Organisation.objects.filter(pk=awardee.pk).update(address="")

    # when the buyer asks for the pack again
    response = api(world.buyer_agent).post(f"/api/v1/challenges/{challenge.pk}/documents/")

    # then 409 with the French message, and the job shows it
    assert response.status_code == 409, response.content
    message = response.json()["message"]
    assert f"l'identité de « {awardee.name} » est incomplète (manque : adresse)" in message
    job = challenge.document_jobs.filter(stage="award").order_by("-pk").first()
    assert (job.status, job.error) == (DocumentStatus.FAILED, message)
