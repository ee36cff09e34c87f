"""A signed call for the execution follow-up tests: drafted through the services, its
first lot's proposal then set as awarded and the call as signed by hand — the award
itself is what ``tests/workflows/test_standstill.py`` goes through; here, what comes
after it (one full journey to the signature is in ``test_execution.py`` too)."""

from decimal import Decimal

from django.utils import timezone

from procurement.models import (
    Challenge,
    ChallengeStatus,
    Commons,
    LotOutcome,
    Proposal,
    ProposalStatus,
    WorkingGroup,
    WorkingGroupMember,
)
from tests.workflows import journey


def signed_call(world, *, members=(0,), signed: bool = True):
    """A call whose lot 1 is awarded to a working group of ``world.partners[i]`` for i
    in ``members`` (the first its coordinator), producing the commons « Covoiturage
    ouvert »; signed now unless ``signed=False`` (award decided, not yet signed)."""
    challenge = journey.start(world)
    lot, proposal = award_lot(world, challenge, 1, members=members)
    commons, _ = Commons.objects.get_or_create(
        slug="covoiturage-ouvert",
        defaults={"name": "Covoiturage ouvert", "category": "knowledge"},
    )
    lot.resources.update(commons=commons)
    now = timezone.now()
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.AWARDED if signed else ChallengeStatus.AWARD,
        published_at=now,
        award_decided_at=now,
        awarded_at=now if signed else None,
    )
    challenge.refresh_from_db()
    lot.refresh_from_db()
    return challenge, lot, proposal


def award_lot(world, challenge, number: int, *, members=(0,)):
    """Lot ``number`` awarded to a working group of ``world.partners[i]`` for i in
    ``members`` (the first its coordinator): its proposal, awarded."""
    lot = challenge.lots.get(number=number)
    resource = lot.resources.get()
    group = WorkingGroup.objects.create(resource=resource, coordinator=world.partners[members[0]])
    for i in members:
        WorkingGroupMember.objects.create(group=group, organisation=world.partners[i])
    proposal = Proposal.objects.create(
        group=group,
        challenge=challenge,
        title="Standard de covoiturage v2" if number == 1 else f"Proposition du lot {number}",
        summary="Un standard ouvert.",
        deliverables="Spécification, jeu de tests.",
        licence="ODbL-1.0",
        amount=Decimal("30000.00"),
        status=ProposalStatus.AWARDED,
        submitted_at=timezone.now(),
    )
    proposal.lots.set([lot])
    lot.outcome = LotOutcome.AWARDED
    lot.outcome_at = timezone.now()
    lot.save(update_fields=["outcome", "outcome_at"])
    return lot, proposal
