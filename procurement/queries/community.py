"""Facilitation and community: who facilitates a call, who may see a working group's
space (its links and meetings), the facilitator's to-do list, and the Chambre's
motions with their action plans."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import (
    OPEN_ACTION_STATUSES,
    Challenge,
    ChallengeStatus,
    Facilitation,
    Meeting,
    Membership,
    Motion,
    MotionAction,
    MotionStatus,
    Organisation,
    Position,
    Role,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.models.positions import GROUP_INTENTS
from procurement.queries.membership import (
    CHAMBRE_ROLES,
    STAFF_ROLES,
    is_buyer_staff,
    is_member,
    org_ids,
)

# The stages where a call's facilitation has ended: nothing left to facilitate.
CLOSED_STAGES = [ChallengeStatus.CANCELLED, ChallengeStatus.UNSUCCESSFUL]


def facilitation_of(challenge) -> Facilitation | None:
    """The call's facilitation (active or flagged), with its facilitator, or None."""
    return (
        Facilitation.objects.select_related("facilitator", "designated_by")
        .filter(challenge=challenge)
        .first()
    )


def is_facilitator(user, challenge) -> bool:
    """Whether ``user`` facilitates the call now (designated, neutrality not flagged)."""
    if user is None or not user.is_authenticated:
        return False
    return Facilitation.objects.filter(
        challenge=challenge, facilitator=user, conflict_at__isnull=True
    ).exists()


def facilitators_of_buyer(challenge) -> QuerySet:
    """The people the buyer may designate as the call's facilitator: its members with
    the resource-person role (``Role.FACILITATOR``)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=challenge.buyer,
            memberships__role=Role.FACILITATOR,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "username")
    )


def candidate_organisations(challenge) -> QuerySet[Organisation]:
    """The call's candidates: the organisations positioned to produce or contribute on
    one of its resources, and the members of its working groups (who make its
    proposals)."""
    return Organisation.objects.filter(
        Q(
            pk__in=Position.objects.filter(
                resource__challenge=challenge, intent__in=GROUP_INTENTS
            ).values("organisation")
        )
        | Q(
            pk__in=WorkingGroupMember.objects.filter(group__resource__challenge=challenge).values(
                "organisation"
            )
        )
    )


def candidate_memberships(user, challenge) -> list[str]:
    """The names of the call's candidates ``user`` belongs to (whatever the role)."""
    return list(
        candidate_organisations(challenge)
        .filter(
            pk__in=Membership.objects.filter(user=user).values("organisation"),
        )
        .order_by("name")
        .values_list("name", flat=True)
    )


def _group_space_q(user, challenge) -> Q | None:
    """Which of the call's groups ``user`` may see the space of (None: all of them).

    Need to know: a group's meetings, minutes and links are its members', the call's
    facilitator's and the buyer's staff's; the other candidates see them only once the
    offers are opened (before, they would tell how a competing offer is being made).
    The public sees none: a group's membership is public only by each member's choice."""
    if is_buyer_staff(user, challenge) or is_facilitator(user, challenge):
        return None
    own = Q(
        Exists(
            WorkingGroupMember.objects.filter(group=OuterRef("pk"), organisation__in=org_ids(user))
        )
    )
    if challenge.proposals_opened_at is not None and (
        candidate_organisations(challenge).filter(pk__in=org_ids(user)).exists()
    ):
        return None
    return own


def group_spaces_visible_to(user, challenge) -> QuerySet[WorkingGroup]:
    """The call's groups whose space ``user`` may see, each with ``may_write`` (the
    caller is on the staff of a member organisation, or is the facilitator) and its
    meetings (with their attendees). A constant number of queries."""
    if user is None or not user.is_authenticated:
        return WorkingGroup.objects.none()
    qs = WorkingGroup.objects.filter(resource__challenge=challenge)
    q = _group_space_q(user, challenge)
    if q is not None:
        qs = qs.filter(q)
    facilitating = is_facilitator(user, challenge)
    return (
        qs.select_related("resource", "coordinator")
        .annotate(
            is_member=Exists(
                WorkingGroupMember.objects.filter(
                    group=OuterRef("pk"), organisation__in=org_ids(user, STAFF_ROLES)
                )
            )
        )
        .prefetch_related(
            Prefetch("members", queryset=WorkingGroupMember.objects.select_related("organisation")),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("minutes_by").prefetch_related("attendees"),
            ),
        )
        .order_by("resource__order", "resource_id")
        .annotate(is_facilitator=Value(facilitating, output_field=BooleanField()))
    )


def may_write_group(group) -> bool:
    """Whether the caller (as annotated by ``group_spaces_visible_to``) may schedule a
    meeting, write minutes or set the links: a member's staff, or the facilitator."""
    return bool(group.is_member or group.is_facilitator)


def access_group_space(*, user, challenge, pk) -> WorkingGroup:
    """One group whose space ``user`` may see, or ``NotFound``."""
    try:
        return group_spaces_visible_to(user, challenge).get(pk=pk)
    except (WorkingGroup.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Groupe de travail introuvable."), code="group_not_found") from None


def access_meeting(*, group, pk) -> Meeting:
    """One meeting of a group the caller may see (found through ``access_group_space``)."""
    for meeting in group.meetings.all():
        if str(meeting.pk) == str(pk):
            return meeting
    raise NotFound(_("Réunion introuvable."), code="meeting_not_found")


@dataclass(frozen=True)
class FacilitationItem:
    """One thing the facilitator has to do: a group to facilitate, a meeting to hold,
    minutes to write, questions waiting."""

    kind: str
    challenge: Challenge
    group: WorkingGroup | None
    meeting: Meeting | None
    count: int
    when: datetime | None


def facilitation_items(user) -> list[FacilitationItem]:
    """What ``user`` must facilitate, across the calls they facilitate now: each
    working group, each meeting to hold (soonest first), each past meeting without
    minutes, and the questions still unanswered on a call. Three queries."""
    if user is None or not user.is_authenticated:
        return []
    challenges = list(
        Challenge.objects.filter(
            facilitation__facilitator=user, facilitation__conflict_at__isnull=True
        )
        .exclude(status__in=CLOSED_STAGES)
        .annotate(unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True)))
        .order_by("-created_at", "-id")
    )
    by_pk = {c.pk: c for c in challenges}
    groups = (
        WorkingGroup.objects.filter(resource__challenge__in=by_pk)
        .select_related("resource")
        .prefetch_related("meetings")
        .order_by("resource__challenge_id", "resource__order", "resource_id")
    )
    now = timezone.now()
    items: list[FacilitationItem] = []
    for group in groups:
        challenge = by_pk[group.resource.challenge_id]
        items.append(FacilitationItem("group", challenge, group, None, 0, None))
        for meeting in group.meetings.all():
            if meeting.starts_at > now:
                items.append(
                    FacilitationItem("meeting", challenge, group, meeting, 0, meeting.starts_at)
                )
            elif not meeting.minutes:
                items.append(
                    FacilitationItem("minutes", challenge, group, meeting, 0, meeting.starts_at)
                )
    for challenge in challenges:
        if challenge.unanswered and challenge.status in (
            ChallengeStatus.POSITIONING,
            ChallengeStatus.PROPOSALS,
        ):
            items.append(
                FacilitationItem("questions", challenge, None, None, challenge.unanswered, None)
            )
    return items


# --- the Chambre's motions ------------------------------------------------------------


def motions_visible_to(user, chambre=None) -> QuerySet[Motion]:
    """Adopted motions for everyone; every motion of a Chambre for its members. With
    their actions (two queries)."""
    q = Q(status=MotionStatus.ADOPTED)
    if user is not None and user.is_authenticated:
        q |= Q(chambre__in=org_ids(user, CHAMBRE_ROLES))
    qs = Motion.objects.filter(q)
    if chambre is not None:
        qs = qs.filter(chambre=chambre)
    return qs.select_related(
        "chambre", "commons", "challenge", "filed_by", "decided_by"
    ).prefetch_related(
        Prefetch("actions", queryset=MotionAction.objects.order_by("due_date", "id"))
    )


def access_motion(*, user, pk) -> Motion:
    try:
        return motions_visible_to(user).get(pk=pk)
    except (Motion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Motion introuvable."), code="motion_not_found") from None


def may_file_motion(user, chambre) -> bool:
    return is_member(user, chambre, [Role.CONTRIBUTEURS])


def may_moderate(user, chambre) -> bool:
    return is_member(user, chambre, [Role.MODERATOR])


def actions_overdue(today) -> QuerySet[MotionAction]:
    """The actions of adopted motions still open past their due date."""
    return (
        MotionAction.objects.filter(
            motion__status=MotionStatus.ADOPTED,
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=today,
        )
        .select_related("motion__chambre", "motion__challenge")
        .order_by("due_date", "id")
    )


def facilitations_flagged_for(user) -> QuerySet[Facilitation]:
    """The facilitations of the user's buyers (as staff) whose neutrality is flagged:
    the buyer designates another facilitator."""
    if user is None or not user.is_authenticated:
        return Facilitation.objects.none()
    return (
        Facilitation.objects.filter(
            challenge__buyer__in=org_ids(user, STAFF_ROLES), conflict_at__isnull=False
        )
        .exclude(challenge__status__in=CLOSED_STAGES)
        .select_related("challenge")
        .order_by("conflict_at")
    )
