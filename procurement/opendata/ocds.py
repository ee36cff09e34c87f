"""The Open Contracting Data Standard (OCDS 1.1, schema 1.1.5, ``schemas/ocds/``) of each
signed call: its releases, one per event, and its record. Pure functions of a
``context.Call``.

One contracting process per call, identified by its ``ocid``; its lots (the Lots
extension) each end in a contract. The releases, in date order:

* ``tender``, at the publication: the call, its lots and items (one per commons asked
  for, classified by the call's CPV code), the award criteria and their weights, the
  public consultation documents with their SHA-256;
* ``tenderAmendment``, one per change made to the published call;
* ``award``, at the award decision: one award per lot awarded, its titulaires and its
  price; the tender complete, each lot complete or unsuccessful;
* ``contract``, at the signature: one contract per lot, with its period;
* ``implementationUpdate``, once the execution is followed, dated by its last act: each
  contract's deliverables and milestones as implementation milestones (met once the
  buyer admitted the deliverable or the holder reached the milestone).

The record gathers them with the compiled release (the current state). The parties
are the buyer and the titulaires, identified by their SIRET; the candidates who were
not awarded a contract are never named, only counted (``numberOfTenderers``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from procurement.opendata.context import Call, Contract, LotOutcome, Organisation
from procurement.opendata.decp import PARIS, contract_id
from procurement.procedures import ContractNature

VERSION = "1.1"
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
PAGINATION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/"
    "master/extension.json"
)
CURRENCY = "EUR"
# The org-id.guide scheme for French registered organisations, keyed here by SIRET as
# the Ministry's DECP-to-OCDS conversion does.
SCHEME = "FR-RCS"
CATEGORIES = {
    ContractNature.SERVICES: "services",
    ContractNature.SUPPLIES: "goods",
    ContractNature.WORKS: "works",
}
DOCUMENT_TYPES = {
    "reglement": "biddingDocuments",
    "cctp": "technicalSpecifications",
    "ccap": "contractDraft",
    "ae_lot": "submissionDocuments",
    "dpgf": "billOfQuantity",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LOT_STATUSES = {
    LotOutcome.AWARDED: "complete",
    LotOutcome.UNSUCCESSFUL: "unsuccessful",
    LotOutcome.PENDING: "active",
}


@lru_cache(maxsize=4096)
def _when(moment: datetime) -> str:
    """An instant in Paris time, to the second, with its offset."""
    return moment.astimezone(PARIS).isoformat(timespec="seconds")


def _value(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount), "currency": CURRENCY}


def _party_id(organisation: Organisation) -> str:
    return f"{SCHEME}-{organisation.siret}"


def _ref(organisation: Organisation) -> dict[str, str]:
    return {"id": _party_id(organisation), "name": organisation.name}


def _party(organisation: Organisation, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": _party_id(organisation),
        "name": organisation.name,
        "identifier": {
            "scheme": SCHEME,
            "id": organisation.siret,
            "legalName": organisation.name,
        },
        "roles": roles,
    }
    if organisation.address:
        party["address"] = {"streetAddress": organisation.address, "countryName": "France"}
    return party


def _parties(call: Call, *, suppliers: bool) -> list[dict[str, Any]]:
    parties = [_party(call.buyer, ["buyer", "procuringEntity"])]
    if suppliers:
        seen = {call.buyer.siret}
        for contract in call.contracts:
            for titulaire in contract.titulaires:
                if titulaire.siret not in seen:
                    seen.add(titulaire.siret)
                    parties.append(_party(titulaire, ["supplier"]))
    return parties


def _add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day kept or clamped to the month's
    last (31 January + 1 month: 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def _contract_period(call: Call) -> dict[str, str]:
    start = call.signed_at
    end = datetime.combine(_add_months(start.date(), call.duration_months), start.timetz())
    return {"startDate": _when(start), "endDate": _when(end)}


def _criteria_details(call: Call) -> str:
    return " ; ".join(f"{c.label} : {c.weight.normalize():f} %" for c in call.criteria)


def _documents(call: Call) -> list[dict[str, Any]]:
    documents = []
    for doc in call.documents:
        item: dict[str, Any] = {
            "id": doc.id,
            "documentType": DOCUMENT_TYPES.get(doc.piece, "biddingDocuments"),
            "title": doc.title,
            "description": f"SHA-256 : {doc.sha256}",
            "url": doc.url,
            "datePublished": _when(doc.published_at),
            "dateModified": _when(doc.modified_at),
            "format": DOCX,
            "language": "fr",
        }
        if doc.lot is not None:
            item["relatedLots"] = [str(doc.lot)]
        documents.append(item)
    return documents


def _lot(call: Call, number: int, status: str) -> dict[str, Any]:
    lot = call.lot(number)
    data: dict[str, Any] = {"id": str(lot.number), "title": lot.title, "status": status}
    if lot.estimated_amount is not None:
        data["value"] = _value(lot.estimated_amount)
    return data


def _items(call: Call) -> list[dict[str, Any]]:
    items = []
    for lot in call.lots:
        for index, resource in enumerate(lot.resources or (lot.title,), 1):
            items.append(
                {
                    "id": f"{lot.number}-{index}",
                    "description": resource,
                    "classification": {"scheme": "CPV", "id": call.cpv_code},
                    "relatedLot": str(lot.number),
                }
            )
    return items


def _amendments(call: Call, up_to: int) -> list[dict[str, Any]]:
    return [
        {
            "id": str(a.number),
            "date": _when(a.made_at),
            "description": a.summary,
            "rationale": "Modification substantielle" if a.substantial else "Modification",
        }
        for a in call.amendments
        if a.number <= up_to
    ]


def _tender(call: Call) -> dict[str, Any]:
    """The tender as published: every lot active."""
    tender: dict[str, Any] = {
        "id": call.reference,
        "title": call.title,
        "description": call.description,
        "status": "active",
        "procuringEntity": _ref(call.buyer),
        "items": _items(call),
        "procurementMethod": "open",
        "procurementMethodDetails": call.procedure_label,
        "mainProcurementCategory": CATEGORIES[call.nature],
        "awardCriteria": "ratedCriteria",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {
            "startDate": _when(call.published_at),
            "endDate": _when(call.proposal_deadline),
        },
        "enquiryPeriod": {
            "startDate": _when(call.published_at),
            "endDate": _when(call.questions_deadline or call.proposal_deadline),
        },
        "lots": [_lot(call, lot.number, "active") for lot in call.lots],
    }
    if call.criteria:
        tender["awardCriteriaDetails"] = _criteria_details(call)
    if call.estimated_amount is not None:
        tender["value"] = _value(call.estimated_amount)
    if call.documents:
        tender["documents"] = _documents(call)
    return tender


def _tender_outcome(call: Call) -> dict[str, Any]:
    """The tender after the award: complete, each lot complete or unsuccessful."""
    return {
        "id": call.reference,
        "status": "complete",
        "numberOfTenderers": call.tenderers,
        "awardPeriod": {"startDate": _when(call.proposal_deadline)},
        "lots": [_lot(call, lot.number, LOT_STATUSES[lot.outcome]) for lot in call.lots],
    }


def _award(call: Call, contract: Contract) -> dict[str, Any]:
    lot = call.lot(contract.lot)
    return {
        "id": f"lot-{lot.number}",
        "title": f"Lot {lot.number} — {lot.title}",
        "status": "active",
        "date": _when(call.award_decided_at),
        "value": _value(contract.amount),
        "suppliers": [_ref(t) for t in contract.titulaires],
        "relatedLots": [str(lot.number)],
        "contractPeriod": _contract_period(call),
    }


def _contract(call: Call, contract: Contract) -> dict[str, Any]:
    lot = call.lot(contract.lot)
    return {
        "id": contract_id(call, contract.lot),
        "awardID": f"lot-{lot.number}",
        "title": f"Lot {lot.number} — {lot.title}",
        "status": "active",
        "period": _contract_period(call),
        "value": _value(contract.amount),
        "dateSigned": _when(call.signed_at),
    }


def _implementation(contract: Contract) -> dict[str, Any]:
    """The contract's execution follow-up as OCDS implementation milestones (type
    ``delivery``): met with its date once admitted or reached, scheduled before."""
    return {
        "milestones": [
            {
                "id": step.key,
                "title": step.title,
                "type": "delivery",
                **({"dueDate": _when(step.due)} if step.due else {}),
                "status": "met" if step.met_at else "scheduled",
                **({"dateMet": _when(step.met_at)} if step.met_at else {}),
                "dateModified": _when(step.modified_at),
            }
            for step in contract.execution
        ]
    }


def _execution_updated(call: Call) -> datetime | None:
    """The last act of the follow-up of ``call``'s contracts, if any."""
    moments = [step.modified_at for c in call.contracts for step in c.execution]
    return max(moments) if moments else None


def _release(call: Call, suffix: str, moment: datetime, tag: str, **parts: Any) -> dict[str, Any]:
    return {
        "ocid": call.ocid,
        "id": f"{call.ocid}-{suffix}",
        "date": _when(moment),
        "tag": [tag],
        "initiationType": "tender",
        "language": "fr",
        "buyer": _ref(call.buyer),
        **parts,
    }


def releases(call: Call) -> list[dict[str, Any]]:
    """The releases of ``call``, oldest first (see the module's docstring)."""
    found = [
        _release(
            call,
            "tender",
            call.published_at,
            "tender",
            parties=_parties(call, suppliers=False),
            tender=_tender(call),
        )
    ]
    for amendment in call.amendments:
        found.append(
            _release(
                call,
                f"amendment-{amendment.number}",
                amendment.made_at,
                "tenderAmendment",
                tender={"id": call.reference, "amendments": _amendments(call, amendment.number)},
            )
        )
    found.append(
        _release(
            call,
            "award",
            call.award_decided_at,
            "award",
            parties=_parties(call, suppliers=True),
            tender=_tender_outcome(call),
            awards=[_award(call, c) for c in call.contracts],
        )
    )
    found.append(
        _release(
            call,
            "contract",
            call.signed_at,
            "contract",
            contracts=[_contract(call, c) for c in call.contracts],
        )
    )
    updated = _execution_updated(call)
    if updated is not None:
        # The execution follow-up, as of its last act: one release that later acts
        # replace (its id carries the moment), after the contract's own.
        found.append(
            _release(
                call,
                f"implementation-{updated.astimezone(PARIS).strftime('%Y%m%dT%H%M%S')}",
                updated,
                "implementationUpdate",
                contracts=[
                    {
                        "id": contract_id(call, c.lot),
                        "awardID": f"lot-{c.lot}",
                        "implementation": _implementation(c),
                    }
                    for c in call.contracts
                    if c.execution
                ],
            )
        )
    return found


def compiled_release(call: Call) -> dict[str, Any]:
    """The current state of the process: what the releases tell, merged."""
    tender = _tender(call)
    tender.update(_tender_outcome(call))
    if call.amendments:
        tender["amendments"] = _amendments(call, call.amendments[-1].number)
    return {
        "ocid": call.ocid,
        "id": f"{call.ocid}-{_when(call.signed_at)}",
        "date": _when(call.signed_at),
        "tag": ["compiled"],
        "initiationType": "tender",
        "language": "fr",
        "buyer": _ref(call.buyer),
        "parties": _parties(call, suppliers=True),
        "tender": tender,
        "awards": [_award(call, c) for c in call.contracts],
        "contracts": [
            {**_contract(call, c), "implementation": _implementation(c)}
            if c.execution
            else _contract(call, c)
            for c in call.contracts
        ],
    }


def record(call: Call) -> dict[str, Any]:
    """The call's record: every release, and the compiled release."""
    return {
        "ocid": call.ocid,
        "releases": releases(call),
        "compiledRelease": compiled_release(call),
    }


def package(
    key: str,
    items: Iterable[dict[str, Any]] | list[dict[str, Any]],
    *,
    uri: str,
    published_at: datetime,
    publisher: str,
    publisher_uri: str,
    licence: str,
    policy: str,
    next_uri: str | None = None,
) -> dict[str, Any]:
    """A release package (``key="releases"``) or a record package (``"records"``),
    published under ``licence``; ``next_uri`` links to the next page of a feed (the
    Pagination extension)."""
    extensions = [LOTS_EXTENSION]
    data: dict[str, Any] = {
        "uri": uri,
        "version": VERSION,
        "extensions": extensions,
        "publishedDate": _when(published_at),
        "publisher": {"name": publisher, "uri": publisher_uri},
        "license": licence,
        "publicationPolicy": policy,
        key: list(items),
    }
    if next_uri is not None:
        extensions.append(PAGINATION_EXTENSION)
        data["links"] = {"next": next_uri}
    return data
