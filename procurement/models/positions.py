from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Intent(models.TextChoices):
    PRODUCE = "produce", _("Produire")
    CONTRIBUTE = "contribute", _("Contribuer")
    USE = "use", _("Utiliser")
    FUND = "fund", _("Financer")


# Positions with these intents make their organisation a member of the working group.
GROUP_INTENTS = [Intent.PRODUCE, Intent.CONTRIBUTE]


class Position(models.Model):
    """A partner organisation's stated contribution on one resource of a challenge."""

    resource = models.ForeignKey(
        "procurement.ChallengeResource", on_delete=models.CASCADE, related_name="positions"
    )
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="positions"
    )
    intent = models.CharField(_("intention"), max_length=20, choices=Intent.choices)
    public_name = models.BooleanField(_("nom public"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["resource_id", "id"]
        verbose_name = _("positionnement")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "organisation"], name="position_one_per_resource"
            ),
            models.CheckConstraint(
                condition=Q(intent__in=Intent.values), name="position_intent_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} sur {self.resource_id} ({self.intent})"


class WorkingGroup(models.Model):
    """The partners positioned to produce or contribute on one resource."""

    resource = models.OneToOneField(
        "procurement.ChallengeResource", on_delete=models.CASCADE, related_name="working_group"
    )
    coordinator = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The group's online spaces (seed 004: a chat to talk at once, a wiki to keep what
    # is learnt), set by its members or the call's facilitator; web addresses only.
    chat_url = models.URLField(
        _("salon de discussion"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    wiki_url = models.URLField(
        _("wiki"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("groupe de travail")

    def __str__(self) -> str:
        return f"Groupe de travail {self.resource_id}"


class WorkingGroupMember(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="group_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="group_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} dans {self.group_id}"
