"""The cofunding round: its public progress (``CofundingView``), the funders'
envelopes and pledges, and its rules (issue 7): the buyer's policies, bucket budgets
and descriptions, moving a pledge, contributors' envelopes and subsidies."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from procurement import queries
from procurement.models import (
    Allocation,
    BeyondMinimum,
    Bucket,
    EditAfterFunded,
    Organisation,
    Pledge,
    Subsidy,
)
from procurement.services import cofunding as cofunding_services

from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped, validated

MONEY = {"max_digits": 12, "decimal_places": 2}


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


class CofundingSettingsInput(serializers.Serializer):
    beyond_minimum = serializers.ChoiceField(choices=BeyondMinimum.choices, required=False)
    edit_after_funded = serializers.ChoiceField(choices=EditAfterFunded.choices, required=False)


class CofundingSettingsSerializer(serializers.Serializer):
    beyond_minimum = serializers.ChoiceField(choices=BeyondMinimum.choices)
    edit_after_funded = serializers.ChoiceField(choices=EditAfterFunded.choices)


class BucketInput(serializers.Serializer):
    min_amount = serializers.DecimalField(**MONEY, required=False)
    max_amount = serializers.DecimalField(**MONEY, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class PledgeMoveInput(serializers.Serializer):
    bucket = serializers.PrimaryKeyRelatedField(queryset=Bucket.objects.all())
    amount = serializers.DecimalField(**MONEY, required=False)


class ContributorAllocationsInput(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)


class SubsidyInput(serializers.Serializer):
    bucket = serializers.PrimaryKeyRelatedField(queryset=Bucket.objects.all())
    amount = serializers.DecimalField(**MONEY)
    funder_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


PLEDGE = inline_serializer(
    "MovedPledge",
    {
        "id": serializers.IntegerField(),
        "amount": serializers.DecimalField(**MONEY),
        "bucket": serializers.IntegerField(),
    },
)


class CofundingView(ChallengeScoped, APIView):
    """The round: every bucket's progress and who pledged what, for everyone to see."""

    @extend_schema(
        responses=inline_serializer(
            "Cofunding",
            {
                "id": serializers.IntegerField(),
                "deadline": serializers.DateTimeField(),
                "closed_at": serializers.DateTimeField(allow_null=True),
                "beyond_minimum": serializers.ChoiceField(choices=BeyondMinimum.choices),
                "edit_after_funded": serializers.ChoiceField(choices=EditAfterFunded.choices),
                "buckets": BucketSerializer(many=True),
                "allocations": AllocationSerializer(many=True),
            },
        )
    )
    def get(self, request, challenge_pk):
        round_ = queries.cofunding_round_of(self.challenge())
        return Response(
            {
                "id": round_.pk,
                "deadline": round_.deadline,
                "closed_at": round_.closed_at,
                "beyond_minimum": round_.beyond_minimum,
                "edit_after_funded": round_.edit_after_funded,
                "buckets": BucketSerializer(round_.buckets.all(), many=True).data,
                "allocations": AllocationSerializer(round_.allocations.all(), many=True).data,
            }
        )


class AllocationCreate(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AllocationInput, responses={201: AllocationSerializer})
    def post(self, request, challenge_pk):
        data = validated(AllocationInput, request)
        round_ = queries.cofunding_round_of(self.challenge())
        allocation = cofunding_services.allocation_set(actor=request.user, round_=round_, **data)
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_201_CREATED)


class PledgeCreate(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PledgeInput,
        responses={
            201: inline_serializer(
                "Pledge",
                {
                    "id": serializers.IntegerField(),
                    "amount": serializers.DecimalField(max_digits=12, decimal_places=2),
                    "bucket": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request, challenge_pk):
        data = validated(PledgeInput, request)
        if data["bucket"].round.challenge_id != self.challenge().pk:
            raise NotFound(_("Commun introuvable dans ce tour."), code="bucket_not_found")
        pledge = cofunding_services.pledge_create(actor=request.user, **data)
        return Response(
            {"id": pledge.pk, "amount": str(pledge.amount), "bucket": pledge.bucket_id},
            status=status.HTTP_201_CREATED,
        )


class PledgeDetail(ChallengeScoped, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, challenge_pk, pk):
        pledge = (
            Pledge.objects.filter(pk=pk, bucket__round__challenge=self.challenge())
            .select_related("allocation__round__challenge")
            .first()
        )
        if pledge is None:
            raise NotFound(_("Engagement introuvable."), code="pledge_not_found")
        cofunding_services.pledge_withdraw(actor=request.user, pledge=pledge)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoundScoped(ChallengeScoped):
    def round(self):
        return queries.cofunding_round_of(self.challenge())

    def bucket(self, bucket):
        if bucket.round.challenge_id != self.challenge().pk:
            raise NotFound(_("Commun introuvable dans ce tour."), code="bucket_not_found")
        return bucket


class CofundingSettings(RoundScoped, APIView):
    """The buyer sets the round's policies while it is open."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CofundingSettingsInput, responses={200: CofundingSettingsSerializer})
    def patch(self, request, challenge_pk):
        data = validated(CofundingSettingsInput, request)
        round_ = cofunding_services.cofunding_update(
            actor=request.user, round_=self.round(), **data
        )
        return Response(CofundingSettingsSerializer(round_).data)


class BucketDetail(RoundScoped, APIView):
    """The buyer or the bucket's working group edits its budget or its description."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=BucketInput, responses={200: BucketSerializer})
    def patch(self, request, challenge_pk, pk):
        data = validated(BucketInput, request)
        bucket = (
            Bucket.objects.filter(pk=pk, round__challenge=self.challenge())
            .select_related("proposal")
            .first()
        )
        if bucket is None:
            raise NotFound(_("Commun introuvable dans ce tour."), code="bucket_not_found")
        bucket = cofunding_services.bucket_update(actor=request.user, bucket=bucket, **data)
        return Response(BucketSerializer(bucket).data)


class PledgeMove(RoundScoped, APIView):
    """A funder moves (part of) an active pledge to another bucket."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PledgeMoveInput, responses={201: PLEDGE})
    def post(self, request, challenge_pk, pk):
        data = validated(PledgeMoveInput, request)
        pledge = Pledge.objects.filter(pk=pk, bucket__round__challenge=self.challenge()).first()
        if pledge is None:
            raise NotFound(_("Engagement introuvable."), code="pledge_not_found")
        moved = cofunding_services.pledge_move(
            actor=request.user,
            pledge=pledge,
            bucket=self.bucket(data["bucket"]),
            amount=data.get("amount"),
        )
        return Response(
            {"id": moved.pk, "amount": str(moved.amount), "bucket": moved.bucket_id},
            status=status.HTTP_201_CREATED,
        )


class ContributorAllocations(RoundScoped, APIView):
    """The buyer gives each contributor of the challenge an envelope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ContributorAllocationsInput, responses={200: AllocationSerializer(many=True)}
    )
    def post(self, request, challenge_pk):
        data = validated(ContributorAllocationsInput, request)
        allocations = cofunding_services.allocations_grant_contributors(
            actor=request.user, round_=self.round(), **data
        )
        return Response(AllocationSerializer(allocations, many=True).data)


class SubsidyCreate(RoundScoped, APIView):
    """The buyer records a subsidy on a bucket."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=SubsidyInput, responses={201: SubsidySerializer})
    def post(self, request, challenge_pk):
        data = validated(SubsidyInput, request)
        data["bucket"] = self.bucket(data["bucket"])
        subsidy = cofunding_services.subsidy_record(actor=request.user, **data)
        return Response(SubsidySerializer(subsidy).data, status=status.HTTP_201_CREATED)
