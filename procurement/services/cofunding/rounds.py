"""A cofunding round: opened from the selection, its policies and buckets edited by
the buyer, subsidies and contributors' envelopes, closed at the deadline."""

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import require_status, validated_save
from kernel.language import eur
from procurement.models import (
    Allocation,
    Bucket,
    ChallengeResource,
    ChallengeStatus,
    CofundingRound,
    EditAfterFunded,
    Framing,
    Pledge,
    Subsidy,
)
from procurement.queries import bucket_editable_by, budget_split_of, challenge_contributors
from procurement.services.audit import audit_record
from procurement.services.cofunding.matching import matches_honour, settle_round
from procurement.services.cofunding.rules import (
    _check_round_open,
    _money_status,
    _require_buyer,
    _require_positive,
)
from procurement.services.exploration import proposals_to_cofund
from procurement.services.hosting import require_host
from procurement.services.notifications import notify_cofunding_opened, notify_pledges_released
from procurement.services.stages import challenge_stage_move


@transaction.atomic
def cofunding_open(*, challenge, proposal_ids: Collection[int] | None = None) -> CofundingRound:
    """After the Chambre's opinion on the selection: one bucket per selected proposal,
    open until the cofunding deadline the buyer set at selection. When the call planned
    an exploration, only the proposals whose commons proved itself get one
    (``exploration.proposals_to_cofund``, seed 003); when it held a collective vote,
    ``proposal_ids`` are the commons the vote retained among those (``None``: no vote).

    A bucket funds only the cofundable amount (minimum = maximum = that amount): under
    a *marché public* the lines outside the contract, never the contract price the buyer
    pays; hors marché, the whole budget. A proposal with nothing outside its contract
    gets no bucket. So no euro is counted both as a price and as cofunding."""
    require_status(
        challenge, ChallengeStatus.COFUNDING, message=_("Le cofinancement n'est pas ouvert.")
    )
    round_, created = CofundingRound.objects.get_or_create(
        challenge=challenge, defaults={"deadline": challenge.cofunding_deadline}
    )
    if created:
        selected = proposals_to_cofund(challenge).prefetch_related("budget_lines")
        if proposal_ids is not None:
            selected = selected.filter(pk__in=list(proposal_ids))
        for proposal in selected:
            cofundable = budget_split_of(proposal).cofundable
            if cofundable > 0:
                Bucket.objects.create(
                    round=round_,
                    proposal=proposal,
                    min_amount=cofundable,
                    max_amount=cofundable,
                )
        audit_record(
            verb="cofunding.opened",
            challenge=challenge,
            obj=round_,
            data={
                "deadline": round_.deadline,
                "buckets": round_.buckets.count(),
                **({} if proposal_ids is None else {"voted": sorted(proposal_ids)}),
            },
        )
        notify_cofunding_opened(round_)
    return round_


@transaction.atomic
def cofunding_deadline_postpone(*, challenge, deadline: datetime, reason: str) -> None:
    """Move the cofunding deadline later before the round opens (a collective vote that
    ends after it: the funders keep time to pledge). Never earlier; audited with the
    reason."""
    require_status(
        challenge, ChallengeStatus.COFUNDING, message=_("Le cofinancement n'est pas ouvert.")
    )
    old = challenge.cofunding_deadline
    if old is not None and deadline <= old:
        return
    if CofundingRound.objects.filter(challenge=challenge).exists():
        raise WrongState(_("Le tour de cofinancement est déjà ouvert."), code="round_open")
    challenge.cofunding_deadline = deadline
    challenge.save(update_fields=["cofunding_deadline", "updated_at"])
    audit_record(
        verb="cofunding.deadline_postponed",
        challenge=challenge,
        obj=challenge,
        data={"old": old, "new": deadline, "reason": reason},
    )


@transaction.atomic
def cofunding_update(
    *, actor, round_: CofundingRound, beyond_minimum=None, edit_after_funded=None
) -> CofundingRound:
    """The buyer sets the round's policies while it is open: whether a bucket is funded
    beyond its minimum, and what a funded bucket becomes when its budget is edited."""
    _require_buyer(actor, round_)
    round_ = CofundingRound.objects.select_for_update().get(pk=round_.pk)
    _check_round_open(round_)
    before = {
        "beyond_minimum": round_.beyond_minimum,
        "edit_after_funded": round_.edit_after_funded,
    }
    if beyond_minimum is not None:
        round_.beyond_minimum = beyond_minimum
    if edit_after_funded is not None:
        round_.edit_after_funded = edit_after_funded
    validated_save(round_, exclude=["challenge"])
    after = {"beyond_minimum": round_.beyond_minimum, "edit_after_funded": round_.edit_after_funded}
    if after != before:
        audit_record(
            verb="cofunding.settings",
            actor=actor,
            challenge=round_.challenge,
            obj=round_,
            data={"before": before, "after": after},
        )
    return round_


@transaction.atomic
def bucket_update(
    *, actor, bucket: Bucket, min_amount=None, max_amount=None, description=None
) -> Bucket:
    """Edit a bucket's budget or the development step it funds, while the round is open.

    The maximum never goes below what is already pledged and subsidised, nor, under a
    *marché public*, above what lies outside the proposal's contract (the contract price
    is never cofunded; hors marché a round may fund beyond the budget). A bucket whose
    new minimum is reached is funded; one funded before whose new minimum is no longer
    reached stays funded or opens again, as the round's ``edit_after_funded`` says."""
    bucket = (
        Bucket.objects.select_for_update()
        .select_related("round__challenge__buyer", "proposal__challenge")
        .get(pk=bucket.pk)
    )
    if not bucket_editable_by(actor, bucket):
        raise Forbidden(
            _("Réservé à l'acheteur et au groupe de travail de ce commun."), code="not_allowed"
        )
    round_ = bucket.round
    _check_round_open(round_)
    before = {
        "min_amount": bucket.min_amount,
        "max_amount": bucket.max_amount,
        "description": bucket.description,
        "status": bucket.status,
    }
    new_min = bucket.min_amount if min_amount is None else min_amount
    new_max = bucket.max_amount if max_amount is None else max_amount
    if new_min <= 0:
        raise ApplicationError(
            _("Le minimum est positif."),
            code="invalid_amount",
            extra={"fields": {"min_amount": [_("Indiquez un montant supérieur à zéro.")]}},
        )
    if new_max < bucket.total:
        raise ApplicationError(
            _("Le maximum ne peut pas descendre sous le montant déjà engagé."),
            code="max_below_pledged",
            extra={
                "fields": {
                    "max_amount": [_("Au moins %(amount)s.") % {"amount": eur(bucket.total)}]
                }
            },
        )
    cofundable = budget_split_of(bucket.proposal).cofundable
    if round_.challenge.framing == Framing.PUBLIC_CONTRACT and new_max > cofundable:
        raise ApplicationError(
            _(
                "Le cofinancement ne peut pas dépasser la part hors marché de la proposition "
                "(%(amount)s) : le prix du marché n'est pas cofinancé."
            )
            % {"amount": eur(cofundable)},
            code="max_above_cofundable",
            extra={
                "fields": {"max_amount": [_("Au plus %(amount)s.") % {"amount": eur(cofundable)}]}
            },
        )
    if new_min > new_max:
        raise ApplicationError(
            _("Le minimum ne peut pas dépasser le maximum."),
            code="min_above_max",
            extra={"fields": {"min_amount": [_("Au plus %(amount)s.") % {"amount": eur(new_max)}]}},
        )
    budget_changed = (new_min, new_max) != (bucket.min_amount, bucket.max_amount)
    bucket.min_amount, bucket.max_amount = new_min, new_max
    if description is not None:
        bucket.description = description
    if bucket.total >= new_min:
        bucket.status = Bucket.Status.FUNDED
    elif (
        budget_changed
        and bucket.status == Bucket.Status.FUNDED
        and round_.edit_after_funded == EditAfterFunded.REOPEN
    ):
        bucket.status = Bucket.Status.OPEN
    validated_save(bucket)
    after = {
        "min_amount": bucket.min_amount,
        "max_amount": bucket.max_amount,
        "description": bucket.description,
        "status": bucket.status,
    }
    audit_record(
        verb="cofunding.bucket_updated",
        actor=actor,
        challenge=round_.challenge,
        obj=bucket,
        data={"before": before, "after": after},
    )
    return bucket


@transaction.atomic
def allocations_grant_contributors(*, actor, round_: CofundingRound, amount: Decimal) -> list:
    """The buyer gives each contributor of the challenge an envelope of ``amount``, to
    spread over the commons of its choice. Granting again creates nothing new: it sets
    the contributors' envelopes to ``amount`` (never below what each pledged). An
    organisation that already holds a funder's envelope keeps it as it is."""
    _require_buyer(actor, round_)
    _require_positive(amount)
    _check_round_open(round_)
    allocations, created, updated = [], [], []
    for organisation in challenge_contributors(round_.challenge):
        allocation = (
            Allocation.objects.select_for_update().filter(round=round_, funder=organisation).first()
        )
        if allocation is None:
            allocation = Allocation.objects.create(
                round=round_, funder=organisation, amount=amount, kind=Allocation.Kind.CONTRIBUTOR
            )
            created.append(organisation.pk)
        elif allocation.kind == Allocation.Kind.CONTRIBUTOR and allocation.amount != amount:
            if amount < allocation.pledged:
                raise ApplicationError(
                    _(
                        "%(name)s a déjà engagé %(pledged)s : l'enveloppe ne peut pas "
                        "descendre en dessous."
                    )
                    % {"name": organisation.name, "pledged": eur(allocation.pledged)},
                    code="allocation_below_pledged",
                    extra={
                        "fields": {
                            "amount": [
                                _("Au moins %(amount)s.") % {"amount": eur(allocation.pledged)}
                            ]
                        }
                    },
                )
            allocation.amount = amount
            allocation.save(update_fields=["amount"])
            updated.append(organisation.pk)
        allocations.append(allocation)
    if created or updated:
        audit_record(
            verb="cofunding.contributors_granted",
            actor=actor,
            challenge=round_.challenge,
            obj=round_,
            data={"amount": amount, "created": created, "updated": updated},
        )
    return allocations


@transaction.atomic
def subsidy_record(
    *,
    actor,
    bucket: Bucket,
    amount: Decimal,
    funder_name: str = "",
    organisation=None,
    reference: str = "",
) -> Subsidy:
    """The buyer records a subsidy (ADEME, ANCT…) granted to a bucket: it counts toward
    the bucket's minimum, apart from the pledges, and never beyond its maximum. Money
    granted to a commons goes to its host: refused (409 ``no_host``, naming the commons)
    while the commons has none (``require_host``)."""
    round_ = bucket.round
    _require_buyer(actor, round_)
    _require_positive(amount)
    resource = ChallengeResource.objects.select_related("commons").get(
        working_group__proposals__bucket=bucket
    )
    require_host(resource.commons, name=resource.title)
    funder_name = funder_name or (organisation.name if organisation is not None else "")
    if not funder_name:
        raise ApplicationError(
            _("Indiquez qui accorde la subvention."),
            code="funder_missing",
            extra={"fields": {"funder_name": [_("Ce champ est obligatoire.")]}},
        )
    _check_round_open(round_)
    bucket = Bucket.objects.select_for_update().get(pk=bucket.pk)
    if bucket.total + amount > bucket.max_amount:
        raise WrongState(
            _("Cette subvention dépasserait le maximum du commun (reste %(available)s).")
            % {"available": eur(bucket.max_amount - bucket.total)},
            code="bucket_overfunded",
            extra={"available": bucket.max_amount - bucket.total},
        )
    subsidy = Subsidy(
        bucket=bucket,
        funder_name=funder_name,
        organisation=organisation,
        amount=amount,
        reference=reference,
    )
    validated_save(subsidy)
    Bucket.objects.filter(pk=bucket.pk).update(
        subsidised=F("subsidised") + amount, status=_money_status(bucket, bucket.total + amount)
    )
    audit_record(
        verb="cofunding.subsidy",
        actor=actor,
        challenge=round_.challenge,
        obj=subsidy,
        data={
            "bucket": bucket.pk,
            "funder_name": funder_name,
            "organisation": organisation.pk if organisation is not None else None,
            "amount": amount,
            "reference": reference,
        },
    )
    return subsidy


@transaction.atomic
def cofunding_hosts_missing(*, challenge) -> bool:
    """Whether the close of the call's round waits for a host (``_require_hosts``), by
    the close's own arithmetic (``settle_round``, matches counted): the sweep tries the
    close again only once it no longer does."""
    round_ = CofundingRound.objects.filter(challenge=challenge, closed_at__isnull=True).first()
    if round_ is None:
        return False
    buckets = list(round_.buckets.select_related("proposal__group__resource__commons"))
    settlement = settle_round(round_, buckets)
    return any(
        b.proposal.group.resource.commons is None
        or b.proposal.group.resource.commons.host_id is None
        for b in buckets
        if b.pk in settlement.funded
    )


def _require_hosts(buckets) -> None:
    """Every commons of ``buckets`` has its host, or one French refusal names those
    without (the commons' name, or the resource's title while it is still to be
    created)."""
    lacking = []
    for bucket in buckets:
        resource = bucket.proposal.group.resource
        commons = resource.commons
        if commons is None or commons.host_id is None:
            lacking.append(commons.name if commons is not None else resource.title)
    if len(lacking) == 1:
        require_host(None, name=lacking[0])
    if lacking:
        raise WrongState(
            _(
                "Les communs %(names)s n'ont pas de structure hébergeuse : le tour de "
                "cofinancement ne se clôt pas avant que l'acheteur l'ait désignée pour chacun "
                "(elle reçoit les fonds et les reverse aux contributeurs)."
            )
            % {"names": ", ".join(f"« {name} »" for name in lacking)},
            code="no_host",
        )


@transaction.atomic
def cofunding_close(*, challenge) -> CofundingRound:
    """At the deadline: buckets whose pledges, subsidies and matching funds reached their
    minimum are funded and their pledges committed, and so are those kept funded after a
    budget edit when the round says a funded bucket stays funded; the others' pledges are
    released. The matches on funded buckets are honoured (``procurement.matching.settle``,
    ``matches_honour``): they become the matchers' committed pledges, within each cap and
    what each bucket still takes. Every funder and matcher is then mailed what was taken
    and what was released, per commons. Closing twice changes nothing.

    Committing pledges turns them into money owed to the commons' host: the close is
    refused (409 ``no_host``, nothing written) while a commons to be funded has no
    structure hébergeuse, naming each one (``_require_hosts``). The process's timer then
    tries again at each sweep, and closes once the buyer has designated the hosts
    (``resource_host_designate``)."""
    round_ = CofundingRound.objects.select_for_update().get(challenge=challenge)
    if round_.closed_at is not None:
        return round_
    buckets = list(
        round_.buckets.select_for_update(of=("self",))
        .select_related("proposal__group__resource__commons")
        .order_by("pk")
    )
    settlement = settle_round(round_, buckets)
    _require_hosts([b for b in buckets if b.pk in settlement.funded])
    now = timezone.now()
    for bucket in buckets:
        if bucket.pk in settlement.funded:
            bucket.status = Bucket.Status.FUNDED
            bucket.pledges.filter(status=Pledge.Status.ACTIVE).update(
                status=Pledge.Status.COMMITTED, settled_at=now
            )
        else:
            bucket.status = Bucket.Status.NOT_FUNDED
            bucket.pledges.filter(status=Pledge.Status.ACTIVE).update(
                status=Pledge.Status.RELEASED, settled_at=now
            )
        bucket.save(update_fields=["status"])
    honoured = matches_honour(round_, settlement, now)
    round_.closed_at = now
    round_.save(update_fields=["closed_at"])
    challenge_stage_move(challenge=challenge, to=ChallengeStatus.DOCUMENTS)
    audit_record(
        verb="cofunding.closed",
        challenge=challenge,
        obj=round_,
        data={
            "funded": sorted(settlement.funded),
            "not_funded": sorted(settlement.not_funded),
            "matched": {str(pk): amount for pk, amount in sorted(honoured.items())},
        },
    )
    notify_pledges_released(round_)
    return round_
