"""Execution follow-up after the award (as Decidim's accountability component does):
per awarded lot, the deliverables the holder submits and the buyer admits or refuses,
and the milestones the buyer plans and the holder marks reached. Public once the
contract is signed (``queries.execution_of``); written by ``services.execution`` only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeliverableStatus(models.TextChoices):
    EXPECTED = "expected", _("Attendu")
    SUBMITTED = "submitted", _("Remis, en attente de l'acheteur")
    ADMITTED = "admitted", _("Admis par l'acheteur")
    REFUSED = "refused", _("Refusé par l'acheteur")


class Deliverable(models.Model):
    """A deliverable expected on an awarded lot: planned by the buyer, submitted by the
    holder (the awarded proposal's working group) with a link, then admitted or
    refused (with a reason) by the buyer; a refused one may be submitted again."""

    lot = models.ForeignKey(
        "procurement.Lot", on_delete=models.CASCADE, related_name="deliverables"
    )
    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.PROTECT, related_name="execution_deliverables"
    )
    title = models.CharField(_("livrable"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("attendu le"), null=True, blank=True)
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.EXPECTED,
    )
    evidence_url = models.URLField(_("lien vers le livrable"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("remis le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot_id", "due_on", "id"]
        verbose_name = _("livrable d'exécution")
        verbose_name_plural = _("livrables d'exécution")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliverableStatus.values), name="deliverable_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=DeliverableStatus.EXPECTED)
                | (Q(submitted_at__isnull=False) & ~Q(evidence_url="")),
                name="deliverable_submitted_has_evidence",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[DeliverableStatus.ADMITTED, DeliverableStatus.REFUSED])
                | Q(decided_at__isnull=False),
                name="deliverable_decided_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliverableStatus.REFUSED) | ~Q(refusal_reason=""),
                name="deliverable_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ExecutionMilestone(models.Model):
    """A dated step of an awarded lot's execution: planned by the buyer, marked reached
    by the holder with a link to its evidence. (The proposal's own timeline,
    ``Milestone``, stays as offered, under seal until the opening.)"""

    lot = models.ForeignKey(
        "procurement.Lot", on_delete=models.CASCADE, related_name="execution_milestones"
    )
    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.PROTECT, related_name="execution_milestones"
    )
    title = models.CharField(_("jalon"), max_length=200)
    planned_on = models.DateField(_("date prévue"))
    reached_on = models.DateField(_("atteint le"), null=True, blank=True)
    evidence_url = models.URLField(_("lien vers la preuve"), max_length=500, blank=True)
    reached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot_id", "planned_on", "id"]
        verbose_name = _("jalon d'exécution")
        verbose_name_plural = _("jalons d'exécution")
        constraints = [
            models.CheckConstraint(
                condition=Q(reached_on__isnull=True) | ~Q(evidence_url=""),
                name="milestone_reached_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.title
