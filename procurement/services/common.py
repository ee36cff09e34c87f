"""The permission guard of the domain: membership of an organisation with a role."""

from kernel.errors import Forbidden
from procurement.queries import STAFF_ROLES, is_member


def require_member(actor, organisation, roles=STAFF_ROLES, *, message: str) -> None:
    """Raise 403 unless ``actor`` belongs to ``organisation`` with one of ``roles``."""
    if not is_member(actor, organisation, roles):
        raise Forbidden(message, code="not_allowed")
