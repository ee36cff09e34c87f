from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procurement.validators import validate_licence


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    SELECTED = "selected", _("Retenue")
    REJECTED = "rejected", _("Non retenue")
    AWARDED = "awarded", _("Attributaire")


class GroupementKind(models.TextChoices):
    """How the members of a groupement are bound to the buyer (articles R2142-19 to
    R2142-27): each for its own share (conjoint), or each for the whole contract
    (solidaire). A proposal of a single organisation has none, nor does one hors marché:
    no acte d'engagement there, the conventions take its place."""

    NONE = "", _("Candidat seul")
    JOINT = "joint", _("Groupement conjoint")
    SEVERAL = "several", _("Groupement solidaire")


class Proposal(models.Model):
    """A working group's plan to produce a commons. Sealed until the proposal deadline."""

    # No index of its own: the unique ``proposal_one_per_group`` is one on ``group``.
    group = models.ForeignKey(
        "procurement.WorkingGroup",
        on_delete=models.CASCADE,
        related_name="proposals",
        db_index=False,
    )
    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="proposals"
    )
    # The lots it answers: its working group's resource's lot, and others of the same
    # call only when the call lets a proposal answer several lots (set by the service).
    lots = models.ManyToManyField("procurement.Lot", related_name="proposals", blank=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"))
    deliverables = models.TextField(_("livrables"))
    licence = models.CharField(_("licence"), max_length=64, validators=[validate_licence])
    community = models.TextField(_("communauté"), blank=True)
    governance = models.TextField(_("gouvernance"), blank=True)
    coordination_justification = models.TextField(
        _("justification de la part de coordination et d'animation"), blank=True
    )
    groupement_kind = models.CharField(
        _("forme du groupement"),
        max_length=10,
        choices=GroupementKind.choices,
        default=GroupementKind.NONE,
        blank=True,
    )
    # The sum of the budget lines, computed by the service, never typed.
    amount = models.DecimalField(_("coût total HT (€)"), max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["challenge_id", "id"]
        verbose_name = _("proposition")
        constraints = [
            models.UniqueConstraint(fields=["group"], name="proposal_one_per_group"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="proposal_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(groupement_kind__in=GroupementKind.values),
                name="proposal_groupement_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
