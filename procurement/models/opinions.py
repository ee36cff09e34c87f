from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OpinionSubject(models.TextChoices):
    CALL = "call", _("Avis sur l'appel")
    SELECTION = "selection", _("Avis sur la sélection")


class Verdict(models.TextChoices):
    FAVORABLE = "favorable", _("Favorable")
    RESERVATIONS = "reservations", _("Favorable avec réserves")
    UNFAVORABLE = "unfavorable", _("Défavorable")
    NONE_IN_TIME = "none_in_time", _("Aucun avis rendu dans le délai")


class Opinion(models.Model):
    """An advisory opinion of the Chambre des communs."""

    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="opinions"
    )
    subject = models.CharField(_("objet"), max_length=20, choices=OpinionSubject.choices)
    verdict = models.CharField(_("avis"), max_length=20, choices=Verdict.choices)
    reasons = models.TextField(_("motifs"), blank=True)
    reservations = models.JSONField(_("réserves"), default=list, blank=True)
    recommended_commons = models.ManyToManyField(
        "procurement.Commons", blank=True, related_name="+"
    )
    licence_requirements = models.TextField(_("exigences de licence"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["challenge_id", "issued_at", "id"]
        verbose_name = _("avis de la Chambre")
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="opinion_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(subject__in=OpinionSubject.values), name="opinion_subject_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} : {self.get_verdict_display()}"
