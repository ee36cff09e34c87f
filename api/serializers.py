"""Input and output serializers of the domain API. No rule lives here: the views
hand validated data to the services."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement.models import (
    Allocation,
    AuditEvent,
    Bucket,
    BudgetCategory,
    BudgetLine,
    BudgetUnit,
    Challenge,
    ChallengeResource,
    Commons,
    DocumentJob,
    Milestone,
    Opinion,
    Organisation,
    Proposal,
    ProposalAttachment,
    Question,
    ReservationAnswer,
    Subsidy,
    TenderDocument,
    WorkingGroup,
)
from procurement.models.challenges import AggregationMethod


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code stable, lisible par une machine.")
    message = serializers.CharField(
        help_text="Message en français ou en anglais (Accept-Language)."
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Erreurs par champ.",
    )


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "legal_form", "siren", "siret", "rna", "address", "website"]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class CommonsSerializer(serializers.ModelSerializer):
    host = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Commons
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "category",
            "licence",
            "url",
            "community",
            "governance",
            "host",
            "referenced",
            "referenced_at",
        ]


class ResourceSerializer(serializers.ModelSerializer):
    position_count = serializers.IntegerField(read_only=True)
    public_organisations = serializers.SerializerMethodField(
        help_text="Noms des organisations positionnées qui acceptent de les rendre publics."
    )

    class Meta:
        model = ChallengeResource
        fields = [
            "id",
            "title",
            "description",
            "commons",
            "expected_licence",
            "order",
            "position_count",
            "public_organisations",
        ]

    def get_public_organisations(self, resource) -> list[str]:
        # Filled by queries.resources_of (one query for all resources).
        return [p.organisation.name for p in getattr(resource, "public_positions", [])]


class ResourceInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    commons = serializers.PrimaryKeyRelatedField(
        queryset=Commons.objects.all(), required=False, allow_null=True
    )
    expected_licence = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        if not attrs.get("title") and not attrs.get("commons"):
            raise serializers.ValidationError(
                {"title": ["Donnez un titre à la ressource ou choisissez un commun du catalogue."]}
            )
        return attrs


class ChallengeSerializer(serializers.ModelSerializer):
    buyer = OrganisationRefSerializer(read_only=True)
    chambre = OrganisationRefSerializer(read_only=True)
    process = serializers.IntegerField(source="process.pk", read_only=True, default=None)
    resource_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "id",
            "reference",
            "title",
            "context",
            "buyer",
            "chambre",
            "status",
            "estimated_amount",
            "aggregation_method",
            "positioning_deadline",
            "proposal_deadline",
            "questions_deadline",
            "cofunding_deadline",
            "published_at",
            "proposals_opened_at",
            "awarded_at",
            "cancelled_at",
            "cancel_reason",
            "process",
            "resource_count",
            "created_at",
        ]


class CriterionInput(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.CharField(required=False, default="other")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    scale = serializers.CharField(required=False, default="0-10")
    threshold = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )


class ChallengeCreateInput(serializers.Serializer):
    buyer = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    chambre = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    title = serializers.CharField(max_length=200)
    context = serializers.CharField()
    estimated_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    aggregation_method = serializers.ChoiceField(choices=AggregationMethod.choices, required=False)
    resources = ResourceInput(many=True, allow_empty=False)
    criteria = CriterionInput(many=True, required=False)


class ChallengeUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    context = serializers.CharField(required=False)
    estimated_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    aggregation_method = serializers.ChoiceField(choices=AggregationMethod.choices, required=False)
    resources = ResourceInput(many=True, required=False)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "author_hash", "text", "answer", "asked_at", "answered_at"]


class BuyerQuestionSerializer(serializers.ModelSerializer):
    """The buyer's staff also see their drafted, unpublished answer."""

    class Meta:
        model = Question
        fields = [
            "id",
            "author_hash",
            "text",
            "answer",
            "asked_at",
            "answered_at",
            "draft_answer",
            "drafted_at",
        ]


class QuestionInput(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    text = serializers.CharField(max_length=5000)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=10000)


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "category", "label", "quantity", "unit", "rate", "amount"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_on", "deliverable"]


class ProposalAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalAttachment
        fields = ["id", "original_name", "size", "sha256", "kind", "uploaded_at"]


class ProposalSerializer(serializers.ModelSerializer):
    resource = serializers.IntegerField(source="group.resource_id", read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    attachments = ProposalAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "group",
            "resource",
            "title",
            "summary",
            "deliverables",
            "licence",
            "community",
            "governance",
            "amount",
            "coordination_justification",
            "budget_lines",
            "milestones",
            "attachments",
            "status",
            "submitted_at",
        ]


class BudgetLineInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=BudgetCategory.choices)
    label = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), help_text="Jours ou heures."
    )
    unit = serializers.ChoiceField(choices=BudgetUnit.choices)
    rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), help_text="Tarif HT (€)."
    )


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    deliverable = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalInput(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=WorkingGroup.objects.all())
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


class CommonsInput(serializers.ModelSerializer):
    class Meta:
        model = Commons
        fields = [
            "name",
            "description",
            "category",
            "licence",
            "url",
            "community",
            "governance",
            "host",
        ]


class ReservationAnswerSerializer(serializers.ModelSerializer):
    reservation = serializers.IntegerField(source="index")

    class Meta:
        model = ReservationAnswer
        fields = ["reservation", "accepted", "answer", "answered_at"]


class OpinionSerializer(serializers.ModelSerializer):
    """A published opinion with the buyer's answers to its reservations (public)."""

    answers = ReservationAnswerSerializer(many=True, read_only=True)
    referred_at = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "subject",
            "verdict",
            "reasons",
            "reservations",
            "answers",
            "recommended_commons",
            "licence_requirements",
            "referred_at",
            "issued_at",
        ]

    def get_referred_at(self, opinion):
        referral = getattr(opinion, "referral", None)
        return referral.opened_at if referral else None


class SubsidySerializer(serializers.ModelSerializer):
    class Meta:
        model = Subsidy
        fields = ["id", "funder_name", "organisation", "amount", "reference"]


class BucketPledgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    funder = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField()


class BucketSerializer(serializers.ModelSerializer):
    """A bucket's public progress: pledges and subsidies toward its minimum, and who
    pledged what."""

    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    pledges = serializers.SerializerMethodField()
    subsidies = SubsidySerializer(many=True, read_only=True)

    class Meta:
        model = Bucket
        fields = [
            "id",
            "proposal",
            "proposal_title",
            "description",
            "min_amount",
            "max_amount",
            "pledged",
            "subsidised",
            "total",
            "percent",
            "status",
            "pledges",
            "subsidies",
        ]

    @extend_schema_field(BucketPledgeSerializer(many=True))
    def get_pledges(self, bucket) -> list[dict]:
        return [
            {
                "id": p.pk,
                "funder": p.allocation.funder.name,
                "amount": str(p.amount),
                "status": p.status,
            }
            for p in bucket.pledges.all()
        ]


class AllocationSerializer(serializers.ModelSerializer):
    funder = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "funder", "kind", "amount", "pledged"]


class AllocationInput(serializers.Serializer):
    funder = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class PledgeInput(serializers.Serializer):
    bucket = serializers.PrimaryKeyRelatedField(queryset=Bucket.objects.all())
    funder = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    uploaded = serializers.BooleanField(read_only=True)

    class Meta:
        model = TenderDocument
        fields = [
            "id",
            "piece",
            "key",
            "version",
            "title",
            "sha256",
            "size",
            "uploaded",
            "created_at",
            "download_url",
        ]

    def get_download_url(self, document) -> str:
        return f"/api/v1/challenges/{document.challenge_id}/documents/{document.pk}/download/"


class DocumentJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentJob
        fields = ["id", "status", "total", "done", "attempts", "error", "created_at", "finished_at"]


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


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class DocumentUploadInput(serializers.Serializer):
    piece = serializers.CharField(max_length=40)
    key = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    file = serializers.FileField(help_text="Version révisée, au format .docx (20 Mo au plus).")
