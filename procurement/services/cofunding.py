"""Cofunding rounds (cobudget's rules): funders spread their envelope over buckets."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    Allocation,
    Bucket,
    ChallengeStatus,
    CofundingRound,
    OrganisationKind,
    Pledge,
    ProposalStatus,
)
from procurement.services.audit import audit_record
from procurement.services.common import (
    require_before,
    require_member,
    require_status,
    validated_save,
)


@transaction.atomic
def cofunding_open(*, challenge) -> CofundingRound:
    """After the Chambre's opinion on the selection: one bucket per selected proposal,
    from its amount (minimum = maximum = the proposal's cost for now), open until the
    cofunding deadline the buyer set at selection."""
    require_status(
        challenge, ChallengeStatus.COFUNDING, message=_("Le cofinancement n'est pas ouvert.")
    )
    round_, created = CofundingRound.objects.get_or_create(
        challenge=challenge, defaults={"deadline": challenge.cofunding_deadline}
    )
    if created:
        for proposal in challenge.proposals.filter(status=ProposalStatus.SELECTED):
            Bucket.objects.create(
                round=round_,
                proposal=proposal,
                min_amount=proposal.amount,
                max_amount=proposal.amount,
            )
        audit_record(
            verb="cofunding.opened",
            challenge=challenge,
            obj=round_,
            data={"deadline": round_.deadline, "buckets": round_.buckets.count()},
        )
    return round_


def _check_round_open(round_: CofundingRound) -> None:
    if round_.closed_at is not None:
        raise WrongState(_("Le tour de cofinancement est clos."), code="round_closed")
    require_before(
        round_.deadline, message=_("Le tour de cofinancement est clos."), code="round_closed"
    )


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
    if amount < allocation.pledged:
        raise ApplicationError(
            _("L'enveloppe ne peut pas descendre sous le montant déjà engagé."),
            code="allocation_below_pledged",
            extra={
                "fields": {"amount": [_("Au moins %(amount)s €.") % {"amount": allocation.pledged}]}
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
    envelope, or the bucket's maximum. The two rows are locked in a fixed order and
    the database's check constraints stand behind the arithmetic.
    """
    require_member(actor, funder, message=_("Vous n'êtes pas membre de ce financeur."))
    if amount is None or amount <= 0:
        raise ApplicationError(
            _("Le montant d'un engagement est positif."),
            code="invalid_amount",
            extra={"fields": {"amount": [_("Indiquez un montant supérieur à zéro.")]}},
        )
    round_ = bucket.round
    _check_round_open(round_)
    allocation = Allocation.objects.select_for_update().filter(round=round_, funder=funder).first()
    if allocation is None:
        raise WrongState(_("Ce financeur n'a pas d'enveloppe dans ce tour."), code="no_allocation")
    bucket = Bucket.objects.select_for_update().get(pk=bucket.pk)
    if allocation.pledged + amount > allocation.amount:
        raise WrongState(
            _("Cet engagement dépasserait votre enveloppe."),
            code="allocation_exceeded",
            extra={"available": allocation.amount - allocation.pledged},
        )
    if bucket.pledged + amount > bucket.max_amount:
        raise WrongState(
            _("Cet engagement dépasserait le maximum du commun."),
            code="bucket_overfunded",
            extra={"available": bucket.max_amount - bucket.pledged},
        )
    pledge = Pledge.objects.create(bucket=bucket, allocation=allocation, amount=amount)
    Allocation.objects.filter(pk=allocation.pk).update(pledged=F("pledged") + amount)
    Bucket.objects.filter(pk=bucket.pk).update(pledged=F("pledged") + amount)
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
    Bucket.objects.select_for_update().filter(pk=pledge.bucket_id).update(
        pledged=F("pledged") - pledge.amount
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
def cofunding_close(*, challenge) -> CofundingRound:
    """At the deadline: buckets that reached their minimum are funded and their
    pledges committed; the others' pledges are released. Closing twice changes nothing."""
    round_ = CofundingRound.objects.select_for_update().get(challenge=challenge)
    if round_.closed_at is not None:
        return round_
    funded, not_funded = [], []
    for bucket in round_.buckets.select_for_update():
        if bucket.pledged >= bucket.min_amount:
            bucket.status = Bucket.Status.FUNDED
            bucket.pledges.filter(status=Pledge.Status.ACTIVE).update(
                status=Pledge.Status.COMMITTED
            )
            funded.append(bucket.pk)
        else:
            bucket.status = Bucket.Status.NOT_FUNDED
            bucket.pledges.filter(status=Pledge.Status.ACTIVE).update(status=Pledge.Status.RELEASED)
            not_funded.append(bucket.pk)
        bucket.save(update_fields=["status"])
    round_.closed_at = timezone.now()
    round_.save(update_fields=["closed_at"])
    challenge.status = ChallengeStatus.DOCUMENTS
    challenge.save(update_fields=["status", "updated_at"])
    audit_record(
        verb="cofunding.closed",
        challenge=challenge,
        obj=round_,
        data={"funded": funded, "not_funded": not_funded},
    )
    return round_
