"""Changes to a published call.

The consultation documents must reach every candidate as they are (article R2132-2 of
the code de la commande publique): a change after publication is recorded, the DCE is
generated again (new versions, the old ones kept: ``workflows.services.call_amend``),
every positioned partner and subscriber is told, and a substantial change gives the
candidates more time (the proposal deadline is extended with a published notice,
article R2151-4).
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from kernel.guards import require_before, require_status
from procurement.models import Amendment, Challenge, ChallengeStatus
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import notify_call_amended

AMENDABLE = (ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS)


def require_amendable(*, challenge: Challenge, actor) -> None:
    """Who may change the call, and when: an agent of its buyer (403), while it takes
    positions or proposals, before the proposal deadline to the second (409). The
    service checks it, and the portal asks it before offering the change."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur modifie l'appel.")
    )
    require_status(
        challenge, *AMENDABLE, message=_("L'appel ne peut plus être modifié à cette étape.")
    )
    require_before(
        challenge.proposal_deadline,
        message=_("La date limite des propositions est passée : l'appel ne peut plus changer."),
    )


def amendable_by(challenge: Challenge, user) -> bool:
    """May ``user`` change ``challenge`` now (``require_amendable``, without raising)?"""
    try:
        require_amendable(challenge=challenge, actor=user)
    except ApplicationError:
        return False
    return True


@transaction.atomic
def challenge_amend(
    *,
    challenge: Challenge,
    actor,
    summary: str,
    substantial: bool = False,
    context: str | None = None,
    lot_estimates: dict[int, Decimal] | None = None,
) -> Amendment:
    """The buyer changes its published call: the object (``context``, printed in the RC
    and the CCTP) and/or the estimate of some lots (``lot_estimates``: lot number →
    amount HT).

    Preconditions (``require_amendable``): the actor is on the buyer's staff (403); the
    call takes proposals still, before their deadline (409); a summary, at least one
    real change, existing lots and non-negative amounts (400, each naming its field;
    nothing is written).
    Side effects: the change and an ``Amendment`` row, a ``challenge.amended`` audit
    event, and a mail to every positioned partner and subscriber. Regenerating the
    documents and extending the deadline are the caller's (``workflows.services``)."""
    require_amendable(challenge=challenge, actor=actor)
    errors: dict[str, list[str]] = {}
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [_("Décrivez la modification : elle est publiée aux candidats.")]
    changes: dict[str, object] = {}
    if context is not None and context.strip() and context.strip() != challenge.context:
        changes["context"] = context.strip()
    lots = {lot.number: lot for lot in challenge.lots.select_for_update()}
    changed_lots = []
    for number, amount in (lot_estimates or {}).items():
        lot = lots.get(int(number))
        if lot is None:
            errors.setdefault("lot_estimates", []).append(
                _("Le lot %(number)s n'existe pas dans cet appel.") % {"number": number}
            )
        elif amount is None or Decimal(amount) < 0:
            errors.setdefault("lot_estimates", []).append(
                _("Le montant estimé du lot %(number)s doit être positif ou nul.")
                % {"number": number}
            )
        elif lot.estimated_amount != Decimal(amount):
            changed_lots.append((lot, Decimal(amount)))
    if not errors and not changes and not changed_lots:
        errors["summary"] = [_("Aucune modification de l'appel n'est demandée.")]
    if errors:
        raise ApplicationError(
            _("La modification de l'appel n'est pas valable."),
            code="invalid_amendment",
            extra={"fields": errors},
        )
    for field, value in changes.items():
        setattr(challenge, field, value)
    if changes:
        challenge.full_clean()
        challenge.save(update_fields=[*changes, "updated_at"])
    for lot, amount in changed_lots:
        lot.estimated_amount = amount
        lot.full_clean()
        lot.save(update_fields=["estimated_amount"])
    amendment = Amendment.objects.create(
        challenge=challenge,
        summary=summary,
        substantial=substantial,
        made_at=timezone.now(),
        made_by=actor,
    )
    audit_record(
        verb="challenge.amended",
        actor=actor,
        challenge=challenge,
        obj=amendment,
        data={
            "summary": summary,
            "substantial": substantial,
            "fields": sorted(changes),
            "lots": {str(lot.number): str(amount) for lot, amount in changed_lots},
        },
    )
    notify_call_amended(amendment)
    return amendment
