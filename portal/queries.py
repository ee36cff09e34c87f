"""The portal's own reads, where a page needs them cheaper than the domain's general
queries give them: the list of calls on the home page.

The home page runs three queries over the calls the caller may see (the buyers of the
filter, the count, the page): the caller's memberships are read once (``Caller``) and
each query is built on them with the domain's rule (``procurement.queries.visible_q``,
``search_q``), rather than reading them again for each (issue 20); the page reads only
the columns its cards show, as plain values.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from procurement.models import Challenge, ChallengeResource
from procurement.queries import next_deadline, search_q, visible_q
from procurement.queries.membership import CHAMBRE_ROLES, STAFF_ROLES, org_id_lists

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
        staff, chambres = org_id_lists(user, STAFF_ROLES, CHAMBRE_ROLES)
        return cls(staff_of=tuple(staff), chambre_of=tuple(chambres))

    def visible(self) -> Q:
        """The calls the caller may see (``procurement.queries.visible_q``)."""
        return visible_q(staff=self.staff_of, chambres=self.chambre_of)


def calls_found(caller: Caller, *, q: str = "", stage: str = "", buyer: str = "") -> QuerySet:
    """The calls the caller sees that the search asks for (``search_q``), newest first."""
    found = search_q(q=q, stage=stage, buyer=buyer)
    return Challenge.objects.filter(caller.visible(), found).order_by("-created_at", "-id")


@dataclass(frozen=True)
class Buyer:
    """A buyer of calls the caller sees, and how many it has."""

    pk: int
    name: str
    calls: int


def call_buyers(caller: Caller) -> list[Buyer]:
    """The buyers of the calls the caller sees, by name (the filter's choices), each with
    its count of those calls: their sum
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
