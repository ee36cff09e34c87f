"""Execution follow-up after the signature (as Decidim's accountability component
does): per awarded lot, the buyer plans the deliverables it expects and the milestones;
the holder (the awarded proposal's working group) submits each deliverable with a link
and marks each milestone reached with its evidence; the buyer admits or refuses each
submitted deliverable, a refusal with its reason. Everything is public
(``queries.execution_of``) and every decision is in the call's audit trail.

Preconditions shared by every write: the contract signed (``contract_sign``: stage
``awarded``; 409 before), the lot awarded (404 otherwise: it has no follow-up)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden, WrongState
from kernel.guards import field_error
from procurement.models import (
    Challenge,
    Deliverable,
    DeliverableStatus,
    ExecutionMilestone,
    Lot,
    Proposal,
)
from procurement.queries.execution import execution_open, is_holder, lot_holder
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import (
    notify_deliverable_decided,
    notify_deliverable_submitted,
)

_url = URLValidator(schemes=["http", "https"])


def _require_open(challenge: Challenge) -> None:
    if not execution_open(challenge):
        raise WrongState(
            _("Le suivi de l'exécution s'ouvre à la signature du marché."),
            code="execution_not_open",
            extra={"status": challenge.status},
        )


def _require_buyer(actor, challenge: Challenge) -> None:
    require_member(
        actor,
        challenge.buyer,
        message=_("Seul un agent de l'acheteur planifie et admet l'exécution."),
    )


def _require_holder(actor, proposal: Proposal) -> None:
    if not is_holder(actor, proposal):
        raise Forbidden(
            _("Seul le titulaire du lot remet ses livrables et déclare ses jalons."),
            code="not_holder",
        )


def _holder(lot: Lot) -> Proposal:
    holder = lot_holder(lot)
    if holder is None:
        raise WrongState(_("Ce lot n'a pas été attribué."), code="lot_not_awarded")
    return holder


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise field_error("title", _("Indiquez un intitulé."), code="required")
    if len(title) > 200:
        raise field_error("title", _("200 caractères au plus."), code="too_long")
    return title


def _evidence(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise field_error("evidence_url", _("Indiquez le lien vers le livrable ou la preuve."))
    try:
        _url(url)
    except ValidationError:
        raise field_error(
            "evidence_url", _("Indiquez une adresse web complète (https://…).")
        ) from None
    if len(url) > 500:
        raise field_error("evidence_url", _("500 caractères au plus."), code="too_long")
    return url


@transaction.atomic
def deliverable_plan(
    *, actor, lot: Lot, title: str, description: str = "", due_on: date | None = None
) -> Deliverable:
    """The buyer adds a deliverable it expects from the lot's holder, with the day it is
    expected (optional). Preconditions: the buyer's staff (403), the contract signed and
    the lot awarded (409). Audited as ``execution.deliverable_planned``."""
    challenge = lot.challenge
    _require_buyer(actor, challenge)
    _require_open(challenge)
    holder = _holder(lot)
    deliverable = Deliverable(
        lot=lot,
        proposal=holder,
        title=_title(title),
        description=(description or "").strip(),
        due_on=due_on,
    )
    deliverable.full_clean()
    deliverable.save()
    audit_record(
        verb="execution.deliverable_planned",
        actor=actor,
        challenge=challenge,
        obj=deliverable,
        data={"lot": lot.number, "title": deliverable.title, "due_on": due_on},
    )
    return deliverable


def _locked(deliverable: Deliverable) -> Deliverable:
    """The deliverable, locked (its row only) until the transaction ends: two decisions
    at once are made one after the other, the second seeing the first (409)."""
    return (
        Deliverable.objects.select_for_update(of=("self",))
        .select_related("lot__challenge")
        .get(pk=deliverable.pk)
    )


@transaction.atomic
def deliverable_submit(*, actor, deliverable: Deliverable, evidence_url: str) -> Deliverable:
    """The holder submits a deliverable with the link where the buyer finds it. An
    expected deliverable, or a refused one submitted again; one awaiting the buyer's
    decision, or admitted, is not submitted (409). Preconditions: staff of the holder's
    organisations (403), the contract signed (409), a web address (400). The buyer's
    staff are told (``notify_deliverable_submitted``). Audited as
    ``execution.deliverable_submitted``."""
    deliverable = _locked(deliverable)
    challenge = deliverable.lot.challenge
    _require_holder(actor, deliverable.proposal)
    _require_open(challenge)
    if deliverable.status not in (DeliverableStatus.EXPECTED, DeliverableStatus.REFUSED):
        raise WrongState(
            _("Ce livrable est déjà remis : il attend la décision de l'acheteur ou est admis."),
            code="deliverable_already_submitted",
            extra={"status": deliverable.status},
        )
    url = _evidence(evidence_url)
    again = deliverable.status == DeliverableStatus.REFUSED
    deliverable.status = DeliverableStatus.SUBMITTED
    deliverable.evidence_url = url
    deliverable.submitted_at = timezone.now()
    deliverable.submitted_by = actor
    deliverable.decided_at = None
    deliverable.decided_by = None
    deliverable.refusal_reason = ""
    deliverable.full_clean()
    deliverable.save()
    event = audit_record(
        verb="execution.deliverable_submitted",
        actor=actor,
        challenge=challenge,
        obj=deliverable,
        data={"title": deliverable.title, "evidence_url": url, "again": again},
    )
    notify_deliverable_submitted(deliverable, event)
    return deliverable


@transaction.atomic
def deliverable_decide(
    *, actor, deliverable: Deliverable, admit: bool, reason: str = ""
) -> Deliverable:
    """The buyer admits a submitted deliverable, or refuses it giving the reason the
    holder reads (400 without one). Only a deliverable awaiting its decision (409
    otherwise). Preconditions: the buyer's staff (403), the contract signed (409). The
    holder's staff are told (``notify_deliverable_decided``). Audited as
    ``execution.deliverable_admitted`` or ``execution.deliverable_refused``."""
    deliverable = _locked(deliverable)
    challenge = deliverable.lot.challenge
    _require_buyer(actor, challenge)
    _require_open(challenge)
    if deliverable.status != DeliverableStatus.SUBMITTED:
        raise WrongState(
            _("Seul un livrable remis et en attente de décision est admis ou refusé."),
            code="deliverable_not_submitted",
            extra={"status": deliverable.status},
        )
    reason = (reason or "").strip()
    if not admit and not reason:
        raise field_error("reason", _("Indiquez au titulaire le motif du refus."), code="required")
    deliverable.status = DeliverableStatus.ADMITTED if admit else DeliverableStatus.REFUSED
    deliverable.refusal_reason = "" if admit else reason
    deliverable.decided_at = timezone.now()
    deliverable.decided_by = actor
    deliverable.full_clean()
    deliverable.save()
    event = audit_record(
        verb="execution.deliverable_admitted" if admit else "execution.deliverable_refused",
        actor=actor,
        challenge=challenge,
        obj=deliverable,
        data={"title": deliverable.title, "reason": deliverable.refusal_reason},
    )
    notify_deliverable_decided(deliverable, event)
    return deliverable


@transaction.atomic
def milestone_plan(*, actor, lot: Lot, title: str, planned_on: date) -> ExecutionMilestone:
    """The buyer plans a milestone of the lot's execution on a day. Preconditions: the
    buyer's staff (403), the contract signed and the lot awarded (409), a day (400).
    Audited as ``execution.milestone_planned``."""
    challenge = lot.challenge
    _require_buyer(actor, challenge)
    _require_open(challenge)
    holder = _holder(lot)
    if planned_on is None:
        raise field_error("planned_on", _("Indiquez la date prévue."), code="required")
    milestone = ExecutionMilestone(
        lot=lot, proposal=holder, title=_title(title), planned_on=planned_on
    )
    milestone.full_clean()
    milestone.save()
    audit_record(
        verb="execution.milestone_planned",
        actor=actor,
        challenge=challenge,
        obj=milestone,
        data={"lot": lot.number, "title": milestone.title, "planned_on": planned_on},
    )
    return milestone


@transaction.atomic
def milestone_reach(
    *, actor, milestone: ExecutionMilestone, evidence_url: str, reached_on: date | None = None
) -> ExecutionMilestone:
    """The holder marks a milestone reached on a day (today by default), with the link
    to its evidence. The day lies between the signature and today, both included (400
    otherwise); a milestone is reached once (409). Preconditions: staff of the holder's
    organisations (403), the contract signed (409). Audited as
    ``execution.milestone_reached``."""
    milestone = (
        ExecutionMilestone.objects.select_for_update(of=("self",))
        .select_related("lot__challenge", "proposal")
        .get(pk=milestone.pk)
    )
    challenge = milestone.lot.challenge
    _require_holder(actor, milestone.proposal)
    _require_open(challenge)
    if milestone.reached_on is not None:
        raise WrongState(
            _("Ce jalon est déjà atteint."),
            code="milestone_already_reached",
            extra={"reached_on": milestone.reached_on.isoformat()},
        )
    url = _evidence(evidence_url)
    today = timezone.localdate()
    reached_on = reached_on or today
    if reached_on > today:
        raise field_error("reached_on", _("Un jalon n'est pas atteint dans le futur."))
    signed_on = timezone.localdate(challenge.awarded_at)
    if reached_on < signed_on:
        raise field_error(
            "reached_on",
            _("Un jalon de l'exécution est atteint après la signature du marché, le %(date)s.")
            % {"date": signed_on.strftime("%d/%m/%Y")},
        )
    milestone.reached_on = reached_on
    milestone.evidence_url = url
    milestone.reached_by = actor
    milestone.full_clean()
    milestone.save()
    audit_record(
        verb="execution.milestone_reached",
        actor=actor,
        challenge=challenge,
        obj=milestone,
        data={"title": milestone.title, "reached_on": reached_on, "evidence_url": url},
    )
    return milestone
