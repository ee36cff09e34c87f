"""An organisation's members and their roles: listed for its own members (a buyer's
agents find the user ids of the evaluators they name, a Chambre's modérateur those of
its rapporteurs) and the operators; managed by its administrators (invitations, roles,
removal)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import Invitation, Role
from procurement.services import accounts

from .views import validated


class MemberSerializer(Serializer):
    user_id = serializers.IntegerField(source="user.pk", help_text="L'id à nommer (évaluateur…).")
    username = serializers.CharField(source="user.username")
    name = serializers.SerializerMethodField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        help_text="Tous les rôles du membre dans l'organisation.",
    )

    def get_name(self, member) -> str:
        return member.user.get_full_name() or member.user.username


class RolesInput(Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        allow_empty=False,
        help_text="Les rôles du membre après la modification (tous) ; "
        "au moins un, parmi ceux du type de l'organisation.",
    )


class InvitationInput(Serializer):
    email = serializers.EmailField(help_text="L'adresse à laquelle le lien est envoyé.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class InvitationSerializer(ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created_at"]


def _member(organisation, user_id: int):
    for member in queries.organisation_members(organisation):
        if member.user.pk == user_id:
            return member
    raise NotFound(_("Ce membre est introuvable."), code="member_not_found")


class MemberList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MemberSerializer(many=True)})
    def get(self, request, pk):
        """The organisation's members with their user id, name and roles. For its own
        members and the operators; 404 for anyone else."""
        organisation = queries.access_members(user=request.user, pk=pk)
        return Response(
            MemberSerializer(queries.organisation_members(organisation), many=True).data
        )

    @extend_schema(request=InvitationInput, responses={201: InvitationSerializer})
    def post(self, request, pk):
        """Invite a colleague: a signed link, good once for that address and for
        ``INVITATION_MAX_AGE`` (7 days by default), is e-mailed; accepting it makes the
        person a member with ``role``. Administrators of the organisation only (403
        for its other members, 404 for anyone else)."""
        organisation = queries.access_members(user=request.user, pk=pk)
        data = validated(InvitationInput, request)
        invitation = accounts.invitation_create(
            actor=request.user, organisation=organisation, **data
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class MemberDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MemberSerializer})
    def get(self, request, pk, user_id):
        """One member and their roles (as in the list)."""
        organisation = queries.access_members(user=request.user, pk=pk)
        return Response(MemberSerializer(_member(organisation, user_id)).data)

    @extend_schema(request=RolesInput, responses={200: MemberSerializer})
    def patch(self, request, pk, user_id):
        """Give a member exactly these roles. Administrators only (403); the
        organisation keeps at least one active administrator (409 ``last_admin``)."""
        organisation = queries.access_members(user=request.user, pk=pk)
        user = _member(organisation, user_id).user
        data = validated(RolesInput, request)
        accounts.member_roles_set(
            actor=request.user, organisation=organisation, user=user, roles=data["roles"]
        )
        return Response(MemberSerializer(_member(organisation, user_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk, user_id):
        """Remove a member from the organisation (all their roles; the account stays).
        Administrators only (403); never the last active administrator (409)."""
        organisation = queries.access_members(user=request.user, pk=pk)
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("Ce membre est introuvable."), code="member_not_found")
        accounts.member_remove(actor=request.user, organisation=organisation, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
