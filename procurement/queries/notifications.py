"""Subscriptions, who receives the mails of a challenge's events, and the deadlines
ahead that the reminders speak of (``Reminder``, ``deadlines_to_remind``)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.contrib.auth import get_user_model
from django.db.models import Min, Q

from kernel.formats import PARIS
from procurement.calculations import day_end, reminder_horizon
from procurement.models import (
    Allocation,
    Bucket,
    Challenge,
    ChallengeStatus,
    CofundingRound,
    Deliverable,
    DeliverableStatus,
    MailPreference,
    MatchingOffer,
    Organisation,
    OrganisationKind,
    Pledge,
    Position,
    Subscription,
    WorkingGroupMember,
)
from procurement.queries.execution import holder_organisation_ids
from procurement.queries.membership import STAFF_ROLES, org_ids


def subscriptions_of(user):
    """The subscriptions of the user and of the organisations it is staff of."""
    return (
        Subscription.objects.filter(Q(user=user) | Q(organisation__in=org_ids(user, STAFF_ROLES)))
        .select_related("buyer", "organisation")
        .order_by("id")
    )


def _with_address(org_ids, roles=STAFF_ROLES):
    """The active users with an address holding one of ``roles`` in these organisations."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation__in=org_ids, memberships__role__in=roles, is_active=True
        )
        .exclude(email="")
    )


def staff_memberships(org_ids):
    """(user, organisation) pairs of the staff with an address of these organisations: a
    user on the staff of two of them comes twice, once per organisation."""
    return _with_address(org_ids).values_list("pk", "memberships__organisation")


def staff_recipients(org_ids) -> set[int]:
    """The active users with an address among the staff of these organisations."""
    return set(_with_address(org_ids).values_list("pk", flat=True))


def member_recipients(org_ids, roles) -> set[int]:
    """The active users with an address holding one of ``roles`` in these organisations
    (the modérateurs of a Chambre, say)."""
    return set(_with_address(org_ids, roles).values_list("pk", flat=True))


def user_recipients(*users) -> set[int]:
    """These users, if active and with an address (a rapporteur, say)."""
    return set(
        get_user_model()
        .objects.filter(pk__in=[u.pk for u in users if u is not None], is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def funder_recipients() -> set[int]:
    """The staff of every funder: a cofunding round is open to all of them."""
    return staff_recipients(Organisation.objects.filter(kind=OrganisationKind.FUNDER).values("pk"))


def settled_pledge_recipients(round_) -> dict[int, dict]:
    """Per user (staff of each organisation that pledged or offered a match in the round):
    what the close took and released, per commons and funder, as strings for the mail.

    A line per (funder, commons): ``taken`` its pledges committed on a funded commons,
    ``matched`` what its matching offer added there (included in ``taken``), ``released``
    its pledges given back from a commons that missed its minimum, ``matched_by_others``
    what other organisations' matches added on that commons. Pledges the funder withdrew
    during the round are not lines: they were never the close's. Matchers also get their
    offer: ratio, cap and what it gave."""
    lines: dict[tuple[int, int], dict] = {}
    matched_on_bucket: dict[int, Decimal] = {}
    names: dict[int, str] = {}
    pledges = (
        Pledge.objects.filter(bucket__round=round_, settled_at__isnull=False)
        .select_related("bucket__proposal", "allocation__funder")
        .order_by("bucket__proposal__title", "pk")
    )
    for pledge in pledges:
        funder = pledge.allocation.funder
        names[funder.pk] = funder.name
        line = lines.setdefault(
            (funder.pk, pledge.bucket_id),
            {
                "funder": funder.name,
                "title": pledge.bucket.proposal.title,
                "funded": pledge.bucket.status == Bucket.Status.FUNDED,
                "taken": Decimal(0),
                "matched": Decimal(0),
                "released": Decimal(0),
            },
        )
        if pledge.status == Pledge.Status.COMMITTED:
            line["taken"] += pledge.amount
        else:
            line["released"] += pledge.amount
        if pledge.matching_id is not None:
            line["matched"] += pledge.amount
            matched_on_bucket[pledge.bucket_id] = (
                matched_on_bucket.get(pledge.bucket_id, Decimal(0)) + pledge.amount
            )
    per_funder: dict[int, dict] = {}
    for (funder_pk, bucket_pk), line in lines.items():
        others = matched_on_bucket.get(bucket_pk, Decimal(0)) - line["matched"]
        per_funder.setdefault(funder_pk, {"lines": [], "offers": []})["lines"].append(
            {
                **line,
                "taken": str(line["taken"]),
                # Empty when none, so the mail says nothing of it.
                "matched": str(line["matched"]) if line["matched"] else "",
                "released": str(line["released"]),
                "matched_by_others": str(others) if others else "",
            }
        )
    offers = MatchingOffer.objects.filter(
        round=round_, status=MatchingOffer.Status.HONOURED
    ).select_related("matcher")
    for offer in offers.order_by("pk"):
        per_funder.setdefault(offer.matcher_id, {"lines": [], "offers": []})["offers"].append(
            {
                "funder": offer.matcher.name,
                "ratio": str(offer.ratio),
                "cap": str(offer.cap),
                "honoured": str(offer.honoured),
            }
        )
    users: dict[int, dict] = {}
    for user_pk, org_pk in staff_memberships(per_funder):
        mine = users.setdefault(user_pk, {"lines": [], "offers": []})
        mine["lines"].extend(per_funder[org_pk]["lines"])
        mine["offers"].extend(per_funder[org_pk]["offers"])
    return users


def mail_language(user) -> str:
    """The language the user's mails are written in: its choice, French by default."""
    return (
        MailPreference.objects.filter(user=user).values_list("language", flat=True).first() or "fr"
    )


def subscriber_recipients(challenge) -> set[int]:
    subscriptions = Subscription.objects.filter(Q(buyer__isnull=True) | Q(buyer=challenge.buyer_id))
    users = set(
        get_user_model()
        .objects.filter(
            pk__in=subscriptions.filter(user__isnull=False).values("user_id"), is_active=True
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    return users | staff_recipients(
        subscriptions.filter(organisation__isnull=False).values("organisation")
    )


def positioned_recipients(challenge) -> set[int]:
    return staff_recipients(
        Position.objects.filter(resource__challenge=challenge).values("organisation")
    )


def group_member_recipients(challenge) -> set[int]:
    return staff_recipients(
        WorkingGroupMember.objects.filter(group__resource__challenge=challenge).values(
            "organisation"
        )
    )


def proposer_recipients(challenge, statuses) -> dict[int, dict[str, list[str]]]:
    """Per user of a group that proposed: the titles of its proposals, by status."""
    per_org: dict[int, list[tuple[str, str]]] = {}
    proposals = challenge.proposals.filter(status__in=statuses).prefetch_related("group__members")
    for proposal in proposals:
        for member in proposal.group.members.all():
            per_org.setdefault(member.organisation_id, []).append((proposal.status, proposal.title))
    users: dict[int, dict[str, list[str]]] = {}
    for user_pk, org_pk in staff_memberships(per_org):
        by_status = users.setdefault(user_pk, {})
        for status, title in per_org[org_pk]:
            titles = by_status.setdefault(status, [])
            if title not in titles:
                titles.append(title)
    return users


def explorer_recipients(challenge) -> dict[int, dict[str, list[str]]]:
    """Per user of a working group that explores in the call: the titles of its
    proposals under ``exploring``, and once decided under ``proven`` or ``not_proven``."""
    per_org: dict[int, list[tuple[str, str]]] = {}
    explorations = challenge.explorations.select_related("proposal").prefetch_related(
        "proposal__group__members"
    )
    for exploration in explorations:
        key = (
            "exploring"
            if exploration.proven is None
            else ("proven" if exploration.proven else "not_proven")
        )
        for member in exploration.proposal.group.members.all():
            per_org.setdefault(member.organisation_id, []).append((key, exploration.proposal.title))
    users: dict[int, dict[str, list[str]]] = {}
    for user_pk, org_pk in staff_memberships(per_org):
        by_key = users.setdefault(user_pk, {})
        for key, title in per_org[org_pk]:
            titles = by_key.setdefault(key, [])
            if title not in titles:
                titles.append(title)
    return users


def letter_recipients(letters) -> dict[int, list]:
    """Per user (staff of an organisation of the addressee's working group, with an
    e-mail): the letters addressed to it, in the order given."""
    by_group: dict[int, list] = {}
    for letter in letters:
        by_group.setdefault(letter.addressee.group_id, []).append(letter)
    per_org: dict[int, list] = {}
    for group_id, organisation_id in WorkingGroupMember.objects.filter(
        group_id__in=by_group
    ).values_list("group_id", "organisation_id"):
        per_org.setdefault(organisation_id, []).extend(by_group[group_id])
    users: dict[int, list] = {}
    for user_pk, org_pk in staff_memberships(per_org):
        mine = users.setdefault(user_pk, [])
        for letter in per_org[org_pk]:
            if letter not in mine:
                mine.append(letter)
    return users


@dataclass(frozen=True)
class Reminder:
    """A deadline ahead that its reminders speak of (``reminders_send``): its ``stage``
    (the mail's kind is ``reminder_<stage>``), the call and the moment; who is reminded
    (``recipients()``, called only when a reminder is due: a set of users, or per user
    what its mail says of it); ``item``, the object of the call when a call has several
    such deadlines (a deliverable); the ``page`` the mail links to (a portal URL name
    taking the call's id; the call's page when None); ``announced_at``, when a mail
    already told the deadline (a reminder due by then is not sent); what every mail
    says (``data``)."""

    stage: str
    challenge: Challenge
    deadline: datetime
    recipients: Callable[[], set[int] | dict[int, dict]]
    item: int | None = None
    page: str | None = None
    announced_at: datetime | None = None
    data: dict = field(default_factory=dict)


def deadlines_to_remind(now: datetime) -> Iterator[Reminder]:
    """The call's deadlines from ``now`` (excluded) to the reminders' horizon (included),
    each with those it concerns: the end of positioning (the partners positioned), of
    the proposals (the working groups' organisations), of cofunding (the funders with an
    envelope), of the exploration, and the deliverables' due days (below)."""
    horizon = reminder_horizon(now)
    for challenge in Challenge.objects.filter(
        status=ChallengeStatus.POSITIONING,
        positioning_deadline__gt=now,
        positioning_deadline__lte=horizon,
    ):
        yield Reminder(
            "positioning",
            challenge,
            challenge.positioning_deadline,
            partial(positioned_recipients, challenge),
        )
    for challenge in Challenge.objects.filter(
        status=ChallengeStatus.PROPOSALS, proposal_deadline__gt=now, proposal_deadline__lte=horizon
    ):
        yield Reminder(
            "proposals",
            challenge,
            challenge.proposal_deadline,
            partial(group_member_recipients, challenge),
        )
    for round_ in CofundingRound.objects.filter(
        closed_at__isnull=True,
        challenge__status=ChallengeStatus.COFUNDING,
        deadline__gt=now,
        deadline__lte=horizon,
    ).select_related("challenge"):
        funders = Allocation.objects.filter(round=round_).values("funder")
        yield Reminder(
            "cofunding", round_.challenge, round_.deadline, partial(staff_recipients, funders)
        )
    yield from explorations_to_remind(now, horizon)
    yield from deliverables_to_remind(now, horizon)


def explorations_to_remind(now: datetime, horizon: datetime) -> Iterator[Reminder]:
    """The end of each exploration ahead: after it the buyer decides which commons
    proved themselves. To the staff of the exploring working groups' organisations (per
    user, its proposals under ``exploring``); the mail that started the exploration told
    its end (``announced_at``)."""
    challenges = Challenge.objects.filter(
        status=ChallengeStatus.EXPLORATION, exploration_end__gt=now, exploration_end__lte=horizon
    ).annotate(started_at=Min("explorations__started_at"))
    for challenge in challenges:
        yield Reminder(
            "exploration",
            challenge,
            challenge.exploration_end,
            partial(explorer_recipients, challenge),
            page="portal:challenge",
            announced_at=challenge.started_at,
        )


def deliverables_to_remind(now: datetime, horizon: datetime) -> Iterator[Reminder]:
    """The deliverables of signed contracts still expected from their holder (never
    submitted, or refused and to be submitted again) whose due day ends ahead: due on a
    day, a deliverable is on time until that day ends in Paris (``day_end``). To the
    staff of the holder's organisations (the awarded proposal's working group), not
    those of another lot's holder."""
    deliverables = (
        Deliverable.objects.filter(
            lot__challenge__status=ChallengeStatus.AWARDED,
            lot__challenge__awarded_at__isnull=False,
            status__in=[DeliverableStatus.EXPECTED, DeliverableStatus.REFUSED],
            due_on__gte=now.astimezone(PARIS).date(),
            due_on__lte=horizon.astimezone(PARIS).date(),
        )
        .select_related("lot__challenge", "proposal")
        .order_by("due_on", "pk")
    )
    for deliverable in deliverables:
        deadline = day_end(deliverable.due_on, PARIS)
        if not now < deadline <= horizon:
            continue
        yield Reminder(
            "deliverable",
            deliverable.lot.challenge,
            deadline,
            partial(staff_recipients, holder_organisation_ids(deliverable.proposal)),
            item=deliverable.pk,
            page="portal:execution",
            data={
                "title": deliverable.title,
                "lot": deliverable.lot.number,
                "due_on": deliverable.due_on.isoformat(),
                "refused": deliverable.status == DeliverableStatus.REFUSED,
            },
        )
