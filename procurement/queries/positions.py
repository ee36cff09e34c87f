"""A challenge's lots and resources, the partners' positions on them and the working
groups."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import (
    ChallengeResource,
    Lot,
    Membership,
    Position,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.models.positions import GROUP_INTENTS
from procurement.queries.membership import is_buyer_staff, org_ids


def resources_of(challenge) -> QuerySet[ChallengeResource]:
    """Resources with the public count of positioned organisations and, in
    ``public_positions``, the positions of those that agreed to show their name."""
    return (
        challenge.resources.select_related("commons", "lot")
        .annotate(position_count=Count("positions", distinct=True))
        .prefetch_related(
            Prefetch(
                "positions",
                queryset=Position.objects.filter(public_name=True)
                .select_related("organisation")
                .order_by("organisation__name"),
                to_attr="public_positions",
            )
        )
        .order_by("order", "id")
    )


def resources_hosting(challenge) -> QuerySet[ChallengeResource]:
    """The challenge's resources with their lot, their commons and its structure
    hébergeuse (one query)."""
    return challenge.resources.select_related("lot", "commons__host").order_by("order", "id")


def lots_of(challenge) -> QuerySet[Lot]:
    """The call's lots in order, each with its resources (two queries)."""
    return challenge.lots.prefetch_related(
        Prefetch("resources", queryset=ChallengeResource.objects.order_by("order", "id"))
    ).order_by("number")


def group_intents() -> list[str]:
    return list(GROUP_INTENTS)


def positions_visible_to(user, challenge) -> QuerySet[Position]:
    """The buyer's staff see every position; a partner sees its own organisations'."""
    qs = (
        Position.objects.filter(resource__challenge=challenge)
        .select_related("resource", "organisation")
        .prefetch_related("contributions")
    )
    if is_buyer_staff(user, challenge):
        return qs.order_by("resource_id", "id")
    return qs.filter(organisation__in=org_ids(user)).order_by("resource_id", "id")


def access_position(*, user, challenge, pk) -> Position:
    try:
        return positions_visible_to(user, challenge).get(pk=pk)
    except (Position.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Positionnement introuvable."), code="position_not_found") from None


def working_groups_of(challenge) -> QuerySet[WorkingGroup]:
    return (
        WorkingGroup.objects.filter(resource__challenge=challenge)
        .select_related("resource", "coordinator")
        .prefetch_related("members__organisation")
        .order_by("resource__order", "resource_id")
    )


def working_groups_visible_to(user, challenge) -> QuerySet[WorkingGroup]:
    """The challenge's groups. ``is_member`` says whether the caller's organisations
    belong to the group; each member carries ``is_public`` (its position on the resource
    agrees to show its name) and its organisation's memberships with their users, which
    only the group's own members may be shown."""
    members = (
        WorkingGroupMember.objects.select_related("organisation")
        .annotate(
            is_public=Exists(
                Position.objects.filter(
                    resource=OuterRef("group__resource"),
                    organisation=OuterRef("organisation"),
                    public_name=True,
                )
            )
        )
        .prefetch_related(
            Prefetch(
                "organisation__memberships",
                queryset=Membership.objects.select_related("user").order_by(
                    "user__last_name", "id"
                ),
            )
        )
        .order_by("organisation__name")
    )
    return (
        WorkingGroup.objects.filter(resource__challenge=challenge)
        .select_related("resource", "coordinator")
        .annotate(
            is_member=Exists(
                WorkingGroupMember.objects.filter(
                    group=OuterRef("pk"), organisation__in=org_ids(user)
                )
            )
        )
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("resource__order", "resource_id")
    )


def access_working_group(*, user, challenge, pk) -> WorkingGroup:
    """One group of the challenge, found only by its own members."""
    try:
        return working_groups_visible_to(user, challenge).filter(is_member=True).get(pk=pk)
    except (WorkingGroup.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Groupe de travail introuvable."), code="group_not_found") from None
