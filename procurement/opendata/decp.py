"""The données essentielles de la commande publique (DECP) of each signed contract, in
the official JSON format, version 2.0.3 (``schemas/decp/``): a pure function of a
``context.Call``.

Article R2196-1 of the code de la commande publique and the arrêté of 22 December 2022
(modified) on the données essentielles des marchés publics: each contract of a lot is
one ``marche``. What the service does not record is stated as the documents state it:
every CCAP of the service refers to the CCAG-TIC and prices each lot at a global,
lump-sum and firm price (``procurement.documents.ccap``); no purchasing technique nor
special mode of execution is used; no subcontracting is declared at notification (the
rapport de présentation says so too). The contract is notified when the buyer signs it
(``procurement.services.award.contract_sign``) and its data published the same day, so
both dates are the signature's, in Paris time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from procurement.documents.context import ADVANCE_RATE, GroupementForm, advance_due
from procurement.opendata.context import Call, Contract, PlaceKind

SCHEMA_VERSION = "2.0.3"
PARIS = ZoneInfo("Europe/Paris")

# The schema's ``procedure``: the procedure the call's estimate gave at its publication
# (``procurement.procedures``). A need under the no-publicity threshold was published
# all the same, with competition: a procédure adaptée.
PROCEDURES = {
    "no_publicity": "Procédure adaptée",
    "mapa": "Procédure adaptée",
    "formal_open": "Appel d'offres ouvert",
}
PLACE_TYPES = {
    PlaceKind.COMMUNE: "Code commune",
    PlaceKind.POSTAL_CODE: "Code postal",
    PlaceKind.ARRONDISSEMENT: "Code arrondissement",
    PlaceKind.CANTON: "Code canton",
    PlaceKind.DEPARTMENT: "Code département",
    PlaceKind.REGION: "Code région",
    PlaceKind.COUNTRY: "Code pays",
}
GROUPEMENTS = {
    GroupementForm.NONE: "Pas de groupement",
    GroupementForm.JOINT: "Conjoint",
    GroupementForm.SEVERAL: "Solidaire",
}
CCAG = "Techniques de l'information et de la communication"
PRICE_FORM = "Forfaitaire"
PRICE_TYPES = ("Définitif ferme",)
NOT_APPLICABLE = "Sans objet"
ENVIRONMENT_CRITERION = "environment"
ID_LENGTH = 16


def contract_id(call: Call, lot: int) -> str:
    """The contract's identifier, 16 characters at most (the schema's
    ``IdentifiantMarche``): the call's reference without its separators, then ``L``
    and the lot's number (``MELAAC2026001L1``); a reference too long for it gives way
    to the call's number in the service (``AAC00000042L1``). Stable: it never changes
    once published."""
    compact = re.sub(r"[^0-9A-Za-z]", "", call.reference).upper()
    candidate = f"{compact}L{lot}"
    if compact and len(candidate) <= ID_LENGTH:
        return candidate
    return f"AAC{call.challenge_id:08d}L{lot}"


def _amount(value: Decimal) -> float | int:
    """An amount as a JSON number: whole euros as integers, else to the cent."""
    return int(value) if value == value.to_integral_value() else float(value)


def _object(call: Call, contract: Contract) -> str:
    lot = call.lot(contract.lot)
    text = call.title if len(call.lots) == 1 else f"{call.title} — lot {lot.number} : {lot.title}"
    return text[:1000]


def _social(call: Call, contract: Contract) -> list[str]:
    lot = call.lot(contract.lot)
    if lot.reserved_ess or lot.reserved_disability or lot.reserved_insertion:
        return ["Marché réservé"]
    return ["Pas de considération sociale"]


def _environmental(call: Call) -> list[str]:
    if any(c.kind == ENVIRONMENT_CRITERION and c.weight > 0 for c in call.criteria):
        return ["Critère environnemental"]
    return ["Pas de considération environnementale"]


def marche(call: Call, contract: Contract) -> dict[str, Any]:
    """The données essentielles of one contract (the schema's ``marche``)."""
    signed_on = call.signed_at.astimezone(PARIS).date().isoformat()
    advance = advance_due(contract.amount, call.duration_months)
    data: dict[str, Any] = {
        "id": contract_id(call, contract.lot),
        "acheteur": {"id": call.buyer.siret},
        "nature": "Marché",
        "objet": _object(call, contract),
        "codeCPV": call.cpv_code,
        "techniques": {"technique": [NOT_APPLICABLE]},
        "modalitesExecution": {"modaliteExecution": [NOT_APPLICABLE]},
        "marcheInnovant": call.innovative,
        "ccag": CCAG,
        "offresRecues": contract.offers_received,
        "attributionAvance": advance,
        "typeGroupementOperateurs": GROUPEMENTS[contract.groupement]
        if len(contract.titulaires) > 1
        else GROUPEMENTS[GroupementForm.NONE],
        "sousTraitanceDeclaree": False,
        "procedure": PROCEDURES[call.procedure],
        "lieuExecution": {"code": call.place_code, "typeCode": PLACE_TYPES[call.place_kind]},
        "dureeMois": call.duration_months,
        "dateNotification": signed_on,
        "datePublicationDonnees": signed_on,
        "montant": _amount(contract.amount),
        "typesPrix": {"typePrix": list(PRICE_TYPES)},
        "formePrix": PRICE_FORM,
        "titulaires": [
            {"titulaire": {"typeIdentifiant": "SIRET", "id": t.siret}} for t in contract.titulaires
        ],
        "considerationsSociales": {"considerationSociale": _social(call, contract)},
        "considerationsEnvironnementales": {"considerationEnvironnementale": _environmental(call)},
    }
    if advance:
        # R2191-7: 5 % at least of the initial amount (the CCAP's rate).
        data["tauxAvance"] = float(ADVANCE_RATE / 100)
    return data


def marches(calls: Iterable[Call]) -> Iterator[dict[str, Any]]:
    """The ``marche`` of every contract of ``calls``, lot by lot."""
    for call in calls:
        for contract in call.contracts:
            yield marche(call, contract)


def document(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A DECP file: ``{"marches": {"marche": [...]}}``."""
    return {"marches": {"marche": items}}
