"""Who belongs to which organisation, with which role: the subqueries every
other read is scoped by."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import Invitation, Membership, Organisation, OrganisationKind, Role

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


def org_id_lists(user, *role_sets) -> list[list[int]]:
    """The ids of the organisations the user belongs to with one of each of
    ``role_sets``' roles, one list per set, read in one query. For a filter built on them
    that is compiled more than once (a page and its count): plain lists cost less to
    build and compile than ``org_ids``' subqueries, and an empty one lets the filter
    leave its clause out."""
    if user is None or not user.is_authenticated:
        return [[] for _roles in role_sets]
    memberships = list(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
    return [
        sorted({organisation for organisation, role in memberships if role in roles})
        for roles in role_sets
    ]


def is_member(user, organisation, roles=None) -> bool:
    if user is None or not user.is_authenticated or organisation is None:
        return False
    memberships = Membership.objects.filter(user=user, organisation=organisation)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


# By the organisation's key: a call read without its organisations (``access_challenge``'s
# ``light``) is not read again for them.
def is_buyer_staff(user, challenge) -> bool:
    return is_member(user, challenge.buyer_id, STAFF_ROLES)


def is_chambre_member(user, challenge) -> bool:
    return is_member(user, challenge.chambre_id, CHAMBRE_ROLES)


def organisations_list() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def organisations_of(user, *kinds: str) -> QuerySet[Organisation]:
    """The user's organisations (of these kinds, when given)."""
    qs = organisations_list().filter(pk__in=org_ids(user))
    return qs.filter(kind__in=kinds) if kinds else qs


def access_organisation(*, user, pk) -> Organisation:
    """One of the user's own organisations (whatever their role in it), or ``NotFound``:
    its page in the personal space is its members'."""
    organisation = organisations_of(user).filter(pk=pk).first()
    if organisation is None:
        raise NotFound(_("Organisation introuvable."), code="organisation_not_found")
    return organisation


def host_organisations() -> QuerySet[Organisation]:
    """The organisations a buyer may designate as a commons' structure hébergeuse."""
    return organisations_list().filter(kind=OrganisationKind.HOST)


def buyer_evaluators(challenge) -> QuerySet:
    """The people the buyer may name as evaluators (its members with that role)."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=challenge.buyer, memberships__role=Role.EVALUATOR)
        .distinct()
        .order_by("last_name", "username")
    )


def rapporteur_candidates(chambre) -> QuerySet:
    """The members of a Chambre's engagement group, among whom the rapporteur is named."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=chambre, memberships__role=Role.ENGAGEMENT)
        .order_by("last_name", "username")
        .distinct()
    )


@dataclass(frozen=True)
class Member:
    """One person of an organisation with all their roles in it."""

    user: object
    roles: tuple[str, ...]


def organisation_members(organisation) -> list[Member]:
    """The organisation's members, by name, each once with their roles (one query)."""
    members: dict[int, Member] = {}
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    for membership in memberships:
        known = members.get(membership.user_id)
        roles = (*known.roles, membership.role) if known else (membership.role,)
        members[membership.user_id] = Member(user=membership.user, roles=roles)
    return list(members.values())


def access_members(*, user, pk) -> Organisation:
    """An organisation whose members ``user`` may list: their own (whatever their role
    in it: a buyer's agents find the evaluators they name, a Chambre's modérateur its
    rapporteurs), or any for an operator (``is_staff``). ``NotFound`` otherwise: who is
    in an organisation is not public."""
    if user is not None and user.is_authenticated and user.is_staff:
        organisation = Organisation.objects.filter(pk=pk).first()
    else:
        organisation = organisations_of(user).filter(pk=pk).first()
    if organisation is None:
        raise NotFound(_("Organisation introuvable."), code="organisation_not_found")
    return organisation


def open_invitations(organisation) -> QuerySet[Invitation]:
    """The invitations of the organisation not yet accepted (expired ones included)."""
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)
