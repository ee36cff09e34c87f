"""Reciprocity commitments and declarations, and the public board of a commons."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kernel.errors import NotFound
from procurement.models import Commons, Organisation, ReciprocityCommitment, ReciprocityDeclaration
from procurement.queries.membership import org_ids


def access_commitment(*, pk):
    """A reciprocity commitment: they are public (the boards show them), else 404."""
    try:
        return ReciprocityCommitment.objects.select_related("organisation", "commons").get(pk=pk)
    except (ReciprocityCommitment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(
            _("Engagement de réciprocité introuvable."), code="commitment_not_found"
        ) from None


@dataclass
class BoardRow:
    """One organisation on a commons' reciprocity board."""

    organisation: Organisation
    commitments: list  # its commitments for this commons, oldest first
    due: Decimal
    given: Decimal
    declarations: int

    @property
    def active(self):
        """The commitment in force, if any."""
        return next((c for c in self.commitments if c.ended_on is None), None)

    @property
    def current(self):
        """The commitment in force, else the latest one (ended)."""
        return self.active or (self.commitments[-1] if self.commitments else None)

    @property
    def gives_back(self) -> bool:
        return self.given > 0

    @property
    def shortfall(self) -> Decimal:
        return max(self.due - self.given, Decimal(0))

    @property
    def status(self) -> str:
        """``none`` (nothing declared yet), ``short`` (gave less than due), ``ok``."""
        if not self.declarations:
            return "none"
        return "short" if self.shortfall > 0 else "ok"


@dataclass
class Board:
    commons: Commons
    rows: list[BoardRow]

    @property
    def due(self) -> Decimal:
        return sum((row.due for row in self.rows), Decimal(0))

    @property
    def given(self) -> Decimal:
        return sum((row.given for row in self.rows), Decimal(0))

    @property
    def givers(self) -> list[BoardRow]:
        return [row for row in self.rows if row.gives_back]


def reciprocity_board(commons: Commons) -> Board:
    """Who uses the commons (organisations that signed a commitment for it), what they
    owed and gave back in total over their declarations: two queries whatever the number
    of organisations, commitments and declarations."""
    money = DecimalField(max_digits=16, decimal_places=2)

    def total(field: str):
        sums = (
            ReciprocityDeclaration.objects.filter(
                commitment__commons=commons, commitment__organisation=OuterRef("pk")
            )
            .order_by()
            .values("commitment__organisation")
            .annotate(total=Sum(field))
            .values("total")
        )
        return Coalesce(Subquery(sums, output_field=money), Value(Decimal(0)), output_field=money)

    declared = (
        ReciprocityDeclaration.objects.filter(
            commitment__commons=commons, commitment__organisation=OuterRef("pk")
        )
        .order_by()
        .values("commitment__organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    organisations = (
        Organisation.objects.filter(reciprocity_commitments__commons=commons)
        .distinct()
        .annotate(
            due_total=total("due"),
            given_total=total("given"),
            declaration_count=Coalesce(Subquery(declared), Value(0)),
        )
        .prefetch_related(
            Prefetch(
                "reciprocity_commitments",
                queryset=ReciprocityCommitment.objects.filter(commons=commons).order_by(
                    "starts_on", "id"
                ),
                to_attr="commitments_here",
            )
        )
        .order_by("-given_total", "name")
    )
    rows = [
        BoardRow(
            organisation=org,
            commitments=org.commitments_here,
            due=org.due_total,
            given=org.given_total,
            declarations=org.declaration_count,
        )
        for org in organisations
    ]
    return Board(commons=commons, rows=rows)


def commitments_of(user):
    """The reciprocity commitments of the user's organisations."""
    return (
        ReciprocityCommitment.objects.filter(organisation__in=org_ids(user))
        .select_related("organisation", "commons")
        .order_by("-signed_at", "-id")
    )


def declarations_of(user):
    """The reciprocity declarations of the user's organisations, newest period first."""
    return (
        ReciprocityDeclaration.objects.filter(commitment__organisation__in=org_ids(user))
        .select_related("commitment__organisation", "commitment__commons")
        .order_by("-period_start", "-id")
    )
