"""The cofunding round's rules (issue 7): the buyer's policies, bucket budgets and
descriptions, moving a pledge, contributors' envelopes and subsidies. The round's
public progress is ``views.CofundingView``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from procurement import queries
from procurement.models import BeyondMinimum, Bucket, EditAfterFunded, Organisation, Pledge
from procurement.services import cofunding as cofunding_services

from . import serializers as s
from .views import ChallengeScoped, validated

MONEY = {"max_digits": 12, "decimal_places": 2}


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

    @extend_schema(request=BucketInput, responses={200: s.BucketSerializer})
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
        return Response(s.BucketSerializer(bucket).data)


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
        request=ContributorAllocationsInput, responses={200: s.AllocationSerializer(many=True)}
    )
    def post(self, request, challenge_pk):
        data = validated(ContributorAllocationsInput, request)
        allocations = cofunding_services.allocations_grant_contributors(
            actor=request.user, round_=self.round(), **data
        )
        return Response(s.AllocationSerializer(allocations, many=True).data)


class SubsidyCreate(RoundScoped, APIView):
    """The buyer records a subsidy on a bucket."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=SubsidyInput, responses={201: s.SubsidySerializer})
    def post(self, request, challenge_pk):
        data = validated(SubsidyInput, request)
        data["bucket"] = self.bucket(data["bucket"])
        subsidy = cofunding_services.subsidy_record(actor=request.user, **data)
        return Response(s.SubsidySerializer(subsidy).data, status=status.HTTP_201_CREATED)
