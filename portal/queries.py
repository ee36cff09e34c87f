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
from django.db.models import Count, Q, QuerySet

from procurement.models import Challenge, ChallengeResource, Membership, Referral
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


@dataclass(frozen=True)
class Buyer:
    """A buyer of calls the caller sees, and how many it has."""

    pk: int
    name: str
    calls: int


def call_buyers(caller: Caller) -> list[Buyer]:
    """The buyers of the calls the caller sees, by name (the filter's choices,
    ``procurement.queries.call_buyers``), each with its count of those calls: their sum
    is the unfiltered list's count, read here rather than by a query of its own."""
    rows = (
        Challenge.objects.filter(caller.visible())
        .order_by()
        .values_list("buyer_id", "buyer__name")
        .annotate(calls=Count("pk"))
        .order_by("buyer__name", "buyer_id")
    )
    return [Buyer(pk=pk, name=name, calls=calls) for pk, name, calls in rows]


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


def _card(row: dict, resource_count: int) -> CallCard:
    return CallCard(
        pk=row["pk"],
        title=row["title"],
        context=row["context"],
        status=row["status"],
        reference=row["reference"],
        buyer_name=row["buyer__name"],
        resource_count=resource_count,
        deadline=next_deadline(_Deadlines(row)),
    )


class _Counted(Paginator):
    """A paginator told its count, when it was read beside something else."""

    def __init__(self, object_list, per_page, count: int | None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count


def calls_page(
    caller: Caller, *, number, buyers: list[Buyer], q: str = "", stage: str = "", buyer: str = ""
) -> Page:
    """Page ``number`` of the calls found (``calls_found``; ``Paginator.get_page``: the
    last page past the end, the first for a number that is none), ten cards, each with
    its count of resources (one grouped query for the page's calls, ten rows whatever
    their resources) and its next deadline.
    Unfiltered, the count is the sum of ``buyers``' (``call_buyers``); filtered, a query.
    """
    calls = calls_found(caller, q=q, stage=stage, buyer=buyer)
    count = None if q or stage or buyer else sum(b.calls for b in buyers)
    page = _Counted(calls.values(*_COLUMNS), PER_PAGE, count).get_page(number)
    rows = list(page.object_list)
    resources = dict(
        ChallengeResource.objects.filter(challenge_id__in=[row["pk"] for row in rows])
        .order_by()
        .values_list("challenge_id")
        .annotate(n=Count("pk"))
    )
    page.object_list = [_card(row, resources.get(row["pk"], 0)) for row in rows]
    return page
