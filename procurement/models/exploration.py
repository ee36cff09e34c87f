"""Exploration before cofunding (seed 003): a selected team first explores its commons
with a small budget, and only a commons the buyer finds proven opens to cofunding.

One row per selected proposal of a call that plans an exploration: the budget granted to
its team (1,000 € to 3,000 €), the ledger's payout when the commons has a host, and the
buyer's decision at the end — proven or not, with its reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procurement.calculations import EXPLORATION_BUDGET_MAX, EXPLORATION_BUDGET_MIN


class Exploration(models.Model):
    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="explorations"
    )
    proposal = models.OneToOneField(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="exploration"
    )
    # The exploring team: the working group's coordinator (else its first member).
    team = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="explorations"
    )
    budget = models.DecimalField(_("budget d'exploration (€)"), max_digits=8, decimal_places=2)
    # The payout recorded in the commons' ledger (``ledger.exploration_grant``) when the
    # commons has a host; without one the buyer pays the team directly.
    payout = models.OneToOneField(
        "procurement.Expense",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exploration",
    )
    started_at = models.DateTimeField(_("début de l'exploration"))
    # The buyer's decision at the end of the exploration: None until it is taken.
    proven = models.BooleanField(_("commun qui a fait ses preuves"), null=True, blank=True)
    reason = models.TextField(_("motif de la décision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)

    class Meta:
        ordering = ["challenge_id", "proposal_id"]
        verbose_name = _("exploration")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=EXPLORATION_BUDGET_MIN, budget__lte=EXPLORATION_BUDGET_MAX),
                name="exploration_budget_bounds",
            ),
            models.CheckConstraint(
                condition=(Q(proven__isnull=True) & Q(decided_at__isnull=True))
                | (Q(proven__isnull=False) & Q(decided_at__isnull=False) & ~Q(reason="")),
                name="exploration_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Exploration de la proposition {self.proposal_id}"
