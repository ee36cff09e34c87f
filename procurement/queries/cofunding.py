"""A challenge's cofunding round, who may fund in it and who may edit its buckets."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement import matching
from procurement.models import (
    Allocation,
    BeyondMinimum,
    Bucket,
    CofundingRound,
    EditAfterFunded,
    MatchingOffer,
    Organisation,
    OrganisationKind,
    Pledge,
    WorkingGroupMember,
)
from procurement.models.positions import GROUP_INTENTS
from procurement.queries.membership import STAFF_ROLES, is_buyer_staff, org_ids, organisations_list


def cofunding_round_of(challenge):
    round_ = (
        CofundingRound.objects.filter(challenge=challenge)
        .prefetch_related(
            Prefetch(
                "buckets__pledges",
                queryset=Pledge.objects.exclude(status=Pledge.Status.RELEASED).select_related(
                    "allocation__funder"
                ),
            ),
            "buckets__proposal",
            "buckets__subsidies",
            Prefetch("allocations", queryset=Allocation.objects.select_related("funder")),
            Prefetch(
                "matching_offers",
                queryset=MatchingOffer.objects.exclude(status=MatchingOffer.Status.WITHDRAWN)
                .select_related("matcher")
                .prefetch_related(
                    Prefetch("buckets", queryset=Bucket.objects.select_related("proposal"))
                ),
            ),
        )
        .first()
    )
    if round_ is None:
        raise NotFound(_("Aucun tour de cofinancement pour cet appel."), code="no_round")
    return round_


def funders_for(user, challenge) -> QuerySet[Organisation]:
    """The user's organisations that may hold an envelope in the challenge's round: its
    funders, the challenge's buyer (``cofunding.allocation_set``), and the contributors
    the buyer granted one (``cofunding.allocations_grant_contributors``)."""
    granted = Allocation.objects.filter(round__challenge=challenge).values("funder_id")
    return organisations_list().filter(
        Q(kind=OrganisationKind.FUNDER) | Q(pk=challenge.buyer_id) | Q(pk__in=granted),
        pk__in=org_ids(user),
    )


def challenge_contributors(challenge):
    """The organisations positioned to produce or contribute on the challenge."""
    return (
        Organisation.objects.filter(
            positions__resource__challenge=challenge, positions__intent__in=GROUP_INTENTS
        )
        .distinct()
        .order_by("pk")
    )


def _may_edit_bucket(actor, bucket: Bucket) -> bool:
    """The buyer's staff, or a member of the working group of the bucket's proposal."""
    if is_buyer_staff(actor, bucket.round.challenge):
        return True
    return WorkingGroupMember.objects.filter(
        group_id=bucket.proposal.group_id, organisation__in=org_ids(actor, STAFF_ROLES)
    ).exists()


def bucket_editable_by(actor, bucket: Bucket) -> bool:
    """Whether ``bucket_update`` lets ``actor`` edit this bucket (pages show the form)."""
    return _may_edit_bucket(actor, bucket)


def funded_resource_ids(challenge) -> set[int]:
    """The resources of the challenge whose commons a closed round funded: their
    convention names a structure hébergeuse."""
    return set(
        Bucket.objects.filter(round__challenge=challenge, status=Bucket.Status.FUNDED).values_list(
            "proposal__group__resource_id", flat=True
        )
    )


def cofunding_of(user) -> QuerySet[Allocation]:
    """« Mes cofinancements »: the envelopes of the user's organisations in every round,
    open or closed, newest round first, each with its pledges (and their commons) and
    its round's call. A constant number of queries."""
    return (
        Allocation.objects.filter(funder__in=org_ids(user, STAFF_ROLES))
        .select_related("funder", "round__challenge")
        .prefetch_related(
            Prefetch(
                "pledges",
                queryset=Pledge.objects.select_related("bucket__proposal").order_by("pk"),
            )
        )
        .order_by("-round__deadline", "-round_id", "funder__name")
    )


@dataclass(frozen=True, slots=True)
class RoundMatching:
    """The matching funds of a round, as its page and the API show them: per bucket, per
    offer and per pledge. Live (``procurement.matching.matches``) while the round is
    open; what the close honoured once it is closed."""

    per_bucket: dict[int, Decimal]
    per_offer: dict[int, Decimal]
    per_pledge: dict[int, Decimal]


def _ceiling(round_, bucket) -> Decimal:
    if round_.beyond_minimum == BeyondMinimum.STOP_AT_MINIMUM:
        return bucket.min_amount
    return bucket.max_amount


def matching_inputs(round_, buckets, pledges, offers):
    """The pure calculation's inputs from rows (pledges in the order they were made)."""
    stay = round_.edit_after_funded == EditAfterFunded.STAY_FUNDED
    rooms = [
        matching.BucketRoom(
            id=bucket.pk,
            total=bucket.total,
            ceiling=_ceiling(round_, bucket),
            minimum=bucket.min_amount,
            kept_funded=stay and bucket.status == Bucket.Status.FUNDED,
        )
        for bucket in buckets
    ]
    lines = [
        matching.PledgeLine(
            id=pledge.pk,
            bucket=pledge.bucket_id,
            funder=pledge.allocation.funder_id,
            amount=pledge.amount,
        )
        for pledge in sorted(pledges, key=lambda p: (p.created_at, p.pk))
        if pledge.status == Pledge.Status.ACTIVE and pledge.matching_id is None
    ]
    terms = [
        matching.Offer(
            id=offer.pk,
            matcher=offer.matcher_id,
            ratio=offer.ratio,
            cap=offer.cap,
            buckets=frozenset(bucket.pk for bucket in offer.buckets.all()),
        )
        for offer in sorted(offers, key=lambda o: (o.created_at, o.pk))
        if offer.status == MatchingOffer.Status.ACTIVE
    ]
    return rooms, lines, terms


def round_matching(round_) -> RoundMatching:
    """Matched amounts of a round loaded by ``cofunding_round_of`` (no further query)."""
    buckets = list(round_.buckets.all())
    pledges = [pledge for bucket in buckets for pledge in bucket.pledges.all()]
    if round_.closed_at is not None:
        honoured = [p for p in pledges if p.matching_id is not None]
        per_bucket: dict[int, Decimal] = {}
        per_offer: dict[int, Decimal] = {}
        for pledge in honoured:
            per_bucket[pledge.bucket_id] = per_bucket.get(pledge.bucket_id, Decimal(0)) + (
                pledge.amount
            )
            per_offer[pledge.matching_id] = per_offer.get(pledge.matching_id, Decimal(0)) + (
                pledge.amount
            )
        return RoundMatching(per_bucket=per_bucket, per_offer=per_offer, per_pledge={})
    rooms, lines, terms = matching_inputs(
        round_, buckets, pledges, list(round_.matching_offers.all())
    )
    found = matching.matches(buckets=rooms, pledges=lines, offers=terms)
    per_pledge: dict[int, Decimal] = {}
    for match in found:
        per_pledge[match.pledge] = per_pledge.get(match.pledge, Decimal(0)) + match.amount
    return RoundMatching(
        per_bucket=matching.per_bucket(found),
        per_offer=matching.per_offer(found),
        per_pledge=per_pledge,
    )


def bucket_progress(round_, bucket, matched: Decimal) -> tuple[Decimal, Decimal]:
    """What a bucket still lacks to its minimum and to its ceiling (its maximum, or its
    minimum when the round stops there), matched funds counted: while the round is
    open they are not in ``bucket.total`` yet; at its close they became pledges."""
    reached = bucket.total + (matched if round_.closed_at is None else Decimal(0))
    return (
        max(bucket.min_amount - reached, Decimal(0)),
        max(_ceiling(round_, bucket) - reached, Decimal(0)),
    )


def matching_offers_of(user) -> QuerySet[MatchingOffer]:
    """« Mes cofinancements »: the matching offers of the user's organisations in every
    round, newest first, with their call."""
    return (
        MatchingOffer.objects.filter(matcher__in=org_ids(user, STAFF_ROLES))
        .select_related("matcher", "round__challenge")
        .order_by("-created_at", "-pk")
    )


def collective_electorate(challenge) -> QuerySet[Organisation]:
    """Who votes in a call's collective vote on the commons to cofinance: every funder
    (a cofunding round is open to all of them, as ``funder_recipients`` says) and the
    organisations of the call's working groups (its contributors). One ballot each."""
    contributors = WorkingGroupMember.objects.filter(group__resource__challenge=challenge).values(
        "organisation_id"
    )
    return Organisation.objects.filter(
        Q(kind=OrganisationKind.FUNDER) | Q(pk__in=contributors)
    ).order_by("name", "pk")


def own_group_proposals(challenge, organisation_ids) -> dict[int, set[int]]:
    """Per organisation, the proposals of the call made by a working group it belongs
    to (the commons it does not grade in a collective vote)."""
    own: dict[int, set[int]] = {}
    rows = WorkingGroupMember.objects.filter(
        group__resource__challenge=challenge,
        organisation_id__in=organisation_ids,
        group__proposals__isnull=False,
    ).values_list("organisation_id", "group__proposals")
    for org_id, proposal_id in rows:
        own.setdefault(org_id, set()).add(proposal_id)
    return own
