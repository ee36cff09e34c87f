"""The consultation documents (DCE): generated from the call alone at its publication,
public from then on, and versioned when the published call changes (issue 14, item 3)."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from kernel.errors import ApplicationError, Forbidden
from procurement.models import ChallengeResource, DocumentStage, Notification, TenderDocument
from procurement.services.notifications import subscription_set
from procurement.services.proposals import proposal_submit
from scoring.models import Grid
from scoring.queries import criteria_of
from tests.conftest import paris
from tests.procurement.documents.reading import body_text, open_docx, table_texts
from tests.workflows import journey
from workflows.documents import dce_request
from workflows.services import call_amend

DCE_PUBLIC_CONTRACT = {"reglement", "cctp", "ccap", "ae_lot", "dpgf"}
SECRET_TITLE = "Proposition Zanzibar-Hélicoïde"
SECRET_DELIVERABLE = "Livrable-confidentiel-8472"
SECRET_PRICE = "98765"


def publish(world, capture, **overrides):
    with capture(execute=True):
        challenge = journey.published(world, **overrides)
    challenge.refresh_from_db()
    return challenge


def text_of(document: TenderDocument) -> str:
    with document.file.open("rb") as handle:
        docx = open_docx(handle.read())
    text = body_text(docx) + "\n".join(
        cell for table in table_texts(docx) for row in table for cell in row
    )
    return text.replace("\xa0", " ").replace("\u202f", " ")


def current(challenge, piece: str, key: str = "") -> TenderDocument:
    return (
        TenderDocument.objects.filter(challenge=challenge, piece=piece, key=key)
        .order_by("-version")
        .first()
    )


@pytest.mark.django_db
def test_publication_generates_the_dce_of_a_marche_public_per_lot_and_freezes_the_grid(
    world, clock, django_capture_on_commit_callbacks
):
    # when a marché public of three resources (three lots by default) is published
    challenge = publish(world, django_capture_on_commit_callbacks)

    # then its DCE is there, marked public, with an AE form and a DPGF per lot
    documents = TenderDocument.objects.filter(challenge=challenge)
    assert set(documents.values_list("stage", flat=True)) == {DocumentStage.DCE}
    assert set(documents.values_list("piece", flat=True)) == DCE_PUBLIC_CONTRACT
    assert set(documents.filter(piece="dpgf").values_list("key", flat=True)) == {
        "lot-1",
        "lot-2",
        "lot-3",
    }
    assert set(documents.filter(piece="ae_lot").values_list("key", flat=True)) == {
        "lot-1",
        "lot-2",
        "lot-3",
    }
    assert all(len(d.sha256) == 64 and d.size > 0 for d in documents)
    job = challenge.document_jobs.get()
    assert (job.stage, job.status) == (DocumentStage.DCE, "done")
    # and the grid printed in the RC is frozen
    assert Grid.objects.get(challenge=challenge).frozen_at is not None


@pytest.mark.django_db
def test_the_rc_carries_the_mandatory_mentions(world, clock, django_capture_on_commit_callbacks):
    # given a published call
    challenge = publish(world, django_capture_on_commit_callbacks)
    # when its RC is opened again
    text = text_of(current(challenge, "reglement"))
    # then it states the framing, procedure, lots, criteria, method, deadlines and rules
    for mention in (
        "Cadre juridique : Marché public",
        "procédure adaptée (MAPA)",
        "L2113-10",
        "Lot",
        "180 000,00 €",
        "R2152-7",
        "R2152-12",
        "somme pondérée des critères",
        "prix le plus bas ÷ prix de l'offre",
        "R2132-2",
        "120 jours",
        "DUME",
        "DC1",
        "groupement conjoint ou solidaire",
        "variantes ne sont pas autorisées",
        "R2123-5",
        "L551-1",
        "tribunal administratif",
        "Métropole Européenne de Lille",
        "10 octobre 2026",
        "12 h",
    ):
        assert mention in text, mention
    for criterion in criteria_of(challenge):
        assert criterion.label in text


@pytest.mark.django_db
def test_no_offer_data_reaches_the_dce(world, clock, django_capture_on_commit_callbacks):
    # given a published call with a proposal carrying distinctive text and price
    challenge = publish(world, django_capture_on_commit_callbacks)
    journey.position_and_propose(world, challenge)
    clock.move_to(paris(2026, 9, 10, 12, 1))
    journey.sweep()
    resource = ChallengeResource.objects.filter(challenge=challenge).order_by("order").first()
    proposal_submit(
        actor=world.partner_users[0],
        group=resource.working_group,
        title=SECRET_TITLE,
        summary=SECRET_TITLE,
        deliverables=SECRET_DELIVERABLE,
        licence="MIT",
        governance="Gouvernance-secrète-xyz",
        community="Communauté-secrète-xyz",
        budget_lines=journey.budget_lines(f"{SECRET_PRICE}.00"),
        milestones=journey.milestones(),
    )
    # when the DCE is generated again
    with django_capture_on_commit_callbacks(execute=True):
        dce_request(challenge=challenge, actor=world.buyer_agent)
    # then no piece carries any of the offer's data
    for document in TenderDocument.objects.filter(challenge=challenge):
        text = text_of(document)
        for secret in (
            SECRET_TITLE,
            SECRET_DELIVERABLE,
            "Gouvernance-secrète-xyz",
            "Communauté-secrète-xyz",
            "98 765",
            "987,65",
        ):
            assert secret not in text, (document.piece, document.key, secret)
    # and, the call being unchanged, no new version was made
    assert not TenderDocument.objects.filter(challenge=challenge, version__gt=1).exists()


@pytest.mark.django_db
def test_the_ae_form_and_dpgf_are_blank_and_about_their_lot_only(
    world, clock, django_capture_on_commit_callbacks
):
    challenge = publish(world, django_capture_on_commit_callbacks)
    resources = list(challenge.resources.order_by("order"))
    ae = text_of(current(challenge, "ae_lot", "lot-2"))
    dpgf = text_of(current(challenge, "dpgf", "lot-2"))
    assert "groupement solidaire" in ae
    assert "Prix du lot" in ae
    assert resources[1].title in ae
    assert resources[0].title not in ae
    assert resources[1].title in dpgf
    assert resources[2].title not in dpgf
    assert "Total hors taxes" in dpgf
    assert "TVA (20 %)" in dpgf
    assert "Total toutes taxes comprises" in dpgf


@pytest.mark.django_db
def test_an_anonymous_visitor_downloads_the_dce_right_after_publication(
    world, clock, django_capture_on_commit_callbacks
):
    # given a call just published
    challenge = publish(world, django_capture_on_commit_callbacks)
    client = APIClient()

    # when an anonymous visitor lists its documents
    response = client.get(f"/api/v1/challenges/{challenge.pk}/documents/")

    # then every DCE piece is listed with its version, SHA-256, size and URL
    assert response.status_code == 200
    rows = response.json()["documents"]
    assert response.json()["job"] is None
    assert {r["piece"] for r in rows} == DCE_PUBLIC_CONTRACT
    assert all(r["public"] and r["version"] == 1 and len(r["sha256"]) == 64 for r in rows)
    # and downloads one, and the zip of the current versions
    rc = next(r for r in rows if r["piece"] == "reglement")
    download = client.get(rc["download_url"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert len(content) == rc["size"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/api/v1/challenges/{challenge.pk}/documents/zip/").content)
    )
    assert len(archive.namelist()) == len(rows)
    # and the public page links them
    page = client.get(f"/defis/{challenge.pk}/").content.decode()
    assert "Dossier de consultation" in page
    assert rc["download_url"] in page
    assert f"/api/v1/challenges/{challenge.pk}/documents/zip/" in page
    assert "Marché public" in page


@pytest.mark.django_db
def test_award_pieces_stay_restricted_to_the_buyer(
    world, clock, django_capture_on_commit_callbacks
):
    # given a published call with an award piece (stored as the award stage stores it)
    challenge = publish(world, django_capture_on_commit_callbacks)
    from procurement.services.documents import _store

    award, _created = _store(
        challenge=challenge, piece="rapport_analyse", key="", title="Rapport", content=b"x"
    )
    client = APIClient()
    # then an anonymous visitor neither sees nor downloads it: to them it does not exist
    listed = client.get(f"/api/v1/challenges/{challenge.pk}/documents/").json()["documents"]
    assert "rapport_analyse" not in {r["piece"] for r in listed}
    url = f"/api/v1/challenges/{challenge.pk}/documents/{award.pk}/download/"
    assert client.get(url).status_code == 404
    client.force_authenticate(world.partner_users[0])
    assert client.get(url).status_code == 404
    # and the buyer's agent does
    client.force_authenticate(world.buyer_agent)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_draft_has_no_public_documents(world, clock):
    challenge = journey.start(world)
    response = APIClient().get(f"/api/v1/challenges/{challenge.pk}/documents/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_hors_marche_gives_the_reglement_de_l_appel_and_no_ae_nor_ccap(
    world, clock, django_capture_on_commit_callbacks
):
    challenge = publish(world, django_capture_on_commit_callbacks, framing="outside_contract")
    pieces = set(TenderDocument.objects.filter(challenge=challenge).values_list("piece", flat=True))
    assert pieces == {"reglement_appel", "cctp", "demande_subvention"}
    text = text_of(current(challenge, "reglement_appel"))
    assert "Règlement de l'appel à communs" in text
    assert "hors marché public" in text
    assert "loi n° 2000-321" in text
    assert "L551-1" not in text


@pytest.mark.django_db
def test_a_change_makes_version_2_notifies_and_a_substantial_one_extends_the_deadline(
    world, clock, django_capture_on_commit_callbacks
):
    # given a published call, a positioned partner and a subscriber
    challenge = publish(world, django_capture_on_commit_callbacks)
    journey.position_and_propose(world, challenge)
    subscription_set(actor=world.stranger, subscribed=True)
    first = {(d.piece, d.key): d.sha256 for d in TenderDocument.objects.filter(challenge=challenge)}
    mail.outbox.clear()
    new_deadline = paris(2026, 10, 20, 12, 0)

    # when the buyer changes a lot's estimate, substantially
    with django_capture_on_commit_callbacks(execute=True):
        call_amend(
            actor=world.buyer_agent,
            challenge=challenge,
            summary="Le montant estimé du lot 1 passe à 75 000 € HT.",
            substantial=True,
            new_proposal_deadline=new_deadline,
            lot_estimates={1: Decimal("75000.00")},
        )

    # then the RC has a version 2 beside version 1, which mentions the change
    challenge.refresh_from_db()
    versions = TenderDocument.objects.filter(challenge=challenge, piece="reglement")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    rc = text_of(current(challenge, "reglement"))
    assert "75 000,00 €" in rc
    assert "Le montant estimé du lot 1 passe à 75 000 € HT." in rc
    assert "20 octobre 2026" in rc
    assert current(challenge, "reglement").sha256 != first[("reglement", "")]
    # and the deadline moved
    assert challenge.proposal_deadline == new_deadline
    # and the positioned partners and the subscriber are told
    told = set(
        Notification.objects.filter(kind="call_amended").values_list("recipient_id", flat=True)
    )
    assert world.stranger.pk in told
    assert world.partner_users[0].pk in told
    assert any("Appel modifié" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_a_substantial_change_without_a_later_deadline_is_refused_and_writes_nothing(
    world, clock, django_capture_on_commit_callbacks
):
    challenge = publish(world, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as refused:
        call_amend(
            actor=world.buyer_agent,
            challenge=challenge,
            summary="Nouveau périmètre",
            substantial=True,
            context="Un tout autre objet.",
        )
    assert "new_proposal_deadline" in refused.value.extra["fields"]
    challenge.refresh_from_db()
    assert challenge.context != "Un tout autre objet."
    assert not challenge.amendments.exists()


@pytest.mark.django_db
def test_who_may_change_the_call_is_checked_before_what_the_change_asks(
    world, clock, django_capture_on_commit_callbacks
):
    # given a published call and a partner, who may not change it
    challenge = publish(world, django_capture_on_commit_callbacks)
    # when the partner asks a substantial change without a new deadline
    with pytest.raises(Forbidden):
        call_amend(
            actor=world.partner_users[0],
            challenge=challenge,
            summary="Nouveau périmètre",
            substantial=True,
        )
    # then it is told it may not (403), not what the change lacks (400)
    assert not challenge.amendments.exists()


@pytest.mark.django_db
def test_the_buyer_amends_through_the_api_and_anyone_lists_the_changes(
    world, clock, django_capture_on_commit_callbacks
):
    challenge = publish(world, django_capture_on_commit_callbacks)
    client = APIClient()
    url = f"/api/v1/challenges/{challenge.pk}/amendments/"
    assert client.post(url, {"summary": "x"}, format="json").status_code == 401
    client.force_authenticate(world.partner_users[0])
    assert client.post(url, {"summary": "x", "context": "y"}, format="json").status_code == 403
    client.force_authenticate(world.buyer_agent)
    for estimates in ({"9": "10"}, {"abc": "10"}, {"-1": "10"}):
        bad = client.post(url, {"summary": "Lot", "lot_estimates": estimates}, format="json")
        assert bad.status_code == 400, estimates
        assert "lot_estimates" in bad.json()["fields"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"summary": "Précision de l'objet.", "context": "Objet précisé : covoiturage."},
            format="json",
        )
    assert response.status_code == 201
    assert "Objet précisé" in text_of(current(challenge, "cctp"))
    assert current(challenge, "cctp").version == 2
    listed = APIClient().get(url).json()
    assert [a["summary"] for a in listed] == ["Précision de l'objet."]
