"""A challenge's audit trail and its verification (its buyer and its Chambre)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import Forbidden
from procurement import queries
from procurement.models import AuditEvent
from procurement.services.audit import audit_verify

from .views import ChallengeScoped


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "verb",
            "actor_label",
            "object_type",
            "object_id",
            "data",
            "created_at",
            "prev_hash",
            "hash",
        ]


class AuditView(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Audit",
            {
                "verification": inline_serializer(
                    "Verification",
                    {
                        "valid": serializers.BooleanField(),
                        "count": serializers.IntegerField(),
                        "first_broken_seq": serializers.IntegerField(allow_null=True),
                        "reason": serializers.CharField(),
                    },
                ),
                "events": AuditEventSerializer(many=True),
            },
        )
    )
    def get(self, request, challenge_pk):
        challenge = self.challenge()
        if not (
            queries.is_buyer_staff(request.user, challenge)
            or queries.is_member(request.user, challenge.chambre, queries.CHAMBRE_ROLES)
        ):
            raise Forbidden(
                _("Le journal d'audit est réservé à l'acheteur et à la Chambre."),
                code="audit_restricted",
            )
        verification = audit_verify(challenge=challenge)
        events = challenge.audit_events.order_by("seq")
        return Response(
            {
                "verification": {
                    "valid": verification.valid,
                    "count": verification.count,
                    "first_broken_seq": verification.first_broken_seq,
                    "reason": verification.reason,
                },
                "events": AuditEventSerializer(events, many=True).data,
            }
        )
