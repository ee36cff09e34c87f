from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CofundingRound(models.Model):
    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="cofunding_round"
    )
    deadline = models.DateTimeField(_("clôture"))
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tour de cofinancement")

    def __str__(self) -> str:
        return f"Cofinancement de {self.challenge_id}"


class Bucket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        FUNDED = "funded", _("Financé")
        NOT_FUNDED = "not_funded", _("Non financé")

    round = models.ForeignKey(CofundingRound, on_delete=models.CASCADE, related_name="buckets")
    proposal = models.OneToOneField(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="bucket"
    )
    min_amount = models.DecimalField(_("minimum (€)"), max_digits=12, decimal_places=2)
    max_amount = models.DecimalField(_("maximum (€)"), max_digits=12, decimal_places=2)
    # Sum of the active pledges, kept by the pledge service in the same transaction.
    pledged = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("commun à cofinancer")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__gt=0) & Q(min_amount__lte=F("max_amount")),
                name="bucket_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(pledged__gte=0) & Q(pledged__lte=F("max_amount")),
                name="bucket_never_overfunded",
            ),
        ]

    def __str__(self) -> str:
        return f"Commun à cofinancer #{self.pk}"


class Allocation(models.Model):
    """A funder's envelope for a round."""

    round = models.ForeignKey(CofundingRound, on_delete=models.CASCADE, related_name="allocations")
    funder = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("enveloppe (€)"), max_digits=12, decimal_places=2)
    # Sum of the active pledges, kept by the pledge service in the same transaction.
    pledged = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("enveloppe")
        constraints = [
            models.UniqueConstraint(fields=["round", "funder"], name="allocation_one_per_funder"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(pledged__gte=0) & Q(pledged__lte=F("amount")),
                name="allocation_never_exceeded",
            ),
        ]

    def __str__(self) -> str:
        return f"Enveloppe {self.funder_id} : {self.amount} €"


class Pledge(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Engagé")
        COMMITTED = "committed", _("Confirmé")
        RELEASED = "released", _("Libéré")

    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="pledges")
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="pledges")
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("engagement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Engagement {self.amount} € ({self.status})"
