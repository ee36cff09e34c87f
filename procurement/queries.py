"""Reads that need care: scoped by the caller in the query itself, without N+1.

``access_<entity>`` fetches one object the user may see, or raises ``NotFound``
(never 403: no hint that a hidden object exists).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import (
    CatalogueDecision,
    Challenge,
    ChallengeResource,
    Commons,
    Membership,
    Opinion,
    Organisation,
    OrganisationKind,
    Position,
    Proposal,
    ProposalStatus,
    Question,
    Referral,
    Role,
    Verdict,
    WorkingGroup,
    WorkingGroupMember,
)
from procurement.models.challenges import PUBLIC_STATUSES, ChallengeStatus
from procurement.models.opinions import OPEN_REFERRAL
from procurement.models.positions import GROUP_INTENTS

STAFF_ROLES = [Role.ADMIN, Role.MEMBER]
CHAMBRE_ROLES = [Role.MODERATOR, Role.PORTEURS, Role.ENGAGEMENT, Role.CONTRIBUTEURS, Role.ADMIN]
# Who issues the Chambre's opinions (and so sees and takes its opinion tasks).
OPINION_ROLES = [Role.MODERATOR]


def org_ids(user, roles=None, kind=None) -> QuerySet:
    """Subquery of the organisations the user belongs to (with one of ``roles``)."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none().values("pk")
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    if kind is not None:
        memberships = memberships.filter(organisation__kind=kind)
    return memberships.values("organisation_id")


def is_member(user, organisation, roles=None) -> bool:
    if user is None or not user.is_authenticated or organisation is None:
        return False
    memberships = Membership.objects.filter(user=user, organisation=organisation)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


def _public_q() -> Q:
    return Q(status__in=PUBLIC_STATUSES) | Q(
        status=ChallengeStatus.CANCELLED, published_at__isnull=False
    )


def challenges_visible_to(user) -> QuerySet[Challenge]:
    """Published challenges for everyone; drafts for the buyer's staff and the Chambre."""
    q = _public_q()
    if user is not None and user.is_authenticated:
        q |= Q(buyer__in=org_ids(user, STAFF_ROLES)) | Q(chambre__in=org_ids(user, CHAMBRE_ROLES))
    return (
        Challenge.objects.filter(q)
        .select_related("buyer", "chambre")
        .annotate(resource_count=Count("resources", distinct=True))
        .order_by("-created_at", "-id")
    )


def access_challenge(*, user, pk, for_update: bool = False) -> Challenge:
    qs = challenges_visible_to(user)
    try:
        challenge = qs.get(pk=pk)
    except (Challenge.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Appel à communs introuvable."), code="challenge_not_found") from None
    if for_update:
        challenge = (
            Challenge.objects.select_for_update()
            .select_related("buyer", "chambre")
            .get(pk=challenge.pk)
        )
    return challenge


def is_buyer_staff(user, challenge) -> bool:
    return is_member(user, challenge.buyer, STAFF_ROLES)


def commons_catalogue() -> QuerySet[Commons]:
    return Commons.objects.select_related("host").order_by("name")


def organisations_list() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def resources_of(challenge) -> QuerySet[ChallengeResource]:
    """Resources with the public count of positioned organisations and, in
    ``public_positions``, the positions of those that agreed to show their name."""
    return (
        challenge.resources.select_related("commons")
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


def proposals_visible_to(user, challenge) -> QuerySet[Proposal]:
    """Sealed proposals: readable by nobody but their group's members until opened.

    Once opened, the buyer's staff read them, and an evaluator assigned to a proposal
    reads it once it has declared no conflict of interest on it.
    """
    qs = (
        Proposal.objects.filter(challenge=challenge)
        .select_related("group__resource")
        .prefetch_related("budget_lines", "milestones", "attachments")
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    member_q = Q(
        Exists(
            WorkingGroup.objects.filter(
                pk=OuterRef("group_id"), members__organisation__in=org_ids(user)
            )
        )
    )
    if challenge.proposals_opened_at is None:
        return qs.filter(member_q).order_by("id")
    from scoring.models import Assignment

    evaluator_q = Q(
        Exists(Assignment.objects.filter(proposal=OuterRef("pk"), evaluator=user, conflict=False))
    )
    if is_buyer_staff(user, challenge):
        return qs.order_by("id")
    return qs.filter(member_q | evaluator_q).order_by("id")


def access_proposal(*, user, challenge, pk) -> Proposal:
    """One proposal the user may read (its budget, timeline and attachments with it)."""
    try:
        return proposals_visible_to(user, challenge).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Proposition introuvable."), code="proposal_not_found") from None


def opinions_of(challenge) -> QuerySet[Opinion]:
    """The published opinions of a challenge, with the buyer's answers to their
    reservations (public)."""
    return (
        challenge.opinions.select_related("referral")
        .prefetch_related("recommended_commons", "answers")
        .order_by("issued_at", "id")
    )


def access_opinion(*, challenge, pk) -> Opinion:
    try:
        return opinions_of(challenge).get(pk=pk)
    except (Opinion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Avis introuvable."), code="opinion_not_found") from None


def is_chambre_member(user, challenge) -> bool:
    return is_member(user, challenge.chambre, CHAMBRE_ROLES)


def referrals_of(challenge) -> QuerySet[Referral]:
    """A challenge's referrals to the Chambre. Their drafts and comments are the
    Chambre's own: the views show them to its members only."""
    return (
        challenge.referrals.select_related("rapporteur", "opinion")
        .prefetch_related("draft_recommended_commons", "comments__author")
        .order_by("opened_at", "id")
    )


def access_referral(*, user, challenge, pk) -> Referral:
    """One referral, for the Chambre's members and the buyer's staff (404 otherwise)."""
    if not (is_chambre_member(user, challenge) or is_buyer_staff(user, challenge)):
        raise NotFound(_("Saisine introuvable."), code="referral_not_found")
    try:
        return referrals_of(challenge).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Saisine introuvable."), code="referral_not_found") from None


def rapporteur_candidates(chambre) -> QuerySet:
    """The members of a Chambre's engagement group, among whom the rapporteur is named."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=chambre, memberships__role=Role.ENGAGEMENT)
        .order_by("last_name", "username")
        .distinct()
    )


def referrals_open_for(user) -> list[Referral]:
    """The open referrals of the Chambres ``user`` belongs to, each with what is expected
    of that user now (``expected``), soonest deadline first."""
    if not user.is_authenticated:
        return []
    moderated = set(org_ids(user, OPINION_ROLES).values_list("organisation_id", flat=True))
    referrals = list(
        Referral.objects.filter(status__in=OPEN_REFERRAL, chambre__in=org_ids(user, CHAMBRE_ROLES))
        .select_related("challenge", "rapporteur")
        .order_by("deadline", "id")
    )
    for referral in referrals:
        moderator = referral.chambre_id in moderated
        if referral.rapporteur_id == user.pk and referral.status == "drafting":
            referral.expected = _("Rédiger le projet d'avis")
        elif moderator and referral.status == "awaiting_rapporteur":
            referral.expected = _("Nommer le rapporteur")
        elif moderator and referral.status == "submitted":
            referral.expected = _("Valider et publier l'avis")
        else:
            referral.expected = _("Commenter la saisine")
    return referrals


def catalogue_decisions(commons=None) -> QuerySet[CatalogueDecision]:
    qs = CatalogueDecision.objects.select_related("commons", "chambre", "decided_by")
    if commons is not None:
        qs = qs.filter(commons=commons)
    return qs.order_by("-decided_at", "-id")


def chambre_activity(chambre) -> dict:
    """What a Chambre did, for its public page: each closed referral (challenge,
    subject, verdict, days taken) and totals per verdict, in a fixed number of queries."""
    closed = list(
        Referral.objects.filter(chambre=chambre, opinion__isnull=False)
        .select_related("challenge", "opinion")
        .filter(challenge__in=Challenge.objects.filter(_public_q()))
        .order_by("-closed_at", "-id")
    )
    rows = [
        {
            "challenge": r.challenge,
            "subject": r.subject,
            "subject_label": r.get_subject_display(),
            "verdict": r.opinion.verdict,
            "verdict_label": r.opinion.get_verdict_display(),
            "opened_at": r.opened_at,
            "issued_at": r.opinion.issued_at,
            "days": round((r.opinion.issued_at - r.opened_at).total_seconds() / 86400, 1),
            "opinion": r.opinion,
        }
        for r in closed
    ]
    given = [row["days"] for row in rows if row["verdict"] != Verdict.NONE_IN_TIME]
    verdicts = {value: 0 for value in Verdict.values}
    for row in rows:
        verdicts[row["verdict"]] += 1
    return {
        "chambre": chambre,
        "delay_days": chambre.opinion_delay_days,
        "opinions": rows,
        "given": len(given),
        "none_in_time": verdicts[Verdict.NONE_IN_TIME],
        "mean_days": round(sum(given) / len(given), 1) if given else None,
        "verdicts": [
            {"verdict": value, "label": label, "count": verdicts[value]}
            for value, label in Verdict.choices
        ],
        # published calls only: a draft's referral must not reveal that it exists
        "pending": Referral.objects.filter(
            chambre=chambre,
            status__in=OPEN_REFERRAL,
            challenge__in=Challenge.objects.filter(_public_q()),
        ).count(),
    }


def questions_of(challenge) -> QuerySet[Question]:
    return challenge.questions.order_by("asked_at", "id")


def group_intents() -> list[str]:
    return list(GROUP_INTENTS)


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


def access_position(*, user, challenge, pk) -> Position:
    try:
        return positions_visible_to(user, challenge).get(pk=pk)
    except (Position.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Positionnement introuvable."), code="position_not_found") from None


def cofunding_round_of(challenge):
    from django.db.models import Prefetch

    from procurement.models import Allocation, CofundingRound, Pledge

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


def latest_documents(challenge) -> list:
    """The newest version of each piece."""
    from procurement.models import TenderDocument

    latest = {}
    for document in TenderDocument.objects.filter(challenge=challenge).order_by(
        "piece", "key", "version"
    ):
        latest[(document.piece, document.key)] = document
    return list(latest.values())


def next_deadline(challenge):
    """The challenge's next deadline still to come (positioning, proposals, cofunding)."""
    from django.utils import timezone

    now = timezone.now()
    upcoming = [
        d
        for d in (
            challenge.positioning_deadline,
            challenge.proposal_deadline,
            challenge.cofunding_deadline,
        )
        if d is not None and d > now
    ]
    return min(upcoming) if upcoming else None


# --- reads of the portal's pages ------------------------------------------------------

# From the selection on, which proposals were retained is public; the award says which won.
RESULT_STAGES = [
    ChallengeStatus.SELECTION_REVIEW,
    ChallengeStatus.COFUNDING,
    ChallengeStatus.DOCUMENTS,
    ChallengeStatus.AWARD,
    ChallengeStatus.AWARDED,
]


def public_results(challenge) -> QuerySet[Proposal]:
    """The selected and awarded proposals of a decided challenge (everyone may read)."""
    if challenge.status not in RESULT_STAGES:
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(
            challenge=challenge, status__in=[ProposalStatus.SELECTED, ProposalStatus.AWARDED]
        )
        .select_related("group__resource", "group__coordinator")
        .prefetch_related("group__members__organisation")
        .order_by("group__resource__order", "id")
    )


def buyer_evaluators(challenge) -> QuerySet:
    """The people the buyer may name as evaluators (its members with that role)."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=challenge.buyer, memberships__role=Role.EVALUATOR)
        .distinct()
        .order_by("last_name", "username")
    )


def organisations_of(user, *kinds: str) -> QuerySet[Organisation]:
    """The user's organisations (of these kinds, when given)."""
    qs = organisations_list().filter(pk__in=org_ids(user))
    return qs.filter(kind__in=kinds) if kinds else qs


def funders_for(user, challenge) -> QuerySet[Organisation]:
    """The user's organisations that may hold an envelope in the challenge's round: its
    funders, the challenge's buyer (``cofunding.allocation_set``), and the contributors
    the buyer granted one (``cofunding.allocations_grant_contributors``)."""
    from procurement.models import Allocation

    granted = Allocation.objects.filter(round__challenge=challenge).values("funder_id")
    return organisations_list().filter(
        Q(kind=OrganisationKind.FUNDER) | Q(pk=challenge.buyer_id) | Q(pk__in=granted),
        pk__in=org_ids(user),
    )


def commons_search(*, q: str = "", category: str = "", licence: str = "", referenced: str = ""):
    """The catalogue filtered as its page asks: words in the name or the description,
    a category, a licence, referenced by the Chambre (``"1"``) or not (``"0"``)."""
    qs = commons_catalogue()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if licence:
        qs = qs.filter(licence=licence)
    if referenced in ("0", "1"):
        qs = qs.filter(referenced=referenced == "1")
    return qs


def catalogue_licences() -> list[str]:
    return list(
        commons_catalogue()
        .exclude(licence="")
        .order_by("licence")
        .values_list("licence", flat=True)
        .distinct()
    )


# --- reciprocity ----------------------------------------------------------------------


def access_commons(*, pk=None, slug=None) -> Commons:
    """One commons of the catalogue (everyone may read it), by id or slug, else 404."""
    lookup = {"pk": pk} if slug is None else {"slug": slug}
    try:
        return commons_catalogue().get(**lookup)
    except (Commons.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Commun introuvable."), code="commons_not_found") from None


def access_commitment(*, pk):
    """A reciprocity commitment: they are public (the boards show them), else 404."""
    from procurement.models import ReciprocityCommitment

    try:
        return ReciprocityCommitment.objects.select_related("organisation", "commons").get(pk=pk)
    except (ReciprocityCommitment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(
            _("Engagement de réciprocité introuvable."), code="commitment_not_found"
        ) from None


@dataclass
class BoardRow:
    """One organisation on a commons' reciprocity board."""

    organisation: Organisation
    commitments: list  # its commitments for this commons, oldest first
    due: Decimal
    given: Decimal
    declarations: int

    @property
    def active(self):
        """The commitment in force, if any."""
        return next((c for c in self.commitments if c.ended_on is None), None)

    @property
    def current(self):
        """The commitment in force, else the latest one (ended)."""
        return self.active or (self.commitments[-1] if self.commitments else None)

    @property
    def gives_back(self) -> bool:
        return self.given > 0

    @property
    def shortfall(self) -> Decimal:
        return max(self.due - self.given, Decimal(0))

    @property
    def status(self) -> str:
        """``none`` (nothing declared yet), ``short`` (gave less than due), ``ok``."""
        if not self.declarations:
            return "none"
        return "short" if self.shortfall > 0 else "ok"


@dataclass
class Board:
    commons: Commons
    rows: list[BoardRow]

    @property
    def due(self) -> Decimal:
        return sum((row.due for row in self.rows), Decimal(0))

    @property
    def given(self) -> Decimal:
        return sum((row.given for row in self.rows), Decimal(0))

    @property
    def givers(self) -> list[BoardRow]:
        return [row for row in self.rows if row.gives_back]


def reciprocity_board(commons: Commons) -> Board:
    """Who uses the commons (organisations that signed a commitment for it), what they
    owed and gave back in total over their declarations: two queries whatever the number
    of organisations, commitments and declarations."""
    from procurement.models import ReciprocityCommitment, ReciprocityDeclaration

    money = DecimalField(max_digits=16, decimal_places=2)

    def total(field: str):
        sums = (
            ReciprocityDeclaration.objects.filter(
                commitment__commons=commons, commitment__organisation=OuterRef("pk")
            )
            .order_by()
            .values("commitment__organisation")
            .annotate(total=Sum(field))
            .values("total")
        )
        return Coalesce(Subquery(sums, output_field=money), Value(Decimal(0)), output_field=money)

    declared = (
        ReciprocityDeclaration.objects.filter(
            commitment__commons=commons, commitment__organisation=OuterRef("pk")
        )
        .order_by()
        .values("commitment__organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    organisations = (
        Organisation.objects.filter(reciprocity_commitments__commons=commons)
        .distinct()
        .annotate(
            due_total=total("due"),
            given_total=total("given"),
            declaration_count=Coalesce(Subquery(declared), Value(0)),
        )
        .prefetch_related(
            Prefetch(
                "reciprocity_commitments",
                queryset=ReciprocityCommitment.objects.filter(commons=commons).order_by(
                    "starts_on", "id"
                ),
                to_attr="commitments_here",
            )
        )
        .order_by("-given_total", "name")
    )
    rows = [
        BoardRow(
            organisation=org,
            commitments=org.commitments_here,
            due=org.due_total,
            given=org.given_total,
            declarations=org.declaration_count,
        )
        for org in organisations
    ]
    return Board(commons=commons, rows=rows)


def commitments_of(user):
    """The reciprocity commitments of the user's organisations."""
    from procurement.models import ReciprocityCommitment

    return (
        ReciprocityCommitment.objects.filter(organisation__in=org_ids(user))
        .select_related("organisation", "commons")
        .order_by("-signed_at", "-id")
    )


def declarations_of(user):
    """The reciprocity declarations of the user's organisations, newest period first."""
    from procurement.models import ReciprocityDeclaration

    return (
        ReciprocityDeclaration.objects.filter(commitment__organisation__in=org_ids(user))
        .select_related("commitment__organisation", "commitment__commons")
        .order_by("-period_start", "-id")
    )
