from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ScaleKind(models.TextChoices):
    ZERO_FIVE = "0-5", _("de 0 à 5")
    ZERO_TEN = "0-10", _("de 0 à 10")
    ZERO_TWENTY = "0-20", _("de 0 à 20")
    MAJORITY = "mj", _("mentions du jugement majoritaire")
    # The price criterion: marked from 0 to 10 by the published formula on the offered
    # prices (lowest price ÷ price × 10), never by evaluators (CCP R2152-7).
    PRICE_FORMULA = "price", _("formule sur le prix offert, de 0 à 10")


SCALE_MAX = {
    ScaleKind.ZERO_FIVE: 5,
    ScaleKind.ZERO_TEN: 10,
    ScaleKind.ZERO_TWENTY: 20,
    ScaleKind.PRICE_FORMULA: 10,
}


class CriterionKind(models.TextChoices):
    """Built-in kinds. The commons kinds together weigh at least the buyer's minimum."""

    COMMONS_USE = "commons_use", _("Usage de communs existants")
    COMMONS_PRODUCTION = "commons_production", _("Production de communs sous licence ouverte")
    COMMONS_GOVERNANCE = "commons_governance", _("Ouverture de la gouvernance")
    COMMONS_RECIPROCITY = "commons_reciprocity", _("Engagement de réciprocité")
    ENVIRONMENT = "environment", _("Caractéristiques environnementales")
    TECHNICAL = "technical", _("Valeur technique")
    PRICE = "price", _("Prix")
    OTHER = "other", _("Autre")


COMMONS_KINDS = [
    CriterionKind.COMMONS_USE,
    CriterionKind.COMMONS_PRODUCTION,
    CriterionKind.COMMONS_GOVERNANCE,
    CriterionKind.COMMONS_RECIPROCITY,
]


class Grid(models.Model):
    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="grid"
    )
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("grille de notation")

    def __str__(self) -> str:
        return f"Grille de {self.challenge_id}"


class Criterion(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=40)
    label = models.CharField(_("libellé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        max_length=30, choices=CriterionKind.choices, default=CriterionKind.OTHER
    )
    weight = models.DecimalField(
        _("poids (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    scale = models.CharField(max_length=10, choices=ScaleKind.choices, default=ScaleKind.ZERO_TEN)
    threshold = models.DecimalField(
        _("seuil éliminatoire"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)
    # What each level of the scale means, shown to evaluators: [{"level", "description"}].
    # Display text only, never queried.
    levels = models.JSONField(_("niveaux de l'échelle"), default=list, blank=True)

    class Meta:
        ordering = ["grid_id", "order", "id"]
        verbose_name = _("critère")
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100), name="criterion_weight_range"
            ),
            models.CheckConstraint(condition=Q(scale__in=ScaleKind.values), name="criterion_scale"),
            # A price criterion is marked by the formula, and only a price criterion is.
            models.CheckConstraint(
                condition=Q(kind=CriterionKind.PRICE, scale=ScaleKind.PRICE_FORMULA)
                | (~Q(kind=CriterionKind.PRICE) & ~Q(scale=ScaleKind.PRICE_FORMULA)),
                name="criterion_price_by_formula",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.weight} %)"

    @property
    def is_commons(self) -> bool:
        return self.kind in COMMONS_KINDS

    @property
    def by_formula(self) -> bool:
        """Marked by the published price formula, not by evaluators (CCP R2152-7)."""
        return self.scale == ScaleKind.PRICE_FORMULA


class Assignment(models.Model):
    """An evaluator named on a proposal, with its declaration of interests."""

    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="assignments"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    # None: not declared yet; False: no conflict; True: conflict (the assignment is void).
    conflict = models.BooleanField(null=True, blank=True)
    conflict_note = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    # The assignment voided by a conflict that the buyer replaced with this one.
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replacement"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "evaluator"], name="assignment_unique"),
            models.CheckConstraint(
                condition=Q(conflict__isnull=True) | Q(declared_at__isnull=False),
                name="assignment_declared_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator_id} sur {self.proposal_id}"


class ScoringRound(models.Model):
    """A new scoring round opened by the buyer (round 1 is implicit): evaluators score
    again, and the ranking takes each assignment's latest submitted round."""

    challenge = models.ForeignKey(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="scoring_rounds"
    )
    number = models.PositiveSmallIntegerField()
    reason = models.TextField(_("motif"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge_id", "number"]
        verbose_name = _("tour de notation")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="scoring_round_unique"),
            models.CheckConstraint(condition=Q(number__gte=2), name="scoring_round_after_first"),
        ]

    def __str__(self) -> str:
        return f"Tour {self.number} de {self.challenge_id}"


class Evaluation(models.Model):
    """One evaluator's scores on one proposal, in one scoring round."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="evaluations")
    round = models.PositiveSmallIntegerField(default=1)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="evaluation_unique_round"),
        ]

    def __str__(self) -> str:
        return f"Évaluation {self.assignment_id} tour {self.round}"


class Score(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    # Numeric mark on the criterion's scale, or a majority-judgment grade name.
    value = models.CharField(max_length=20)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id} : {self.value}"


class StoredRanking(models.Model):
    """A call's ranking as ``scoring.ranking.ranking_compute`` gave it when its scoring
    closed (``scoring_close``), so that reading it does not recompute it; rewritten by
    the events that change it after the close (``scoring.services.rankings``)."""

    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="stored_ranking"
    )
    # ranking_compute's dict: strings, numbers and lists only, served as it is.
    data = models.JSONField()
    computed_at = models.DateTimeField()
    # What wrote it: "scoring.closed", "evaluation.submitted", "read" (a call closed
    # before rankings were stored).
    cause = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("classement enregistré")

    def __str__(self) -> str:
        return f"Classement de {self.challenge_id}"


# --- a collective vote (majority judgment) on which commons to cofinance ------------------


class Grade(models.IntegerChoices):
    """The majority-judgment mentions, numbered as ``scoring.aggregation`` does."""

    EXCELLENT = 6, _("Excellent")
    TRES_BIEN = 5, _("Très bien")
    BIEN = 4, _("Bien")
    ASSEZ_BIEN = 3, _("Assez bien")
    PASSABLE = 2, _("Passable")
    INSUFFISANT = 1, _("Insuffisant")
    A_REJETER = 0, _("À rejeter")


class CollectiveVote(models.Model):
    """A call's collective vote, planned by its buyer while drafting, opened on the
    selected commons after the Chambre's opinion on the selection, closed at ``ends_at``
    (to the second), before the cofunding round (``scoring.services.votes``)."""

    challenge = models.OneToOneField(
        "procurement.Challenge", on_delete=models.CASCADE, related_name="collective_vote"
    )
    # How long the vote lasts once opened, or the date it ends (which wins when set).
    days = models.PositiveSmallIntegerField(
        _("durée du vote (jours)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    planned_end = models.DateTimeField(_("fin du vote prévue"), null=True, blank=True)
    # The retention rule: a majority grade at least this one, the best ``max_retained``.
    min_grade = models.PositiveSmallIntegerField(
        _("mention majoritaire minimale"), choices=Grade.choices, default=Grade.BIEN
    )
    max_retained = models.PositiveSmallIntegerField(
        _("nombre maximal de communs retenus"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(_("fin du vote"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    ballots_counted = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("vote collectif")
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=60), name="vote_days_range"
            ),
            models.CheckConstraint(condition=Q(min_grade__lte=6), name="vote_min_grade_scale"),
            models.CheckConstraint(
                condition=Q(max_retained__isnull=True) | Q(max_retained__gte=1),
                name="vote_max_retained_positive",
            ),
            models.CheckConstraint(
                condition=Q(opened_at__isnull=True) | Q(ends_at__gt=models.F("opened_at")),
                name="vote_ends_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"Vote collectif de {self.challenge_id}"

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None


class VoteCandidate(models.Model):
    """A commons put to the vote (a selected proposal that would get a bucket), with
    its result once the vote is closed."""

    vote = models.ForeignKey(CollectiveVote, on_delete=models.CASCADE, related_name="candidates")
    proposal = models.ForeignKey(
        "procurement.Proposal", on_delete=models.CASCADE, related_name="vote_candidacies"
    )
    # The result, written at the close: the grades' counts (index = grade 0 … 6, display
    # data), the majority grade, the rank, whether it gets a bucket and why.
    counts = models.JSONField(default=list, blank=True)
    majority_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    retained = models.BooleanField(null=True, blank=True)
    reason = models.CharField(max_length=20, blank=True)
    # How it passed the next candidate of the same majority grade (see
    # ``scoring.aggregation.collective.TieBreak``): {"other", "removed", "grade", …}.
    tie_break = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["vote_id", "rank", "id"]
        verbose_name = _("commun soumis au vote")
        constraints = [
            models.UniqueConstraint(fields=["vote", "proposal"], name="vote_candidate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} au vote {self.vote_id}"


class Ballot(models.Model):
    """One organisation's ballot (a funder or a contributor of the call): one per
    organisation, changed until the close, secret until then."""

    vote = models.ForeignKey(CollectiveVote, on_delete=models.CASCADE, related_name="ballots")
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="ballots"
    )
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bulletin")
        constraints = [
            models.UniqueConstraint(fields=["vote", "organisation"], name="ballot_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"Bulletin de {self.organisation_id} au vote {self.vote_id}"


class BallotGrade(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="grades")
    candidate = models.ForeignKey(VoteCandidate, on_delete=models.CASCADE, related_name="grades")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "candidate"], name="ballot_grade_unique"),
            models.CheckConstraint(condition=Q(grade__lte=6), name="ballot_grade_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} : {self.grade}"
