from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class DocumentStage(models.TextChoices):
    """Which set a piece belongs to. The consultation documents (DCE) are generated from
    the call alone at its publication and public from then on (article R2132-2 of the code
    de la commande publique); the award pieces follow the selection and stay with whom
    they concern."""

    DCE = "dce", _("Dossier de consultation")
    AWARD = "award", _("Pièces d'attribution")
    # The letters to the unsuccessful candidates, each read by its addressee only.
    LETTERS = "letters", _("Lettres aux candidats")


# The piece key of a rejection letter (``procurement.documents.lettre_rejet``): one per
# unsuccessful candidate and lot, addressed to its proposal (``TenderDocument.addressee``).
REJECTION_LETTER = "lettre_rejet"
# The letter to each candidate of a lot left unawarded (``lettre_non_attribution``,
# article R2185-1), addressed likewise; and the notification of a lot's contract to its
# titulaire (``notification_marche``, article R2182-4), addressed to the awarded proposal.
DISCONTINUATION_LETTER = "lettre_non_attribution"
CONTRACT_NOTIFICATION = "notification_marche"


class DocumentJob(models.Model):
    """A request to (re)generate a challenge's tender pack, filled by a Celery task."""

    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="document_jobs"
    )
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    stage = models.CharField(
        max_length=10, choices=DocumentStage.choices, default=DocumentStage.AWARD
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    total = models.PositiveSmallIntegerField(default=0)
    done = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written when a run starts and after each piece: a pending job whose heartbeat is
    # older than ``procurement.services.documents.JOB_STALL_SECONDS`` lost its worker, and
    # the periodic sweep enqueues it again (``workflows.tasks.sweep``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="document_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=DocumentStage.values), name="document_job_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Génération #{self.pk} ({self.status})"


class TenderDocument(models.Model):
    """One stored version of one piece of the tender pack, generated or uploaded.

    Versions are never overwritten: unchanged data gives the same version back,
    changed data or a buyer's revised upload a new one.
    """

    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="documents"
    )
    piece = models.CharField(_("pièce"), max_length=40)
    stage = models.CharField(
        _("ensemble"), max_length=10, choices=DocumentStage.choices, default=DocumentStage.AWARD
    )
    # Pieces produced once per object (a convention per funded commons) carry its key.
    key = models.CharField(max_length=40, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(upload_to="documents/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey(
        DocumentJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    # A piece addressed to one candidate (a rejection letter): read by the buyer's staff
    # and the members of that proposal's working group only.
    addressee = models.ForeignKey(
        "procurement.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("destinataire"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set on every version of a piece the pack no longer produces (the acte d'engagement
    # of a lot left unawarded): kept for the record and the buyer, out of the pack.
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)

    class Meta:
        ordering = ["challenge_id", "piece", "key", "version"]
        verbose_name = _("pièce du dossier")
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "piece", "key", "version"], name="document_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=DocumentStage.values), name="document_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.piece} v{self.version}"

    @property
    def uploaded(self) -> bool:
        return self.uploaded_by_id is not None
