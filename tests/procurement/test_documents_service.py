"""The tender pack: generated in the background, versioned by content, revisable."""

import io
import zipfile

import pytest
from docx import Document
from rest_framework.test import APIClient

from kernel.errors import ApplicationError, Forbidden
from procurement.models import ChallengeStatus, DocumentStatus, TenderDocument
from procurement.services.documents import document_upload
from tests.workflows import journey
from workflows.documents import documents_request


@pytest.fixture
def documented(world, clock):
    """A challenge whose process reached the award step, its pack generated."""
    challenge = journey.in_cofunding(world, clock)
    journey.close_cofunding(clock)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARD
    return challenge


@pytest.mark.django_db(transaction=True)
def test_the_process_generates_every_piece_the_data_allows(documented):
    # the consultation documents at publication, the award pieces after the cofunding
    dce = set(documented.documents.filter(stage="dce").values_list("piece", flat=True))
    award = set(documented.documents.filter(stage="award").values_list("piece", flat=True))
    assert dce == {"reglement", "cctp", "ccap", "ae_lot", "dpgf"}
    assert {
        "rapport_analyse",
        "avis_chambre",
        "acte_engagement",
        "convention_cofinancement",
    } <= award
    assert not award & dce
    for stage in ("dce", "award"):
        job = documented.document_jobs.get(stage=stage)
        assert (job.status, job.done, job.total) == (DocumentStatus.DONE, job.total, job.total)
    reglement = documented.documents.get(piece="reglement")
    text = "\n".join(p.text for p in Document(reglement.file.open("rb")).paragraphs)
    assert documented.title in text


@pytest.mark.django_db(transaction=True)
def test_asking_again_for_unchanged_data_gives_the_same_versions(
    documented, world, django_capture_on_commit_callbacks
):
    before = dict(documented.documents.values_list("piece", "sha256"))
    with django_capture_on_commit_callbacks(execute=True):
        job = documents_request(challenge=documented, actor=world.buyer_agent)
    job.refresh_from_db()
    assert job.status == DocumentStatus.DONE
    assert not documented.documents.filter(version__gt=1).exists()
    assert dict(documented.documents.values_list("piece", "sha256")) == before


@pytest.mark.django_db(transaction=True)
def test_changed_data_gives_a_new_version_beside_the_old(
    documented, world, django_capture_on_commit_callbacks
):
    documented.title = "Mobilité partagée et logistique urbaine"
    documented.save(update_fields=["title"])
    with django_capture_on_commit_callbacks(execute=True):
        documents_request(challenge=documented, actor=world.buyer_agent)
    versions = list(
        documented.documents.filter(piece="rapport_analyse")
        .order_by("version")
        .values_list("version", "sha256")
    )
    assert [v for v, _ in versions] == [1, 2]
    assert versions[0][1] != versions[1][1]


@pytest.mark.django_db(transaction=True)
def test_a_revised_upload_is_kept_as_a_new_version_and_only_docx_is_accepted(documented, world):
    buffer = io.BytesIO()
    doc = Document()
    doc.add_paragraph("Règlement révisé par le service juridique.")
    doc.save(buffer)
    revised = document_upload(
        challenge=documented,
        actor=world.buyer_agent,
        piece="cctp",
        key="",
        content=buffer.getvalue(),
    )
    assert revised.version == 2
    assert revised.uploaded
    assert TenderDocument.objects.filter(challenge=documented, piece="cctp", version=1).exists()
    with pytest.raises(ApplicationError):
        document_upload(
            challenge=documented,
            actor=world.buyer_agent,
            piece="cctp",
            key="",
            content=b"%PDF-1.4 not a docx",
        )
    with pytest.raises(Forbidden):
        document_upload(
            challenge=documented,
            actor=world.partner_users[0],
            piece="cctp",
            key="",
            content=buffer.getvalue(),
        )


@pytest.mark.django_db(transaction=True)
def test_the_buyer_downloads_the_whole_pack_as_one_zip_and_a_partner_the_dce_only(
    documented, world
):
    client = APIClient()
    client.force_authenticate(world.buyer_agent)
    response = client.get(f"/api/v1/challenges/{documented.pk}/documents/zip/")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == documented.documents.count()
    client.force_authenticate(world.partner_users[0])
    response = client.get(f"/api/v1/challenges/{documented.pk}/documents/zip/")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == documented.documents.filter(stage="dce").count()
    assert not any(name.startswith(("acte_engagement", "rapport")) for name in names)


@pytest.mark.django_db(transaction=True)
def test_a_job_dying_midway_leaves_whole_pieces_only_and_completes_on_retry(
    documented, world, monkeypatch, django_capture_on_commit_callbacks
):
    # given a changed challenge, and a renderer that dies on the third piece once
    from workflows import pack as document_data

    documented.title = "Titre modifié"
    documented.save(update_fields=["title"])
    original = document_data.build_pack
    calls = {"n": 0}
    names = {}

    def flaky_pack(challenge):
        pieces = original(challenge)
        victim = pieces[2]
        names.update(first=(pieces[0].piece, pieces[0].key), victim=(victim.piece, victim.key))

        def boom():
            calls["n"] += 1
            if calls["n"] == 1:
                raise MemoryError("worker killed")
            return victim.render()

        pieces[2] = document_data.PackPiece(
            victim.piece, victim.key, victim.title, boom, victim.stage
        )
        return pieces

    monkeypatch.setattr(document_data, "build_pack", flaky_pack)

    # when the job runs and dies
    with pytest.raises(MemoryError), django_capture_on_commit_callbacks(execute=True):
        job = documents_request(challenge=documented, actor=world.buyer_agent)
    job = documented.document_jobs.order_by("-pk").first()

    # then it is recorded as failed with its reason, the first pieces are whole new
    # versions and the third has none
    assert job.status == DocumentStatus.FAILED
    assert "worker killed" in job.error
    first, victim = names["first"], names["victim"]
    assert documented.documents.filter(piece=first[0], key=first[1], version=2).exists()
    assert not documented.documents.filter(piece=victim[0], key=victim[1], version=2).exists()

    # and a retry of the same job completes what is missing without duplicating
    from workflows.tasks import generate_documents

    generate_documents.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == DocumentStatus.DONE
    assert documented.documents.filter(piece=victim[0], key=victim[1], version=2).count() == 1
    assert documented.documents.filter(piece=first[0], key=first[1], version=3).count() == 0


@pytest.mark.django_db(transaction=True)
def test_upload_through_the_api_checks_content_not_name_and_size(documented, world, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from procurement.services import documents as document_services

    client = APIClient()
    client.force_authenticate(world.buyer_agent)
    url = f"/api/v1/challenges/{documented.pk}/documents/upload/"
    buffer = io.BytesIO()
    Document().save(buffer)
    # a real .docx is kept as version 2 of the piece
    ok = client.post(
        url, {"piece": "ccap", "file": SimpleUploadedFile("ccap.docx", buffer.getvalue())}
    )
    assert ok.status_code == 201
    assert ok.json()["version"] == 2
    # a PDF renamed .docx is refused with the field named
    fake = client.post(url, {"piece": "ccap", "file": SimpleUploadedFile("x.docx", b"%PDF-1.7")})
    assert fake.status_code == 400
    assert "file" in fake.json()["fields"]
    # a file over the limit is answered 413
    monkeypatch.setattr(document_services, "MAX_UPLOAD_BYTES", 10)
    big = client.post(
        url, {"piece": "ccap", "file": SimpleUploadedFile("b.docx", buffer.getvalue())}
    )
    assert big.status_code == 413
    assert documented.documents.filter(piece="ccap").count() == 2
