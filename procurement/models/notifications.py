"""E-mail notifications: who subscribed to which calls, and each mail sent (once)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """A user, or an organisation (its staff), wants a mail at each publication of a
    buyer's calls, or of every call when ``buyer`` is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    organisation = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    buyer = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscribers",
        verbose_name=_("acheteur"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("abonnement")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True, organisation__isnull=False)
                | Q(user__isnull=False, organisation__isnull=True),
                name="subscription_one_subscriber",
            ),
            models.UniqueConstraint(
                fields=["user", "buyer"],
                condition=Q(user__isnull=False, buyer__isnull=False),
                name="subscription_user_buyer_unique",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(user__isnull=False, buyer__isnull=True),
                name="subscription_user_all_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "buyer"],
                condition=Q(organisation__isnull=False, buyer__isnull=False),
                name="subscription_org_buyer_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(organisation__isnull=False, buyer__isnull=True),
                name="subscription_org_all_unique",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"org {self.organisation_id}"
        return f"{who} → {self.buyer_id or 'tous'}"


class Notification(models.Model):
    """One mail for one event and one recipient, created in the event's transaction and
    sent after commit; ``sent_at`` empty means still to send (the sweep retries)."""

    key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    challenge = models.ForeignKey(
        "procurement.Challenge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("notification")
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient_id}"


class MailPreference(models.Model):
    """The language a user's mails are written in (French unless the user chose
    English); one row per user who chose."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference"
    )
    language = models.CharField(
        _("langue des e-mails"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )

    class Meta:
        verbose_name = _("préférence d'e-mail")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
