"""The exploration before cofunding of a call (seed 003): what the call plans, each
selected team's budget and payout, and the buyer's decision with its reason.

Read by whoever may see the call (from the selection on, which proposals were retained
is public); the decision itself is a step of the process, completed through the task
API (``POST /api/v1/tasks/{id}/complete/`` with ``decisions``) or its portal page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.calculations import EXPLORATION_BUDGET_MAX, EXPLORATION_BUDGET_MIN
from procurement.models import Exploration

from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped

MONEY = {"max_digits": 8, "decimal_places": 2}


class ExplorationSerializer(ModelSerializer):
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    commons = serializers.IntegerField(
        source="proposal.group.resource.commons_id",
        read_only=True,
        allow_null=True,
        help_text="Le commun du catalogue exploré (vide s'il reste à créer).",
    )
    team = OrganisationRefSerializer(read_only=True)
    payout = serializers.IntegerField(
        source="payout_id",
        read_only=True,
        allow_null=True,
        help_text=(
            "Le versement au registre du commun (dépense d'exploration), quand le commun a "
            "une structure hébergeuse ; vide sinon : l'acheteur paie l'équipe directement."
        ),
    )
    payout_status = serializers.CharField(
        source="payout.status", read_only=True, allow_null=True, default=None
    )
    proven = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text="Vrai : le commun a fait ses preuves et est cofinancé ; vide tant que "
        "l'acheteur n'a pas décidé.",
    )

    class Meta:
        model = Exploration
        fields = [
            "id",
            "proposal",
            "proposal_title",
            "commons",
            "team",
            "budget",
            "payout",
            "payout_status",
            "started_at",
            "proven",
            "reason",
            "decided_at",
        ]


class ExplorationBoundsSerializer(Serializer):
    min = serializers.DecimalField(**MONEY)
    max = serializers.DecimalField(**MONEY)


class ExplorationViewSerializer(Serializer):
    planned = serializers.BooleanField(help_text="L'appel prévoit une phase d'exploration.")
    budget = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Budget d'exploration par équipe (€)."
    )
    end = serializers.DateTimeField(allow_null=True, help_text="Fin de l'exploration.")
    bounds = ExplorationBoundsSerializer(
        help_text="Les bornes d'un budget d'exploration par équipe (pratique de la "
        "Métropole européenne de Lille : 1 000 € à 3 000 €)."
    )
    explorations = ExplorationSerializer(many=True)


class ExplorationView(ChallengeScoped, APIView):
    """The call's exploration: its plan, the budgets granted and the decisions."""

    @extend_schema(responses=ExplorationViewSerializer)
    def get(self, request, challenge_pk):
        challenge = self.challenge()
        return Response(
            ExplorationViewSerializer(
                {
                    "planned": challenge.exploration_planned,
                    "budget": challenge.exploration_budget,
                    "end": challenge.exploration_end,
                    "bounds": {"min": EXPLORATION_BUDGET_MIN, "max": EXPLORATION_BUDGET_MAX},
                    "explorations": queries.explorations_of(challenge),
                }
            ).data
        )
