"""Reciprocity: organisations that earn money with a commons commit to give part of it
back (a "contrat de réciprocité"), then declare, period after period, what they earned
with it and what they gave back. The board of a commons makes both public."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ReciprocityKind(models.TextChoices):
    REVENUE_SHARE = "revenue_share", _("Part du chiffre d'affaires")
    FIXED_AMOUNT = "fixed_amount", _("Montant fixe par période")


class ReciprocityPeriod(models.TextChoices):
    MONTH = "month", _("Mois")
    QUARTER = "quarter", _("Trimestre")
    YEAR = "year", _("Année")


PERIOD_MONTHS = {
    ReciprocityPeriod.MONTH: 1,
    ReciprocityPeriod.QUARTER: 3,
    ReciprocityPeriod.YEAR: 12,
}


def period_start_of(day: date, period: str) -> date:
    """The first day of the calendar period (month, quarter, year) holding ``day``."""
    months = PERIOD_MONTHS[ReciprocityPeriod(period)]
    month = (day.month - 1) // months * months + 1
    return date(day.year, month, 1)


def period_end_of(start: date, period: str) -> date:
    """The last day of the period that begins on ``start``."""
    months = PERIOD_MONTHS[ReciprocityPeriod(period)]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


class ReciprocityCommitment(models.Model):
    """An organisation's promise, for one commons, to give back a share of the revenue
    it earns with it or a fixed amount per period. Its terms do not change once signed:
    to change them, end it and sign a new one."""

    organisation = models.ForeignKey(
        "procurement.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="reciprocity_commitments",
    )
    commons = models.ForeignKey(
        "procurement.Commons",
        verbose_name=_("commun"),
        on_delete=models.PROTECT,
        related_name="reciprocity_commitments",
    )
    kind = models.CharField(_("type d'engagement"), max_length=20, choices=ReciprocityKind.choices)
    revenue_share = models.DecimalField(
        _("part du chiffre d'affaires (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    fixed_amount = models.DecimalField(
        _("montant par période (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    period = models.CharField(_("période"), max_length=10, choices=ReciprocityPeriod.choices)
    starts_on = models.DateField(_("début"))
    commercial_use = models.TextField(_("usage marchand du commun"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signé le"))
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["commons_id", "organisation_id", "starts_on", "id"]
        verbose_name = _("contrat de réciprocité")
        verbose_name_plural = _("contrats de réciprocité")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReciprocityKind.values), name="reciprocity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(period__in=ReciprocityPeriod.values), name="reciprocity_period_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ReciprocityKind.REVENUE_SHARE,
                        revenue_share__gt=0,
                        revenue_share__lte=100,
                        fixed_amount__isnull=True,
                    )
                    | Q(
                        kind=ReciprocityKind.FIXED_AMOUNT,
                        fixed_amount__gt=0,
                        revenue_share__isnull=True,
                    )
                ),
                name="reciprocity_terms_match_kind",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="reciprocity_ends_after_start",
            ),
            # One commitment in force per organisation and commons.
            models.UniqueConstraint(
                fields=["organisation", "commons"],
                condition=Q(ended_on__isnull=True),
                name="reciprocity_one_active_per_commons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.commons_id} ({self.kind})"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class ReciprocityDeclaration(models.Model):
    """What an organisation earned with the commons over one period and what it gave
    back; ``due`` is computed by the service from the commitment's terms."""

    commitment = models.ForeignKey(
        ReciprocityCommitment, on_delete=models.PROTECT, related_name="declarations"
    )
    period_start = models.DateField(_("début de la période"))
    revenue = models.DecimalField(
        _("chiffre d'affaires tiré du commun (€)"), max_digits=14, decimal_places=2
    )
    given = models.DecimalField(_("montant reversé (€)"), max_digits=14, decimal_places=2)
    due = models.DecimalField(_("montant dû (€)"), max_digits=14, decimal_places=2)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("déclaré le"))

    class Meta:
        ordering = ["commitment_id", "period_start"]
        verbose_name = _("déclaration de réciprocité")
        verbose_name_plural = _("déclarations de réciprocité")
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="reciprocity_one_declaration_per_period"
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0) & Q(given__gte=0) & Q(due__gte=0),
                name="reciprocity_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Déclaration {self.commitment_id} {self.period_start}"

    @property
    def shortfall(self):
        """What is still missing to reach what was due (zero when given ≥ due)."""
        return max(self.due - self.given, 0)
