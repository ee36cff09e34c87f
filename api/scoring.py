"""REST views of the scoring: the grid, evaluator assignments and declarations of
interests, evaluations (blind until submitted), scoring rounds. The ranking and its
exports are ``api.ranking``. Each view resolves what the caller may see, validates,
calls one service."""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.challenges import CriterionInput
from api.views import ChallengeScoped, validated
from kernel.errors import Forbidden
from kernel.fields import IdField
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries as procurement_queries
from scoring import queries, services
from scoring.models import Assignment, Evaluation, ScoringRound

# --- the grid -------------------------------------------------------------------------


class LevelSerializer(Serializer):
    level = serializers.CharField(
        max_length=20, help_text="Note entière de l'échelle (0 à 5, 10 ou 20) ou mention."
    )
    description = serializers.CharField(max_length=1000)


class CriterionWithLevels(CriterionInput):
    levels = LevelSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Ce que signifie chaque niveau de l'échelle (texte affiché aux évaluateurs).",
    )


class ScoringGridInput(Serializer):
    criteria = CriterionWithLevels(many=True, allow_empty=False)


class ScoringGridSerializer(Serializer):
    criteria = CriterionWithLevels(many=True)
    commons_share = serializers.DecimalField(max_digits=5, decimal_places=2)
    frozen_at = serializers.DateTimeField(allow_null=True)


class GridCopyInput(Serializer):
    source = IdField(help_text="Appel du même acheteur dont copier la grille.")


class GridView(ChallengeScoped, APIView):
    """The scoring grid: its criteria with their weights, scales, thresholds and the
    descriptions of their levels. The buyer's staff replace it until it is frozen."""

    @extend_schema(responses=ScoringGridSerializer)
    def get(self, request, challenge_pk):
        return Response(queries.grid_of(self.challenge()))

    @extend_schema(request=ScoringGridInput, responses=ScoringGridSerializer)
    def put(self, request, challenge_pk):
        data = validated(ScoringGridInput, request)
        services.grid_set(challenge=self.challenge(), actor=request.user, criteria=data["criteria"])
        return Response(queries.grid_of(self.challenge()))


class GridCopy(ChallengeScoped, APIView):
    """Copy the grid of another challenge of the same buyer (until the grid is frozen)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=GridCopyInput, responses=ScoringGridSerializer)
    def post(self, request, challenge_pk):
        data = validated(GridCopyInput, request)
        source = procurement_queries.access_challenge(user=request.user, pk=data["source"])
        services.grid_copy(challenge=self.challenge(), source=source, actor=request.user)
        return Response(queries.grid_of(self.challenge()))


# --- assignments and declarations of interests --------------------------------------


class AssignmentSerializer(ModelSerializer):
    proposal = serializers.IntegerField(source="proposal_id")
    proposal_title = serializers.CharField(source="proposal.title")
    organisations = serializers.SerializerMethodField(
        help_text="Les organisations du groupe de travail, pour déclarer ses intérêts."
    )
    evaluator = serializers.IntegerField(source="evaluator_id")
    evaluator_username = serializers.CharField(source="evaluator.username")
    replaces = serializers.IntegerField(source="replaces_id", allow_null=True)
    needs_reassignment = serializers.BooleanField(
        help_text="Conflit déclaré : l'acheteur doit désigner un autre évaluateur."
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "proposal",
            "proposal_title",
            "organisations",
            "evaluator",
            "evaluator_username",
            "conflict",
            "conflict_note",
            "declared_at",
            "replaces",
            "needs_reassignment",
            "created_at",
        ]

    def get_organisations(self, assignment) -> list[str]:
        return sorted(m.organisation.name for m in assignment.proposal.group.members.all())


class AssignmentFilter(filters.FilterSet):
    needs_reassignment = filters.BooleanFilter()


class AssignmentInput(Serializer):
    proposal = IdField()
    evaluator = IdField(help_text="Un évaluateur de l'acheteur.")


class DeclarationInput(Serializer):
    conflict = serializers.BooleanField(help_text="Vrai : conflit d'intérêts sur la proposition.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AssignmentList(ChallengeScoped, generics.ListAPIView):
    """Assignments with their declarations of interests: every one for the buyer's
    staff (``?needs_reassignment=true``: the proposals to reassign), its own for an
    evaluator. The buyer's staff add an evaluator to a proposal while scoring."""

    permission_classes = [IsAuthenticated]
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def scoped_queryset(self):
        return queries.assignments_visible_to(self.request.user, self.challenge())

    @extend_schema(request=AssignmentInput, responses={201: AssignmentSerializer})
    def post(self, request, challenge_pk):
        data = validated(AssignmentInput, request)
        assignment = services.assignment_add(
            challenge=self.challenge(),
            proposal_id=data["proposal"],
            evaluator_id=data["evaluator"],
            actor=request.user,
        )
        assignment = queries.access_assignment(
            user=request.user, challenge=self.challenge(), pk=assignment.pk
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentDeclare(ChallengeScoped, APIView):
    """The assigned evaluator declares a conflict of interest, or none, before reading
    the proposal."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=DeclarationInput, responses=AssignmentSerializer)
    def post(self, request, challenge_pk, pk):
        data = validated(DeclarationInput, request)
        challenge = self.challenge()
        assignment = queries.access_assignment(user=request.user, challenge=challenge, pk=pk)
        services.conflict_declare(
            actor=request.user,
            assignment=assignment,
            conflict=data["conflict"],
            note=data["note"],
        )
        assignment = queries.access_assignment(user=request.user, challenge=challenge, pk=pk)
        return Response(AssignmentSerializer(assignment).data)


# --- evaluations ----------------------------------------------------------------------


class EvaluationSerializer(ModelSerializer):
    proposal = serializers.IntegerField(source="assignment.proposal_id")
    evaluator = serializers.CharField(source="assignment.evaluator.username")
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = ["id", "proposal", "evaluator", "round", "comment", "submitted_at", "scores"]

    def get_scores(self, evaluation) -> dict:
        return {
            score.criterion.code: {"value": score.value, "comment": score.comment}
            for score in evaluation.scores.all()
        }


class EvaluationInput(Serializer):
    proposal = IdField()
    conflict = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Déclaration d'intérêts, si elle n'est pas encore faite.",
    )
    conflict_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    scores = serializers.DictField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=dict,
        help_text="{code du critère: note ou mention}",
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=5000),
        required=False,
        default=dict,
        help_text="Requis pour la note la plus basse ou la plus haute.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class EvaluationList(ChallengeScoped, generics.ListAPIView):
    """Evaluations, blind: an evaluator sees others' on a proposal only once it has
    submitted its own (in the same round). An evaluator submits its own here, in the
    current round: a reassigned evaluator, or anyone in a new round."""

    permission_classes = [IsAuthenticated]
    serializer_class = EvaluationSerializer

    def scoped_queryset(self):
        return queries.evaluations_visible_to(self.request.user, self.challenge())

    @extend_schema(
        request=EvaluationInput,
        responses={
            201: EvaluationSerializer,
            200: OpenApiResponse(
                AssignmentSerializer, description="Conflit déclaré : aucune note n'est prise."
            ),
        },
    )
    def post(self, request, challenge_pk):
        data = validated(EvaluationInput, request)
        challenge = self.challenge()
        assignment = queries.own_assignment(
            user=request.user, challenge=challenge, proposal_id=data.pop("proposal")
        )
        evaluation = services.evaluation_record(actor=request.user, assignment=assignment, **data)
        if evaluation is None:
            assignment = queries.access_assignment(
                user=request.user, challenge=challenge, pk=assignment.pk
            )
            return Response(AssignmentSerializer(assignment).data)
        evaluation = queries.evaluations_visible_to(request.user, challenge).get(pk=evaluation.pk)
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


# --- scoring rounds -------------------------------------------------------------------


class ScoringRoundSerializer(ModelSerializer):
    opened_by = serializers.CharField(source="opened_by.username")

    class Meta:
        model = ScoringRound
        fields = ["number", "reason", "opened_by", "opened_at"]


class RoundInput(Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Motif du nouveau tour.")


class RoundList(ChallengeScoped, APIView):
    """The scoring rounds (round 1 is implicit). The buyer's staff open a new one; its
    evaluators see them."""

    permission_classes = [IsAuthenticated]

    def _require_scoring_party(self):
        challenge = self.challenge()
        if procurement_queries.is_buyer_staff(self.request.user, challenge):
            return
        if not queries.assignments_visible_to(self.request.user, challenge).exists():
            raise Forbidden(
                _("Réservé aux agents de l'acheteur et aux évaluateurs."), code="scoring_only"
            )

    @extend_schema(
        responses=inline_serializer(
            "ScoringRounds",
            {
                "current": serializers.IntegerField(),
                "rounds": ScoringRoundSerializer(many=True),
            },
        )
    )
    def get(self, request, challenge_pk):
        self._require_scoring_party()
        challenge = self.challenge()
        rounds = ScoringRound.objects.filter(challenge=challenge).select_related("opened_by")
        return Response(
            {
                "current": queries.current_round(challenge),
                "rounds": ScoringRoundSerializer(rounds, many=True).data,
            }
        )

    @extend_schema(request=RoundInput, responses={201: ScoringRoundSerializer})
    def post(self, request, challenge_pk):
        data = validated(RoundInput, request)
        scoring_round = services.scoring_round_open(
            challenge=self.challenge(), actor=request.user, reason=data["reason"]
        )
        return Response(ScoringRoundSerializer(scoring_round).data, status=status.HTTP_201_CREATED)
