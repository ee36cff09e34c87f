"""Accounts: an organisation's sign-up and its e-mail verification, invitations of
colleagues, members and roles managed by the organisation's administrators, the public
agents who sign in with ProConnect, the operators."""

from .agents import agent_sign_in, operator_create
from .members import (
    ROLES_BY_KIND,
    invitation_accept,
    invitation_access,
    invitation_create,
    invitation_link,
    member_remove,
    member_roles_set,
)
from .signup import (
    SIGNUP_KINDS,
    account_verify,
    organisation_identifier,
    organisation_register,
    verification_link,
)

__all__ = [
    "ROLES_BY_KIND",
    "SIGNUP_KINDS",
    "account_verify",
    "agent_sign_in",
    "invitation_accept",
    "invitation_access",
    "invitation_create",
    "invitation_link",
    "member_remove",
    "member_roles_set",
    "operator_create",
    "organisation_identifier",
    "organisation_register",
    "verification_link",
]
