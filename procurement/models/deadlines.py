"""Published notices of deadline extensions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    POSITIONING = "positioning", _("fin des positionnements")
    PROPOSALS = "proposals", _("date limite des propositions")
    QUESTIONS = "questions", _("fin des questions")
    # The end of the exploration before cofunding (seed 003), while the teams explore.
    EXPLORATION = "exploration", _("fin de l'exploration")


class DeadlineNotice(models.Model):
    """The public notice of a deadline the buyer extended before it passed."""

    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="deadline_notices"
    )
    which = models.CharField(_("échéance"), max_length=20, choices=DeadlineKind.choices)
    old_deadline = models.DateTimeField(_("ancienne échéance"))
    new_deadline = models.DateTimeField(_("nouvelle échéance"))
    notice = models.TextField(_("avis de prolongation"))
    published_at = models.DateTimeField(_("publié le"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["published_at", "id"]
        verbose_name = _("avis de prolongation")
        verbose_name_plural = _("avis de prolongation")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_deadline__gt=F("old_deadline")), name="notice_extends_deadline"
            ),
            models.CheckConstraint(condition=~Q(notice=""), name="notice_has_text"),
            models.CheckConstraint(
                condition=Q(which__in=DeadlineKind.values), name="notice_which_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_which_display()} : {self.old_deadline} → {self.new_deadline}"
