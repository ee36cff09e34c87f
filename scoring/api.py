"""REST views of the scoring: evaluations (blind until submitted) and the ranking."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.api.views import ChallengeScoped
from scoring.models import Evaluation
from scoring.queries import evaluations_visible_to


class EvaluationSerializer(serializers.ModelSerializer):
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


class EvaluationList(ChallengeScoped, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = EvaluationSerializer

    def scoped_queryset(self):
        return evaluations_visible_to(self.request.user, self.challenge())


class CriterionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    aggregated = serializers.DecimalField(max_digits=8, decimal_places=2)
    normalised = serializers.DecimalField(max_digits=6, decimal_places=4)
    contribution = serializers.DecimalField(max_digits=6, decimal_places=2)
    evaluator_marks = serializers.ListField(child=serializers.DictField())
    disagreement = serializers.BooleanField(help_text="Écart entre évaluateurs à délibérer.")
    unmarked = serializers.BooleanField()


class RankingEntrySerializer(serializers.Serializer):
    proposal_id = serializers.IntegerField()
    title = serializers.CharField()
    rank = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="Sur 100.")
    commons_total = serializers.DecimalField(max_digits=6, decimal_places=2)
    commons_weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    eliminated = serializers.BooleanField()
    elimination_reasons = serializers.ListField(child=serializers.CharField())
    tied_with = serializers.ListField(child=serializers.IntegerField())
    majority_grade = serializers.CharField(allow_null=True)
    criteria = CriterionResultSerializer(many=True)


class RankingSerializer(serializers.Serializer):
    method = serializers.CharField()
    method_label = serializers.CharField()
    method_description = serializers.CharField()
    entries = RankingEntrySerializer(many=True)


class RankingView(ChallengeScoped, APIView):
    """The aggregated ranking with its breakdown (the buyer's staff, once scored)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RankingSerializer)
    def get(self, request, challenge_pk):
        from scoring.ranking import ranking_for

        self.require_buyer_staff()
        return Response(ranking_for(self.challenge()))
