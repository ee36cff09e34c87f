"""Matching funds ("doublonnage", Communecter's appel-à-communs module): the buyer or a
funder offers to add so many euros per euro that others pledge, up to a cap. The rules
(who is matched, how the cap is shared, what the close honours) are those of
``procurement.matching``; these services write the offers and honour them at close."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, NotFound, WrongState
from kernel.guards import validated_save
from kernel.language import number
from procurement import matching
from procurement.models import (
    MATCHING_RATIO_MAX,
    Allocation,
    Bucket,
    CofundingRound,
    MatchingOffer,
    OrganisationKind,
    Pledge,
)
from procurement.queries import matching_inputs
from procurement.services.audit import audit_record
from procurement.services.cofunding.rules import _check_round_open, _require_positive
from procurement.services.common import require_member


def _check_ratio(ratio: Decimal) -> None:
    if ratio is None or ratio <= 0 or ratio > MATCHING_RATIO_MAX:
        raise ApplicationError(
            _("Le ratio d'abondement est compris entre 0 (exclu) et %(max)s € par euro engagé.")
            % {"max": number(MATCHING_RATIO_MAX)},
            code="invalid_ratio",
            extra={
                "fields": {
                    "ratio": [
                        _("Indiquez un ratio supérieur à 0 et d'au plus %(max)s.")
                        % {"max": MATCHING_RATIO_MAX}
                    ]
                }
            },
        )


@transaction.atomic
def matching_offer_create(
    *,
    actor,
    round_: CofundingRound,
    matcher,
    ratio: Decimal,
    cap: Decimal,
    buckets=(),
) -> MatchingOffer:
    """``matcher`` — the round's buyer or a funder, ``actor`` being one of its agents —
    offers ``ratio`` euros per euro pledged by others (0 < ratio <= 5), up to ``cap``
    euros, on ``buckets`` (every bucket of the round when none is named).

    Refused while the round is closed (409), to an organisation that is neither the buyer
    nor a funder (403), to a non-member (403), and when the matcher already has an active
    offer in the round (409: withdraw it first). The match shows at once on the round
    (``queries.round_matching``); the money moves only at close. Audited."""
    require_member(actor, matcher, message=_("Vous n'êtes pas membre de cette organisation."))
    if matcher.kind != OrganisationKind.FUNDER and matcher.pk != round_.challenge.buyer_id:
        raise Forbidden(
            _("Seuls l'acheteur et les financeurs peuvent abonder les engagements."),
            code="not_a_matcher",
        )
    _check_ratio(ratio)
    _require_positive(cap, "cap")
    round_ = CofundingRound.objects.select_for_update().get(pk=round_.pk)
    _check_round_open(round_)
    buckets = list(buckets)
    if any(bucket.round_id != round_.pk for bucket in buckets):
        raise NotFound(_("Commun introuvable dans ce tour."), code="bucket_not_found")
    if MatchingOffer.objects.filter(
        round=round_, matcher=matcher, status=MatchingOffer.Status.ACTIVE
    ).exists():
        raise WrongState(
            _(
                "%(name)s abonde déjà ce tour : retirez d'abord son abondement pour en "
                "proposer un autre."
            )
            % {"name": matcher.name},
            code="matching_exists",
        )
    offer = MatchingOffer(round=round_, matcher=matcher, ratio=ratio, cap=cap, created_by=actor)
    validated_save(offer)
    offer.buckets.set(buckets)
    audit_record(
        verb="cofunding.matching_offered",
        actor=actor,
        challenge=round_.challenge,
        obj=offer,
        data={
            "matcher": matcher.pk,
            "ratio": ratio,
            "cap": cap,
            "buckets": sorted(bucket.pk for bucket in buckets),
        },
    )
    return offer


@transaction.atomic
def matching_offer_withdraw(*, actor, offer: MatchingOffer) -> MatchingOffer:
    """The matcher's agent withdraws its offer before the round closes: every match it
    made disappears from the round at once. Refused after the close or the deadline
    (409: the close honours it), or to anyone else (403). Audited."""
    offer = (
        MatchingOffer.objects.select_for_update()
        .select_related("round__challenge", "matcher")
        .get(pk=offer.pk)
    )
    require_member(actor, offer.matcher, message=_("Vous n'êtes pas membre de cette organisation."))
    _check_round_open(offer.round)
    if offer.status != MatchingOffer.Status.ACTIVE:
        raise WrongState(_("Cet abondement est déjà retiré."), code="matching_not_active")
    offer.status = MatchingOffer.Status.WITHDRAWN
    offer.withdrawn_at = timezone.now()
    offer.save(update_fields=["status", "withdrawn_at"])
    audit_record(
        verb="cofunding.matching_withdrawn",
        actor=actor,
        challenge=offer.round.challenge,
        obj=offer,
        data={"matcher": offer.matcher_id},
    )
    return offer


def settle_round(round_: CofundingRound, buckets: list[Bucket]) -> matching.Settlement:
    """The close's arithmetic on locked rows: which buckets are funded, matches counted
    (``procurement.matching.settle``). No write."""
    pledges = list(
        Pledge.objects.filter(bucket__in=buckets, status=Pledge.Status.ACTIVE).select_related(
            "allocation"
        )
    )
    offers = list(
        MatchingOffer.objects.filter(round=round_, status=MatchingOffer.Status.ACTIVE)
        .select_for_update(of=("self",))
        .prefetch_related("buckets")
    )
    rooms, lines, terms = matching_inputs(round_, buckets, pledges, offers)
    return matching.settle(buckets=rooms, pledges=lines, offers=terms)


def matches_honour(
    round_: CofundingRound, settlement: matching.Settlement, now
) -> dict[int, Decimal]:
    """At close: each match on a funded bucket becomes a committed pledge of the matcher
    (one per offer and bucket), counted in the bucket, drawn from the matcher's envelope
    for the round — opened or raised by that amount, since the cap is a commitment apart
    from it. Every active offer becomes honoured, with what it gave (possibly 0).
    Returns the amount honoured per offer."""
    offers = {
        offer.pk: offer
        for offer in MatchingOffer.objects.filter(
            round=round_, status=MatchingOffer.Status.ACTIVE
        ).select_related("matcher")
    }
    per_offer_bucket: dict[tuple[int, int], Decimal] = {}
    for match in settlement.matches:
        if match.bucket in settlement.funded:
            key = (match.offer, match.bucket)
            per_offer_bucket[key] = per_offer_bucket.get(key, Decimal(0)) + match.amount
    honoured: dict[int, Decimal] = {}
    for (offer_pk, bucket_pk), amount in sorted(per_offer_bucket.items()):
        offer = offers[offer_pk]
        allocation = (
            Allocation.objects.select_for_update()
            .filter(round=round_, funder=offer.matcher_id)
            .first()
        )
        if allocation is None:
            allocation = Allocation.objects.create(
                round=round_, funder=offer.matcher, amount=amount, pledged=amount
            )
        else:
            Allocation.objects.filter(pk=allocation.pk).update(
                amount=F("amount") + amount, pledged=F("pledged") + amount
            )
        Pledge.objects.create(
            bucket_id=bucket_pk,
            allocation=allocation,
            amount=amount,
            status=Pledge.Status.COMMITTED,
            matching=offer,
            settled_at=now,
        )
        Bucket.objects.filter(pk=bucket_pk).update(pledged=F("pledged") + amount)
        honoured[offer_pk] = honoured.get(offer_pk, Decimal(0)) + amount
    for offer in offers.values():
        offer.status = MatchingOffer.Status.HONOURED
        offer.honoured = honoured.get(offer.pk, Decimal(0))
        offer.save(update_fields=["status", "honoured"])
        audit_record(
            verb="cofunding.matching_honoured",
            challenge=round_.challenge,
            obj=offer,
            data={
                "matcher": offer.matcher_id,
                "honoured": offer.honoured,
                "buckets": {
                    str(bucket): amount
                    for (pk, bucket), amount in sorted(per_offer_bucket.items())
                    if pk == offer.pk
                },
            },
        )
    return honoured
