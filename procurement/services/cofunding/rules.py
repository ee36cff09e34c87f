"""What every cofunding write checks: the round is open, the actor is the buyer's,
an amount is positive, a bucket may take more money."""

from decimal import Decimal

from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import require_before
from kernel.language import eur
from procurement.models import BeyondMinimum, Bucket, CofundingRound
from procurement.services.common import require_member


def _check_round_open(round_: CofundingRound) -> None:
    if round_.closed_at is not None:
        raise WrongState(_("Le tour de cofinancement est clos."), code="round_closed")
    require_before(
        round_.deadline, message=_("Le tour de cofinancement est clos."), code="round_closed"
    )


def _require_buyer(actor, round_: CofundingRound) -> None:
    require_member(actor, round_.challenge.buyer, message=_("Réservé aux agents de l'acheteur."))


def _require_positive(amount, field: str = "amount") -> None:
    if amount is None or amount <= 0:
        raise ApplicationError(
            _("Le montant est positif."),
            code="invalid_amount",
            extra={"fields": {field: [_("Indiquez un montant supérieur à zéro.")]}},
        )


def _money_status(bucket: Bucket, total: Decimal) -> str:
    """A bucket's status once money came in or left: funded from its minimum on."""
    return Bucket.Status.FUNDED if total >= bucket.min_amount else Bucket.Status.OPEN


def _check_bucket_accepts(round_: CofundingRound, bucket: Bucket, amount: Decimal) -> None:
    """The bucket (locked) may take ``amount`` more: never beyond its maximum, nor beyond
    its minimum when the round stops there (then a funded bucket takes nothing more)."""
    cap = bucket.max_amount
    if round_.beyond_minimum == BeyondMinimum.STOP_AT_MINIMUM:
        if bucket.status == Bucket.Status.FUNDED or bucket.total >= bucket.min_amount:
            raise WrongState(
                _(
                    "Ce commun a atteint son minimum : dans ce tour, il n'accepte plus "
                    "d'engagement."
                ),
                code="bucket_minimum_reached",
                extra={"available": Decimal(0)},
            )
        cap = bucket.min_amount
        if bucket.total + amount > cap:
            raise WrongState(
                _(
                    "Cet engagement dépasserait le minimum du commun : dans ce tour, un "
                    "commun n'est pas financé au-delà de son minimum (reste %(available)s)."
                )
                % {"available": eur(cap - bucket.total)},
                code="bucket_minimum_exceeded",
                extra={"available": cap - bucket.total},
            )
    if bucket.total + amount > cap:
        raise WrongState(
            _(
                "Cet engagement dépasserait le maximum du commun : on peut encore y "
                "engager %(available)s."
            )
            % {"available": eur(cap - bucket.total)},
            code="bucket_overfunded",
            extra={"available": cap - bucket.total},
        )
