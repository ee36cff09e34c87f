"""Working groups' proposals: drafted and submitted sealed, opened at the deadline."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import Forbidden, WrongState
from procurement.models import ChallengeStatus, Proposal, ProposalStatus, WorkingGroup
from procurement.queries import org_ids
from procurement.services.audit import audit_record
from procurement.services.common import require_before, require_status, validated_save
from procurement.services.notifications import notify_proposals_opened


def _require_group_member(actor, group: WorkingGroup) -> None:
    if not group.members.filter(organisation__in=org_ids(actor)).exists():
        raise Forbidden(
            _("Seuls les membres du groupe de travail déposent sa proposition."), code="not_allowed"
        )


@transaction.atomic
def proposal_submit(
    *,
    actor,
    group: WorkingGroup,
    title: str,
    summary: str,
    deliverables: str,
    licence: str,
    amount: Decimal,
    community: str = "",
    governance: str = "",
) -> Proposal:
    """Submit (or replace) the group's sealed proposal before the proposal deadline.

    The content stays readable by the group's members only until the deadline; the
    audit trail records that a proposal was submitted, never what it says.
    """
    challenge = group.resource.challenge
    _require_group_member(actor, group)
    require_status(
        challenge, ChallengeStatus.PROPOSALS, message=_("Le dépôt des propositions est fermé.")
    )
    require_before(
        challenge.proposal_deadline,
        message=_(
            "La date limite de dépôt des propositions est passée : la proposition est refusée."
        ),
    )
    proposal = Proposal.objects.select_for_update().filter(group=group).first() or Proposal(
        group=group, challenge=challenge
    )
    proposal.title = title
    proposal.summary = summary
    proposal.deliverables = deliverables
    proposal.licence = licence
    proposal.amount = amount
    proposal.community = community
    proposal.governance = governance
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = timezone.now()
    validated_save(proposal)
    audit_record(
        verb="proposal.submitted",
        actor=actor,
        challenge=challenge,
        obj=proposal,
        data={"group": group.pk},
    )
    return proposal


@transaction.atomic
def proposals_open(*, challenge) -> int:
    """At the proposal deadline the sealed proposals are opened (audited).

    Returns the number of submitted proposals."""
    require_status(
        challenge, ChallengeStatus.PROPOSALS, message=_("Les propositions sont déjà ouvertes.")
    )
    if challenge.proposal_deadline and timezone.now() < challenge.proposal_deadline:
        raise WrongState(
            _("Les propositions restent scellées jusqu'à la date limite."), code="sealed"
        )
    count = challenge.proposals.filter(status=ProposalStatus.SUBMITTED).count()
    challenge.proposals.filter(status=ProposalStatus.DRAFT).delete()
    challenge.proposals_opened_at = timezone.now()
    challenge.status = ChallengeStatus.ASSIGNMENT
    challenge.save(update_fields=["proposals_opened_at", "status", "updated_at"])
    from scoring.services import grid_freeze

    grid_freeze(challenge=challenge)
    audit_record(verb="proposals.opened", challenge=challenge, data={"count": count})
    notify_proposals_opened(challenge)
    return count
