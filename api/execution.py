"""Execution follow-up over the API: the public follow-up of a signed call and of a
commons; the buyer plans deliverables and milestones and admits or refuses what the
holder submits; the holder submits deliverables and marks milestones reached. The rules
are ``procurement.services.execution``'s."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.calculations import milestone_state
from procurement.models import Deliverable, ExecutionMilestone
from procurement.services import execution as services

from .views import validated


class ExecutionProgressSerializer(Serializer):
    """``percent`` = ⌊100 × (admitted + reached) / (deliverables + milestones)⌋, null
    when nothing is planned: each deliverable and milestone weighs the same."""

    admitted = serializers.IntegerField(help_text="Livrables admis par l'acheteur.")
    deliverables = serializers.IntegerField(help_text="Livrables attendus.")
    reached = serializers.IntegerField(help_text="Jalons atteints.")
    milestones = serializers.IntegerField(help_text="Jalons planifiés.")
    percent = serializers.IntegerField(
        allow_null=True,
        help_text="⌊100 × (admis + atteints) / (livrables + jalons)⌋ ; null sans rien de prévu.",
    )


class DeliverableSerializer(ModelSerializer):
    lot = serializers.IntegerField(source="lot_id", read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "id",
            "lot",
            "title",
            "description",
            "due_on",
            "status",
            "evidence_url",
            "submitted_at",
            "decided_at",
            "refusal_reason",
        ]


class ExecutionMilestoneSerializer(ModelSerializer):
    lot = serializers.IntegerField(source="lot_id", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = ExecutionMilestone
        fields = ["id", "lot", "title", "planned_on", "reached_on", "evidence_url", "state"]

    def get_state(self, obj) -> str:
        """planned, late (its day passed, not reached) or reached."""
        return milestone_state(obj.planned_on, obj.reached_on, timezone.localdate())


class CommonsBriefSerializer(Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    slug = serializers.CharField()


class LotExecutionSerializer(Serializer):
    challenge = serializers.IntegerField(source="lot.challenge_id")
    lot = serializers.IntegerField(source="lot.pk")
    number = serializers.IntegerField(source="lot.number")
    title = serializers.CharField(source="lot.title")
    holder = serializers.CharField(source="holder.title", help_text="La proposition attributaire.")
    holder_organisations = serializers.ListField(
        source="holder_names", child=serializers.CharField()
    )
    commons = CommonsBriefSerializer(many=True)
    deliverables = DeliverableSerializer(many=True)
    milestones = serializers.SerializerMethodField()
    progress = ExecutionProgressSerializer()

    @extend_schema(responses=ExecutionMilestoneSerializer(many=True))
    def get_milestones(self, obj) -> list[dict]:
        return ExecutionMilestoneSerializer(
            [row.milestone for row in obj.milestones], many=True
        ).data


class ExecutionSerializer(Serializer):
    challenge = serializers.IntegerField(source="challenge.pk")
    open = serializers.SerializerMethodField(
        help_text="Le suivi s'ouvre à la signature du marché (appel attribué)."
    )
    progress = ExecutionProgressSerializer()
    lots = LotExecutionSerializer(many=True)

    def get_open(self, obj) -> bool:
        return queries.execution_open(obj.challenge)


class CommonsExecutionSerializer(Serializer):
    commons = serializers.IntegerField(source="commons.pk")
    progress = ExecutionProgressSerializer()
    lots = LotExecutionSerializer(many=True)


class DeliverableInput(Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True)


class DeliverableSubmitInput(Serializer):
    evidence_url = serializers.CharField(max_length=500)


class DeliverableDecideInput(Serializer):
    admit = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ExecutionMilestoneInput(Serializer):
    title = serializers.CharField(max_length=200)
    planned_on = serializers.DateField()


class MilestoneReachInput(Serializer):
    evidence_url = serializers.CharField(max_length=500)
    reached_on = serializers.DateField(required=False, allow_null=True)


class ExecutionView(APIView):
    """The follow-up of a call: public once the call is; empty (``open`` false) until the
    contract is signed."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ExecutionSerializer)
    def get(self, request, challenge_pk):
        challenge = queries.access_challenge(user=request.user, pk=challenge_pk)
        return Response(ExecutionSerializer(queries.execution_of(challenge)).data)


class CommonsExecutionView(APIView):
    """The follow-up of every signed lot producing the commons: public."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CommonsExecutionSerializer)
    def get(self, request, pk):
        commons = queries.access_commons(pk=pk)
        return Response(CommonsExecutionSerializer(queries.execution_of_commons(commons)).data)


class _Scoped(APIView):
    permission_classes = [IsAuthenticated]

    def challenge(self):
        return queries.access_challenge(user=self.request.user, pk=self.kwargs["challenge_pk"])


class DeliverablePlan(_Scoped):
    """The buyer adds a deliverable it expects on an awarded lot."""

    @extend_schema(request=DeliverableInput, responses={201: DeliverableSerializer})
    def post(self, request, challenge_pk, lot_pk):
        lot = queries.access_execution_lot(challenge=self.challenge(), pk=lot_pk)
        data = validated(DeliverableInput, request)
        deliverable = services.deliverable_plan(actor=request.user, lot=lot, **data)
        return Response(DeliverableSerializer(deliverable).data, status=status.HTTP_201_CREATED)


class DeliverableSubmit(_Scoped):
    """The holder submits a deliverable (again, after a refusal) with its link."""

    @extend_schema(request=DeliverableSubmitInput, responses=DeliverableSerializer)
    def post(self, request, challenge_pk, pk):
        deliverable = queries.access_deliverable(challenge=self.challenge(), pk=pk)
        data = validated(DeliverableSubmitInput, request)
        deliverable = services.deliverable_submit(
            actor=request.user, deliverable=deliverable, **data
        )
        return Response(DeliverableSerializer(deliverable).data)


class DeliverableDecide(_Scoped):
    """The buyer admits a submitted deliverable, or refuses it with the reason."""

    @extend_schema(request=DeliverableDecideInput, responses=DeliverableSerializer)
    def post(self, request, challenge_pk, pk):
        deliverable = queries.access_deliverable(challenge=self.challenge(), pk=pk)
        data = validated(DeliverableDecideInput, request)
        deliverable = services.deliverable_decide(
            actor=request.user, deliverable=deliverable, **data
        )
        return Response(DeliverableSerializer(deliverable).data)


class MilestonePlan(_Scoped):
    """The buyer plans a milestone of an awarded lot."""

    @extend_schema(request=ExecutionMilestoneInput, responses={201: ExecutionMilestoneSerializer})
    def post(self, request, challenge_pk, lot_pk):
        lot = queries.access_execution_lot(challenge=self.challenge(), pk=lot_pk)
        data = validated(ExecutionMilestoneInput, request)
        milestone = services.milestone_plan(actor=request.user, lot=lot, **data)
        return Response(
            ExecutionMilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED
        )


class MilestoneReach(_Scoped):
    """The holder marks a milestone reached, with its evidence."""

    @extend_schema(request=MilestoneReachInput, responses=ExecutionMilestoneSerializer)
    def post(self, request, challenge_pk, pk):
        milestone = queries.access_execution_milestone(challenge=self.challenge(), pk=pk)
        data = validated(MilestoneReachInput, request)
        milestone = services.milestone_reach(actor=request.user, milestone=milestone, **data)
        return Response(ExecutionMilestoneSerializer(milestone).data)
