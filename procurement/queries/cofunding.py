"""A challenge's cofunding round, who may fund in it and who may edit its buckets."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import (
    Allocation,
    Bucket,
    CofundingRound,
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
