"""Positions and working groups over the API: a partner positions on a resource with
its contributions and changes or withdraws it until the positioning deadline; the
members of a working group see each other's contacts and designate its coordinator."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.fields import MAX_ID
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    ChallengeResource,
    Contribution,
    ContributionKind,
    Organisation,
    Position,
    WorkingGroup,
)
from procurement.models.positions import Intent
from procurement.services import positions as services

from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped, validated


class ContributionSerializer(ModelSerializer):
    class Meta:
        model = Contribution
        fields = ["id", "kind", "days", "profile", "description", "amount"]


class PositionSerializer(ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "resource",
            "organisation",
            "intent",
            "contributions",
            "public_name",
            "created_at",
            "updated_at",
        ]


class ContributionInput(Serializer):
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    days = serializers.DecimalField(
        max_digits=8, decimal_places=1, required=False, allow_null=True, default=None
    )
    profile = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )

    def validate(self, attrs):
        errors = services.contribution_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _at_least_one(value):
    if not value:
        raise serializers.ValidationError(_("Indiquez au moins une contribution."))
    return value


class PositionInput(Serializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=ChallengeResource.objects.all())
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    intent = serializers.ChoiceField(choices=Intent.choices)
    contributions = ContributionInput(many=True)
    public_name = serializers.BooleanField(default=False)

    def validate_contributions(self, value):
        return _at_least_one(value)


class PositionUpdateInput(Serializer):
    intent = serializers.ChoiceField(choices=Intent.choices, required=False)
    contributions = ContributionInput(
        many=True, required=False, help_text="Remplacent toutes les contributions."
    )
    public_name = serializers.BooleanField(required=False)

    def validate_contributions(self, value):
        return _at_least_one(value)


class PositionList(ChallengeScoped, generics.ListCreateAPIView):
    """The buyer's staff see every position; a partner its own organisations'."""

    serializer_class = PositionSerializer

    def scoped_queryset(self):
        return queries.positions_visible_to(self.request.user, self.challenge())

    @extend_schema(request=PositionInput, responses={201: PositionSerializer})
    def post(self, request, challenge_pk):
        data = validated(PositionInput, request)
        if data["resource"].challenge_id != self.challenge().pk:
            raise NotFound(_("Ressource introuvable dans cet appel."), code="resource_not_found")
        position = services.position_create(actor=request.user, **data)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)


class PositionDetail(ChallengeScoped, APIView):
    def position(self, request, pk):
        return queries.access_position(user=request.user, challenge=self.challenge(), pk=pk)

    @extend_schema(responses=PositionSerializer)
    def get(self, request, challenge_pk, pk):
        return Response(PositionSerializer(self.position(request, pk)).data)

    @extend_schema(request=PositionUpdateInput, responses=PositionSerializer)
    def patch(self, request, challenge_pk, pk):
        position = self.position(request, pk)
        data = validated(PositionUpdateInput, request)
        position = services.position_update(actor=request.user, position=position, **data)
        return Response(PositionSerializer(self.position(request, position.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, challenge_pk, pk):
        position = self.position(request, pk)
        services.position_withdraw(actor=request.user, position=position)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberContactSerializer(Serializer):
    id = serializers.IntegerField(source="organisation.id")
    name = serializers.CharField(source="organisation.name")
    address = serializers.CharField(source="organisation.address")
    website = serializers.CharField(source="organisation.website")
    users = serializers.SerializerMethodField()

    def get_users(self, member) -> list[dict]:
        return [
            {"name": m.user.get_full_name() or m.user.get_username(), "email": m.user.email}
            for m in member.organisation.memberships.all()
        ]


class WorkingGroupSerializer(ModelSerializer):
    """Outside the group, only the names of the members that agreed to show them; the
    group's own members see every member and its contacts."""

    resource = serializers.PrimaryKeyRelatedField(read_only=True)
    resource_title = serializers.CharField(source="resource.title", read_only=True)
    coordinator = serializers.SerializerMethodField()
    is_member = serializers.BooleanField(read_only=True)
    members = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()

    class Meta:
        model = WorkingGroup
        fields = [
            "id",
            "resource",
            "resource_title",
            "is_member",
            "coordinator",
            "members",
            "contacts",
        ]

    def _shown(self, group):
        members = group.members.all()
        return members if group.is_member else [m for m in members if m.is_public]

    def get_coordinator(self, group) -> dict | None:
        if group.coordinator_id is None:
            return None
        if group.is_member or any(
            m.organisation_id == group.coordinator_id for m in self._shown(group)
        ):
            return OrganisationRefSerializer(group.coordinator).data
        return None

    def get_members(self, group) -> list[dict]:
        return [OrganisationRefSerializer(m.organisation).data for m in self._shown(group)]

    def get_contacts(self, group) -> list[dict] | None:
        if not group.is_member:
            return None
        return MemberContactSerializer(group.members.all(), many=True).data


class WorkingGroupList(ChallengeScoped, generics.ListAPIView):
    serializer_class = WorkingGroupSerializer
    pagination_class = None

    def scoped_queryset(self):
        return queries.working_groups_visible_to(self.request.user, self.challenge())


class WorkingGroupDetail(ChallengeScoped, APIView):
    """One group with its members' contacts, for its members only (404 for others)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WorkingGroupSerializer)
    def get(self, request, challenge_pk, pk):
        group = queries.access_working_group(user=request.user, challenge=self.challenge(), pk=pk)
        return Response(WorkingGroupSerializer(group).data)


class CoordinatorInput(Serializer):
    organisation = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class WorkingGroupCoordinator(ChallengeScoped, APIView):
    """A member of the group designates one of its member organisations as coordinator."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CoordinatorInput, responses=WorkingGroupSerializer)
    def post(self, request, challenge_pk, pk):
        group = queries.access_working_group(user=request.user, challenge=self.challenge(), pk=pk)
        data = validated(CoordinatorInput, request)
        organisation = Organisation.objects.filter(pk=data["organisation"]).first()
        services.working_group_designate_coordinator(
            actor=request.user, group=group, organisation=organisation
        )
        group = queries.access_working_group(user=request.user, challenge=self.challenge(), pk=pk)
        return Response(WorkingGroupSerializer(group).data)
