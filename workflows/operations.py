"""The operations of the process that span both domains, procurement and scoring.

The domain packages never import each other upward (``scoring`` reads ``procurement``,
never the reverse), so what a step needs from both is put together here: the grid is
checked before the call goes to the Chambre or is published, and frozen when the
proposals are opened; the selection is checked against each lot's ranking. The flow's
nodes call these, one line each.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from procurement.services import award as award_services
from procurement.services import challenges as challenge_services
from procurement.services import cofunding as cofunding_services
from procurement.services import community
from procurement.services import proposals as proposal_services
from procurement.services import selection as selection_services
from scoring.queries import criteria_of, is_evaluator_of
from scoring.ranking import compute_rankings, grid_spec, ranking_leaders
from scoring.services import grid_check, grid_freeze, grid_set
from scoring.services.votes import vote_plan_set, vote_retained
from workflows import documents
from workflows.snapshots import call_snapshot


@transaction.atomic
def call_refer(*, challenge, actor, note: str = ""):
    """The buyer refers its draft to the Chambre. Precondition: a publishable grid
    (weights summing to 100 %, the buyer's commons share, an environmental criterion);
    otherwise 400 and nothing is referred."""
    grid_check(challenge=challenge)
    return challenge_services.challenge_submit_for_opinion(
        challenge=challenge, actor=actor, note=note, snapshot=call_snapshot(challenge)
    )


@transaction.atomic
def call_revise(*, challenge, actor, resubmit: bool, answers: list[dict] | None = None):
    """The buyer revises the call after the opinion; referring it again needs a
    publishable grid, as the first referral did."""
    if resubmit:
        grid_check(challenge=challenge)
    return challenge_services.challenge_revise(
        challenge=challenge,
        actor=actor,
        resubmit=resubmit,
        answers=answers,
        snapshot=call_snapshot(challenge) if resubmit else None,
    )


@transaction.atomic
def call_draft_save(
    *,
    challenge,
    actor,
    fields: dict,
    criteria: list[dict] | None = None,
    vote: dict | None = None,
):
    """The buyer's editor saves the call while it is a draft or under revision: the
    call's fields, resources and lots (``challenge_services.challenge_update``), its
    grid (``scoring.services.grid_set``) and the collective vote it plans
    (``scoring.services.votes.vote_plan_set``, given ``vote``), all or nothing. The
    grid's rules (weights adding up to 100 %, price, environment, commons share) are not
    required yet: they are checked when the call is referred (``call_refer``) and
    published."""
    if fields or vote is None:
        challenge = challenge_services.challenge_update(challenge=challenge, actor=actor, **fields)
    if criteria is not None:
        grid_set(challenge=challenge, actor=actor, criteria=criteria)
    if vote is not None:
        vote_plan_set(challenge=challenge, actor=actor, **vote)
    return challenge


@transaction.atomic
def call_publish(
    *,
    challenge,
    actor,
    positioning_deadline: datetime,
    proposal_deadline: datetime,
    questions_deadline: datetime | None = None,
):
    """Publish the call; the grid is checked once more and frozen, since its criteria,
    weights and method are printed in the règlement de la consultation. The consultation
    documents (DCE) are generated from the call alone in a Celery job enqueued on commit,
    and are public from then on (article R2132-2 of the code de la commande publique)."""
    grid_check(challenge=challenge)
    published = challenge_services.challenge_publish(
        challenge=challenge,
        actor=actor,
        positioning_deadline=positioning_deadline,
        proposal_deadline=proposal_deadline,
        questions_deadline=questions_deadline,
    )
    grid_freeze(challenge=challenge)
    documents.dce_request(challenge=published, actor=actor)
    return published


@transaction.atomic
def proposals_open(*, challenge) -> int:
    """At the proposal deadline the proposals are opened and the grid frozen: no
    criterion or weight changes once an evaluator may read an offer."""
    count = proposal_services.proposals_open(challenge=challenge)
    grid_freeze(challenge=challenge)
    return count


@transaction.atomic
def selection_make(*, challenge, actor, proposal_ids: list[int], **selection):
    """The buyer selects proposals lot by lot; each lot's first-ranked proposal comes
    from the scoring, so that a departure from the ranking is justified
    (``procurement.services.selection.proposals_select``)."""
    return selection_services.proposals_select(
        challenge=challenge,
        actor=actor,
        proposal_ids=proposal_ids,
        leaders=ranking_leaders(compute_rankings(challenge), grid_spec(criteria_of(challenge))),
        **selection,
    )


@transaction.atomic
def contract_conclude(*, challenge, actor):
    """The buyer signs once the standstill is over (``award_services.contract_sign``);
    the award pieces are then drawn up again, so that a formal procedure's avis
    d'attribution (article R2183-1: within 30 days of the signature) joins them —
    pieces whose data did not change keep their version."""
    signed = award_services.contract_sign(challenge=challenge, actor=actor)
    documents.documents_request(challenge=challenge, actor=actor)
    return signed


@transaction.atomic
def cofunding_open(*, challenge):
    """Open the cofunding round: with a bucket for every selected proposal, or, after a
    collective vote, for the commons the vote retained only (``vote_retained``)."""
    return cofunding_services.cofunding_open(
        challenge=challenge, proposal_ids=vote_retained(challenge)
    )


@transaction.atomic
def facilitator_designate(*, challenge, actor, facilitator):
    """The buyer designates the call's facilitator
    (``procurement.services.community.facilitator_designate``), who must be neutral: a
    member of no candidate organisation, and none of the call's evaluators — scoring's
    assignments, read here, above both domains (an evaluator scores the proposals the
    facilitator helped shape; ``scoring.services.evaluators_assign`` refuses the other
    way round)."""
    if facilitator is not None and is_evaluator_of(facilitator, challenge):
        message = _(
            "L'animateur doit rester neutre : cette personne évalue les propositions de cet appel."
        )
        raise ApplicationError(
            message, code="facilitator_is_evaluator", extra={"fields": {"facilitator": [message]}}
        )
    return community.facilitator_designate(
        actor=actor, challenge=challenge, facilitator=facilitator
    )
