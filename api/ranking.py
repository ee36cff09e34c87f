"""The ranking of a challenge's proposals with its breakdown, and its exports as a
spreadsheet (the buyer's staff, once scored)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from kernel.serializers import Serializer
from scoring import queries, ranking
from scoring.ranking import ranking_json, render_ranking_csv, render_ranking_xlsx

from .views import ChallengeScoped

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CriterionResultSerializer(Serializer):
    code = serializers.CharField()
    aggregated = serializers.DecimalField(max_digits=8, decimal_places=2)
    normalised = serializers.DecimalField(max_digits=6, decimal_places=4)
    contribution = serializers.DecimalField(max_digits=6, decimal_places=2)
    evaluator_marks = serializers.ListField(child=serializers.DictField())
    disagreement = serializers.BooleanField(help_text="Écart entre évaluateurs à délibérer.")
    unmarked = serializers.BooleanField()


class RankingEntrySerializer(Serializer):
    proposal_id = serializers.IntegerField()
    title = serializers.CharField()
    lot = serializers.IntegerField(
        help_text="Numéro du lot dans lequel la proposition est classée."
    )
    rank = serializers.IntegerField(help_text="Rang dans le lot.")
    total = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="Sur 100.")
    commons_total = serializers.DecimalField(max_digits=6, decimal_places=2)
    commons_weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    eliminated = serializers.BooleanField()
    elimination_reasons = serializers.ListField(child=serializers.CharField())
    tied_with = serializers.ListField(child=serializers.IntegerField())
    majority_grade = serializers.CharField(allow_null=True)
    criteria = CriterionResultSerializer(many=True)


class LotRankingSerializer(Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    entries = RankingEntrySerializer(
        many=True, help_text="Le classement du lot, du premier au dernier."
    )


class RankingSerializer(Serializer):
    method = serializers.CharField()
    method_label = serializers.CharField()
    method_description = serializers.CharField()
    disagreement_threshold = serializers.DecimalField(max_digits=4, decimal_places=2)
    lots = LotRankingSerializer(many=True, help_text="Un classement par lot (article L2113-10).")
    entries = RankingEntrySerializer(
        many=True, help_text="Les entrées de tous les lots, lot après lot."
    )


class RankingView(ChallengeScoped, APIView):
    """The aggregated ranking of each lot with its breakdown (the buyer's staff, once
    scored)."""

    permission_classes = [IsAuthenticated]
    challenge_light = True

    @extend_schema(responses=RankingSerializer)
    def get(self, request, challenge_pk):
        self.require_buyer_staff()
        # The stored ranking's JSON as it is (scoring.ranking.ranking_json).
        return HttpResponse(ranking_json(self.challenge()), content_type="application/json")


class RankingExport(ChallengeScoped, APIView):
    """The ranking as a spreadsheet (the buyer's staff): one row per proposal and lot."""

    permission_classes = [IsAuthenticated]
    challenge_light = True
    extension = ""
    content_type = ""

    def render(self, table, challenge) -> bytes:
        raise NotImplementedError

    def get(self, request, challenge_pk):
        self.require_buyer_staff()
        challenge = self.challenge()
        table = ranking.ranking_table(
            ranking.ranking_for(challenge),
            ranking.export_columns(queries.criteria_of(challenge)),
        )
        response = HttpResponse(self.render(table, challenge), content_type=self.content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{challenge.reference}-classement.{self.extension}"'
        )
        return response


class RankingCsv(RankingExport):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    @extend_schema(
        operation_id="ranking_export_csv", responses={(200, "text/csv"): OpenApiTypes.BINARY}
    )
    def get(self, request, challenge_pk):
        return super().get(request, challenge_pk)

    def render(self, table, challenge) -> bytes:
        return render_ranking_csv(table)


class RankingXlsx(RankingExport):
    extension = "xlsx"
    content_type = XLSX

    @extend_schema(operation_id="ranking_export_xlsx", responses={(200, XLSX): OpenApiTypes.BINARY})
    def get(self, request, challenge_pk):
        return super().get(request, challenge_pk)

    def render(self, table, challenge) -> bytes:
        return render_ranking_xlsx(table, title=f"Classement {challenge.reference}")
