"""Recognition after the fact: the public contribution record of a commons (who took
part in it, and how) and of an organisation (the commons it took part in).

It combines what the service records apart — the contributions stated in public
positions, the money the host received from and paid to each organisation (the public
ledger), the reciprocity commitments and declarations — into one row per organisation
and commons, every component shown (``calculations.Involvement``): no score. Only what
is already public goes in: positions whose organisation agreed to show its name
(``Position.public_name``) on published calls, by kind and in person-days (the amounts a
position offers stay with the buyer); the ledger's entries; the reciprocity boards."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.calculations import (
    Involvement,
    declaration_standing,
    involvement_order,
)
from procurement.models import (
    Commons,
    Contribution,
    ContributionKind,
    Expense,
    ExpenseStatus,
    Income,
    Organisation,
    Position,
    ReciprocityCommitment,
)
from procurement.models.reciprocity import period_end_of, period_start_of


@dataclass
class RecordRow:
    """One organisation on one commons: its involvement and its reciprocity contracts."""

    organisation: Organisation
    commons: Commons
    involvement: Involvement
    commitments: list[ReciprocityCommitment] = field(default_factory=list)


def reciprocity_standings(commitment: ReciprocityCommitment, today: date) -> dict[str, int]:
    """How many periods of a commitment were kept, late or missed
    (``calculations.declaration_standing``), from its first period to the one holding
    its end (or today). Reads ``commitment.declarations`` (prefetch it)."""
    declared = {
        d.period_start: timezone.localdate(d.declared_at) for d in commitment.declarations.all()
    }
    counts = {"kept": 0, "late": 0, "missed": 0}
    start = period_start_of(commitment.starts_on, commitment.period)
    last = min(commitment.ended_on or today, today)
    while start <= last:
        standing = declaration_standing(
            period_end=period_end_of(start, commitment.period),
            declared_on=declared.get(start),
            today=today,
        )
        if standing is not None:
            counts[standing] += 1
        start = period_end_of(start, commitment.period) + timedelta(days=1)
    return counts


def _record(*, positions: dict, ledger: dict, commitments: dict) -> list[RecordRow]:
    """Every (organisation, commons) pair found, one ``RecordRow`` each, in the
    documented order (``calculations.involvement_order``). Two more queries."""
    today = timezone.localdate()
    parts: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    public = Position.objects.filter(
        public_name=True, resource__commons__isnull=False, **positions
    ).filter(resource__challenge__published_at__isnull=False)
    for row in public.values("organisation", "resource__commons").annotate(n=Count("pk")):
        parts[row["organisation"], row["resource__commons"]]["positions"] = row["n"]
    kinds = (
        Contribution.objects.filter(position__in=public)
        .values("position__organisation", "position__resource__commons", "kind")
        .annotate(n=Count("pk"), days=Sum("days"))
    )
    for row in kinds:
        key = (row["position__organisation"], row["position__resource__commons"])
        if row["kind"] == ContributionKind.SKILLS:
            parts[key]["skills_days"] = row["days"] or Decimal("0.0")
        elif row["kind"] == ContributionKind.TECHNICAL_MEANS:
            parts[key]["technical_means"] = row["n"]
        else:
            parts[key]["money_offers"] = row["n"]
    incomes = (
        Income.objects.filter(source__isnull=False, **ledger.get("income", {}))
        .values("source", "ledger__commons")
        .annotate(total=Sum("amount"))
    )
    for row in incomes:
        parts[row["source"], row["ledger__commons"]]["paid_in"] = row["total"]
    payouts = (
        Expense.objects.filter(status=ExpenseStatus.PAID, **ledger.get("expense", {}))
        .values("organisation", "ledger__commons")
        .annotate(total=Sum("amount"))
    )
    for row in payouts:
        parts[row["organisation"], row["ledger__commons"]]["paid_out"] = row["total"]
    contracts: dict[tuple[int, int], list[ReciprocityCommitment]] = defaultdict(list)
    for commitment in (
        ReciprocityCommitment.objects.filter(**commitments)
        .prefetch_related("declarations")
        .order_by("starts_on", "id")
    ):
        key = (commitment.organisation_id, commitment.commons_id)
        contracts[key].append(commitment)
        sums = parts[key]
        for declaration in commitment.declarations.all():
            sums["reciprocity_given"] = (
                sums.get("reciprocity_given", Decimal(0)) + declaration.given
            )
            sums["reciprocity_due"] = sums.get("reciprocity_due", Decimal(0)) + declaration.due
        for standing, count in reciprocity_standings(commitment, today).items():
            sums[standing] = sums.get(standing, 0) + count
    organisations = Organisation.objects.in_bulk({org for org, _c in parts})
    commons = Commons.objects.in_bulk({c for _o, c in parts})
    rows = [
        RecordRow(
            organisation=organisations[org],
            commons=commons[c],
            involvement=replace(Involvement(), **values),
            commitments=contracts.get((org, c), []),
        )
        for (org, c), values in parts.items()
    ]
    rows.sort(key=lambda row: involvement_order(row.involvement, row.organisation.name))
    return rows


def contribution_record_of_commons(commons: Commons) -> list[RecordRow]:
    """The organisations that took part in ``commons``, most involved first: eight
    queries whatever their number."""
    return _record(
        positions={"resource__commons": commons},
        ledger={"income": {"ledger__commons": commons}, "expense": {"ledger__commons": commons}},
        commitments={"commons": commons},
    )


def contribution_record_of_organisation(organisation: Organisation) -> list[RecordRow]:
    """The commons ``organisation`` took part in: eight queries whatever their number.
    Ordered the same way, so its most involved commons come first."""
    rows = _record(
        positions={"organisation": organisation},
        ledger={"income": {"source": organisation}, "expense": {"organisation": organisation}},
        commitments={"organisation": organisation},
    )
    rows.sort(key=lambda row: involvement_order(row.involvement, row.commons.name))
    return rows


def record_totals(rows: list[RecordRow]) -> Involvement:
    """The components of several rows added up (the record's footer)."""
    total = Involvement()
    for row in rows:
        i = row.involvement
        total = Involvement(
            positions=total.positions + i.positions,
            skills_days=total.skills_days + i.skills_days,
            technical_means=total.technical_means + i.technical_means,
            money_offers=total.money_offers + i.money_offers,
            paid_in=total.paid_in + i.paid_in,
            paid_out=total.paid_out + i.paid_out,
            reciprocity_given=total.reciprocity_given + i.reciprocity_given,
            reciprocity_due=total.reciprocity_due + i.reciprocity_due,
            kept=total.kept + i.kept,
            late=total.late + i.late,
            missed=total.missed + i.missed,
        )
    return total


def access_public_organisation(*, pk) -> Organisation:
    """Any organisation, for its public contribution record, else 404."""
    try:
        return Organisation.objects.get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Organisation introuvable."), code="organisation_not_found") from None
