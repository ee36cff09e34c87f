"""An organisation's members and their roles, managed by its administrators; colleagues
invited by e-mail."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, NotFound, WrongState
from kernel.guards import field_error
from procurement.models import Invitation, Membership, Organisation, OrganisationKind, Role
from procurement.queries import is_member
from procurement.services.audit import audit_record
from procurement.services.community.facilitation import facilitations_recheck

from .links import INVITATION_SALT, absolute, mail_on_commit, sign, unsign
from .signup import check_password, email_taken

# The roles a member may hold, by the organisation's kind: a buyer names its evaluators
# among its members with that role (``buyer_evaluators``), a Chambre its rapporteur
# among its engagement group (``rapporteur_candidates``).
ROLES_BY_KIND = {
    OrganisationKind.BUYER: (Role.ADMIN, Role.MEMBER, Role.EVALUATOR, Role.FACILITATOR),
    OrganisationKind.CHAMBRE: (
        Role.ADMIN,
        Role.MODERATOR,
        Role.PORTEURS,
        Role.ENGAGEMENT,
        Role.CONTRIBUTEURS,
    ),
    OrganisationKind.PARTNER: (Role.ADMIN, Role.MEMBER),
    OrganisationKind.FUNDER: (Role.ADMIN, Role.MEMBER),
    OrganisationKind.HOST: (Role.ADMIN, Role.MEMBER),
}


def _require_admin(actor, organisation: Organisation) -> None:
    if not is_member(actor, organisation, [Role.ADMIN]):
        raise Forbidden(
            _("Seuls les administrateurs de l'organisation gèrent ses membres."),
            code="not_admin",
        )


def _check_roles(organisation: Organisation, roles, field: str = "roles") -> list[str]:
    allowed = ROLES_BY_KIND[OrganisationKind(organisation.kind)]
    roles = sorted(set(roles))
    if not roles:
        raise field_error(field, _("Donnez au moins un rôle."), "roles_empty")
    wrong = [role for role in roles if role not in allowed]
    if wrong:
        raise field_error(
            field,
            _("Rôle non prévu pour ce type d'organisation : %(roles)s (possibles : %(allowed)s).")
            % {"roles": ", ".join(wrong), "allowed": ", ".join(allowed)},
            "role_not_allowed",
        )
    return roles


def _keep_an_admin(organisation: Organisation, user) -> None:
    others = Membership.objects.filter(organisation=organisation, role=Role.ADMIN).exclude(
        user=user
    )
    if not others.filter(user__is_active=True).exists():
        raise WrongState(
            _("L'organisation garde au moins un administrateur : nommez-en un autre d'abord."),
            code="last_admin",
        )


@transaction.atomic
def member_roles_set(*, actor, organisation: Organisation, user, roles) -> list[str]:
    """An administrator of ``organisation`` gives ``user``, one of its members, exactly
    ``roles`` (among ``ROLES_BY_KIND``). 403 for anyone else, 404 for a user who is not
    a member, 409 when it would leave the organisation without an active administrator.
    Records ``organisation.member_roles_changed`` (before and after)."""
    _require_admin(actor, organisation)
    current = sorted(
        Membership.objects.filter(organisation=organisation, user=user).values_list(
            "role", flat=True
        )
    )
    if not current:
        raise NotFound(_("Ce membre est introuvable."), code="member_not_found")
    roles = _check_roles(organisation, roles)
    if Role.ADMIN in current and Role.ADMIN not in roles:
        _keep_an_admin(organisation, user)
    Membership.objects.filter(organisation=organisation, user=user).exclude(role__in=roles).delete()
    for role in set(roles) - set(current):
        Membership.objects.create(organisation=organisation, user=user, role=role)
    audit_record(
        verb="organisation.member_roles_changed",
        actor=actor,
        obj=organisation,
        data={"user": user.pk, "before": current, "after": roles},
    )
    return roles


@transaction.atomic
def member_remove(*, actor, organisation: Organisation, user) -> None:
    """An administrator removes ``user`` from ``organisation`` (every role). 403 for
    anyone else, 404 for a non-member, 409 for the last active administrator.
    Records ``organisation.member_removed``."""
    _require_admin(actor, organisation)
    memberships = Membership.objects.filter(organisation=organisation, user=user)
    roles = sorted(memberships.values_list("role", flat=True))
    if not roles:
        raise NotFound(_("Ce membre est introuvable."), code="member_not_found")
    if Role.ADMIN in roles:
        _keep_an_admin(organisation, user)
    memberships.delete()
    audit_record(
        verb="organisation.member_removed",
        actor=actor,
        obj=organisation,
        data={"user": user.pk, "roles": roles},
    )


def invitation_link(invitation: Invitation) -> str:
    token = sign({"i": invitation.pk, "e": invitation.email.lower()}, salt=INVITATION_SALT)
    return absolute("portal:invitation", token)


@transaction.atomic
def invitation_create(*, actor, organisation: Organisation, email: str, role: str) -> Invitation:
    """An administrator invites a colleague by e-mail with a role of ``ROLES_BY_KIND``.
    The link e-mailed after commit is signed, good for ``INVITATION_MAX_AGE`` seconds,
    once, and only for that address (``invitation_accept``). 403 for anyone but an
    administrator; 400 when the address is already a member's. Records
    ``organisation.member_invited``."""
    _require_admin(actor, organisation)
    email = email.strip()
    (role,) = _check_roles(organisation, [role], field="role")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise field_error("email", _("Cette personne est déjà membre."), "already_member")
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=actor
    )
    audit_record(
        verb="organisation.member_invited",
        actor=actor,
        obj=organisation,
        data={"invitation": invitation.pk, "email": email, "role": role},
    )
    mail_on_commit(
        to=email,
        template="invitation",
        context={
            "invitation": invitation,
            "organisation": organisation,
            "inviter": actor,
            "role": Role(role).label,
            "link": invitation_link(invitation),
            "days": settings.INVITATION_MAX_AGE // (24 * 3600),
        },
    )
    return invitation


def invitation_access(*, token: str) -> Invitation:
    """The invitation a link stands for, still open: 404 for an altered link, 409 for
    an expired one or one already used."""
    payload = unsign(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=payload["i"], email__iexact=payload["e"])
        .first()
    )
    if invitation is None:
        raise NotFound(_("Ce lien n'est pas valide."), code="link_invalid")
    if invitation.accepted_at is not None:
        raise WrongState(_("Cette invitation a déjà servi."), code="invitation_used")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user=None, account: dict | None = None):
    """Accept the invitation of ``token`` (``invitation_access``), once: as ``user``, a
    signed-in account whose address is the invited one (403 otherwise), or by creating
    the account ``account`` (username, names, password) for the invited address, active
    at once since the link proves it (409 when that address already has an account: it
    signs in first). The user becomes a member with the invitation's role. Records
    ``organisation.member_joined``; returns the user."""
    invitation = invitation_access(token=token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise WrongState(_("Cette invitation a déjà servi."), code="invitation_used")
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise Forbidden(
                _(
                    "Cette invitation est adressée à %(email)s : connectez-vous avec le "
                    "compte de cette adresse."
                )
                % {"email": invitation.email},
                code="invitation_other_email",
            )
    else:
        if email_taken(invitation.email):
            raise WrongState(
                _("Un compte existe déjà pour %(email)s : connectez-vous pour accepter.")
                % {"email": invitation.email},
                code="account_exists",
            )
        account = account or {}
        users = get_user_model()
        if users.objects.filter(username__iexact=account.get("username", "")).exists():
            raise field_error("username", _("Cet identifiant est déjà pris."), "username_taken")
        user = users(
            username=account.get("username", ""),
            email=invitation.email,
            first_name=account.get("first_name", "").strip(),
            last_name=account.get("last_name", "").strip(),
            is_active=True,
        )
        check_password(account.get("password", ""), user)
        user.set_password(account["password"])
        user.full_clean()
        user.save()
    Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # A facilitator who joins a candidate of a call they facilitate is no longer neutral.
    facilitations_recheck(user=user, organisation=invitation.organisation)
    audit_record(
        verb="organisation.member_joined",
        actor=user,
        obj=invitation.organisation,
        data={"invitation": invitation.pk, "user": user.pk, "role": invitation.role},
    )
    return user
