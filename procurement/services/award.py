"""After the award decision: the rejection letters and the signature.

The buyer's decision (``procurement.services.selection.challenge_award``) names the
awardees; each unsuccessful candidate then gets, per lot it answered, a letter giving
the reasons of its rejection, the awardee and its advantages, and the date from which
the contract may be signed (articles R2181-1 and R2181-3 of the code de la commande
publique). In a formal procedure the contract is not signed before eleven days after
the letters were sent electronically (the standstill, article R2182-1), so that a
candidate may still bring a référé précontractuel (article L551-1 of the code de justice
administrative); a MAPA may be signed once the letters are sent.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import WrongState
from kernel.formats import format_datetime_fr
from kernel.guards import require_status
from procurement.models import Challenge, ChallengeStatus, ProposalStatus
from procurement.queries import candidate_letters_of
from procurement.services.audit import audit_record
from procurement.services.award_rules import (
    require_essential_data,
    standstill_applies,
    standstill_end,
)
from procurement.services.common import require_member
from procurement.services.notifications import (
    notify_challenge_awarded,
    notify_rejection_letters,
)
from procurement.services.stages import challenge_stage_move


@transaction.atomic
def award_letters_date(*, challenge: Challenge) -> tuple[datetime, datetime]:
    """The moment the rejection letters are issued and the end of the standstill they
    state (``award_rules.standstill_end``), recorded once: a generation run again after
    a lost worker renders the same letters, with the same dates.

    Precondition: the award decided (409). Updates ``challenge`` in place; returns
    (letters' date, signature possible from)."""
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if locked.award_decided_at is None:
        raise WrongState(_("L'attribution n'est pas encore décidée."), code="award_not_decided")
    if locked.letters_sent_at is None:
        locked.letters_sent_at = timezone.now()
        locked.standstill_ends_at = standstill_end(locked, locked.letters_sent_at)
        locked.save(update_fields=["letters_sent_at", "standstill_ends_at", "updated_at"])
    challenge.letters_sent_at = locked.letters_sent_at
    challenge.standstill_ends_at = locked.standstill_ends_at
    return locked.letters_sent_at, locked.standstill_ends_at


@transaction.atomic
def award_letters_send(*, challenge: Challenge) -> int:
    """The generated rejection letters go to their candidates: each member of a
    candidate's working group gets its letters by e-mail (the .docx attached), and finds
    them in its space. In a formal procedure the call then waits the standstill
    (stage ``standstill``) until the date the letters state.

    Preconditions: the letters dated (``award_letters_date``, 409). Returns the number
    of letters. Audited as ``award.letters_sent``."""
    if challenge.letters_sent_at is None:
        raise WrongState(
            _("Les lettres de rejet n'ont pas encore été établies."), code="no_letters"
        )
    letters = candidate_letters_of(challenge)
    if standstill_applies(challenge):
        challenge_stage_move(challenge=challenge, to=ChallengeStatus.STANDSTILL)
    notify_rejection_letters(challenge, letters)
    audit_record(
        verb="award.letters_sent",
        challenge=challenge,
        data={
            "letters": [{"document": d.pk, "proposal": d.addressee_id} for d in letters],
            "sent_at": challenge.letters_sent_at.isoformat(),
            "standstill_ends_at": challenge.standstill_ends_at.isoformat(),
        },
    )
    return len(letters)


@transaction.atomic
def contract_sign(*, challenge: Challenge, actor) -> Challenge:
    """The buyer signs the contract(s) of the decided award: the call is awarded
    (``awarded_at`` is the signature) and the candidates are told.

    Article R2182-1: in a formal procedure the signature waits eleven days after the
    rejection letters were sent electronically — refused (409, with the date) until
    ``standstill_ends_at``, to the second. Preconditions: the buyer's staff (403), the
    award decided and the letters sent (409), the données essentielles still complete
    (400, ``award_rules.require_essential_data``: they are published once signed)."""
    require_member(actor, challenge.buyer, message=_("Seul un agent de l'acheteur peut signer."))
    require_status(
        challenge,
        ChallengeStatus.AWARD,
        ChallengeStatus.STANDSTILL,
        message=_("La signature n'est pas ouverte."),
    )
    if challenge.letters_sent_at is None or challenge.standstill_ends_at is None:
        raise WrongState(
            _("Les lettres de rejet doivent être envoyées avant la signature."),
            code="letters_not_sent",
        )
    awarded = challenge.proposals.filter(status=ProposalStatus.AWARDED)
    require_essential_data(challenge, list(awarded.values_list("pk", flat=True)))
    now = timezone.now()
    if now < challenge.standstill_ends_at:
        raise WrongState(
            _(
                "Le marché ne peut pas être signé avant le %(date)s : le délai de suspension "
                "de onze jours après l'envoi des lettres de rejet court encore (article "
                "R2182-1 du code de la commande publique)."
            )
            % {"date": format_datetime_fr(challenge.standstill_ends_at)},
            code="standstill",
            extra={"standstill_ends_at": challenge.standstill_ends_at.isoformat()},
        )
    challenge.awarded_at = now
    challenge_stage_move(
        challenge=challenge, to=ChallengeStatus.AWARDED, actor=actor, also=("awarded_at",)
    )
    audit_record(
        verb="challenge.awarded",
        actor=actor,
        challenge=challenge,
        data={"signed_at": now.isoformat()},
    )
    notify_challenge_awarded(challenge)
    return challenge
