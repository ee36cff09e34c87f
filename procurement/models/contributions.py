from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ContributionKind(models.TextChoices):
    SKILLS = "skills", _("Compétences")
    TECHNICAL_MEANS = "technical_means", _("Moyens techniques")
    MONEY = "money", _("Apport financier")


class Contribution(models.Model):
    """One of the things a position brings: skills (person-days and a profile),
    technical means (a description) or money (euros)."""

    position = models.ForeignKey(
        "procurement.Position", on_delete=models.CASCADE, related_name="contributions"
    )
    kind = models.CharField(_("type"), max_length=20, choices=ContributionKind.choices)
    days = models.DecimalField(
        _("jours-personne"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    profile = models.CharField(_("profil"), max_length=200, blank=True)
    description = models.TextField(_("description des moyens"), blank=True)
    amount = models.DecimalField(
        _("montant (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["position_id", "id"]
        verbose_name = _("contribution")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ContributionKind.SKILLS,
                        days__gt=0,
                        amount__isnull=True,
                        description="",
                    )
                    | Q(
                        kind=ContributionKind.TECHNICAL_MEANS,
                        days__isnull=True,
                        amount__isnull=True,
                        profile="",
                    )
                    & ~Q(description="")
                    | Q(
                        kind=ContributionKind.MONEY,
                        amount__gt=0,
                        days__isnull=True,
                        profile="",
                        description="",
                    )
                ),
                name="contribution_valid_for_its_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ContributionKind.SKILLS:
            return f"{self.days} jours-personne {self.profile}".strip()
        if self.kind == ContributionKind.MONEY:
            return f"{self.amount} €"
        return self.description
