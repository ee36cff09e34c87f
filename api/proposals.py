"""Proposals and their attachments: a working group submits its sealed proposal and
uploads its attachments before the deadline; both are read alike (its group always,
the buyer and the assigned evaluators once the proposals are opened, nobody else: 404)."""

from decimal import Decimal

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.receipt import received_at
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    BudgetCategory,
    BudgetLine,
    BudgetScope,
    BudgetUnit,
    GroupementKind,
    MemberShare,
    Milestone,
    Organisation,
    Proposal,
    ProposalAttachment,
    WorkingGroup,
)
from procurement.services import proposals as proposal_services
from procurement.uploads import MAX_UPLOAD_BYTES, MIME_TYPES, open_stored

from .errors import ErrorSerializer
from .views import ChallengeScoped, represented, validated


class BudgetLineSerializer(ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "category",
            "label",
            "quantity",
            "unit",
            "rate",
            "amount",
            "scope",
            "lot_number",
        ]

    lot_number = serializers.IntegerField(source="lot.number", read_only=True, allow_null=True)


class MilestoneSerializer(ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "deliverable"]


class ProposalAttachmentSerializer(ModelSerializer):
    class Meta:
        model = ProposalAttachment
        fields = ["id", "original_name", "size", "sha256", "kind", "uploaded_at"]


class MemberShareSerializer(ModelSerializer):
    lot = serializers.IntegerField(source="lot.number", read_only=True)

    class Meta:
        model = MemberShare
        fields = ["organisation", "lot", "amount"]


class FairPayLineSerializer(Serializer):
    label = serializers.CharField(help_text="Libellé de la ligne de contribution.")
    hourly_rate = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Taux horaire HT (€) ; un jour vaut 7 heures."
    )
    within = serializers.BooleanField(help_text="Dans la référence de l'appel, bornes comprises.")


class FairPaySerializer(Serializer):
    """Juste rémunération : taux horaires des contributions et part de la coordination,
    comparés à la référence de l'appel ; des avertissements, jamais un refus."""

    rate_min = serializers.DecimalField(
        max_digits=8, decimal_places=2, source="figures.rate_min", help_text="Taux HT minimal."
    )
    rate_max = serializers.DecimalField(
        max_digits=8, decimal_places=2, source="figures.rate_max", help_text="Taux HT maximal."
    )
    lines = FairPayLineSerializer(many=True, source="figures.lines")
    coordination_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="figures.coordination"
    )
    coordination_share = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        source="figures.coordination_share",
        allow_null=True,
        help_text="Part de la coordination et de l'animation dans le budget (%), de 10 à 25.",
    )
    coordination_within = serializers.BooleanField(source="figures.coordination_within")
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="Avertissements, en français."
    )


class ProposalSerializer(ModelSerializer):
    resource = serializers.IntegerField(source="group.resource_id", read_only=True)
    lots = serializers.SerializerMethodField(help_text="Numéros des lots auxquels elle répond.")
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    attachments = ProposalAttachmentSerializer(many=True, read_only=True)
    member_shares = MemberShareSerializer(many=True, read_only=True)
    contract_price = serializers.SerializerMethodField(
        help_text="Prix du marché HT : les lignes dans le marché (zéro hors marché public)."
    )
    cofundable_amount = serializers.SerializerMethodField(
        help_text="Part cofinançable HT : les lignes hors marché (tout, hors marché public)."
    )
    fair_pay = serializers.SerializerMethodField(
        help_text="Juste rémunération : taux horaires, part de la coordination, avertissements."
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "group",
            "resource",
            "lots",
            "title",
            "summary",
            "deliverables",
            "licence",
            "community",
            "governance",
            "amount",
            "contract_price",
            "cofundable_amount",
            "coordination_justification",
            "fair_pay",
            "groupement_kind",
            "member_shares",
            "budget_lines",
            "milestones",
            "attachments",
            "status",
            "submitted_at",
        ]

    def get_lots(self, proposal) -> list[int]:
        return sorted(lot.number for lot in proposal.lots.all())

    # Strings, as the other amounts: Decimal euros, never float.
    def get_contract_price(self, proposal) -> str:
        return str(queries.budget_split_of(proposal).contract)

    def get_cofundable_amount(self, proposal) -> str:
        return str(queries.budget_split_of(proposal).cofundable)

    @extend_schema_field(FairPaySerializer)
    def get_fair_pay(self, proposal) -> dict:
        return represented(FairPaySerializer, queries.fair_pay_of(proposal))


class BudgetLineInput(Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    label = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), help_text="Jours ou heures."
    )
    unit = serializers.ChoiceField(choices=BudgetUnit.choices)
    rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), help_text="Tarif HT (€)."
    )
    scope = serializers.ChoiceField(
        choices=BudgetScope.choices,
        default=BudgetScope.CONTRACT,
        help_text=(
            "Dans le marché (prix payé par l'acheteur) ou hors marché (cofinançable). "
            "Hors marché public, toute ligne est subventionnée."
        ),
    )
    lot = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Numéro du lot que la ligne chiffre ; requis quand la proposition répond à "
            "plusieurs lots, sinon celui de sa ressource."
        ),
    )


class MilestoneInput(Serializer):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    deliverable = serializers.CharField(required=False, allow_blank=True, default="")


class MemberShareInput(Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    lot = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        required=False,
        allow_null=True,
        default=None,
        help_text="Numéro du lot ; requis quand la proposition répond à plusieurs lots.",
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), help_text="Part du prix HT (€)."
    )


class GroupReference(serializers.PrimaryKeyRelatedField):
    """A working group by its id, not read here: the service reads it with its call, under
    the call's lock, in the same statement (``proposal_services._receipt_gate``); a group
    that is not of the URL's call, existing elsewhere or not at all, is not found there
    (404, no hint that it exists). Described as DRF's related field (an integer)."""

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            value = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < value <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return value


class ProposalInput(Serializer):
    # the group's id alone: the service reads the group, its call and lot under the
    # call's lock
    group = GroupReference(queryset=WorkingGroup.objects.all())
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    deliverables = serializers.CharField()
    licence = serializers.CharField(max_length=64)
    budget_lines = BudgetLineInput(
        many=True,
        help_text="Le coût total est la somme des lignes (quantité × tarif, arrondi au centime).",
    )
    milestones = MilestoneInput(many=True, help_text="Au moins un jalon.")
    community = serializers.CharField(required=False, allow_blank=True, default="")
    governance = serializers.CharField(required=False, allow_blank=True, default="")
    coordination_justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Requise quand la coordination et l'animation sortent de 10 % à 25 % du total.",
    )
    groupement_kind = serializers.ChoiceField(
        choices=GroupementKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Groupement conjoint ou solidaire (R2142-19 à R2142-27), déclaré par le "
            "coordinateur ; vide pour un candidat seul. Marché public seulement : hors "
            "marché, refusé (400, code outside_contract)."
        ),
    )
    member_shares = MemberShareInput(
        many=True,
        required=False,
        default=list,
        help_text=(
            "Part de chaque membre dans le prix HT de chaque lot ; leur somme égale le prix. "
            "Marché public seulement : hors marché, refusé (400, code outside_contract)."
        ),
    )
    lots = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=32767),
        required=False,
        default=list,
        help_text=(
            "Numéros des lots auxquels la proposition répond, outre celui de sa ressource "
            "(seulement si l'appel accepte qu'une proposition réponde à plusieurs lots)."
        ),
    )


class GroupementInput(Serializer):
    groupement_kind = serializers.ChoiceField(
        choices=[c for c in GroupementKind.choices if c[0]],
        help_text="Groupement conjoint ou solidaire (R2142-19 à R2142-27).",
    )
    member_shares = MemberShareInput(
        many=True,
        help_text="Part de chaque membre dans le prix HT de chaque lot ; leur somme égale le prix.",
    )


class AttachmentInput(Serializer):
    file = serializers.FileField(
        help_text="PDF, ODT ou DOCX (jugé sur son contenu), 20 Mo au plus."
    )


class ProposalList(ChallengeScoped, generics.ListCreateAPIView):
    serializer_class = ProposalSerializer

    def scoped_queryset(self):
        return queries.proposals_visible_to(self.request.user, self.challenge())

    @extend_schema(request=ProposalInput, responses={201: ProposalSerializer})
    def post(self, request, challenge_pk):
        data = validated(ProposalInput, request)
        # The group names its call: a working group exists only once a call is published
        # (its positioning closed), so the call is visible to whoever may submit for it,
        # which the service checks (a group of this call, else 404; a member of the
        # group, else 403). No visibility query of the call on the deadline rush's path.
        proposal = proposal_services.proposal_submit(
            actor=request.user, received_at=received_at(request), challenge_id=challenge_pk, **data
        )
        return Response(represented(ProposalSerializer, proposal), status=status.HTTP_201_CREATED)


class ProposalDetail(ChallengeScoped, generics.RetrieveAPIView):
    serializer_class = ProposalSerializer

    def get_object(self):
        return queries.access_proposal(
            user=self.request.user, challenge=self.challenge(), pk=self.kwargs["pk"]
        )


class ProposalScoped(ChallengeScoped):
    def proposal(self):
        return queries.access_proposal(
            user=self.request.user, challenge=self.challenge(), pk=self.kwargs["pk"]
        )


class ProposalGroupement(ProposalScoped, APIView):
    """The mise au point of a retained groupement's form and split, before the signature
    (article R2152-13): declared by the working group's coordinator."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=GroupementInput, responses={200: ProposalSerializer})
    def put(self, request, challenge_pk, pk):
        proposal = self.proposal()
        data = validated(GroupementInput, request)
        settled = proposal_services.proposal_groupement_settle(
            actor=request.user, proposal=proposal, **data
        )
        return Response(ProposalSerializer(settled).data)


class ProposalAttachmentList(ProposalScoped, APIView):
    """A member of the working group attaches a document to its sealed proposal."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentInput},
        responses={
            201: ProposalAttachmentSerializer,
            413: OpenApiResponse(ErrorSerializer, description="Fichier trop volumineux."),
        },
    )
    def post(self, request, challenge_pk, pk):
        proposal = self.proposal()
        data = validated(AttachmentInput, request)
        # Read one byte more than allowed: the checker then refuses it as too large.
        content = data["file"].read(MAX_UPLOAD_BYTES + 1)
        attachment = proposal_services.proposal_attachment_add(
            actor=request.user,
            proposal=proposal,
            content=content,
            name=data["file"].name,
            received_at=received_at(request),
        )
        return Response(
            ProposalAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED
        )


class ProposalAttachmentFile(ProposalScoped, APIView):
    """The file of an attachment, for whoever may read the proposal."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, challenge_pk, pk, attachment_pk):
        proposal = self.proposal()
        attachment = next((a for a in proposal.attachments.all() if a.pk == attachment_pk), None)
        if attachment is None:
            raise NotFound(_("Pièce jointe introuvable."), code="attachment_not_found")
        return FileResponse(
            open_stored(attachment.file),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=MIME_TYPES[attachment.kind],
        )
