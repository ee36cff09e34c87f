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


class ReferralStatus(models.TextChoices):
    AWAITING_RAPPORTEUR = "awaiting_rapporteur", _("En attente d'un rapporteur")
    DRAFTING = "drafting", _("Projet d'avis en rédaction")
    SUBMITTED = "submitted", _("Projet d'avis à valider")
    PUBLISHED = "published", _("Avis publié")
    EXPIRED = "expired", _("Délai dépassé sans avis")
    CANCELLED = "cancelled", _("Close : l'appel est annulé")


OPEN_REFERRAL = [
    ReferralStatus.AWAITING_RAPPORTEUR,
    ReferralStatus.DRAFTING,
    ReferralStatus.SUBMITTED,
]


class Referral(models.Model):
    """A saisine: the process refers a draft call, or a selection, to the Chambre.

    The modérateur names a rapporteur from the engagement group, members comment, the
    rapporteur drafts the opinion (kept here until published), the modérateur validates
    and publishes it as an ``Opinion``. Past ``deadline`` the process goes on without
    it, and the record says that no opinion was given in time.
    """

    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="referrals"
    )
    chambre = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="referrals"
    )
    subject = models.CharField(_("objet"), max_length=20, choices=OpinionSubject.choices)
    note = models.TextField(_("message de saisine"), blank=True)
    status = models.CharField(
        _("état"),
        max_length=30,
        choices=ReferralStatus.choices,
        default=ReferralStatus.AWAITING_RAPPORTEUR,
    )
    opened_at = models.DateTimeField(_("saisie le"))
    deadline = models.DateTimeField(_("avis attendu avant le"))
    rapporteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rapporteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The rapporteur's draft, private to the Chambre until the modérateur publishes it.
    draft_verdict = models.CharField(
        _("avis proposé"), max_length=20, choices=Verdict.choices, blank=True
    )
    draft_reasons = models.TextField(_("motifs"), blank=True)
    draft_reservations = models.JSONField(_("réserves"), default=list, blank=True)
    draft_recommended_commons = models.ManyToManyField(
        "procurement.Commons", blank=True, related_name="+"
    )
    draft_licence_requirements = models.TextField(_("exigences de licence"), blank=True)
    drafted_at = models.DateTimeField(null=True, blank=True)
    opinion = models.OneToOneField(
        Opinion, on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The call as the Chambre was asked about it (title, context, lots and resources,
    # grid, estimate, planned dates), taken when a call is referred: the buyer revising
    # it after the opinion sees what changed since (``workflows.snapshots``). Display
    # only, never queried; empty for a selection's referral.
    call_snapshot = models.JSONField(_("appel tel que saisi"), null=True, blank=True)

    class Meta:
        ordering = ["challenge_id", "opened_at", "id"]
        verbose_name = _("saisine de la Chambre")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.UniqueConstraint(
                fields=["challenge", "subject"],
                condition=Q(status__in=OPEN_REFERRAL),
                name="referral_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opened_at")), name="referral_deadline_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Saisine {self.get_subject_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL


class ReferralComment(models.Model):
    """A Chambre member's comment on a referral (read by the Chambre only)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("commentaire de saisine")

    def __str__(self) -> str:
        return f"Commentaire #{self.pk}"


class ReservationAnswer(models.Model):
    """The buyer's public answer to one reservation of an opinion: accepted (and what
    changed) or declined (and why)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="answers")
    index = models.PositiveSmallIntegerField(_("réserve n°"))
    accepted = models.BooleanField(_("acceptée"))
    answer = models.TextField(_("réponse"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["opinion_id", "index"]
        verbose_name = _("réponse à une réserve")
        constraints = [
            models.UniqueConstraint(fields=["opinion", "index"], name="answer_one_per_reservation"),
        ]

    def __str__(self) -> str:
        return f"Réponse à la réserve {self.index}"


class CatalogueDecision(models.Model):
    """The Chambre references a commons in its catalogue, or takes it out: a public,
    dated decision with its reason."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", _("Référencement")
        DEREFERENCE = "dereference", _("Déréférencement")

    commons = models.ForeignKey(
        "procurement.Commons", on_delete=models.CASCADE, related_name="decisions"
    )
    chambre = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="catalogue_decisions"
    )
    kind = models.CharField(_("décision"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("motif"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("date"))

    class Meta:
        ordering = ["commons_id", "decided_at", "id"]
        verbose_name = _("décision de référencement")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["reference", "dereference"]), name="decision_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decision_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du commun {self.commons_id}"
