"""A proposal's attachments: its working group uploads them before the deadline; they
are read like the proposal itself (its group always, the buyer and the assigned
evaluators once the proposals are opened, nobody else: 404)."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from procurement import queries
from procurement.services import proposals as proposal_services
from procurement.uploads import MAX_UPLOAD_BYTES, MIME_TYPES, open_stored

from .serializers import ErrorSerializer, ProposalAttachmentSerializer
from .views import ChallengeScoped, validated


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="PDF, ODT ou DOCX (jugé sur son contenu), 20 Mo au plus."
    )


class ProposalScoped(ChallengeScoped):
    def proposal(self):
        return queries.access_proposal(
            user=self.request.user, challenge=self.challenge(), pk=self.kwargs["pk"]
        )


class ProposalAttachmentList(ProposalScoped, APIView):
    """A member of the working group attaches a document to its sealed proposal."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentInput},
        responses={
            201: ProposalAttachmentSerializer,
            413: OpenApiResponse(ErrorSerializer, description="Fichier trop volumineux."),
        },
    )
    def post(self, request, challenge_pk, pk):
        proposal = self.proposal()
        data = validated(AttachmentInput, request)
        # Read one byte more than allowed: the checker then refuses it as too large.
        content = data["file"].read(MAX_UPLOAD_BYTES + 1)
        attachment = proposal_services.proposal_attachment_add(
            actor=request.user, proposal=proposal, content=content, name=data["file"].name
        )
        return Response(
            ProposalAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )


class ProposalAttachmentFile(ProposalScoped, APIView):
    """The file of an attachment, for whoever may read the proposal."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, challenge_pk, pk, attachment_pk):
        proposal = self.proposal()
        attachment = next((a for a in proposal.attachments.all() if a.pk == attachment_pk), None)
        if attachment is None:
            raise NotFound(_("Pièce jointe introuvable."), code="attachment_not_found")
        return FileResponse(
            open_stored(attachment.file),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=MIME_TYPES[attachment.kind],
        )
