"""Thin REST views: resolve the objects the caller may see, validate the input, call
one service, serialise the result."""

import io
import zipfile

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import Forbidden, NotFound, TooLarge
from procurement import queries
from procurement.models import BeyondMinimum, EditAfterFunded, Pledge, TenderDocument
from procurement.services import cofunding as cofunding_services
from procurement.services import documents as document_services
from procurement.services import proposals as proposal_services
from procurement.services import questions as question_services
from procurement.services.audit import audit_verify
from procurement.services.challenges import challenge_update
from procurement.uploads import open_stored
from workflows import documents as workflow_documents

from . import serializers as s


def validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ChallengeScoped:
    """Resolves the challenge of the URL among those the caller may see (else 404)."""

    def challenge(self):
        if not hasattr(self, "_challenge"):
            self._challenge = queries.access_challenge(
                user=self.request.user, pk=self.kwargs["challenge_pk"]
            )
        return self._challenge

    def get_queryset(self):
        # The schema generator has no URL kwargs: describe the model, query nothing.
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        return self.scoped_queryset()

    def require_buyer_staff(self):
        if not queries.is_buyer_staff(self.request.user, self.challenge()):
            raise Forbidden(_("Réservé aux agents de l'acheteur."), code="buyer_only")


class OrganisationList(generics.ListAPIView):
    serializer_class = s.OrganisationSerializer
    queryset = queries.organisations_list()
    filterset_fields = ["kind"]


class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = s.OrganisationSerializer
    queryset = queries.organisations_list()


class CommonsList(generics.ListAPIView):
    """The catalogue; anyone signed in proposes a new commons, which stays out of the
    catalogue until the Chambre references it."""

    serializer_class = s.CommonsSerializer
    queryset = queries.commons_catalogue()
    filterset_fields = ["category", "licence", "referenced"]

    @extend_schema(request=s.CommonsInput, responses={201: s.CommonsSerializer})
    def post(self, request):
        from procurement.services.opinions import commons_propose

        if not request.user.is_authenticated:
            raise NotAuthenticated()
        data = validated(s.CommonsInput, request)
        commons = commons_propose(actor=request.user, **data)
        return Response(s.CommonsSerializer(commons).data, status=status.HTTP_201_CREATED)


class CommonsDetail(generics.RetrieveAPIView):
    serializer_class = s.CommonsSerializer
    queryset = queries.commons_catalogue()


class ChallengeList(generics.ListAPIView):
    """Challenges the caller may see; creating one starts its process."""

    serializer_class = s.ChallengeSerializer
    filterset_fields = ["status", "buyer"]

    def get_queryset(self):
        return queries.challenges_visible_to(self.request.user).select_related("process")

    @extend_schema(request=s.ChallengeCreateInput, responses={201: s.ChallengeSerializer})
    def post(self, request):
        from workflows.services import process_start

        if not request.user.is_authenticated:
            raise NotAuthenticated()
        data = validated(s.ChallengeCreateInput, request)
        process = process_start(actor=request.user, **data)
        challenge = queries.access_challenge(user=request.user, pk=process.challenge_id)
        return Response(s.ChallengeSerializer(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeCancel(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.CancelInput, responses=s.ChallengeSerializer)
    def post(self, request, challenge_pk):
        from workflows.services import process_cancel

        data = validated(s.CancelInput, request)
        process_cancel(actor=request.user, challenge=self.challenge(), reason=data["reason"])
        return Response(
            s.ChallengeSerializer(queries.access_challenge(user=request.user, pk=challenge_pk)).data
        )


class ChallengeDetail(ChallengeScoped, APIView):
    @extend_schema(responses=s.ChallengeSerializer)
    def get(self, request, challenge_pk):
        return Response(s.ChallengeSerializer(self.challenge()).data)

    @extend_schema(request=s.ChallengeUpdateInput, responses=s.ChallengeSerializer)
    def patch(self, request, challenge_pk):
        data = validated(s.ChallengeUpdateInput, request)
        challenge = challenge_update(challenge=self.challenge(), actor=request.user, **data)
        return Response(
            s.ChallengeSerializer(queries.access_challenge(user=request.user, pk=challenge.pk)).data
        )


class ResourceList(ChallengeScoped, generics.ListAPIView):
    serializer_class = s.ResourceSerializer
    pagination_class = None

    def scoped_queryset(self):
        return queries.resources_of(self.challenge())


class QuestionList(ChallengeScoped, generics.ListCreateAPIView):
    serializer_class = s.QuestionSerializer

    def get_serializer_class(self):
        # The buyer's staff also read their drafted answers; nobody else does.
        if not getattr(self, "swagger_fake_view", False) and queries.is_buyer_staff(
            self.request.user, self.challenge()
        ):
            return s.BuyerQuestionSerializer
        return s.QuestionSerializer

    def scoped_queryset(self):
        return queries.questions_visible_to(self.request.user, self.challenge())

    @extend_schema(request=s.QuestionInput, responses={201: s.QuestionSerializer})
    def post(self, request, challenge_pk):
        data = validated(s.QuestionInput, request)
        question = question_services.question_ask(
            challenge=self.challenge(), actor=request.user, **data
        )
        return Response(s.QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswer(ChallengeScoped, APIView):
    """The buyer drafts (or rewrites) an answer; it is public once the drafted answers
    are published together (``questions/publish/``)."""

    @extend_schema(request=s.AnswerInput, responses=s.BuyerQuestionSerializer)
    def post(self, request, challenge_pk, pk):
        data = validated(s.AnswerInput, request)
        question = queries.access_question(user=request.user, challenge=self.challenge(), pk=pk)
        question = question_services.question_answer_draft(
            question=question, actor=request.user, **data
        )
        return Response(s.BuyerQuestionSerializer(question).data)


class ProposalList(ChallengeScoped, generics.ListCreateAPIView):
    serializer_class = s.ProposalSerializer

    def scoped_queryset(self):
        return queries.proposals_visible_to(self.request.user, self.challenge())

    @extend_schema(request=s.ProposalInput, responses={201: s.ProposalSerializer})
    def post(self, request, challenge_pk):
        data = validated(s.ProposalInput, request)
        if data["group"].resource.challenge_id != self.challenge().pk:
            raise NotFound(
                _("Groupe de travail introuvable dans cet appel."), code="group_not_found"
            )
        proposal = proposal_services.proposal_submit(actor=request.user, **data)
        return Response(s.ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetail(ChallengeScoped, generics.RetrieveAPIView):
    serializer_class = s.ProposalSerializer

    def get_object(self):
        return queries.access_proposal(
            user=self.request.user, challenge=self.challenge(), pk=self.kwargs["pk"]
        )


class OpinionList(ChallengeScoped, generics.ListAPIView):
    serializer_class = s.OpinionSerializer
    pagination_class = None

    def scoped_queryset(self):
        return queries.opinions_of(self.challenge())


class CofundingView(ChallengeScoped, APIView):
    """The round: every bucket's progress and who pledged what, for everyone to see."""

    @extend_schema(
        responses=inline_serializer(
            "Cofunding",
            {
                "id": serializers.IntegerField(),
                "deadline": serializers.DateTimeField(),
                "closed_at": serializers.DateTimeField(allow_null=True),
                "beyond_minimum": serializers.ChoiceField(choices=BeyondMinimum.choices),
                "edit_after_funded": serializers.ChoiceField(choices=EditAfterFunded.choices),
                "buckets": s.BucketSerializer(many=True),
                "allocations": s.AllocationSerializer(many=True),
            },
        )
    )
    def get(self, request, challenge_pk):
        round_ = queries.cofunding_round_of(self.challenge())
        return Response(
            {
                "id": round_.pk,
                "deadline": round_.deadline,
                "closed_at": round_.closed_at,
                "beyond_minimum": round_.beyond_minimum,
                "edit_after_funded": round_.edit_after_funded,
                "buckets": s.BucketSerializer(round_.buckets.all(), many=True).data,
                "allocations": s.AllocationSerializer(round_.allocations.all(), many=True).data,
            }
        )


class AllocationCreate(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.AllocationInput, responses={201: s.AllocationSerializer})
    def post(self, request, challenge_pk):
        data = validated(s.AllocationInput, request)
        round_ = queries.cofunding_round_of(self.challenge())
        allocation = cofunding_services.allocation_set(actor=request.user, round_=round_, **data)
        return Response(s.AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


class PledgeCreate(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.PledgeInput,
        responses={
            201: inline_serializer(
                "Pledge",
                {
                    "id": serializers.IntegerField(),
                    "amount": serializers.DecimalField(max_digits=12, decimal_places=2),
                    "bucket": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request, challenge_pk):
        data = validated(s.PledgeInput, request)
        if data["bucket"].round.challenge_id != self.challenge().pk:
            raise NotFound(_("Commun introuvable dans ce tour."), code="bucket_not_found")
        pledge = cofunding_services.pledge_create(actor=request.user, **data)
        return Response(
            {"id": pledge.pk, "amount": str(pledge.amount), "bucket": pledge.bucket_id},
            status=status.HTTP_201_CREATED,
        )


class PledgeDetail(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, challenge_pk, pk):
        pledge = (
            Pledge.objects.filter(pk=pk, bucket__round__challenge=self.challenge())
            .select_related("allocation__round__challenge")
            .first()
        )
        if pledge is None:
            raise NotFound(_("Engagement introuvable."), code="pledge_not_found")
        cofunding_services.pledge_withdraw(actor=request.user, pledge=pledge)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentList(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Documents",
            {"job": s.DocumentJobSerializer(), "documents": s.DocumentSerializer(many=True)},
        )
    )
    def get(self, request, challenge_pk):
        challenge = self.challenge()
        self.require_buyer_staff()
        job = challenge.document_jobs.order_by("-created_at", "-id").first()
        documents = TenderDocument.objects.filter(challenge=challenge).order_by(
            "piece", "key", "version"
        )
        return Response(
            {
                "job": s.DocumentJobSerializer(job).data if job else None,
                "documents": s.DocumentSerializer(documents, many=True).data,
            }
        )

    @extend_schema(request=None, responses={202: s.DocumentJobSerializer})
    def post(self, request, challenge_pk):
        job = workflow_documents.documents_request(challenge=self.challenge(), actor=request.user)
        return Response(s.DocumentJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DocumentUpload(ChallengeScoped, APIView):
    """The buyer uploads a revised version of a generated piece (kept beside it)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.DocumentUploadInput, responses={201: s.DocumentSerializer})
    def post(self, request, challenge_pk):
        data = validated(s.DocumentUploadInput, request)
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
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDownload(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): bytes
        }
    )
    def get(self, request, challenge_pk, pk):
        self.require_buyer_staff()
        document = TenderDocument.objects.filter(challenge=self.challenge(), pk=pk).first()
        if document is None:
            raise NotFound(_("Document introuvable."), code="document_not_found")
        return FileResponse(
            open_stored(document.file),
            as_attachment=True,
            filename=document.file.name.rsplit("/", 1)[-1],
        )


class DocumentPackZip(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request, challenge_pk):
        self.require_buyer_staff()
        latest = queries.latest_documents(self.challenge())
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


class AuditView(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Audit",
            {
                "verification": inline_serializer(
                    "Verification",
                    {
                        "valid": serializers.BooleanField(),
                        "count": serializers.IntegerField(),
                        "first_broken_seq": serializers.IntegerField(allow_null=True),
                        "reason": serializers.CharField(),
                    },
                ),
                "events": s.AuditEventSerializer(many=True),
            },
        )
    )
    def get(self, request, challenge_pk):
        challenge = self.challenge()
        if not (
            queries.is_buyer_staff(request.user, challenge)
            or queries.is_member(request.user, challenge.chambre, queries.CHAMBRE_ROLES)
        ):
            raise Forbidden(
                _("Le journal d'audit est réservé à l'acheteur et à la Chambre."),
                code="audit_restricted",
            )
        verification = audit_verify(challenge=challenge)
        events = challenge.audit_events.order_by("seq")
        return Response(
            {
                "verification": {
                    "valid": verification.valid,
                    "count": verification.count,
                    "first_broken_seq": verification.first_broken_seq,
                    "reason": verification.reason,
                },
                "events": s.AuditEventSerializer(events, many=True).data,
            }
        )
