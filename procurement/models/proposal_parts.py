"""The parts of a proposal: its timeline, its budget lines and its attachments.

Sealed with the proposal: nobody but the working group's members reads them before
the proposals are opened (``queries.proposals_visible_to``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Milestone(models.Model):
    """One step of the proposal's timeline: what is delivered, and when."""

    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("étape"), max_length=200)
    due_on = models.DateField(_("échéance"))
    deliverable = models.TextField(_("livrable"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("jalon")

    def __str__(self) -> str:
        return self.title


class BudgetCategory(models.TextChoices):
    DEVELOPMENT = "development", _("Développement")
    COORDINATION = "coordination", _("Coordination et animation")
    HOSTING = "hosting", _("Hébergement")
    OTHER = "other", _("Autre")


class BudgetUnit(models.TextChoices):
    DAY = "day", _("jour")
    HOUR = "hour", _("heure")


class BudgetScope(models.TextChoices):
    """Whether a budget line is part of the contract's price or lies outside it.

    Under a *marché public* the buyer pays the contract price (the production of the
    commons) and cofunding finances only what lies outside the contract (community
    animation, maintenance, other contributors): no euro is counted twice. Under an
    appel *hors marché* every line is subsidised, whatever its scope."""

    CONTRACT = "contract", _("Dans le marché (prix payé par l'acheteur)")
    OUTSIDE = "outside", _("Hors marché (cofinançable)")


class BudgetLine(models.Model):
    """A line of the proposal's budget: a quantity of days or hours at a rate (€ HT).

    Its amount is computed by the service (quantity × rate, rounded to the cent); its
    scope says whether it is paid as the contract price or cofunded."""

    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.CharField(_("catégorie"), max_length=20, choices=BudgetCategory.choices)
    label = models.CharField(_("libellé"), max_length=200)
    quantity = models.DecimalField(_("quantité"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unité"), max_length=10, choices=BudgetUnit.choices)
    rate = models.DecimalField(_("tarif unitaire HT (€)"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("montant HT (€)"), max_digits=12, decimal_places=2)
    scope = models.CharField(
        _("périmètre"), max_length=10, choices=BudgetScope.choices, default=BudgetScope.CONTRACT
    )
    # The lot the line prices: each lot is awarded separately (L2113-10), so a proposal
    # answering several lots gives a price per lot, compared with that lot's offers only.
    lot = models.ForeignKey(
        "procurement.Lot",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("lot"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("ligne budgétaire")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=BudgetScope.values), name="budget_line_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=BudgetCategory.values), name="budget_line_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=BudgetUnit.values), name="budget_line_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="budget_line_quantity_positive"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="budget_line_rate_positive"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class MemberShare(models.Model):
    """A groupement member's share of a lot's price (HT): the acte d'engagement of the lot
    prints who does what for how much (article R2142-19 to R2142-27); the shares of a
    lot add up to its price. Recorded by the working group's coordinator with the
    proposal, under a marché public only (``proposal_submit`` refuses shares hors marché;
    rows recorded hors marché before that rule are read by no piece)."""

    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="member_shares"
    )
    lot = models.ForeignKey("procurement.Lot", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("part du prix HT (€)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["lot_id", "id"]
        verbose_name = _("part d'un membre du groupement")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "lot", "organisation"], name="member_share_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="member_share_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} : {self.amount}"


class ProposalAttachment(models.Model):
    """A document attached to a proposal (PDF, ODT or DOCX, judged by its content)."""

    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="proposals/")
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("pièce jointe de proposition")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["pdf", "odt", "docx"]), name="proposal_attachment_kind"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="proposal_attachment_size"),
        ]

    def __str__(self) -> str:
        return self.original_name
