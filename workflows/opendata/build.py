"""The contexts of the open data (``procurement.opendata.context.Call``), built from
both domains: the call, its lots, its award and contracts from procurement, its award
criteria and their weights from scoring.

Only signed calls are published (``published_calls``): a marché public whose buyer has
signed the contracts (``awarded_at``) — never a draft, a call still open or being
scored, an award decided but not signed, nor any proposal but the awarded ones. A call
is built in a constant number of queries per batch, whatever the batch's size, from
plain values (no model instances but the titulaires), so an export of any size runs in
flat memory batch after batch (``iter_calls``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from procurement.documents.context import GroupementForm
from procurement.models import (
    Amendment,
    BudgetLine,
    BudgetScope,
    Challenge,
    ChallengeResource,
    ChallengeStatus,
    Deliverable,
    DeliverableStatus,
    DocumentStage,
    ExecutionMilestone,
    Framing,
    Lot,
    Proposal,
    ProposalStatus,
    TenderDocument,
)
from procurement.opendata import context as ctx
from procurement.procedures import ContractNature, procedure_for
from procurement.queries import titulaires_of
from scoring.models import Criterion

logger = logging.getLogger(__name__)

BATCH = 200
# The proposals that were submitted: offers received, whatever became of them.
RECEIVED = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.SELECTED,
    ProposalStatus.REJECTED,
    ProposalStatus.AWARDED,
)

PARIS = ZoneInfo("Europe/Paris")


def published_calls() -> QuerySet[Challenge]:
    """The calls whose open data are published, by signature: the signed marchés
    publics with their données essentielles complete (the award and the signature
    refuse them otherwise: ``award_rules.essential_data_problems``)."""
    return Challenge.objects.filter(
        framing=Framing.PUBLIC_CONTRACT,
        status=ChallengeStatus.AWARDED,
        awarded_at__isnull=False,
        published_at__isnull=False,
        award_decided_at__isnull=False,
        proposal_deadline__isnull=False,
        estimated_amount__isnull=False,
    ).exclude(
        Q(cpv_code="")
        | Q(execution_place_kind="")
        | Q(execution_place_code="")
        | Q(buyer__siret="")
    )


def unpublished_signed_calls() -> QuerySet[Challenge]:
    """Signed marchés publics left out of the open data for want of their données
    essentielles (signed before the service asked for them): to complete by hand."""
    return Challenge.objects.filter(
        framing=Framing.PUBLIC_CONTRACT,
        status=ChallengeStatus.AWARDED,
        awarded_at__isnull=False,
    ).exclude(pk__in=published_calls().values("pk"))


def ocid_of(reference: str) -> str:
    """The call's Open Contracting ID: the prefix registered with the Open Contracting
    Partnership (``OCDS_OCID_PREFIX``) and the call's reference."""
    return f"{settings.OCDS_OCID_PREFIX}-{reference}"


def _organisation(organisation) -> ctx.Organisation:
    return ctx.Organisation(
        name=organisation.name, siret=organisation.siret, address=organisation.address
    )


def _documents(ids: list[int]) -> dict[int, list[ctx.Document]]:
    """The latest version of each public consultation document, with its first
    version's date."""
    rows = (
        TenderDocument.objects.filter(
            challenge_id__in=ids, stage=DocumentStage.DCE, withdrawn_at__isnull=True
        )
        .order_by("challenge_id", "piece", "key", "version")
        .values_list("pk", "challenge_id", "piece", "key", "title", "sha256", "created_at")
    )
    first: dict[tuple, datetime] = {}
    latest: dict[tuple, tuple] = {}
    for row in rows:
        key = (row[1], row[2], row[3])
        first.setdefault(key, row[6])
        latest[key] = row
    site = settings.SITE_URL
    found: dict[int, list[ctx.Document]] = defaultdict(list)
    for key, (pk, challenge_id, piece, object_key, title, sha256, created_at) in latest.items():
        lot = object_key.removeprefix("lot-")
        found[challenge_id].append(
            ctx.Document(
                id=str(pk),
                piece=piece,
                title=title,
                sha256=sha256,
                url=f"{site}/api/v1/challenges/{challenge_id}/documents/{pk}/download/",
                published_at=first[key],
                modified_at=created_at,
                lot=int(lot) if object_key.startswith("lot-") and lot.isdigit() else None,
            )
        )
    return found


def _contracts(ids: list[int], lots_by_pk: dict[int, dict]) -> dict[int, list[ctx.Contract]]:
    """Each call's contracts: one per lot and awarded proposal, at the proposal's price
    for the lot (its budget lines inside the contract), with its titulaires."""
    awarded = dict(
        Proposal.objects.filter(challenge_id__in=ids, status=ProposalStatus.AWARDED).values_list(
            "pk", "groupement_kind"
        )
    )
    prices = {
        (row["proposal_id"], row["lot_id"]): row["price"]
        for row in BudgetLine.objects.filter(proposal_id__in=awarded, scope=BudgetScope.CONTRACT)
        .values("proposal_id", "lot_id")
        .annotate(price=Sum("amount"))
    }
    offers = dict(
        Proposal.lots.through.objects.filter(
            lot__challenge_id__in=ids, proposal__status__in=RECEIVED
        )
        .values("lot_id")
        .annotate(n=Count("proposal_id"))
        .values_list("lot_id", "n")
    )
    execution = _execution(list(lots_by_pk))
    found: dict[int, list[ctx.Contract]] = defaultdict(list)
    for (proposal_id, lot_id), organisations in sorted(
        titulaires_of(awarded).items(), key=lambda item: lots_by_pk[item[0][1]]["number"]
    ):
        lot = lots_by_pk[lot_id]
        if lot["outcome"] != ctx.LotOutcome.AWARDED:
            continue
        found[lot["challenge_id"]].append(
            ctx.Contract(
                lot=lot["number"],
                amount=prices.get((proposal_id, lot_id), 0),
                titulaires=tuple(_organisation(o) for o in organisations),
                groupement=GroupementForm(awarded[proposal_id] if len(organisations) > 1 else ""),
                offers_received=offers.get(lot_id, 0),
                execution=tuple(execution.get(lot_id, ())),
            )
        )
    return found


def _midnight(day) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=PARIS) if day else None


def _execution(lot_ids: list[int]) -> dict[int, list[ctx.ExecutionStep]]:
    """Each lot's execution follow-up (``procurement.services.execution``), deliverables
    then milestones, each by its date: two queries for the whole batch."""
    steps: dict[int, list[ctx.ExecutionStep]] = defaultdict(list)
    for d in Deliverable.objects.filter(lot_id__in=lot_ids).order_by("due_on", "id"):
        admitted = d.decided_at if d.status == DeliverableStatus.ADMITTED else None
        steps[d.lot_id].append(
            ctx.ExecutionStep(
                key=f"deliverable-{d.pk}",
                kind="deliverable",
                title=d.title,
                due=_midnight(d.due_on),
                met_at=admitted,
                modified_at=max(t for t in (d.created_at, d.submitted_at, d.decided_at) if t),
            )
        )
    for m in ExecutionMilestone.objects.filter(lot_id__in=lot_ids).order_by("planned_on", "id"):
        reached = _midnight(m.reached_on)
        steps[m.lot_id].append(
            ctx.ExecutionStep(
                key=f"milestone-{m.pk}",
                kind="milestone",
                title=m.title,
                due=_midnight(m.planned_on),
                met_at=reached,
                modified_at=max(t for t in (m.created_at, reached) if t),
            )
        )
    return steps


def call_contexts(
    ids: list[int], *, on_skip: Callable[[str, str], None] | None = None
) -> list[ctx.Call]:
    """The contexts of the published calls among ``ids``, in signature order. A call
    whose data cannot be published as they stand (a titulaire's SIRET gone since the
    signature) is left out and told to ``on_skip(reference, reason)``. Twelve queries,
    whatever the number of calls."""
    challenges = list(
        published_calls().filter(pk__in=ids).select_related("buyer").order_by("awarded_at", "pk")
    )
    ids = [c.pk for c in challenges]
    lots_by_pk = {
        row["id"]: row
        for row in Lot.objects.filter(challenge_id__in=ids)
        .order_by("challenge_id", "number")
        .values(
            "id",
            "challenge_id",
            "number",
            "title",
            "estimated_amount",
            "outcome",
            "reserved_ess",
            "reserved_disability",
            "reserved_insertion",
        )
    }
    resources: dict[int, list[str]] = defaultdict(list)
    for lot_id, title in (
        ChallengeResource.objects.filter(challenge_id__in=ids, lot__isnull=False)
        .order_by("order", "id")
        .values_list("lot_id", "title")
    ):
        resources[lot_id].append(title)
    lots: dict[int, list[ctx.Lot]] = defaultdict(list)
    for row in lots_by_pk.values():
        lots[row["challenge_id"]].append(
            ctx.Lot(
                number=row["number"],
                title=row["title"],
                estimated_amount=row["estimated_amount"],
                outcome=ctx.LotOutcome(row["outcome"]),
                resources=tuple(resources[row["id"]]),
                reserved_ess=row["reserved_ess"],
                reserved_disability=row["reserved_disability"],
                reserved_insertion=row["reserved_insertion"],
            )
        )
    criteria: dict[int, list[ctx.Criterion]] = defaultdict(list)
    for challenge_id, label, weight, kind in (
        Criterion.objects.filter(grid__challenge_id__in=ids)
        .order_by("order", "id")
        .values_list("grid__challenge_id", "label", "weight", "kind")
    ):
        criteria[challenge_id].append(ctx.Criterion(label=label, weight=weight, kind=kind))
    amendments: dict[int, list[ctx.Amendment]] = defaultdict(list)
    for challenge_id, made_at, summary, substantial in (
        Amendment.objects.filter(challenge_id__in=ids)
        .order_by("made_at", "id")
        .values_list("challenge_id", "made_at", "summary", "substantial")
    ):
        number = len(amendments[challenge_id]) + 1
        amendments[challenge_id].append(
            ctx.Amendment(number=number, made_at=made_at, summary=summary, substantial=substantial)
        )
    tenderers = dict(
        Proposal.objects.filter(challenge_id__in=ids, status__in=RECEIVED)
        .values("challenge_id")
        .annotate(n=Count("pk"))
        .values_list("challenge_id", "n")
    )
    documents = _documents(ids)
    contracts = _contracts(ids, lots_by_pk)
    calls = []
    for challenge in challenges:
        try:
            calls.append(
                _call(challenge, lots, contracts, criteria, documents, amendments, tenderers)
            )
        except ValueError as exc:
            logger.warning("Open data of %s left out: %s", challenge.reference, exc)
            if on_skip is not None:
                on_skip(challenge.reference, str(exc))
    return calls


def _call(challenge, lots, contracts, criteria, documents, amendments, tenderers) -> ctx.Call:
    published_on = timezone.localdate(challenge.published_at)
    procedure = procedure_for(
        challenge.estimated_amount,
        on=published_on,
        buyer=challenge.buyer.buyer_category,
        nature=challenge.contract_nature,
    )
    pk = challenge.pk
    return ctx.Call(
        ocid=ocid_of(challenge.reference),
        challenge_id=pk,
        reference=challenge.reference,
        title=challenge.title,
        description=challenge.context,
        url=f"{settings.SITE_URL}/defis/{pk}/",
        buyer=_organisation(challenge.buyer),
        cpv_code=challenge.cpv_code,
        place_kind=ctx.PlaceKind(challenge.execution_place_kind),
        place_code=challenge.execution_place_code,
        innovative=challenge.innovative,
        nature=ContractNature(challenge.contract_nature),
        procedure=procedure.code,
        procedure_label=procedure.label,
        estimated_amount=challenge.estimated_amount,
        duration_months=challenge.contract_duration_months,
        published_at=challenge.published_at,
        proposal_deadline=challenge.proposal_deadline,
        questions_deadline=challenge.questions_deadline,
        award_decided_at=challenge.award_decided_at,
        signed_at=challenge.awarded_at,
        tenderers=tenderers.get(pk, 0),
        lots=tuple(lots[pk]),
        contracts=tuple(contracts[pk]),
        criteria=tuple(criteria[pk]),
        documents=tuple(documents[pk]),
        amendments=tuple(amendments[pk]),
    )


def iter_calls(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    batch: int = BATCH,
    on_skip: Callable[[str, str], None] | None = None,
) -> Iterator[ctx.Call]:
    """Every published call signed from ``since`` (included) until ``until``
    (excluded), in signature order, built ``batch`` calls at a time (keyset on the
    signature and the id, so memory stays flat and a call signed meanwhile is not
    met twice)."""
    qs = published_calls()
    if since is not None:
        qs = qs.filter(awarded_at__gte=since)
    if until is not None:
        qs = qs.filter(awarded_at__lt=until)
    last: tuple[datetime, int] | None = None
    while True:
        page = qs
        if last is not None:
            page = page.filter(Q(awarded_at__gt=last[0]) | Q(awarded_at=last[0], pk__gt=last[1]))
        keys = list(page.order_by("awarded_at", "pk").values_list("awarded_at", "pk")[:batch])
        if not keys:
            return
        yield from call_contexts([pk for _at, pk in keys], on_skip=on_skip)
        last = keys[-1]
