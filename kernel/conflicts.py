"""A write that lost a race: two requests checked the same rule at the same moment, both
found the way clear, and the database's constraint refused the second one's row. That
is a conflict (409, ``WrongState``) with a French message, never a server error.

Services serialise what they can (a row locked before the check), so that the loser is
told the precise rule it broke; this module answers whatever still reaches the
database's constraints: the API's exception handler and the portal's form loop turn an
``IntegrityError`` into ``integrity_conflict(exc)``."""

import logging

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from kernel.errors import WrongState

logger = logging.getLogger(__name__)

CONFLICT_MESSAGE = _(
    "Une autre demande faite au même moment l'a emporté sur celle-ci : "
    "rechargez la page puis réessayez si besoin."
)


def integrity_conflict(exc: IntegrityError) -> WrongState:
    """The conflict to answer for a refused write (logged, for a constraint that no
    race explains would be a bug)."""
    logger.warning("Write refused by a database constraint: %s", exc)
    return WrongState(CONFLICT_MESSAGE, code="conflict")
