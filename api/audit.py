"""A challenge's audit trail and its verification (its buyer and its Chambre); every
chain verified (the service's administrators); the anchored chain heads (anyone)."""

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import Forbidden
from kernel.guards import field_error
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import AuditEvent, ChainAnchor
from procurement.services.chains import chains_verify, challenge_chains, first_problem
from procurement.services.chains.incremental import (
    chain_verify_incremental,
    merged,
    page_problems,
)

from .pagination import ListCursor
from .views import ChallengeScoped

CHAIN_NAME = re.compile(r"^(global|(challenge|sealed|ledger):[0-9]{1,18})$")


class AuditEventSerializer(ModelSerializer):
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

    def to_representation(self, event):
        # A page holds up to 200 events: each value through its own field, in the
        # fields' order, without DRF's generic walk (a source lookup per field) — the
        # same JSON for a fraction of the cost.
        fields = self.fields
        values = {name: getattr(event, name) for name in self.Meta.fields}
        return {
            name: None if value is None else fields[name].to_representation(value)
            for name, value in values.items()
        }


class ChainProblemSerializer(Serializer):
    chain = serializers.CharField(
        help_text="La chaîne en cause (`ledger:4`, `anchors`, `sealed:7:12` : la chaîne "
        "scellée de la proposition 12 de l'appel 7…)."
    )
    code = serializers.CharField(
        help_text="`altered_event`, `broken_link`, `missing_event`, `inserted_event`, "
        "`head_mismatch`, `anchor_mismatch`, `anchor_forged`, `anchor_missing`, "
        "`anchor_broken_link`, `sealed_head_mismatch`, `ledger_amount_mismatch`, "
        "`ledger_event_missing`, `ledger_row_missing`, `ledger_status_mismatch`, "
        "`ledger_total_mismatch`."
    )
    seq = serializers.IntegerField(
        allow_null=True, help_text="Le numéro de l'événement en cause dans la chaîne."
    )
    row = serializers.CharField(
        help_text="La ligne en cause hors de la chaîne (`expense:12`, `anchor:3`…), ou vide."
    )
    message = serializers.CharField()


class ChainReportSerializer(Serializer):
    chain = serializers.CharField()
    valid = serializers.BooleanField()
    count = serializers.IntegerField(help_text="Nombre d'événements (d'ancres pour `anchors`).")
    head_seq = serializers.IntegerField()
    head_hash = serializers.CharField()
    anchored_seq = serializers.IntegerField(
        allow_null=True, help_text="L'événement de la dernière tête ancrée."
    )
    anchored_at = serializers.DateTimeField(allow_null=True)
    problems = ChainProblemSerializer(many=True)


class AuditCursor(ListCursor):
    """The trail's events by their number, a page at a time: ``?cursor=`` (opaque, from
    ``next`` or ``previous``; one that no page gave is a 400 on ``cursor``, as on the
    lists), ``?page_size=`` up to 200. No count to compute: the verification gives the
    chain's length."""

    page_size = 50


class AuditView(ChallengeScoped, APIView):
    """A call's audit trail, a page of its events at a time, and the verification of its
    chains: from their checkpoint (the rows written since the last verification, the
    chain passing through what was verified, its anchors, its head) and the rows of the
    page (``procurement.services.chains.incremental``). ``GET /api/v1/chains/verification/``
    re-hashes every row."""

    permission_classes = [IsAuthenticated]
    pagination_class = AuditCursor
    challenge_light = True

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="La page suivante ou précédente."),
            OpenApiParameter("page_size", int, description="Événements par page (200 au plus)."),
        ],
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
                "chains": ChainReportSerializer(
                    many=True,
                    help_text="La chaîne de l'appel et, une fois les plis ouverts, sa chaîne "
                    "scellée : chaque anomalie, ligne par ligne, et les têtes ancrées.",
                ),
                "events": AuditEventSerializer(many=True),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
            },
        ),
    )
    def get(self, request, challenge_pk):
        challenge = self.challenge()
        if not (
            queries.is_buyer_staff(request.user, challenge)
            or queries.is_chambre_member(request.user, challenge)
        ):
            raise Forbidden(
                _("Le journal d'audit est réservé à l'acheteur et à la Chambre."),
                code="audit_restricted",
            )
        paginator = AuditCursor()
        events = paginator.paginate_queryset(
            AuditEvent.objects.filter(chain=f"challenge:{challenge.pk}").order_by("seq"),
            request,
            view=self,
        )
        reports = [chain_verify_incremental(chain) for chain in challenge_chains(challenge)]
        # the call's own chain comes first: the events served are its own
        reports[0] = merged(reports[0], page_problems(reports[0].chain, events))
        verification = first_problem(reports[0])
        return Response(
            {
                "verification": {
                    "valid": verification.valid,
                    "count": verification.count,
                    "first_broken_seq": verification.first_broken_seq,
                    "reason": verification.reason,
                },
                "chains": ChainReportSerializer(reports, many=True).data,
                "events": AuditEventSerializer(events, many=True).data,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
            }
        )


def chain_names(values: list[str]) -> list[str]:
    """The ``chain`` filter: each a chain's name, else 400 on the field."""
    for value in values:
        if not CHAIN_NAME.match(value):
            raise field_error(
                "chain",
                _("Chaîne inconnue : global, challenge:<n>, sealed:<n> ou ledger:<n>."),
                code="unknown_chain",
            )
    return values


class ChainVerificationView(APIView):
    """Every hash chain verified row by row, against its anchored heads, what the
    opening recorded of a sealed chain and a ledger's rows (``manage.py verify_chains``
    gives the same verdict)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "chain",
                str,
                many=True,
                description="Ne vérifier que ces chaînes (`global`, `challenge:7`, "
                "`sealed:7`, `ledger:3`) ; répétable.",
            )
        ],
        responses=inline_serializer(
            "ChainsVerification",
            {
                "valid": serializers.BooleanField(),
                "checked_at": serializers.DateTimeField(),
                "chains": ChainReportSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        if not request.user.is_staff:
            raise Forbidden(
                _("La vérification de toutes les chaînes est réservée aux administrateurs."),
                code="chains_restricted",
            )
        wanted = chain_names(request.query_params.getlist("chain"))
        verification = chains_verify(chains=wanted or None)
        return Response(
            {
                "valid": verification.valid,
                "checked_at": timezone.now(),
                "chains": ChainReportSerializer(verification.reports, many=True).data,
            }
        )


class ChainAnchorSerializer(ModelSerializer):
    class Meta:
        model = ChainAnchor
        fields = [
            "seq",
            "chain",
            "chain_seq",
            "hash",
            "anchored_at",
            "prev_signature",
            "signature",
        ]


class ChainAnchorList(generics.ListAPIView):
    """The anchored heads of the chains, oldest first: anyone may read and keep them,
    and a chain that no longer passes through a head kept here was rewritten."""

    permission_classes = [AllowAny]
    serializer_class = ChainAnchorSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("chain", str, description="Les têtes d'une seule chaîne."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        anchors = queries.anchors_public()
        chain = self.request.query_params.get("chain")
        if chain:
            anchors = anchors.filter(chain=chain_names([chain])[0])
        return anchors
