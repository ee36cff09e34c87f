"""The one writer of a challenge's stage (``Challenge.status``).

Every service that moves a challenge from one stage to the next calls
``challenge_stage_move``; nothing else assigns ``Challenge.status``. The table below
is the whole life of a call: a move it does not list is refused (409) whoever asks,
and every move writes the same audit event, so the trail shows each stage a call went
through, when, and on whose action.

The table is a plain mapping rather than ``viewflow.fsm``: the moves are triggered by
the nodes of the process (``workflows/flows.py``) and by services called from several
places, and ``fsm`` would spread them again as decorated methods of a wrapper class;
one table and one function are read, tested and changed in one place.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import WrongState
from procurement.models import Challenge, ChallengeStatus
from procurement.services.audit import audit_record

S = ChallengeStatus

# Stages a call may go to from each stage, cancellation aside (see CANCELLABLE).
MOVES: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.READY, S.REVISION}),
    S.REVISION: frozenset({S.IN_REVIEW, S.READY}),
    S.READY: frozenset({S.POSITIONING}),
    S.POSITIONING: frozenset({S.PROPOSALS}),
    S.PROPOSALS: frozenset({S.ASSIGNMENT}),
    S.ASSIGNMENT: frozenset({S.SCORING, S.UNSUCCESSFUL}),
    S.SCORING: frozenset({S.SELECTION}),
    S.SELECTION: frozenset({S.SELECTION_REVIEW}),
    # A call that plans an exploration explores before its cofunding (seed 003); when no
    # commons proved itself, no round opens and the award pieces follow.
    S.SELECTION_REVIEW: frozenset({S.COFUNDING, S.EXPLORATION}),
    S.EXPLORATION: frozenset({S.COFUNDING, S.DOCUMENTS}),
    S.COFUNDING: frozenset({S.DOCUMENTS}),
    S.DOCUMENTS: frozenset({S.AWARD}),
    # A formal procedure waits the standstill after the rejection letters (R2182-1); a
    # MAPA may sign at once.
    S.AWARD: frozenset({S.STANDSTILL, S.AWARDED}),
    S.STANDSTILL: frozenset({S.AWARDED}),
    S.AWARDED: frozenset(),
    S.UNSUCCESSFUL: frozenset(),
    S.CANCELLED: frozenset(),
}
FINAL = frozenset(stage for stage, targets in MOVES.items() if not targets)
# A call may be cancelled by its buyer at any stage before its end.
CANCELLABLE = frozenset(MOVES) - FINAL


def stage_move_allowed(current: str, target: str) -> bool:
    """Whether the table lets a call go from ``current`` to ``target``."""
    if target == S.CANCELLED:
        return current in CANCELLABLE
    return target in MOVES.get(current, frozenset())


@transaction.atomic
def challenge_stage_move(
    *, challenge: Challenge, to: str, actor=None, also: tuple[str, ...] = ()
) -> Challenge:
    """Move ``challenge`` to the stage ``to`` and save, with the fields named in ``also``
    that the caller changed in the same step (a deadline, the award date…).

    Preconditions: the move is in ``MOVES`` from the stage the database holds (read
    under a row lock, so two concurrent moves cannot both start from the same stage);
    otherwise ``WrongState`` (409, ``illegal_stage_move``) and nothing is written.
    Side effect: one ``challenge.stage_changed`` audit event, in the same transaction.
    """
    current = (
        Challenge.objects.select_for_update().values_list("status", flat=True).get(pk=challenge.pk)
    )
    if not stage_move_allowed(current, to):
        raise WrongState(
            _("Un appel ne passe pas de l'étape « %(current)s » à l'étape « %(target)s ».")
            % {"current": S(current).label, "target": S(to).label},
            code="illegal_stage_move",
            extra={"status": current, "target": str(to)},
        )
    challenge.status = to
    challenge.save(update_fields=["status", "updated_at", *also])
    audit_record(
        verb="challenge.stage_changed",
        actor=actor,
        challenge=challenge,
        obj=challenge,
        data={"from": current, "to": str(to)},
    )
    return challenge
