"""Exploration before cofunding (issue 21; seed 003, the Lille metropole's practice).

« Les acteurs engagés sur le sujet mettent un budget de 1000€ à 3000€ sur la table à
disposition de l'équipe qui défriche le sujet. A l'issue de ce budget, si l'équipe a
fait ses preuves et que le concept est prometteur > un appel à cofinancement est lancé. »

A call may plan it (``Challenge.exploration_planned``, ``exploration_budget`` per team,
``exploration_end``). After the Chambre's opinion on the selection, the call moves to
the ``exploration`` stage instead of cofunding (``opinions.referrals``); the process then:

1. ``exploration_start``: each selected proposal's team gets the budget — recorded in
   its commons' ledger as an exploration grant of the buyer when the commons has a host
   (``ledger.exploration_payout_record``, the same bounds as ``exploration_grant``);
   the teams are told;
2. waits the exploration's end (a timer of the flow);
3. ``exploration_decide``: the buyer says of every exploring proposal whether its commons
   proved itself, with a reason (each decision in the audit trail); the teams are told.
   Some proven: the call moves to cofunding and ``cofunding.cofunding_open`` opens a
   bucket for the proven ones only (``proposals_to_cofund``). None proven: no round is
   opened; the call goes straight to the award pieces (stage ``documents``). The award
   stays the buyer's decision under the usual rules (an unawarded lot's reason told to
   its candidates, article R2185-1): the exploration gates the cofunding, never the
   contract.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, WrongState
from kernel.guards import require_status
from procurement.models import Challenge, ChallengeStatus, Exploration, Proposal, ProposalStatus
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.ledger import exploration_amount_check, exploration_payout_record
from procurement.services.notifications import (
    notify_exploration_decided,
    notify_exploration_started,
)
from procurement.services.stages import challenge_stage_move


def exploration_settings_check(
    challenge: Challenge, *, proposal_deadline: datetime | None = None
) -> None:
    """While the call is drafted: a budget given lies within 1,000 € to 3,000 € per team
    (seed 003), and the exploration ends after the proposals' (planned) deadline; 400
    naming the field otherwise. A plan may stay incomplete until publication."""
    if challenge.exploration_budget is not None:
        exploration_amount_check(challenge.exploration_budget, "exploration_budget")
    deadline = proposal_deadline or challenge.planned_proposal_deadline
    end = challenge.exploration_end
    if end is not None and deadline is not None and end <= deadline:
        raise ApplicationError(
            _("La fin de l'exploration doit suivre la date limite des propositions."),
            code="invalid_exploration_end",
            extra={
                "fields": {
                    "exploration_end": [
                        _("La fin de l'exploration doit suivre la date limite des propositions.")
                    ]
                }
            },
        )


def exploration_problems(challenge: Challenge, proposal_deadline: datetime) -> dict:
    """What a call that plans an exploration still lacks to be published: its budget per
    team and its end, after the proposals' deadline. Empty when none is planned."""
    if not challenge.exploration_planned:
        return {}
    problems: dict[str, list[str]] = {}
    if challenge.exploration_budget is None:
        problems["exploration_budget"] = [
            _("Indiquez le budget d'exploration par équipe (1 000 € à 3 000 €).")
        ]
    if challenge.exploration_end is None:
        problems["exploration_end"] = [_("Indiquez la fin de l'exploration.")]
    elif challenge.exploration_end <= proposal_deadline:
        problems["exploration_end"] = [
            _("La fin de l'exploration doit suivre la date limite des propositions.")
        ]
    return problems


def _team_of(proposal: Proposal):
    group = proposal.group
    if group.coordinator_id is not None:
        return group.coordinator
    member = group.members.select_related("organisation").order_by("pk").first()
    return member.organisation if member is not None else None


@transaction.atomic
def exploration_start(*, challenge: Challenge) -> list[Exploration]:
    """After the Chambre's opinion on the selection of a call that plans an exploration:
    each selected proposal's team explores with the call's budget. The grant is the
    buyer's (it planned it with the call): recorded in the commons' ledger when the
    commons has a host (income and approved payout, which the host pays), otherwise
    paid by the buyer directly and recorded here alone. Audited, the teams and the
    buyer's staff told. Starting twice changes nothing."""
    require_status(
        challenge, ChallengeStatus.EXPLORATION, message=_("L'appel n'est pas en exploration.")
    )
    existing = {e.proposal_id: e for e in challenge.explorations.all()}
    started = []
    now = timezone.now()
    selected = (
        challenge.proposals.filter(status=ProposalStatus.SELECTED)
        .select_related("group__coordinator", "group__resource__commons__host")
        .order_by("pk")
    )
    for proposal in selected:
        if proposal.pk in existing:
            continue
        team = _team_of(proposal)
        if team is None:  # a group without members proposes nothing; kept safe anyway
            continue
        commons = proposal.group.resource.commons
        payout = None
        if commons is not None and commons.host_id is not None:
            payout = exploration_payout_record(
                commons=commons,
                grantor=challenge.buyer,
                recipient=team,
                amount=challenge.exploration_budget,
                reference=challenge.reference,
                top_up=False,
            )
        exploration = Exploration.objects.create(
            challenge=challenge,
            proposal=proposal,
            team=team,
            budget=challenge.exploration_budget,
            payout=payout,
            started_at=now,
        )
        started.append(exploration)
    if started:
        audit_record(
            verb="exploration.started",
            challenge=challenge,
            data={
                "end": challenge.exploration_end,
                "budget": challenge.exploration_budget,
                "explorations": [
                    {
                        "proposal": e.proposal_id,
                        "team": e.team_id,
                        "payout": e.payout_id,
                    }
                    for e in started
                ],
            },
        )
        notify_exploration_started(challenge)
    return started


def _decision_error(message: str, field: str = "decisions") -> ApplicationError:
    return ApplicationError(message, code="invalid_decisions", extra={"fields": {field: [message]}})


@transaction.atomic
def exploration_decide(*, actor, challenge: Challenge, decisions: list[dict]) -> list[Exploration]:
    """At the exploration's end, the buyer says of every exploring proposal whether its
    commons proved itself (``proven``), with a ``reason`` — each decision recorded in the
    audit trail and told to the team. Some proven: the call moves to cofunding, where
    only the proven ones get a bucket; none: no cofunding round, the call goes on to its
    award pieces (see the module's docstring).

    Preconditions: a buyer's agent (403); the call in exploration (409); one decision
    for each exploring proposal, each with a reason (400)."""
    require_member(
        actor,
        challenge.buyer,
        message=_("Seul un agent de l'acheteur décide de l'issue de l'exploration."),
    )
    require_status(
        challenge, ChallengeStatus.EXPLORATION, message=_("L'appel n'est pas en exploration.")
    )
    explorations = {
        e.proposal_id: e
        for e in Exploration.objects.select_for_update(of=("self",))
        .select_related("proposal")
        .filter(challenge=challenge)
        .order_by("proposal_id")
    }
    given: dict[int, dict] = {}
    for item in decisions:
        pk = item["proposal"]
        if pk not in explorations:
            raise _decision_error(
                _("La proposition %(pk)s n'explore pas dans cet appel.") % {"pk": pk}
            )
        if pk in given:
            raise _decision_error(_("La proposition %(pk)s a reçu deux décisions.") % {"pk": pk})
        if not str(item.get("reason", "")).strip():
            raise _decision_error(
                _("Motivez la décision sur chaque exploration."), field=f"reason_{pk}"
            )
        given[pk] = item
    missing = [pk for pk in explorations if pk not in given]
    if missing:
        raise _decision_error(
            _("Décidez de chaque exploration : il manque %(missing)s.")
            % {"missing": ", ".join(explorations[pk].proposal.title for pk in missing)}
        )
    if any(e.decided_at is not None for e in explorations.values()):
        raise WrongState(_("L'issue de l'exploration est déjà décidée."), code="already_decided")
    now = timezone.now()
    for pk, exploration in explorations.items():
        exploration.proven = bool(given[pk]["proven"])
        exploration.reason = given[pk]["reason"].strip()
        exploration.decided_by = actor
        exploration.decided_at = now
        exploration.full_clean()
        exploration.save(update_fields=["proven", "reason", "decided_by", "decided_at"])
        audit_record(
            verb="exploration.decided",
            actor=actor,
            challenge=challenge,
            obj=exploration,
            data={
                "proposal": pk,
                "title": exploration.proposal.title,
                "proven": exploration.proven,
                "reason": exploration.reason,
            },
        )
    any_proven = any(e.proven for e in explorations.values())
    challenge_stage_move(
        challenge=challenge,
        to=ChallengeStatus.COFUNDING if any_proven else ChallengeStatus.DOCUMENTS,
        actor=actor,
    )
    notify_exploration_decided(challenge)
    return list(explorations.values())


def proposals_to_cofund(challenge: Challenge) -> QuerySet[Proposal]:
    """The proposals a cofunding round opens a bucket for: the selected ones, and when
    the call planned an exploration, only those whose commons proved itself."""
    selected = challenge.proposals.filter(status=ProposalStatus.SELECTED)
    if challenge.exploration_planned:
        selected = selected.filter(exploration__proven=True)
    return selected


def exploration_any_proven(challenge: Challenge) -> bool:
    """Whether the exploration's decision opened the call to cofunding."""
    return challenge.explorations.filter(proven=True).exists()
