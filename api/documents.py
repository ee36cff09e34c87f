"""The documents of a call: the consultation documents (DCE), public from the call's
publication — listed, downloaded one by one or as a zip by anyone, signed in or not
(article R2132-2 of the code de la commande publique) — and the award pieces, for the
buyer's staff only; the award pieces' generation and the buyer's revised pieces."""

import io
import zipfile

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound, TooLarge
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import DocumentJob, DocumentStage, TenderDocument
from procurement.services import documents as document_services
from procurement.uploads import open_stored
from workflows import documents as workflow_documents

from .views import ChallengeScoped, validated


class DocumentSerializer(ModelSerializer):
    download_url = serializers.SerializerMethodField()
    uploaded = serializers.BooleanField(read_only=True)
    public = serializers.SerializerMethodField(
        help_text="Pièce du dossier de consultation (DCE), publique dès la publication."
    )

    class Meta:
        model = TenderDocument
        fields = [
            "id",
            "piece",
            "stage",
            "public",
            "key",
            "version",
            "title",
            "sha256",
            "size",
            "uploaded",
            "created_at",
            "withdrawn_at",
            "download_url",
        ]

    def get_download_url(self, document) -> str:
        return f"/api/v1/challenges/{document.challenge_id}/documents/{document.pk}/download/"

    def get_public(self, document) -> bool:
        return document.stage == DocumentStage.DCE


class DocumentJobSerializer(ModelSerializer):
    class Meta:
        model = DocumentJob
        fields = ["id", "status", "total", "done", "attempts", "error", "created_at", "finished_at"]


class DocumentUploadInput(Serializer):
    piece = serializers.CharField(max_length=40)
    key = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    file = serializers.FileField(help_text="Version révisée, au format .docx (20 Mo au plus).")


class DocumentList(ChallengeScoped, APIView):
    """Every version of the pieces the caller may read: the DCE for anyone once the call
    is public; the award pieces and the latest generation job for the buyer's staff."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        responses=inline_serializer(
            "Documents",
            {
                "job": DocumentJobSerializer(
                    allow_null=True, help_text="La dernière génération (agents de l'acheteur)."
                ),
                "documents": DocumentSerializer(many=True),
            },
        ),
    )
    def get(self, request, challenge_pk):
        challenge = self.challenge()
        job = None
        if queries.is_buyer_staff(request.user, challenge):
            job = challenge.document_jobs.order_by("-created_at", "-id").first()
        documents = queries.documents_visible_to(request.user, challenge)
        return Response(
            {
                "job": DocumentJobSerializer(job).data if job else None,
                "documents": DocumentSerializer(documents, many=True).data,
            }
        )

    @extend_schema(request=None, responses={202: DocumentJobSerializer})
    def post(self, request, challenge_pk):
        job = workflow_documents.documents_request(challenge=self.challenge(), actor=request.user)
        return Response(DocumentJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DocumentUpload(ChallengeScoped, APIView):
    """The buyer uploads a revised version of a generated piece (kept beside it)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request=DocumentUploadInput, responses={201: DocumentSerializer})
    def post(self, request, challenge_pk):
        data = validated(DocumentUploadInput, request)
        upload = data["file"]
        if upload.size > document_services.MAX_UPLOAD_BYTES:
            raise TooLarge(_("Le fichier dépasse 20 Mo."), code="too_large")
        document = document_services.document_upload(
            challenge=self.challenge(),
            actor=request.user,
            piece=data["piece"],
            key=data["key"],
            content=upload.read(),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDownload(ChallengeScoped, APIView):
    """One version of a piece: a DCE piece for anyone once the call is public, an award
    piece for the buyer's staff only — to anyone else it does not exist (404, the same
    answer as an unknown id, so nothing tells that an award piece is there)."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): bytes
        },
    )
    def get(self, request, challenge_pk, pk):
        challenge = self.challenge()
        document = queries.documents_visible_to(request.user, challenge).filter(pk=pk).first()
        if document is None:
            raise NotFound(_("Document introuvable."), code="document_not_found")
        return FileResponse(
            open_stored(document.file),
            as_attachment=True,
            filename=document.file.name.rsplit("/", 1)[-1],
        )


class DocumentPackZip(ChallengeScoped, APIView):
    """The current version of every piece the caller may read, as one zip: the DCE for
    anyone once the call is public, the whole pack for the buyer's staff."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request, challenge_pk):
        latest = queries.latest_documents(self.challenge(), user=request.user)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for document in latest:
                with open_stored(document.file) as handle:
                    archive.writestr(document.file.name.rsplit("/", 1)[-1], handle.read())
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.challenge().reference}-dce.zip"'
        )
        return response
