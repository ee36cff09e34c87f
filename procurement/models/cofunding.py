from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class BeyondMinimum(models.TextChoices):
    """Whether a bucket that reached its minimum still accepts pledges."""

    UP_TO_MAXIMUM = "up_to_maximum", _("Financement possible jusqu'au maximum")
    STOP_AT_MINIMUM = "stop_at_minimum", _("Plus d'engagement une fois le minimum atteint")


class EditAfterFunded(models.TextChoices):
    """What a funded bucket's status becomes when its budget is edited."""

    STAY_FUNDED = "stay_funded", _("Il reste financé")
    REOPEN = "reopen", _("Il redevient ouvert si le nouveau minimum n'est plus atteint")


class CofundingRound(models.Model):
    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="cofunding_round"
    )
    deadline = models.DateTimeField(_("clôture"))
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    beyond_minimum = models.CharField(
        _("au-delà du minimum"),
        max_length=20,
        choices=BeyondMinimum.choices,
        default=BeyondMinimum.UP_TO_MAXIMUM,
    )
    edit_after_funded = models.CharField(
        _("budget modifié d'un commun financé"),
        max_length=20,
        choices=EditAfterFunded.choices,
        default=EditAfterFunded.STAY_FUNDED,
    )

    class Meta:
        verbose_name = _("tour de cofinancement")
        constraints = [
            models.CheckConstraint(
                condition=Q(beyond_minimum__in=BeyondMinimum.values)
                & Q(edit_after_funded__in=EditAfterFunded.values),
                name="round_policies_valid",
            ),
        ]

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
    description = models.TextField(_("étape de développement financée"), blank=True)
    # Sum of the active pledges, kept by the pledge service in the same transaction.
    pledged = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # Sum of the subsidies, kept by the subsidy service in the same transaction.
    subsidised = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # During the round: funded once pledges and subsidies reach the minimum (see the
    # round's policies); settled at its close.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("commun à cofinancer")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__gt=0) & Q(min_amount__lte=F("max_amount")),
                name="bucket_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(pledged__gte=0)
                & Q(subsidised__gte=0)
                & Q(pledged__lte=F("max_amount") - F("subsidised")),
                name="bucket_never_overfunded",
            ),
        ]

    def __str__(self) -> str:
        return f"Commun à cofinancer #{self.pk}"

    @property
    def total(self):
        """Pledges and subsidies: what counts toward the minimum."""
        return self.pledged + self.subsidised

    @property
    def percent(self) -> int:
        """Progress toward the minimum, in whole percent (beyond 100 past it)."""
        return int(self.total * 100 // self.min_amount) if self.min_amount else 0


class Allocation(models.Model):
    """A funder's envelope for a round, or one the buyer granted to a contributor."""

    class Kind(models.TextChoices):
        FUNDER = "funder", _("Financeur")
        CONTRIBUTOR = "contributor", _("Contributeur")

    round = models.ForeignKey(CofundingRound, on_delete=models.CASCADE, related_name="allocations")
    funder = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="allocations"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FUNDER)
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
            models.CheckConstraint(
                condition=Q(kind__in=["funder", "contributor"]), name="allocation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Enveloppe {self.funder_id} : {self.amount} €"


# A matching offer's ratio: above 0, at most 5 € matched per euro pledged by others —
# beyond that the others' pledges are a token and the "match" a grant in disguise.
MATCHING_RATIO_MAX = 5


class MatchingOffer(models.Model):
    """Matching funds ("doublonnage"): the buyer or a funder adds ``ratio`` euros per euro
    that others pledge, up to ``cap`` in all, on the round's buckets (or on ``buckets``
    only). The rules (who is matched, how the cap is shared, what close honours) are in
    ``procurement.calculations.matching``; the writes in
    ``procurement.services.cofunding.matching``."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Proposé")
        WITHDRAWN = "withdrawn", _("Retiré")
        HONOURED = "honoured", _("Honoré à la clôture")

    round = models.ForeignKey(
        CofundingRound, on_delete=models.CASCADE, related_name="matching_offers"
    )
    matcher = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="matching_offers"
    )
    ratio = models.DecimalField(_("euros abondés par euro engagé"), max_digits=5, decimal_places=2)
    cap = models.DecimalField(_("plafond de l'abondement (€)"), max_digits=12, decimal_places=2)
    # Empty: every bucket of the round.
    buckets = models.ManyToManyField(Bucket, blank=True, related_name="matching_offers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # What the close turned into matched pledges (0 until then, or when nothing matched).
    honoured = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("abondement")
        constraints = [
            models.CheckConstraint(
                condition=Q(ratio__gt=0) & Q(ratio__lte=MATCHING_RATIO_MAX),
                name="matching_ratio_bounded",
            ),
            models.CheckConstraint(
                condition=Q(cap__gt=0) & Q(honoured__gte=0) & Q(honoured__lte=F("cap")),
                name="matching_within_cap",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "withdrawn", "honoured"]),
                name="matching_status_valid",
            ),
            models.UniqueConstraint(
                fields=["round", "matcher"],
                condition=Q(status="active"),
                name="matching_one_active_per_matcher",
            ),
        ]

    def __str__(self) -> str:
        return f"Abondement {self.matcher_id} : {self.ratio} pour 1, plafond {self.cap} €"


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
    # When the round's close committed or released it (a pledge the funder withdrew keeps
    # it empty): what the close mails each funder about.
    settled_at = models.DateTimeField(null=True, blank=True)
    # Set on the pledges the close creates to honour a matching offer: never matched again.
    matching = models.ForeignKey(
        MatchingOffer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("engagement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Engagement {self.amount} € ({self.status})"


class Subsidy(models.Model):
    """A public subsidy (ADEME, ANCT…) granted to a bucket outside the round's envelopes:
    it counts toward the bucket's minimum, apart from the pledges."""

    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="subsidies")
    funder_name = models.CharField(_("financeur"), max_length=200)
    organisation = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidies",
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("référence"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("subvention")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Subvention {self.funder_name} : {self.amount} €"
