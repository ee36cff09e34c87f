"""An organisation's sign-up: a partner (a startup, an association…), a funder or a host
creates its account, its first member becomes its administrator once the e-mail
address is verified."""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import NotFound, WrongState
from kernel.guards import field_error, validated_save
from procurement.models import Membership, Organisation, OrganisationKind, Role
from procurement.services.audit import audit_record
from procurement.validators import validate_rna, validate_siren, validate_siret

from .links import VERIFY_SALT, absolute, mail_on_commit, sign, unsign

# Who signs up here: the buyers' agents come through ProConnect, the Chambres are set up
# by the operators.
SIGNUP_KINDS = (OrganisationKind.PARTNER, OrganisationKind.FUNDER, OrganisationKind.HOST)


def organisation_identifier(value: str) -> dict[str, str]:
    """The organisation's number as typed (spaces allowed) → its fields: a SIRET (14
    digits, its SIREN with it), a SIREN (9 digits) or an association's RNA number
    (W and 9 characters), each checked by ``procurement.validators`` (python-stdnum's
    keys). A 400 on ``identifier`` otherwise."""
    compact = re.sub(r"[\s.]", "", value or "").upper()
    try:
        if re.fullmatch(r"\d{14}", compact):
            validate_siret(compact)
            return {"siret": compact, "siren": compact[:9]}
        if re.fullmatch(r"\d{9}", compact):
            validate_siren(compact)
            return {"siren": compact}
        if compact.startswith("W"):
            validate_rna(compact)
            return {"rna": compact}
    except ValidationError as exc:
        raise field_error("identifier", exc.messages[0], code=exc.code or "invalid") from exc
    raise field_error(
        "identifier",
        _(
            "Saisissez un SIRET (14 chiffres), un SIREN (9 chiffres) ou un numéro RNA "
            "(W suivi de 9 caractères)."
        ),
        code="identifier_format",
    )


def check_password(password: str, user) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise field_error("password", " ".join(exc.messages), code="password") from exc


def email_taken(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def _forget_stale_signups(same: Q, email: str) -> None:
    """A sign-up whose link expired unused must not hold the organisation's number or the
    address for ever (a typo in the address, a lost mail): its never-activated accounts
    and the organisations they alone hold are removed, so that the sign-up starts over."""
    cutoff = timezone.now() - timedelta(seconds=settings.ACCOUNT_LINK_MAX_AGE)
    stale_users = get_user_model().objects.filter(
        is_active=False, last_login__isnull=True, date_joined__lt=cutoff
    )
    candidates = Organisation.objects.filter(same) | Organisation.objects.filter(
        memberships__user__in=stale_users.filter(email__iexact=email)
    )
    for organisation in candidates.distinct():
        members = Membership.objects.filter(organisation=organisation)
        if members.exists() and not members.exclude(user__in=stale_users).exists():
            users = list(stale_users.filter(memberships__organisation=organisation))
            organisation.delete()
            get_user_model().objects.filter(pk__in=[u.pk for u in users]).delete()
    stale_users.filter(email__iexact=email, memberships__isnull=True).delete()


@transaction.atomic
def organisation_register(
    *,
    name: str,
    kind: str,
    identifier: str,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
):
    """Create an organisation of a ``SIGNUP_KINDS`` kind and its first member, who
    becomes its administrator; returns that user.

    The organisation is identified by its SIRET, SIREN or RNA number
    (``organisation_identifier``); one already registered with the same SIREN or RNA is
    refused (409 ``organisation_exists``: its administrator invites colleagues), unless
    that sign-up was never verified and its link has expired: it is then forgotten. The
    account stays inactive — no sign-in — until its address is verified by the link
    e-mailed after commit (``account_verify``). Records ``organisation.registered``."""
    if kind not in SIGNUP_KINDS:
        raise field_error("kind", _("Ce type d'organisation ne s'inscrit pas ici."), "kind")
    numbers = organisation_identifier(identifier)
    same = Q(siren=numbers["siren"]) if "siren" in numbers else Q(rna=numbers["rna"])
    _forget_stale_signups(same, email)
    if Organisation.objects.filter(same).exists():
        raise WrongState(
            _(
                "Cette organisation a déjà un compte : demandez à son administrateur de "
                "vous inviter."
            ),
            code="organisation_exists",
            extra={"fields": {"identifier": [_("Organisation déjà inscrite.")]}},
        )
    name = name.strip()
    if Organisation.objects.filter(name__iexact=name).exists():
        raise field_error("name", _("Une organisation porte déjà ce nom."), "name_taken")
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise field_error("username", _("Cet identifiant est déjà pris."), "username_taken")
    if email_taken(email):
        raise field_error(
            "email",
            _(
                "Un compte existe déjà avec cette adresse : connectez-vous, ou demandez "
                "un nouveau mot de passe."
            ),
            "email_taken",
        )
    user = users(
        username=username,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_active=False,
    )
    check_password(password, user)
    user.set_password(password)
    validated_save(user)
    organisation = Organisation(name=name, kind=kind, **numbers)
    validated_save(organisation)
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
    audit_record(
        verb="organisation.registered",
        actor=None,
        obj=organisation,
        data={"kind": kind, "user": user.pk, **numbers},
    )
    mail_on_commit(
        to=email,
        template="account_verify",
        context={
            "user": user,
            "organisation": organisation,
            "link": verification_link(user),
            "hours": settings.ACCOUNT_LINK_MAX_AGE // 3600,
        },
    )
    return user


def verification_link(user) -> str:
    token = sign({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT)
    return absolute("portal:verify_email", token)


@transaction.atomic
def account_verify(*, token: str):
    """The address of a new account is proven by its link (``ACCOUNT_LINK_MAX_AGE``):
    the account becomes active. Good once: an account already active, or one that
    has been signed into and then deactivated by an operator, is not touched (409).
    Records ``account.verified``; returns the user."""
    payload = unsign(token, salt=VERIFY_SALT, max_age=settings.ACCOUNT_LINK_MAX_AGE)
    user = (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=payload["u"], email__iexact=payload["e"])
        .first()
    )
    if user is None:
        raise NotFound(_("Ce lien n'est pas valide."), code="link_invalid")
    if user.is_active or user.last_login is not None:
        raise WrongState(_("Cette adresse est déjà vérifiée."), code="already_verified")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(verb="account.verified", actor=user, obj=user, data={})
    return user
