"""Funders' envelopes and the pledges they spread over the buckets."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, NotFound, WrongState
from kernel.guards import validated_save
from kernel.language import eur
from procurement.models import Allocation, Bucket, CofundingRound, OrganisationKind, Pledge
from procurement.services.audit import audit_record
from procurement.services.cofunding.rules import (
    _check_bucket_accepts,
    _check_round_open,
    _money_status,
    _require_positive,
)
from procurement.services.common import require_member


@transaction.atomic
def allocation_set(*, actor, round_: CofundingRound, funder, amount: Decimal) -> Allocation:
    """A funder declares (or raises) its envelope for the round."""
    require_member(actor, funder, message=_("Vous n'êtes pas membre de ce financeur."))
    if funder.kind != OrganisationKind.FUNDER and funder.pk != round_.challenge.buyer_id:
        raise Forbidden(
            _("Seuls les financeurs et l'acheteur ont une enveloppe."), code="not_a_funder"
        )
    _check_round_open(round_)
    allocation = Allocation.objects.select_for_update().filter(
        round=round_, funder=funder
    ).first() or Allocation(round=round_, funder=funder, amount=amount)
    pledged = allocation.pledged
    if amount < pledged:
        raise ApplicationError(
            _("L'enveloppe ne peut pas descendre sous le montant déjà engagé."),
            code="allocation_below_pledged",
            extra={
                "fields": {
                    "amount": [_("Au moins %(amount)s.") % {"amount": eur(allocation.pledged)}]
                }
            },
        )
    allocation.amount = amount
    validated_save(allocation)
    audit_record(
        verb="cofunding.allocation",
        actor=actor,
        challenge=round_.challenge,
        obj=allocation,
        data={"funder": funder.pk, "amount": amount},
    )
    return allocation


@transaction.atomic
def pledge_create(*, actor, bucket: Bucket, funder, amount: Decimal) -> Pledge:
    """Put part of the funder's envelope on a bucket.

    Refused (409) when the round is closed, when it would exceed the funder's
    envelope, or the bucket's maximum (or its minimum, when the round stops there).
    The two rows are locked in a fixed order and
    the database's check constraints stand behind the arithmetic.
    """
    require_member(actor, funder, message=_("Vous n'êtes pas membre de ce financeur."))
    _require_positive(amount)
    round_ = bucket.round
    _check_round_open(round_)
    allocation = Allocation.objects.select_for_update().filter(round=round_, funder=funder).first()
    if allocation is None:
        raise WrongState(_("Ce financeur n'a pas d'enveloppe dans ce tour."), code="no_allocation")
    bucket = Bucket.objects.select_for_update().get(pk=bucket.pk)
    if allocation.pledged + amount > allocation.amount:
        raise WrongState(
            _("Cet engagement dépasserait votre enveloppe : il y reste %(available)s à engager.")
            % {"available": eur(allocation.amount - allocation.pledged)},
            code="allocation_exceeded",
            extra={"available": allocation.amount - allocation.pledged},
        )
    _check_bucket_accepts(round_, bucket, amount)
    pledge = Pledge.objects.create(bucket=bucket, allocation=allocation, amount=amount)
    Allocation.objects.filter(pk=allocation.pk).update(pledged=F("pledged") + amount)
    Bucket.objects.filter(pk=bucket.pk).update(
        pledged=F("pledged") + amount, status=_money_status(bucket, bucket.total + amount)
    )
    audit_record(
        verb="cofunding.pledged",
        actor=actor,
        challenge=round_.challenge,
        obj=pledge,
        data={"bucket": bucket.pk, "funder": funder.pk, "amount": amount},
    )
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor, pledge: Pledge) -> None:
    """A funder takes a pledge back while the round is open (to move it elsewhere)."""
    allocation = Allocation.objects.select_for_update().get(pk=pledge.allocation_id)
    require_member(actor, allocation.funder, message=_("Vous n'êtes pas membre de ce financeur."))
    _check_round_open(allocation.round)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status != Pledge.Status.ACTIVE:
        raise WrongState(_("Cet engagement n'est plus modifiable."), code="pledge_not_active")
    bucket = Bucket.objects.select_for_update().get(pk=pledge.bucket_id)
    Bucket.objects.filter(pk=bucket.pk).update(
        pledged=F("pledged") - pledge.amount,
        status=_money_status(bucket, bucket.total - pledge.amount),
    )
    Allocation.objects.filter(pk=allocation.pk).update(pledged=F("pledged") - pledge.amount)
    pledge.status = Pledge.Status.RELEASED
    pledge.save(update_fields=["status"])
    audit_record(
        verb="cofunding.withdrawn",
        actor=actor,
        challenge=allocation.round.challenge,
        obj=pledge,
        data={"amount": pledge.amount},
    )


@transaction.atomic
def pledge_move(*, actor, pledge: Pledge, bucket: Bucket, amount: Decimal | None = None) -> Pledge:
    """Move (part of) an active pledge to another bucket of the round, in one go.

    The same limits as ``pledge_create`` hold on the target (its maximum, or its
    minimum when the round stops there); the envelope is unchanged, so never exceeded.
    Rows are locked in a fixed order: the allocation, the pledge, then both buckets by
    primary key. Returns the new pledge on the target bucket."""
    allocation = Allocation.objects.select_for_update().get(pk=pledge.allocation_id)
    require_member(actor, allocation.funder, message=_("Vous n'êtes pas membre de ce financeur."))
    round_ = allocation.round
    _check_round_open(round_)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.status != Pledge.Status.ACTIVE:
        raise WrongState(_("Cet engagement n'est plus modifiable."), code="pledge_not_active")
    if bucket.round_id != round_.pk:
        raise NotFound(_("Commun introuvable dans ce tour."), code="bucket_not_found")
    if bucket.pk == pledge.bucket_id:
        raise ApplicationError(
            _("Cet engagement est déjà sur ce commun."),
            code="same_bucket",
            extra={"fields": {"bucket": [_("Choisissez un autre commun.")]}},
        )
    amount = pledge.amount if amount is None else amount
    _require_positive(amount)
    if amount > pledge.amount:
        raise WrongState(
            _("Vous ne pouvez pas déplacer plus que cet engagement (%(amount)s).")
            % {"amount": eur(pledge.amount)},
            code="move_exceeds_pledge",
            extra={"available": pledge.amount},
        )
    locked = {
        pk: Bucket.objects.select_for_update().get(pk=pk)
        for pk in sorted((pledge.bucket_id, bucket.pk))
    }
    source, target = locked[pledge.bucket_id], locked[bucket.pk]
    _check_bucket_accepts(round_, target, amount)
    if amount == pledge.amount:
        pledge.status = Pledge.Status.RELEASED
        pledge.save(update_fields=["status"])
    else:
        pledge.amount -= amount
        pledge.save(update_fields=["amount"])
    Bucket.objects.filter(pk=source.pk).update(
        pledged=F("pledged") - amount, status=_money_status(source, source.total - amount)
    )
    moved = Pledge.objects.create(bucket=target, allocation=allocation, amount=amount)
    Bucket.objects.filter(pk=target.pk).update(
        pledged=F("pledged") + amount, status=_money_status(target, target.total + amount)
    )
    audit_record(
        verb="cofunding.moved",
        actor=actor,
        challenge=round_.challenge,
        obj=moved,
        data={
            "from_pledge": pledge.pk,
            "from_bucket": source.pk,
            "to_bucket": target.pk,
            "funder": allocation.funder_id,
            "amount": amount,
        },
    )
    return moved
