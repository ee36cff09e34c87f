"""Facilitation and community over the API: the call's facilitator (designated by the
buyer), the facilitator's to-do list, a working group's space (links, meetings,
minutes) and the Chambre's motions with their action plan."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import Forbidden, NotFound
from kernel.fields import MAX_ID
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    ActionStatus,
    Challenge,
    Commons,
    Facilitation,
    Meeting,
    Motion,
    MotionAction,
    Organisation,
    OrganisationKind,
    WorkingGroup,
)
from procurement.services import community
from workflows import operations

from .chambre import UserRefSerializer
from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped, validated

# --- the facilitator ---------------------------------------------------------------------


class FacilitationSerializer(ModelSerializer):
    facilitator = UserRefSerializer(read_only=True)
    facilitator_name = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Facilitation
        fields = [
            "facilitator",
            "facilitator_name",
            "designated_at",
            "active",
            "conflict_at",
            "conflict_reason",
        ]

    def get_facilitator_name(self, facilitation) -> str:
        user = facilitation.facilitator
        return user.get_full_name() or user.get_username()


class FacilitatorInput(Serializer):
    facilitator = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="Identifiant d'un membre de l'acheteur au rôle « facilitator ».",
    )


class ChallengeFacilitator(ChallengeScoped, APIView):
    """The call's facilitator: read by the buyer's staff and the facilitator; designated
    (or replaced) by the buyer's staff, among the buyer's resource persons, neutral."""

    permission_classes = [IsAuthenticated]

    def facilitation(self):
        challenge = self.challenge()
        facilitation = queries.facilitation_of(challenge)
        user = self.request.user
        if queries.is_buyer_staff(user, challenge):
            return facilitation
        if facilitation is not None and facilitation.facilitator_id == user.pk:
            return facilitation
        raise NotFound(_("Aucun animateur visible pour cet appel."), code="facilitation_not_found")

    @extend_schema(responses=FacilitationSerializer)
    def get(self, request, challenge_pk):
        facilitation = self.facilitation()
        if facilitation is None:
            raise NotFound(_("Aucun animateur n'est désigné."), code="facilitation_not_found")
        return Response(FacilitationSerializer(facilitation).data)

    @extend_schema(request=FacilitatorInput, responses=FacilitationSerializer)
    def put(self, request, challenge_pk):
        self.require_buyer_staff()
        data = validated(FacilitatorInput, request)
        person = get_user_model().objects.filter(pk=data["facilitator"]).first()
        facilitation = operations.facilitator_designate(
            challenge=self.challenge(), actor=request.user, facilitator=person
        )
        return Response(FacilitationSerializer(facilitation).data)


class FacilitationItemSerializer(Serializer):
    kind = serializers.ChoiceField(
        choices=["group", "meeting", "minutes", "questions"],
        help_text="group : un groupe à animer ; meeting : une réunion à tenir ; "
        "minutes : un compte rendu à écrire ; questions : des questions en attente.",
    )
    challenge = serializers.IntegerField(source="challenge.pk")
    challenge_title = serializers.CharField(source="challenge.title")
    group = serializers.IntegerField(source="group.pk", allow_null=True, default=None)
    group_title = serializers.CharField(
        source="group.resource.title", allow_null=True, default=None
    )
    meeting = serializers.IntegerField(source="meeting.pk", allow_null=True, default=None)
    count = serializers.IntegerField(help_text="Nombre de questions en attente.")
    when = serializers.DateTimeField(allow_null=True)


class FacilitationInbox(APIView):
    """What the caller must facilitate, across the calls they facilitate now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=FacilitationItemSerializer(many=True))
    def get(self, request):
        items = queries.facilitation_items(request.user)
        return Response(FacilitationItemSerializer(items, many=True).data)


# --- a working group's space -------------------------------------------------------------


class MeetingSerializer(ModelSerializer):
    attendees = OrganisationRefSerializer(many=True, read_only=True)
    minutes_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "starts_at",
            "place",
            "visio_url",
            "agenda",
            "minutes",
            "minutes_by",
            "minutes_at",
            "attendees",
            "facilitator_present",
        ]


class GroupSpaceSerializer(ModelSerializer):
    resource = serializers.PrimaryKeyRelatedField(read_only=True)
    resource_title = serializers.CharField(source="resource.title", read_only=True)
    members = serializers.SerializerMethodField()
    may_write = serializers.SerializerMethodField()
    meetings = MeetingSerializer(many=True, read_only=True)

    class Meta:
        model = WorkingGroup
        fields = [
            "id",
            "resource",
            "resource_title",
            "members",
            "chat_url",
            "wiki_url",
            "may_write",
            "meetings",
        ]

    def get_members(self, group) -> list[dict]:
        return [OrganisationRefSerializer(m.organisation).data for m in group.members.all()]

    def get_may_write(self, group) -> bool:
        return queries.may_write_group(group)


class LinksInput(Serializer):
    chat_url = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="http ou https ; vide : retiré."
    )
    wiki_url = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="http ou https ; vide : retiré."
    )


class MeetingInput(Serializer):
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    visio_url = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="http ou https."
    )
    agenda = serializers.CharField()


class MinutesInput(Serializer):
    minutes = serializers.CharField()
    attendees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        help_text="Les organisations du groupe présentes.",
    )
    facilitator_present = serializers.BooleanField(required=False, default=False)


class GroupSpaceScoped(ChallengeScoped):
    permission_classes = [IsAuthenticated]

    def group(self):
        return queries.access_group_space(
            user=self.request.user, challenge=self.challenge(), pk=self.kwargs["group_pk"]
        )


class GroupSpace(GroupSpaceScoped, APIView):
    """A working group's space: its chat and wiki, its meetings and their minutes. Its
    members, the facilitator and the buyer's staff; the other candidates once the offers
    are opened (404 before)."""

    @extend_schema(responses=GroupSpaceSerializer)
    def get(self, request, challenge_pk, group_pk):
        return Response(GroupSpaceSerializer(self.group()).data)

    @extend_schema(request=LinksInput, responses=GroupSpaceSerializer)
    def patch(self, request, challenge_pk, group_pk):
        data = validated(LinksInput, request)
        community.working_group_links_set(actor=request.user, group=self.group(), **data)
        return Response(GroupSpaceSerializer(self.group()).data)


class MeetingList(GroupSpaceScoped, APIView):
    @extend_schema(responses=MeetingSerializer(many=True))
    def get(self, request, challenge_pk, group_pk):
        return Response(MeetingSerializer(self.group().meetings.all(), many=True).data)

    @extend_schema(request=MeetingInput, responses={201: MeetingSerializer})
    def post(self, request, challenge_pk, group_pk):
        data = validated(MeetingInput, request)
        meeting = community.meeting_schedule(actor=request.user, group=self.group(), **data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingMinutes(GroupSpaceScoped, APIView):
    """The minutes of a meeting held, and who was there; written again, they replace
    the former ones."""

    @extend_schema(request=MinutesInput, responses=MeetingSerializer)
    def put(self, request, challenge_pk, group_pk, pk):
        meeting = queries.access_meeting(group=self.group(), pk=pk)
        data = validated(MinutesInput, request)
        meeting = community.meeting_minutes_write(
            actor=request.user,
            meeting=meeting,
            minutes=data["minutes"],
            attendee_ids=data["attendees"],
            facilitator_present=data["facilitator_present"],
        )
        return Response(MeetingSerializer(Meeting.objects.get(pk=meeting.pk)).data)


# --- the Chambre's motions ---------------------------------------------------------------


class MotionActionSerializer(ModelSerializer):
    class Meta:
        model = MotionAction
        fields = ["id", "title", "owner", "due_date", "status", "note", "updated_at"]


class MotionSerializer(ModelSerializer):
    chambre = OrganisationRefSerializer(read_only=True)
    commons = serializers.PrimaryKeyRelatedField(read_only=True)
    challenge = serializers.PrimaryKeyRelatedField(read_only=True)
    actions = MotionActionSerializer(many=True, read_only=True)

    class Meta:
        model = Motion
        fields = [
            "id",
            "chambre",
            "commons",
            "challenge",
            "title",
            "text",
            "status",
            "filed_at",
            "decided_at",
            "decision_reason",
            "actions",
        ]


class MotionInput(Serializer):
    title = serializers.CharField(max_length=200)
    text = serializers.CharField()
    commons = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    challenge = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )


class ActionInput(Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.CharField(max_length=200)
    due_date = serializers.DateField()


class MotionDecisionInput(Serializer):
    adopted = serializers.BooleanField()
    reason = serializers.CharField()
    actions = ActionInput(many=True, required=False, default=list)


class ActionUpdateInput(Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    due_date = serializers.DateField(required=False)
    owner = serializers.CharField(max_length=200, required=False)


def _chambre(pk) -> Organisation:
    chambre = Organisation.objects.filter(kind=OrganisationKind.CHAMBRE, pk=pk).first()
    if chambre is None:
        raise NotFound(_("Chambre introuvable."), code="chambre_not_found")
    return chambre


class MotionList(generics.ListAPIView):
    """A Chambre's motions: the adopted ones and their plans for everyone, every motion
    for its members. Its contributors' group files one (``POST``)."""

    serializer_class = MotionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Motion.objects.none()
        return queries.motions_visible_to(self.request.user, _chambre(self.kwargs["pk"]))

    @extend_schema(request=MotionInput, responses={201: MotionSerializer})
    def post(self, request, pk):
        chambre = _chambre(pk)
        data = validated(MotionInput, request)
        commons = challenge = None
        if data["commons"] is not None:
            commons = Commons.objects.filter(pk=data["commons"]).first()
            if commons is None:
                raise NotFound(_("Commun introuvable."), code="commons_not_found")
        if data["challenge"] is not None:
            challenge = queries.access_challenge(user=request.user, pk=data["challenge"])
            challenge = Challenge.objects.get(pk=challenge.pk)
        motion = community.motion_file(
            actor=request.user,
            chambre=chambre,
            title=data["title"],
            text=data["text"],
            commons=commons,
            challenge=challenge,
        )
        return Response(
            MotionSerializer(queries.access_motion(user=request.user, pk=motion.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MotionDetail(APIView):
    @extend_schema(responses=MotionSerializer)
    def get(self, request, pk):
        return Response(MotionSerializer(queries.access_motion(user=request.user, pk=pk)).data)


class MotionDecision(APIView):
    """The modérateur adopts a filed motion with its action plan, or rejects it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=MotionDecisionInput, responses=MotionSerializer)
    def post(self, request, pk):
        motion = queries.access_motion(user=request.user, pk=pk)
        data = validated(MotionDecisionInput, request)
        community.motion_decide(actor=request.user, motion=motion, **data)
        return Response(MotionSerializer(queries.access_motion(user=request.user, pk=pk)).data)


class MotionActions(APIView):
    """The modérateur adds an action to an adopted motion's plan."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ActionInput, responses={201: MotionActionSerializer})
    def post(self, request, pk):
        motion = queries.access_motion(user=request.user, pk=pk)
        data = validated(ActionInput, request)
        action = community.motion_action_add(actor=request.user, motion=motion, **data)
        return Response(MotionActionSerializer(action).data, status=status.HTTP_201_CREATED)


class MotionActionDetail(APIView):
    """The modérateur follows one action: its state, a note, its due date or owner."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ActionUpdateInput, responses=MotionActionSerializer)
    def patch(self, request, pk, action_pk):
        motion = queries.access_motion(user=request.user, pk=pk)
        action = next((a for a in motion.actions.all() if a.pk == action_pk), None)
        if action is None:
            raise NotFound(_("Action introuvable."), code="action_not_found")
        if not queries.may_moderate(request.user, motion.chambre):
            raise Forbidden(
                _("Seul le modérateur de la Chambre statue sur les motions et suit le plan."),
                code="not_allowed",
            )
        data = validated(ActionUpdateInput, request)
        action = community.motion_action_update(actor=request.user, action=action, **data)
        return Response(MotionActionSerializer(action).data)
