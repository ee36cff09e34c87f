"""Who signs in without signing up: the public agents, through ProConnect (the State's
sign-in for public agents, OpenID Connect), and the operators of the service."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden
from procurement.models import Membership, Organisation, OrganisationKind, Role
from procurement.services.audit import audit_record

from .signup import check_password


def _digits(value) -> str:
    return re.sub(r"\D", "", str(value or ""))


def _buyer_of(claims: dict) -> Organisation:
    """The buyer whose SIRET is the agent's establishment's, else the one of its SIREN
    (the SIRET's first nine digits, or ProConnect's ``siren`` claim)."""
    siret = _digits(claims.get("siret"))
    siren = _digits(claims.get("siren")) or siret[:9]
    buyers = Organisation.objects.filter(kind=OrganisationKind.BUYER)
    if len(siret) == 14 and (buyer := buyers.filter(siret=siret).first()):
        return buyer
    if len(siren) == 9:
        match = buyers.filter(Q(siren=siren) | Q(siret__startswith=siren)).order_by("pk")
        if buyer := match.first():
            return buyer
    raise Forbidden(
        _(
            "Votre organisation (SIRET %(siret)s) n'est pas un acheteur inscrit sur ce "
            "service. Demandez à son administrateur ou à l'opérateur du service de "
            "l'inscrire, puis reconnectez-vous."
        )
        % {"siret": siret or siren or _("non transmis")},
        code="organisation_unknown",
        extra={"siret": siret, "siren": siren},
    )


def _free_username(email: str) -> str:
    users = get_user_model().objects
    base = email.lower()[:140]
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def agent_sign_in(*, claims: dict):
    """A public agent back from ProConnect with these claims (userinfo): the account
    of the verified address ``email`` (created at the first sign-in, without a
    password, its names from ``given_name`` and ``usual_name``), member of the buyer
    matched by the ``siret`` claim (or its SIREN). A first sign-in makes the agent a
    plain member (``Role.MEMBER``: acts for the buyer; its administrators alone manage
    members and make evaluators or administrators). 403 ``organisation_unknown`` when
    no buyer has that SIRET or SIREN, 403 for a deactivated account. Records
    ``organisation.agent_joined`` when the agent becomes a member."""
    email = (claims.get("email") or "").strip()
    if not email:
        raise ApplicationError(
            _("ProConnect n'a pas transmis votre adresse électronique."), code="email_missing"
        )
    buyer = _buyer_of(claims)
    users = get_user_model()
    matches = list(users.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise Forbidden(
            _("Plusieurs comptes portent cette adresse : contactez l'opérateur du service."),
            code="email_ambiguous",
        )
    if matches:
        user = matches[0]
        if not user.is_active:
            raise Forbidden(_("Ce compte est désactivé."), code="account_inactive")
    else:
        user = users(username=_free_username(email), email=email)
        user.set_unusable_password()
    user.first_name = user.first_name or (claims.get("given_name") or "")[:150]
    user.last_name = user.last_name or (claims.get("usual_name") or "")[:150]
    user.save()
    if not Membership.objects.filter(user=user, organisation=buyer).exists():
        Membership.objects.create(user=user, organisation=buyer, role=Role.MEMBER)
        audit_record(
            verb="organisation.agent_joined",
            actor=user,
            obj=buyer,
            data={"user": user.pk, "role": Role.MEMBER, "siret": _digits(claims.get("siret"))},
        )
    return user


@transaction.atomic
def operator_create(*, username: str, email: str, password: str):
    """An operator of the service: a superuser, who reaches ``/admin/`` (the Django
    admin) and every administrator's endpoint. Created, or — when the username exists —
    given this address and password and made operator again. The password passes the
    validators of ``AUTH_PASSWORD_VALIDATORS``. Returns the user."""
    users = get_user_model()
    user = users.objects.filter(username=username).first() or users(username=username)
    user.email = email
    user.is_staff = user.is_superuser = user.is_active = True
    check_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
