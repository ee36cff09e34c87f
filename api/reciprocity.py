"""Reciprocity over the API: the public board of a commons; an organisation's members sign
and end its commitments, declare each period, and list their declarations."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import Forbidden, NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    ReciprocityCommitment,
    ReciprocityDeclaration,
    ReciprocityKind,
    ReciprocityPeriod,
)
from procurement.services import reciprocity as services

from .serializers import OrganisationRefSerializer
from .views import validated

MONEY = {"max_digits": 14, "decimal_places": 2}


class ReciprocityCommitmentSerializer(ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ReciprocityCommitment
        fields = [
            "id",
            "organisation",
            "commons",
            "kind",
            "revenue_share",
            "fixed_amount",
            "period",
            "starts_on",
            "ended_on",
            "active",
            "commercial_use",
            "signed_at",
        ]


class ReciprocityDeclarationSerializer(ModelSerializer):
    shortfall = serializers.DecimalField(read_only=True, **MONEY)
    organisation = serializers.IntegerField(source="commitment.organisation_id", read_only=True)
    commons = serializers.IntegerField(source="commitment.commons_id", read_only=True)

    class Meta:
        model = ReciprocityDeclaration
        fields = [
            "id",
            "commitment",
            "organisation",
            "commons",
            "period_start",
            "revenue",
            "due",
            "given",
            "shortfall",
            "declared_at",
        ]


class ReciprocityCommitmentInput(Serializer):
    # Ids, resolved by the view: an unknown organisation or commons answers 404.
    organisation = serializers.IntegerField()
    commons = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ReciprocityKind.choices)
    revenue_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    fixed_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    period = serializers.ChoiceField(choices=ReciprocityPeriod.choices)
    starts_on = serializers.DateField()
    commercial_use = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class ReciprocityEndInput(Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReciprocityDeclarationInput(Serializer):
    period_start = serializers.DateField()
    revenue = serializers.DecimalField(**MONEY)
    given = serializers.DecimalField(**MONEY)


class ReciprocityBoardRowSerializer(Serializer):
    organisation = OrganisationRefSerializer()
    commitment = ReciprocityCommitmentSerializer(source="active", allow_null=True)
    due = serializers.DecimalField(max_digits=16, decimal_places=2)
    given = serializers.DecimalField(max_digits=16, decimal_places=2)
    shortfall = serializers.DecimalField(max_digits=16, decimal_places=2)
    declarations = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["none", "short", "ok"])


class ReciprocityBoardSerializer(Serializer):
    commons = serializers.IntegerField(source="commons.pk")
    due = serializers.DecimalField(max_digits=16, decimal_places=2)
    given = serializers.DecimalField(max_digits=16, decimal_places=2)
    rows = ReciprocityBoardRowSerializer(many=True)


def _require_member(user, commitment) -> None:
    if not queries.is_member(user, commitment.organisation, queries.STAFF_ROLES):
        raise Forbidden(_("Réservé aux membres de l'organisation engagée."), code="not_allowed")


class ReciprocityBoard(APIView):
    """Who uses the commons (organisations with a commitment), what they owed and gave
    back in total: public, no sign-in."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ReciprocityBoardSerializer)
    def get(self, request, pk):
        board = queries.reciprocity_board(queries.access_commons(pk=pk))
        return Response(ReciprocityBoardSerializer(board).data)


class CommitmentList(generics.ListAPIView):
    """The commitments of the caller's organisations; signing one (members only)."""

    serializer_class = ReciprocityCommitmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return queries.commitments_of(self.request.user)

    @extend_schema(
        request=ReciprocityCommitmentInput, responses={201: ReciprocityCommitmentSerializer}
    )
    def post(self, request):
        data = validated(ReciprocityCommitmentInput, request)
        organisation = queries.organisations_list().filter(pk=data.pop("organisation")).first()
        if organisation is None:
            raise NotFound(_("Organisation introuvable."), code="organisation_not_found")
        commons = queries.access_commons(pk=data.pop("commons"))
        commitment = services.commitment_sign(
            actor=request.user, organisation=organisation, commons=commons, **data
        )
        return Response(
            ReciprocityCommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED
        )


class CommitmentEnd(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReciprocityEndInput, responses=ReciprocityCommitmentSerializer)
    def post(self, request, pk):
        commitment = queries.access_commitment(pk=pk)
        data = validated(ReciprocityEndInput, request)
        commitment = services.commitment_end(actor=request.user, commitment=commitment, **data)
        return Response(ReciprocityCommitmentSerializer(commitment).data)


class CommitmentDeclarations(generics.ListAPIView):
    """A commitment's declarations (the organisation's members only); declaring a period."""

    serializer_class = ReciprocityDeclarationSerializer
    permission_classes = [IsAuthenticated]

    def commitment(self):
        if not hasattr(self, "_commitment"):
            self._commitment = queries.access_commitment(pk=self.kwargs["pk"])
            _require_member(self.request.user, self._commitment)
        return self._commitment

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReciprocityDeclaration.objects.none()
        return queries.declarations_of(self.request.user).filter(commitment=self.commitment())

    @extend_schema(
        request=ReciprocityDeclarationInput, responses={201: ReciprocityDeclarationSerializer}
    )
    def post(self, request, pk):
        commitment = self.commitment()
        data = validated(ReciprocityDeclarationInput, request)
        declaration = services.declaration_submit(actor=request.user, commitment=commitment, **data)
        return Response(
            ReciprocityDeclarationSerializer(declaration).data, status=status.HTTP_201_CREATED
        )


class DeclarationList(generics.ListAPIView):
    """Every declaration of the caller's organisations, newest period first."""

    serializer_class = ReciprocityDeclarationSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["commitment"]

    def get_queryset(self):
        return queries.declarations_of(self.request.user)
