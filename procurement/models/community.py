"""Facilitation and community (seeds 004 and 000): the facilitator of a call, the
working groups' meetings, and the motions the Chambre's contributors file with the
action plan its modérateur follows."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

WEB_ADDRESS = URLValidator(schemes=["http", "https"])


class Facilitation(models.Model):
    """The facilitator of a call: « une personne ressource connaissant bien le domaine
    […] assez neutre pour faire le lien entre tous les acteurs » (seed 004), a person
    the buyer names among its resource persons (``Role.FACILITATOR``).

    ``conflict_at`` flags a facilitation that lost its neutrality after the designation
    (the facilitator's organisation positioned to join a working group of the call): the
    facilitator then no longer facilitates the call until the buyer names someone else."""

    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="facilitation"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="facilitations",
        verbose_name=_("animateur"),
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    designated_at = models.DateTimeField(_("désigné le"))
    conflict_at = models.DateTimeField(_("conflit d'intérêts relevé le"), null=True, blank=True)
    conflict_reason = models.TextField(_("conflit d'intérêts"), blank=True)

    class Meta:
        verbose_name = _("animation d'un appel")

    def __str__(self) -> str:
        return f"{self.facilitator_id} anime {self.challenge_id}"

    @property
    def is_active(self) -> bool:
        return self.conflict_at is None


class Meeting(models.Model):
    """A working group's meeting (seed 004: « un espace d'échange fixe et régulier »):
    scheduled by a member or the facilitator, in a place or by video, with an agenda;
    its minutes and the organisations present are written after it."""

    group = models.ForeignKey(
        "procurement.WorkingGroup", on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    visio_url = models.URLField(_("lien de visioconférence"), blank=True, validators=[WEB_ADDRESS])
    agenda = models.TextField(_("ordre du jour"))
    minutes = models.TextField(_("compte rendu"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minutes_at = models.DateTimeField(_("compte rendu rédigé le"), null=True, blank=True)
    attendees = models.ManyToManyField(
        "procurement.Organisation", blank=True, related_name="+", verbose_name=_("présents")
    )
    facilitator_present = models.BooleanField(_("animateur présent"), default=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("réunion de groupe de travail")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="", visio_url=""), name="meeting_place_or_visio"
            ),
        ]

    def __str__(self) -> str:
        return f"Réunion {self.pk} du groupe {self.group_id}"


class MotionStatus(models.TextChoices):
    FILED = "filed", _("Déposée")
    ADOPTED = "adopted", _("Adoptée")
    REJECTED = "rejected", _("Rejetée")


class Motion(models.Model):
    """A motion of the Chambre's contributors' group about a commons or a call (seed
    000: « le suivi du plan d'action est assuré par le Modérateur sur la base des motions
    issues du groupe contributeur »); the modérateur adopts it, with its action plan, or
    rejects it, with a reason. Public once adopted."""

    chambre = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="motions"
    )
    commons = models.ForeignKey(
        "procurement.Commons",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="motions",
        verbose_name=_("commun"),
    )
    challenge = models.ForeignKey(
        "procurement.Challenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="motions",
        verbose_name=_("appel"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    text = models.TextField(_("texte de la motion"))
    status = models.CharField(
        _("état"), max_length=10, choices=MotionStatus.choices, default=MotionStatus.FILED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("déposée le"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("motion")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MotionStatus.values), name="motion_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(commons__isnull=False) | Q(challenge__isnull=False),
                name="motion_about_commons_or_call",
            ),
            models.CheckConstraint(
                condition=Q(status=MotionStatus.FILED, decided_at__isnull=True)
                | (~Q(status=MotionStatus.FILED) & Q(decided_at__isnull=False)),
                name="motion_decided_when_not_filed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


# An action still to carry out: past its due date, it is overdue.
OPEN_ACTION_STATUSES = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS]


class MotionAction(models.Model):
    """One action of an adopted motion's plan: who carries it, by when, where it
    stands; the modérateur follows and updates it."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.CharField(_("porteur de l'action"), max_length=200)
    due_date = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    note = models.TextField(_("suivi"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action du plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="motion_action_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title
