"""The données essentielles the buyer alone knows: the main CPV code of what its call
buys, the main place of execution and whether the contract is innovative.

Article R2196-1 of the code de la commande publique: the buyer publishes the essential
data of each contract (arrêté of 22 December 2022). The rest of them (the titulaires,
the amount, the procedure, the dates…) follow from the call and its award; these three
are asked for with the draft and may be given or corrected until the signature. The
award is refused while any is missing (``award_rules.essential_data_problems``).
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import WrongState
from kernel.guards import validated_save
from procurement.models import Challenge, ChallengeStatus
from procurement.services.audit import audit_record
from procurement.services.common import require_member

FIELDS = ("cpv_code", "execution_place_kind", "execution_place_code", "innovative")

# Once signed, the données essentielles are published: a change is then a modification
# of the contract, not a correction.
CLOSED = (ChallengeStatus.AWARDED, ChallengeStatus.UNSUCCESSFUL, ChallengeStatus.CANCELLED)


def normalise_cpv(value: str) -> str:
    """A CPV code without spaces and without its check digit, which the données
    essentielles prefer left out (``72260000-5`` → ``72260000``); anything else is left
    for the field's validator to refuse."""
    compact = re.sub(r"\s+", "", value or "")
    match = re.fullmatch(r"(\d{8})-\d", compact)
    return match.group(1) if match else compact


def essential_data_clean(fields: dict) -> dict:
    """``fields`` with the CPV code normalised and the place's code in capitals (2A,
    FR); the other values as given."""
    cleaned = dict(fields)
    if "cpv_code" in cleaned:
        cleaned["cpv_code"] = normalise_cpv(cleaned["cpv_code"])
    if "execution_place_code" in cleaned:
        cleaned["execution_place_code"] = (cleaned["execution_place_code"] or "").strip().upper()
    return cleaned


@transaction.atomic
def challenge_essential_data_set(*, challenge: Challenge, actor, **fields) -> Challenge:
    """The buyer gives or corrects the données essentielles of its call that it alone
    knows (``FIELDS``): the main CPV code, the main place of execution (a code and its
    type, checked together: ``validators.validate_execution_place``) and whether the
    contract is innovative.

    Preconditions: an agent of the buyer (403); the call not signed, closed or
    cancelled (409). Validated (400 on the field). Audited as
    ``challenge.essential_data_set`` with the values given."""
    require_member(
        actor,
        challenge.buyer,
        message=_("Seul un agent de l'acheteur renseigne les données essentielles."),
    )
    if challenge.status in CLOSED:
        raise WrongState(
            _(
                "Les données essentielles ne se modifient plus : le marché est signé ou "
                "l'appel est clos."
            ),
            code="essential_data_closed",
        )
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not an essential data field: {sorted(unknown)}")
    cleaned = essential_data_clean(fields)
    for name, value in cleaned.items():
        setattr(challenge, name, value)
    validated_save(challenge)
    audit_record(
        verb="challenge.essential_data_set",
        actor=actor,
        challenge=challenge,
        obj=challenge,
        data=cleaned,
    )
    return challenge
