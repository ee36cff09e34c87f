"""Changes to a published call: listed for everyone, made by the buyer's staff. A
change regenerates the consultation documents (new versions), tells every positioned
partner and subscriber, and a substantial one extends the proposal deadline."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import ModelSerializer, Serializer
from procurement.models import Amendment
from workflows import services as process_services

from .views import ChallengeScoped, validated


class AmendmentSerializer(ModelSerializer):
    class Meta:
        model = Amendment
        fields = ["id", "summary", "substantial", "made_at"]


class AmendInput(Serializer):
    summary = serializers.CharField(
        max_length=5000, help_text="L'objet de la modification, publié aux candidats."
    )
    substantial = serializers.BooleanField(
        default=False,
        help_text="Une modification substantielle reporte la date limite des propositions.",
    )
    new_proposal_deadline = serializers.DateTimeField(required=False, allow_null=True)
    context = serializers.CharField(
        required=False, help_text="Le nouveau texte du contexte et de l'objet (RC, CCTP)."
    )
    lot_estimates = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        required=False,
        help_text="Numéro de lot → nouveau montant estimé HT.",
    )

    def validate_lot_estimates(self, value: dict) -> dict:
        """Keys are lot numbers: anything else is a 400 on this field, never a 500."""
        numbers = {}
        for key, amount in value.items():
            if not str(key).isdigit() or not 1 <= int(key) <= 999:
                raise serializers.ValidationError(
                    _("« %(key)s » n'est pas un numéro de lot.") % {"key": key}
                )
            numbers[int(key)] = amount
        return numbers


class Amendments(ChallengeScoped, APIView):
    """The changes made to the call since its publication (for everyone), and the
    buyer's new change: the DCE is generated again in the background."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: AmendmentSerializer(many=True)})
    def get(self, request, challenge_pk):
        return Response(AmendmentSerializer(self.challenge().amendments.all(), many=True).data)

    @extend_schema(request=AmendInput, responses={201: AmendmentSerializer})
    def post(self, request, challenge_pk):
        data = validated(AmendInput, request)
        amendment = process_services.call_amend(
            actor=request.user,
            challenge=self.challenge(),
            summary=data["summary"],
            substantial=data["substantial"],
            new_proposal_deadline=data.get("new_proposal_deadline"),
            context=data.get("context"),
            lot_estimates=data.get("lot_estimates", {}),
        )
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)
