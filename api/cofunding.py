"""The cofunding round: its public progress (``CofundingView``), the funders'
envelopes and pledges, and its rules (issue 7): the buyer's policies, bucket budgets
and descriptions, moving a pledge, contributors' envelopes and subsidies; matching
offers (issue 21, ``procurement.matching``)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    MATCHING_RATIO_MAX,
    Allocation,
    BeyondMinimum,
    Bucket,
    EditAfterFunded,
    MatchingOffer,
    Organisation,
    Pledge,
    Subsidy,
)
from procurement.services import cofunding as cofunding_services

from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped, validated

MONEY = {"max_digits": 12, "decimal_places": 2}


class SubsidySerializer(ModelSerializer):
    class Meta:
        model = Subsidy
        fields = ["id", "funder_name", "organisation", "amount", "reference"]


class BucketPledgeSerializer(Serializer):
    id = serializers.IntegerField()
    funder = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField()
    matched = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Ce que les abondements ajoutent à cet engagement (en direct, tour ouvert).",
    )
    matching = serializers.IntegerField(
        allow_null=True,
        help_text="L'abondement que cet engagement honore (engagement créé à la clôture).",
    )


class BucketSerializer(ModelSerializer):
    """A bucket's public progress: pledges and subsidies toward its minimum, and who
    pledged what."""

    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    pledges = serializers.SerializerMethodField()
    subsidies = SubsidySerializer(many=True, read_only=True)
    matched = serializers.SerializerMethodField(
        help_text=(
            "Fonds d'abondement sur ce commun : calculés en direct tant que le tour est "
            "ouvert (ils ne sont pas dans « pledged ») ; à la clôture, ceux honorés, devenus "
            "des engagements confirmés des abondeurs (alors compris dans « pledged »)."
        )
    )
    to_minimum = serializers.SerializerMethodField(
        help_text="Ce qui manque pour atteindre le minimum, abondement compris."
    )
    to_ceiling = serializers.SerializerMethodField(
        help_text=(
            "Ce que le commun peut encore recevoir, abondement compris : jusqu'à son "
            "maximum, ou son minimum quand le tour s'y arrête."
        )
    )

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
            "matched",
            "to_minimum",
            "to_ceiling",
        ]

    def _matched(self, bucket) -> Decimal:
        matching = self.context.get("matching")
        return matching.per_bucket.get(bucket.pk, Decimal(0)) if matching else Decimal(0)

    def _progress(self, bucket):
        return queries.bucket_progress(bucket.round, bucket, self._matched(bucket))

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_matched(self, bucket) -> str:
        return str(self._matched(bucket).quantize(Decimal("0.01")))

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_to_minimum(self, bucket) -> str:
        return str(self._progress(bucket)[0].quantize(Decimal("0.01")))

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_to_ceiling(self, bucket) -> str:
        return str(self._progress(bucket)[1].quantize(Decimal("0.01")))

    @extend_schema_field(BucketPledgeSerializer(many=True))
    def get_pledges(self, bucket) -> list[dict]:
        matching = self.context.get("matching")
        per_pledge = matching.per_pledge if matching else {}
        return [
            {
                "id": p.pk,
                "funder": p.allocation.funder.name,
                "amount": str(p.amount),
                "status": p.status,
                "matched": str(per_pledge.get(p.pk, Decimal(0)).quantize(Decimal("0.01"))),
                "matching": p.matching_id,
            }
            for p in bucket.pledges.all()
        ]


class MatchingOfferSerializer(ModelSerializer):
    """A matching offer: ``ratio`` euros per euro pledged by others, up to ``cap``, on
    ``buckets`` (empty: every commons of the round)."""

    matcher = OrganisationRefSerializer(read_only=True)
    buckets = serializers.SerializerMethodField()
    matched = serializers.SerializerMethodField(
        help_text=(
            "Ce que l'abondement ajoute en ce moment (tour ouvert), ou ce qu'il a donné à "
            "la clôture."
        )
    )
    remaining_cap = serializers.SerializerMethodField(
        help_text="Ce qui reste du plafond une fois l'abondement calculé."
    )

    class Meta:
        model = MatchingOffer
        fields = [
            "id",
            "matcher",
            "ratio",
            "cap",
            "buckets",
            "status",
            "matched",
            "remaining_cap",
            "created_at",
            "withdrawn_at",
        ]

    def _matched(self, offer) -> Decimal:
        if offer.status == MatchingOffer.Status.HONOURED:
            return offer.honoured
        if offer.status == MatchingOffer.Status.WITHDRAWN:
            return Decimal(0)
        matching = self.context.get("matching")
        return matching.per_offer.get(offer.pk, Decimal(0)) if matching else Decimal(0)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_buckets(self, offer) -> list[int]:
        return sorted(bucket.pk for bucket in offer.buckets.all())

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_matched(self, offer) -> str:
        return str(self._matched(offer).quantize(Decimal("0.01")))

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_remaining_cap(self, offer) -> str:
        return str((offer.cap - self._matched(offer)).quantize(Decimal("0.01")))


class MatchingOfferInput(Serializer):
    matcher = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text="L'acheteur de l'appel ou un financeur, dont vous êtes agent.",
    )
    ratio = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text=f"Euros abondés par euro engagé par les autres (0 exclu à {MATCHING_RATIO_MAX}).",
    )
    cap = serializers.DecimalField(**MONEY, help_text="Montant total que l'abondeur engage.")
    buckets = serializers.PrimaryKeyRelatedField(
        queryset=Bucket.objects.all(),
        many=True,
        required=False,
        help_text="Les communs abondés ; aucun : tous les communs du tour.",
    )


class AllocationSerializer(ModelSerializer):
    funder = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "funder", "kind", "amount", "pledged"]


class AllocationInput(Serializer):
    funder = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)


class PledgeInput(Serializer):
    bucket = serializers.PrimaryKeyRelatedField(queryset=Bucket.objects.all())
    funder = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class CofundingSettingsInput(Serializer):
    beyond_minimum = serializers.ChoiceField(choices=BeyondMinimum.choices, required=False)
    edit_after_funded = serializers.ChoiceField(choices=EditAfterFunded.choices, required=False)


class CofundingSettingsSerializer(Serializer):
    beyond_minimum = serializers.ChoiceField(choices=BeyondMinimum.choices)
    edit_after_funded = serializers.ChoiceField(choices=EditAfterFunded.choices)


class BucketInput(Serializer):
    min_amount = serializers.DecimalField(**MONEY, required=False)
    max_amount = serializers.DecimalField(**MONEY, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class PledgeMoveInput(Serializer):
    bucket = serializers.PrimaryKeyRelatedField(queryset=Bucket.objects.all())
    amount = serializers.DecimalField(**MONEY, required=False)


class ContributorAllocationsInput(Serializer):
    amount = serializers.DecimalField(**MONEY)


class SubsidyInput(Serializer):
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
                "matching_offers": MatchingOfferSerializer(many=True),
            },
        )
    )
    def get(self, request, challenge_pk):
        round_ = queries.cofunding_round_of(self.challenge())
        context = {"matching": queries.round_matching(round_)}
        return Response(
            {
                "id": round_.pk,
                "deadline": round_.deadline,
                "closed_at": round_.closed_at,
                "beyond_minimum": round_.beyond_minimum,
                "edit_after_funded": round_.edit_after_funded,
                "buckets": BucketSerializer(round_.buckets.all(), many=True, context=context).data,
                "allocations": AllocationSerializer(round_.allocations.all(), many=True).data,
                "matching_offers": MatchingOfferSerializer(
                    round_.matching_offers.all(), many=True, context=context
                ).data,
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
        round_ = self.round()
        bucket = next(b for b in round_.buckets.all() if b.pk == bucket.pk)
        context = {"matching": queries.round_matching(round_)}
        return Response(BucketSerializer(bucket, context=context).data)


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


class MatchingOfferList(RoundScoped, APIView):
    """The round's matching offers (withdrawn ones included), and offering one: the
    buyer's agents for the buyer, a funder's members for their funder, before the
    close."""

    @extend_schema(responses={200: MatchingOfferSerializer(many=True)})
    def get(self, request, challenge_pk):
        round_ = self.round()
        offers = (
            MatchingOffer.objects.filter(round=round_)
            .select_related("matcher")
            .prefetch_related("buckets")
            .order_by("created_at", "pk")
        )
        context = {"matching": queries.round_matching(round_)}
        return Response(MatchingOfferSerializer(offers, many=True, context=context).data)

    @extend_schema(request=MatchingOfferInput, responses={201: MatchingOfferSerializer})
    def post(self, request, challenge_pk):
        data = validated(MatchingOfferInput, request)
        data["buckets"] = [self.bucket(bucket) for bucket in data.get("buckets", [])]
        offer = cofunding_services.matching_offer_create(
            actor=request.user, round_=self.round(), **data
        )
        round_ = self.round()
        offer = next(o for o in round_.matching_offers.all() if o.pk == offer.pk)
        context = {"matching": queries.round_matching(round_)}
        return Response(
            MatchingOfferSerializer(offer, context=context).data, status=status.HTTP_201_CREATED
        )


class MatchingOfferDetail(RoundScoped, APIView):
    """The matcher's agent withdraws its offer before the close (409 after)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, challenge_pk, pk):
        offer = MatchingOffer.objects.filter(pk=pk, round__challenge=self.challenge()).first()
        if offer is None:
            raise NotFound(_("Abondement introuvable."), code="matching_not_found")
        cofunding_services.matching_offer_withdraw(actor=request.user, offer=offer)
        return Response(status=status.HTTP_204_NO_CONTENT)
