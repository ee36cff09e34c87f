"""Challenges as each caller may see them, their questions, documents and deadlines."""

from collections.abc import Sequence

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kernel.errors import NotFound
from procurement.calculations import answers_due_by
from procurement.models import (
    Challenge,
    ChallengeResource,
    DocumentStage,
    Question,
    Referral,
    TenderDocument,
)
from procurement.models.challenges import PUBLIC_STATUSES, ChallengeStatus
from procurement.queries.membership import (
    CHAMBRE_ROLES,
    STAFF_ROLES,
    is_buyer_staff,
    org_id_lists,
    org_ids,
)


def _public_q() -> Q:
    return Q(status__in=PUBLIC_STATUSES) | Q(
        status=ChallengeStatus.CANCELLED, published_at__isnull=False
    )


def referred_to_chambre_of(user, challenge_ref: str = "pk", *, chambres=None) -> Exists:
    """Whether the call (``challenge_ref``, an outer reference to its id) was referred
    to a Chambre the user belongs to: need to know — a draft is the buyer's own until
    the buyer refers it (a saisine, ``referral_open``); from then on the Chambre follows
    the call through every stage, its revisions included. ``chambres``: the ids of the
    user's Chambres when already read (``org_id_lists``)."""
    if chambres is None:
        chambres = org_ids(user, CHAMBRE_ROLES)
    return Exists(
        Referral.objects.filter(challenge_id=OuterRef(challenge_ref), chambre__in=chambres)
    )


def visible_q(*, staff: Sequence[int] = (), chambres: Sequence[int] = ()) -> Q:
    """Published challenges for everyone; unpublished ones for the buyer's staff, and for
    the Chambre's members once the buyer has referred the call to it — for a caller
    whose organisations were read already: ``staff``, the buyers it is staff of,
    ``chambres``, its Chambres (``org_id_lists`` with ``STAFF_ROLES``, ``CHAMBRE_ROLES``).

    Built on their ids rather than subqueries: a list's count and page compile it twice,
    and the subqueries cost more to build and compile than the query reading the ids; a
    clause for a role the caller does not have is left out (most callers belong to no
    Chambre)."""
    q = _public_q()
    if staff:
        q |= Q(buyer__in=staff)
    if chambres:
        q |= referred_to_chambre_of(None, chambres=chambres)
    return q


def _visible_q(user) -> Q:
    """``visible_q`` for ``user``, its organisations read in one query (none for a
    visitor)."""
    staff, chambres = org_id_lists(user, STAFF_ROLES, CHAMBRE_ROLES)
    return visible_q(staff=staff, chambres=chambres)


# The resources of a call counted by a subquery, not a join grouped over every visible
# call: a page's query then counts for its own rows, and the paginator's count (which
# leaves the subquery out) reads the calls alone, whatever the table's size. Built once:
# annotating with it copies it, and building it cost as much as the rest of the query.
_RESOURCE_COUNT = Coalesce(
    Subquery(
        ChallengeResource.objects.filter(challenge=OuterRef("pk"))
        .order_by()
        .values("challenge")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    ),
    0,
)


def _with_resource_count(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    return challenges.select_related("buyer", "chambre").annotate(resource_count=_RESOURCE_COUNT)


def challenges_visible_to(user) -> QuerySet[Challenge]:
    """Published challenges for everyone; unpublished ones for the buyer's staff, and for
    the Chambre's members once the buyer has referred the call to it (a draft never
    referred stays hidden from them: 404)."""
    return _with_resource_count(Challenge.objects.filter(_visible_q(user))).order_by(
        "-created_at", "-id"
    )


def _is_public(challenge: Challenge) -> bool:
    """``_public_q`` for a call already read."""
    return challenge.status in PUBLIC_STATUSES or (
        challenge.status == ChallengeStatus.CANCELLED and challenge.published_at is not None
    )


# What a view that only checks a call reads of it (``access_challenge``'s ``light``).
_LIGHT_FIELDS = ("status", "published_at", "proposals_opened_at", "buyer", "chambre", "reference")


def access_challenge(*, user, pk, for_update: bool = False, light: bool = False) -> Challenge:
    """The call ``pk`` if the caller may see it (``challenges_visible_to``), else 404.

    Read by its key alone, then a public call is returned as it is: one simple query
    rather than the visibility filter's subqueries, whose building cost most of a
    call's page (issue 20). An unpublished call costs a second query, the visibility
    filter on its row. ``light``: for a view that serves something of the call's rather
    than the call (its ranking, its audit trail), the call's stage, dates, reference and
    the keys of its buyer and Chambre only, without its organisations or its count of
    resources (a third of the cheapest of those requests); any other field is read when
    first used."""
    if light:
        challenges = Challenge.objects.only(*_LIGHT_FIELDS)
    else:
        challenges = _with_resource_count(Challenge.objects.all())
    try:
        challenge = challenges.get(pk=pk)
    except (Challenge.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Appel à communs introuvable."), code="challenge_not_found") from None
    if not _is_public(challenge) and (
        user is None
        or not user.is_authenticated
        or not Challenge.objects.filter(_visible_q(user), pk=challenge.pk).exists()
    ):
        raise NotFound(_("Appel à communs introuvable."), code="challenge_not_found")
    if for_update:
        challenge = (
            Challenge.objects.select_for_update()
            .select_related("buyer", "chambre")
            .get(pk=challenge.pk)
        )
    return challenge


def questions_of(challenge) -> QuerySet[Question]:
    return challenge.questions.order_by("asked_at", "id")


def questions_visible_to(user, challenge) -> QuerySet[Question]:
    """Answered questions are public; unanswered ones are seen by the buyer's staff and
    by the organisation that asked."""
    qs = challenge.questions.order_by("asked_at", "id")
    if is_buyer_staff(user, challenge):
        return qs
    return qs.filter(Q(answered_at__isnull=False) | Q(organisation__in=org_ids(user)))


def access_question(*, user, challenge, pk) -> Question:
    try:
        return questions_visible_to(user, challenge).get(pk=pk)
    except (Question.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Question introuvable."), code="question_not_found") from None


def documents_visible_to(user, challenge) -> QuerySet[TenderDocument]:
    """Every version of the pieces the caller may read: the consultation documents (DCE)
    for everyone once the call is public (article R2132-2 of the code de la commande
    publique), the award pieces for the buyer's staff only — but a piece addressed to a
    candidate (a rejection letter) also for the members of that proposal's working
    group, and for nobody else. A withdrawn piece (``withdrawn_at``) is the buyer's
    staff's only."""
    qs = TenderDocument.objects.filter(challenge=challenge).order_by("piece", "key", "version")
    if is_buyer_staff(user, challenge):
        return qs
    qs = qs.filter(withdrawn_at__isnull=True)
    if not challenge.is_public:
        return qs.none()
    addressed = Q(addressee__group__members__organisation__in=org_ids(user))
    return qs.filter(Q(stage=DocumentStage.DCE) | addressed).distinct()


def letters_addressed_to(user, challenge) -> list[TenderDocument]:
    """The newest version of each letter addressed to the caller's working groups on
    this call (its rejection letters), lot by lot — for its space."""
    if user is None or not user.is_authenticated:
        return []
    qs = (
        TenderDocument.objects.filter(
            challenge=challenge,
            addressee__group__members__organisation__in=org_ids(user),
            withdrawn_at__isnull=True,
        )
        .distinct()
        .order_by("piece", "key", "version")
    )
    latest = {}
    for document in qs:
        latest[(document.piece, document.key)] = document
    return list(latest.values())


def candidate_letters_of(challenge) -> list[TenderDocument]:
    """The newest version of each letter of the award decision to a candidate — the
    rejection letters and the letters on lots left unawarded, one per candidate and lot
    — with its addressee."""
    qs = (
        TenderDocument.objects.filter(
            challenge=challenge,
            stage=DocumentStage.LETTERS,
            addressee__isnull=False,
            withdrawn_at__isnull=True,
        )
        .select_related("addressee")
        .order_by("piece", "key", "version")
    )
    latest = {}
    for document in qs:
        latest[(document.piece, document.key)] = document
    return list(latest.values())


def latest_documents(challenge, user=None) -> list:
    """The newest version of each piece of the pack (of those ``user`` may read, when
    given): the withdrawn ones left out."""
    qs = (
        documents_visible_to(user, challenge)
        if user is not None
        else TenderDocument.objects.filter(challenge=challenge).order_by("piece", "key", "version")
    ).filter(withdrawn_at__isnull=True)
    latest = {}
    for document in qs:
        latest[(document.piece, document.key)] = document
    return list(latest.values())


def next_deadline(challenge):
    """The challenge's next deadline still to come (positioning, proposals, the end of
    its exploration, cofunding)."""
    now = timezone.now()
    upcoming = [
        d
        for d in (
            challenge.positioning_deadline,
            challenge.proposal_deadline,
            challenge.exploration_end if challenge.exploration_planned else None,
            challenge.cofunding_deadline,
        )
        if d is not None and d > now
    ]
    return min(upcoming) if upcoming else None


def questions_to_answer(user) -> list[Challenge]:
    """The calls of the user's buyers (as staff) with questions still unanswered while
    questions are open, each with ``unanswered`` (how many) and ``answer_by`` (in a
    formal procedure or not, six days before the proposal deadline: article R2132-6),
    soonest first. One query."""
    if user is None or not user.is_authenticated:
        return []
    challenges = list(
        Challenge.objects.filter(
            buyer__in=org_ids(user, STAFF_ROLES),
            status__in=[ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS],
        )
        .annotate(unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True)))
        .filter(unanswered__gt=0)
        .order_by("proposal_deadline", "pk")
    )
    for challenge in challenges:
        deadline = challenge.proposal_deadline
        challenge.answer_by = answers_due_by(deadline) if deadline else None
    return challenges


# The macro-steps of a call, for a compact bar above the detailed process chart: each
# groups the stages (``ChallengeStatus``) it spans, in order.
MACRO_STEPS = [
    (_lazy("Rédaction"), [ChallengeStatus.DRAFT]),
    (
        _lazy("Avis sur l'appel"),
        [ChallengeStatus.IN_REVIEW, ChallengeStatus.REVISION, ChallengeStatus.READY],
    ),
    (_lazy("Positionnements"), [ChallengeStatus.POSITIONING]),
    (_lazy("Propositions"), [ChallengeStatus.PROPOSALS]),
    (_lazy("Évaluation"), [ChallengeStatus.ASSIGNMENT, ChallengeStatus.SCORING]),
    (_lazy("Sélection et avis"), [ChallengeStatus.SELECTION, ChallengeStatus.SELECTION_REVIEW]),
    (_lazy("Cofinancement"), [ChallengeStatus.EXPLORATION, ChallengeStatus.COFUNDING]),
    (
        _lazy("Attribution"),
        [ChallengeStatus.DOCUMENTS, ChallengeStatus.AWARD, ChallengeStatus.STANDSTILL],
    ),
]
ENDED = {ChallengeStatus.UNSUCCESSFUL, ChallengeStatus.CANCELLED}


def stage_bar(challenge) -> list[dict]:
    """The call's macro-steps, each ``done``, ``current``, ``todo`` or — once the call
    ended unsuccessful or cancelled — ``skipped`` (never reached). For an ended call,
    the stage it left is read from its last change of stage (one query)."""
    status = challenge.status
    if status in ENDED:
        last = (
            challenge.audit_events.filter(verb="challenge.stage_changed", data__to=status)
            .order_by("-seq")
            .values_list("data", flat=True)
            .first()
        )
        status = (last or {}).get("from", ChallengeStatus.DRAFT)
    index = next(
        (n for n, (_label, stages) in enumerate(MACRO_STEPS) if status in stages),
        len(MACRO_STEPS) if status == ChallengeStatus.AWARDED else 0,
    )
    ended = challenge.status in ENDED
    steps = []
    for n, (label, _stages) in enumerate(MACRO_STEPS):
        if n < index:
            state = "done"
        elif n == index:
            state = "skipped" if ended else "current"
        else:
            state = "skipped" if ended else "todo"
        if ended and n == index and challenge.status == ChallengeStatus.UNSUCCESSFUL:
            state = "done"
        steps.append({"number": n + 1, "label": str(label), "state": state})
    return steps


# The filters of the list of calls: a stage the public reads (several stages each).
CALL_FILTER_STAGES = {
    "open": [ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS],
    "evaluation": [
        ChallengeStatus.ASSIGNMENT,
        ChallengeStatus.SCORING,
        ChallengeStatus.SELECTION,
        ChallengeStatus.SELECTION_REVIEW,
    ],
    "cofunding": [ChallengeStatus.EXPLORATION, ChallengeStatus.COFUNDING],
    "award": [ChallengeStatus.DOCUMENTS, ChallengeStatus.AWARD, ChallengeStatus.STANDSTILL],
    "awarded": [ChallengeStatus.AWARDED],
    "closed": [ChallengeStatus.UNSUCCESSFUL, ChallengeStatus.CANCELLED],
    "draft": [
        ChallengeStatus.DRAFT,
        ChallengeStatus.IN_REVIEW,
        ChallengeStatus.REVISION,
        ChallengeStatus.READY,
    ],
}


def search_q(*, q: str = "", stage: str = "", buyer: str = "") -> Q:
    """The calls a search of the list's page asks for: words in the title, the reference
    or the context, a group of stages (``CALL_FILTER_STAGES``), a buyer; an unknown
    stage or a buyer that is no number filters nothing."""
    found = Q()
    if q:
        found &= Q(title__icontains=q) | Q(reference__icontains=q) | Q(context__icontains=q)
    if stage in CALL_FILTER_STAGES:
        found &= Q(status__in=CALL_FILTER_STAGES[stage])
    if buyer.isdigit():
        found &= Q(buyer_id=int(buyer))
    return found
