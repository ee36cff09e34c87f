from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procurement.validators import validate_licence


class CommonsCategory(models.TextChoices):
    """The four categories of commons the Chambre des communs uses."""

    KNOWLEDGE = "knowledge", _("Communs de la connaissance")
    NATURAL = "natural", _("Ressources naturelles")
    PUBLIC_SPACE = "public_space", _("Espace public")
    HEALTH = "health", _("Santé et bien-être")


class Commons(models.Model):
    """A commons: a resource, the community around it and the rules that govern it."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(_("ressource"), blank=True)
    category = models.CharField(_("catégorie"), max_length=20, choices=CommonsCategory.choices)
    licence = models.CharField(
        _("licence (SPDX)"), max_length=64, blank=True, validators=[validate_licence]
    )
    url = models.URLField(_("adresse"), blank=True)
    community = models.TextField(_("communauté"), blank=True)
    governance = models.TextField(_("règles de gouvernance"), blank=True)
    host = models.ForeignKey(
        "procurement.Organisation",
        verbose_name=_("structure hébergeuse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_commons",
        limit_choices_to={"kind": "host"},
    )
    # What the host keeps of the funds it receives for the commons, in percent, as agreed
    # with it and the contributors; 0 (hosted free of charge) until the buyer states
    # another (``commons_hosting_fee_set``). Printed in the contrat d'hébergement.
    hosting_fee = models.DecimalField(
        _("frais d'hébergement (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    referenced = models.BooleanField(_("référencé par la Chambre"), default=False)
    referenced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commun")
        verbose_name_plural = _("communs")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=CommonsCategory.values), name="commons_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(hosting_fee__gte=0) & Q(hosting_fee__lte=100),
                name="commons_hosting_fee_range",
            ),
            models.CheckConstraint(
                condition=Q(referenced=False) | Q(referenced_at__isnull=False),
                name="commons_referenced_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name
