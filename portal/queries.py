"""The portal's own reads, where a page needs them cheaper than the domain's general
queries give them: the list of calls on the home page.

The home page ran three queries over the calls the caller may see (the buyers of the
filter, the count, the page), each rebuilding ``challenges_visible_to``'s filter with
its membership subqueries; building them cost most of the page (issue 20). Here the
caller's memberships are read once, and the same rule is written with their ids as
literals; the page reads only the columns its cards show, as plain values.

The rule is ``procurement.queries.challenges_visible_to``'s and
``challenges_search``'s: tests/portal/test_home_queries.py checks that both give the
same calls for every kind of caller and filter.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from procurement.models import Challenge, ChallengeResource, Membership, Organisation, Referral
from procurement.models.challenges import PUBLIC_STATUSES, ChallengeStatus
from procurement.queries import CALL_FILTER_STAGES, next_deadline
from procurement.queries.membership import CHAMBRE_ROLES, STAFF_ROLES

PER_PAGE = 10


@dataclass(frozen=True)
class Caller:
    """The organisations whose unpublished calls the caller also sees: its buyers (as
    staff) and its Chambres (the calls referred to them)."""

    staff_of: tuple[int, ...] = ()
    chambre_of: tuple[int, ...] = ()

    @classmethod
    def of(cls, user) -> "Caller":
        """One query for a signed-in user, none for a visitor."""
        if user is None or not user.is_authenticated:
            return cls()
        memberships = list(
            Membership.objects.filter(user=user).values_list("organisation_id", "role")
        )
        return cls(
            staff_of=tuple(org for org, role in memberships if role in STAFF_ROLES),
            chambre_of=tuple(org for org, role in memberships if role in CHAMBRE_ROLES),
        )

    def visible(self) -> Q:
        """``challenges_visible_to``'s rule: the published calls (a cancelled one if it
        had been published), the drafts of the caller's buyers, the calls referred to its
        Chambres."""
        q = Q(status__in=PUBLIC_STATUSES) | Q(
            status=ChallengeStatus.CANCELLED, published_at__isnull=False
        )
        if self.staff_of:
            q |= Q(buyer_id__in=self.staff_of)
        if self.chambre_of:
            q |= Q(
                pk__in=Referral.objects.filter(chambre_id__in=self.chambre_of).values(
                    "challenge_id"
                )
            )
        return q


def calls_found(caller: Caller, *, q: str = "", stage: str = "", buyer: str = "") -> QuerySet:
    """``challenges_search``: the calls the caller sees, with words in the title, the
    reference or the context, in a group of stages, of a buyer; newest first."""
    qs = Challenge.objects.filter(caller.visible())
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(reference__icontains=q) | Q(context__icontains=q))
    if stage in CALL_FILTER_STAGES:
        qs = qs.filter(status__in=CALL_FILTER_STAGES[stage])
    if buyer.isdigit():
        qs = qs.filter(buyer_id=int(buyer))
    return qs.order_by("-created_at", "-id")


def call_buyers(caller: Caller) -> list[tuple[int, str]]:
    """The buyers of the calls the caller sees, by name: ``(id, name)``, the filter's
    choices (``procurement.queries.call_buyers``)."""
    return list(
        Organisation.objects.filter(
            pk__in=Challenge.objects.filter(caller.visible()).values("buyer_id")
        )
        .order_by("name")
        .values_list("pk", "name")
    )


@dataclass(frozen=True)
class CallCard:
    """What a call's card on the home page shows."""

    pk: int
    title: str
    context: str
    status: str
    reference: str
    buyer_name: str
    resource_count: int
    deadline: datetime | None


# The columns a card needs, and those its next deadline is read from (``next_deadline``).
_DEADLINES = (
    "positioning_deadline",
    "proposal_deadline",
    "exploration_planned",
    "exploration_end",
    "cofunding_deadline",
)
_COLUMNS = ("pk", "title", "context", "status", "reference", "buyer__name", *_DEADLINES)


class _Deadlines:
    """A row's deadline columns under the names ``next_deadline`` reads."""

    def __init__(self, row: dict):
        self.__dict__.update({name: row[name] for name in _DEADLINES})


def _card(row: dict) -> CallCard:
    return CallCard(
        pk=row["pk"],
        title=row["title"],
        context=row["context"],
        status=row["status"],
        reference=row["reference"],
        buyer_name=row["buyer__name"],
        resource_count=row["resource_count"],
        deadline=next_deadline(_Deadlines(row)),
    )


def calls_page(calls: QuerySet, number) -> Page:
    """Page ``number`` of ``calls`` (``Paginator.get_page``: the last page past the end,
    the first for a number that is none), ten cards, each with its count of resources
    (a subquery for the page's rows only) and its next deadline."""
    resources = (
        ChallengeResource.objects.filter(challenge=OuterRef("pk"))
        .order_by()
        .values("challenge")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = calls.values(*_COLUMNS).annotate(
        resource_count=Coalesce(Subquery(resources, output_field=IntegerField()), 0)
    )
    page = Paginator(rows, PER_PAGE).get_page(number)
    page.object_list = [_card(row) for row in page.object_list]
    return page
