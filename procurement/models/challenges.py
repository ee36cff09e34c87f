from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from procurement.calculations import EXPLORATION_BUDGET_MAX, EXPLORATION_BUDGET_MIN
from procurement.validators import validate_cpv, validate_execution_place


class ChallengeStatus(models.TextChoices):
    """Stage of a challenge, kept in step with its process by the services."""

    DRAFT = "draft", _("Brouillon")
    IN_REVIEW = "in_review", _("Avis de la Chambre sur l'appel")
    REVISION = "revision", _("Révision après avis")
    READY = "ready", _("Prêt à publier")
    POSITIONING = "positioning", _("Positionnements ouverts")
    PROPOSALS = "proposals", _("Propositions ouvertes (sous pli scellé)")
    ASSIGNMENT = "assignment", _("Désignation des évaluateurs")
    SCORING = "scoring", _("Évaluation")
    SELECTION = "selection", _("Sélection")
    SELECTION_REVIEW = "selection_review", _("Avis de la Chambre sur la sélection")
    # The selected teams explore with a small budget before any cofunding (seed 003).
    EXPLORATION = "exploration", _("Exploration")
    COFUNDING = "cofunding", _("Cofinancement")
    DOCUMENTS = "documents", _("Génération du dossier de consultation")
    AWARD = "award", _("Attribution")
    # The wait between the rejection letters and the signature (R2182-1).
    STANDSTILL = "standstill", _("Délai de suspension avant signature")
    AWARDED = "awarded", _("Attribué")
    UNSUCCESSFUL = "unsuccessful", _("Infructueux")
    CANCELLED = "cancelled", _("Annulé")


PUBLIC_STATUSES = [
    ChallengeStatus.POSITIONING,
    ChallengeStatus.PROPOSALS,
    ChallengeStatus.ASSIGNMENT,
    ChallengeStatus.SCORING,
    ChallengeStatus.SELECTION,
    ChallengeStatus.SELECTION_REVIEW,
    ChallengeStatus.EXPLORATION,
    ChallengeStatus.COFUNDING,
    ChallengeStatus.DOCUMENTS,
    ChallengeStatus.AWARD,
    ChallengeStatus.STANDSTILL,
    ChallengeStatus.AWARDED,
    ChallengeStatus.UNSUCCESSFUL,
]


class AggregationMethod(models.TextChoices):
    WEIGHTED_MEAN = "weighted_mean", _("Moyenne pondérée")
    MEDIAN_WEIGHTED = "median_weighted", _("Médiane par critère puis pondération")
    MAJORITY_JUDGMENT = "majority_judgment", _("Jugement majoritaire")


class Framing(models.TextChoices):
    """The legal framing of a call, chosen per call and shown on every piece.

    A *marché public*: the buyer buys the production of the commons lot by lot and pays
    the price; cofunding finances what lies outside the contract (community animation,
    maintenance, other contributors) under conventions with the host. *Hors marché*:
    subsidies under conventions, with a « règlement de l'appel » instead of an RC, and no
    acte d'engagement nor CCAP."""

    PUBLIC_CONTRACT = "public_contract", _("Marché public")
    OUTSIDE_CONTRACT = "outside_contract", _("Appel à communs hors marché (subventions)")


class ContractNature(models.TextChoices):
    """What is bought (``procurement.procedures.ContractNature``): works have their own
    threshold."""

    SERVICES = "services", _("Services")
    SUPPLIES = "supplies", _("Fournitures")
    WORKS = "works", _("Travaux")


class ExecutionPlaceKind(models.TextChoices):
    """What the code of a contract's main place of execution is: the types of the
    données essentielles (field ``lieuExecution.typeCode``); INSEE's geographic codes
    are preferred to the postal code."""

    COMMUNE = "commune", _("Code commune (INSEE)")
    POSTAL_CODE = "postal_code", _("Code postal")
    ARRONDISSEMENT = "arrondissement", _("Code arrondissement")
    CANTON = "canton", _("Code canton")
    DEPARTMENT = "department", _("Code département")
    REGION = "region", _("Code région")
    COUNTRY = "country", _("Code pays")


class Challenge(models.Model):
    """An appel à communs (défi) published by a buyer."""

    reference = models.CharField(_("référence"), max_length=40, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    context = models.TextField(_("contexte et objet"))
    buyer = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("acheteur"),
    )
    chambre = models.ForeignKey(
        "procurement.Organisation",
        on_delete=models.PROTECT,
        related_name="referred_challenges",
        verbose_name=_("Chambre des communs"),
    )
    status = models.CharField(
        _("étape"), max_length=20, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    estimated_amount = models.DecimalField(
        _("montant estimé HT (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    framing = models.CharField(
        _("cadre juridique"),
        max_length=20,
        choices=Framing.choices,
        default=Framing.PUBLIC_CONTRACT,
    )
    # A proposal answers one lot unless the call lets it answer several.
    multi_lot_proposals = models.BooleanField(
        _("une proposition peut répondre à plusieurs lots"), default=False
    )
    # Why the call is not divided into lots although it asks for several resources
    # (articles L2113-10 and L2113-11; stated in the consultation documents, R2113-3),
    # or why a lot groups several resources (the buyer's choice, printed if given).
    single_lot_reason = models.TextField(_("motif de l'absence d'allotissement"), blank=True)
    contract_nature = models.CharField(
        _("nature du marché"),
        max_length=10,
        choices=ContractNature.choices,
        default=ContractNature.SERVICES,
    )
    # The contract's duration, printed in the CCAP, the RC and each lot's AE form; with
    # the lot's price, it decides whether an advance is due (article R2191-3).
    contract_duration_months = models.PositiveSmallIntegerField(
        _("durée du marché (mois)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    # Whether the titulaire processes personal data for the buyer: the CCAP then binds
    # it as a processor under article 28 of the GDPR.
    personal_data = models.BooleanField(
        _("le titulaire traite des données personnelles pour l'acheteur"), default=False
    )
    # The données essentielles of each contract (article R2196-1, arrêté of 22 December
    # 2022): the main CPV code of what is bought, the main place of execution and whether
    # the contract is innovative. Asked for with the draft, completed until the award at
    # the latest (``procurement.services.essential_data``): the award is refused without
    # them (``award_rules.essential_data_problems``).
    cpv_code = models.CharField(
        _("code CPV principal"), max_length=10, blank=True, validators=[validate_cpv]
    )
    execution_place_kind = models.CharField(
        _("type de code du lieu d'exécution"),
        max_length=20,
        choices=ExecutionPlaceKind.choices,
        blank=True,
    )
    execution_place_code = models.CharField(
        _("code du lieu d'exécution principal"), max_length=10, blank=True
    )
    innovative = models.BooleanField(
        _("marché innovant (travaux, fournitures ou services innovants)"), default=False
    )
    # Fair pay (seed 003): the hourly rate the call expects of contributors (€ HT), set by
    # the buyer; a contribution line outside it is flagged to the buyer and the evaluators.
    fair_rate_min = models.DecimalField(
        _("taux horaire de référence minimal HT (€)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(30),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    fair_rate_max = models.DecimalField(
        _("taux horaire de référence maximal HT (€)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(45),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # Exploration before cofunding (seed 003): the call may plan that each selected team
    # first explores with a small budget (1,000 € to 3,000 €, ``calculations.
    # EXPLORATION_BUDGET_MIN/MAX``) until ``exploration_end``; the buyer then says which
    # commons proved themselves, and only those are cofunded
    # (``procurement.services.exploration``).
    exploration_planned = models.BooleanField(_("phase d'exploration prévue"), default=False)
    exploration_budget = models.DecimalField(
        _("budget d'exploration par équipe (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    exploration_end = models.DateTimeField(_("fin de l'exploration"), null=True, blank=True)
    aggregation_method = models.CharField(
        _("méthode d'agrégation"),
        max_length=20,
        choices=AggregationMethod.choices,
        default=AggregationMethod.WEIGHTED_MEAN,
    )
    positioning_deadline = models.DateTimeField(_("fin des positionnements"), null=True, blank=True)
    proposal_deadline = models.DateTimeField(
        _("fin du dépôt des propositions"), null=True, blank=True
    )
    # Questions close here (the buyer's choice); without it, at the proposal deadline.
    questions_deadline = models.DateTimeField(_("fin des questions"), null=True, blank=True)
    cofunding_deadline = models.DateTimeField(_("fin du cofinancement"), null=True, blank=True)
    # The dates the buyer plans while drafting: they fill the publication's form, where
    # the offers' window is checked; the deadlines above are set at publication only.
    planned_positioning_deadline = models.DateTimeField(
        _("fin des positionnements prévue"), null=True, blank=True
    )
    planned_proposal_deadline = models.DateTimeField(
        _("date limite des propositions prévue"), null=True, blank=True
    )
    # Why the selection departs from a lot's ranking, or leaves a lot without a
    # proposal: printed in the rapport d'analyse des offres.
    selection_justification = models.TextField(_("justification de la sélection"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    proposals_opened_at = models.DateTimeField(null=True, blank=True)
    # The award in two times: the buyer's decision (awardees, lots' outcomes), the
    # rejection letters sent to the unsuccessful candidates, the end of the standstill
    # they state (R2181-3, R2182-1), then the signature (``awarded_at``).
    award_decided_at = models.DateTimeField(_("attribution décidée le"), null=True, blank=True)
    letters_sent_at = models.DateTimeField(_("lettres de rejet envoyées le"), null=True, blank=True)
    standstill_ends_at = models.DateTimeField(
        _("signature possible à compter du"), null=True, blank=True
    )
    # A MAPA has no standstill in law; its buyer may observe one all the same (the
    # letters then give the same date as in a formal procedure).
    mapa_standstill = models.BooleanField(
        _("délai de suspension observé en procédure adaptée"), default=False
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appel à communs")
        verbose_name_plural = _("appels à communs")
        # The lists' order (newest first): a page is read from the index, not sorted
        # out of the whole table.
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="challenge_newest"),
            # No index on the visibility's columns (status, published_at, buyer): it would
            # make the count cheaper, but SQLite then reads the page through it too (an OR
            # of index searches) and sorts every visible call to keep twenty, where it
            # walks ``challenge_newest`` and stops (tests/procurement/test_indexes.py).
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChallengeStatus.values), name="challenge_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimated_amount__isnull=True) | Q(estimated_amount__gte=0),
                name="challenge_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(positioning_deadline__isnull=True)
                | Q(proposal_deadline__isnull=True)
                | Q(positioning_deadline__lte=F("proposal_deadline")),
                name="challenge_positioning_before_proposals",
            ),
            models.CheckConstraint(
                condition=Q(questions_deadline__isnull=True)
                | Q(proposal_deadline__isnull=True)
                | Q(questions_deadline__lt=F("proposal_deadline")),
                name="challenge_questions_before_proposals",
            ),
            models.CheckConstraint(
                condition=~Q(status=ChallengeStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="challenge_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(framing__in=Framing.values), name="challenge_framing_valid"
            ),
            models.CheckConstraint(
                condition=Q(fair_rate_min__gt=0) & Q(fair_rate_min__lte=F("fair_rate_max")),
                name="challenge_fair_rate_bounds",
            ),
            models.CheckConstraint(
                condition=Q(exploration_budget__isnull=True)
                | Q(
                    exploration_budget__gte=EXPLORATION_BUDGET_MIN,
                    exploration_budget__lte=EXPLORATION_BUDGET_MAX,
                ),
                name="challenge_exploration_budget_bounds",
            ),
            models.CheckConstraint(
                condition=Q(execution_place_kind="")
                | Q(execution_place_kind__in=ExecutionPlaceKind.values),
                name="challenge_execution_place_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def clean(self) -> None:
        # A place of execution is a code and its type together: the code is checked
        # against its type's format.
        validate_execution_place(self.execution_place_kind, self.execution_place_code)
        low, high = self.fair_rate_min, self.fair_rate_max
        if low is not None and high is not None and low > high:
            raise ValidationError(
                {
                    "fair_rate_max": _(
                        "Le taux horaire maximal de référence ne peut être inférieur au minimal."
                    )
                }
            )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES or (
            self.status == ChallengeStatus.CANCELLED and self.published_at is not None
        )


class Amendment(models.Model):
    """A change the buyer made to a published call: its consultation documents are
    generated again (new versions, the old ones kept), every positioned partner and
    subscriber is told, and a substantial change moves the proposal deadline."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="amendments")
    summary = models.TextField(_("objet de la modification"))
    substantial = models.BooleanField(_("modification substantielle"), default=False)
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["challenge_id", "made_at", "id"]
        verbose_name = _("modification de l'appel")

    def __str__(self) -> str:
        return self.summary[:60]


class LotOutcome(models.TextChoices):
    """What became of a lot at the award: awarded to the proposal selected on it, or
    declared unsuccessful (infructueux) when no proposal was awarded it."""

    PENDING = "pending", _("En cours")
    AWARDED = "awarded", _("Attribué")
    UNSUCCESSFUL = "unsuccessful", _("Infructueux")


class Lot(models.Model):
    """A part of the call awarded separately (article L2113-10): by default one resource,
    one lot. Positions, proposals, the ranking, the selection, the pieces and the money
    are per lot; its estimate is HT."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=200)
    estimated_amount = models.DecimalField(
        _("montant estimé HT (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # Reserved to structures of the social and solidarity economy (article L2113-15:
    # health, social and cultural services only, for three years at most).
    reserved_ess = models.BooleanField(_("réservé aux structures de l'ESS"), default=False)
    # Reserved to entreprises adaptées and ESAT (article L2113-12) and/or to structures
    # d'insertion par l'activité économique (article L2113-13) employing at least 50 % of
    # disabled or disadvantaged workers (article R2113-7); both at once since article
    # L2113-14 allows it. Stated in the RC (R2113-7, second paragraph).
    reserved_disability = models.BooleanField(
        _("réservé aux entreprises adaptées et ESAT"), default=False
    )
    reserved_insertion = models.BooleanField(
        _("réservé aux structures d'insertion par l'activité économique"), default=False
    )
    outcome = models.CharField(
        _("issue"), max_length=12, choices=LotOutcome.choices, default=LotOutcome.PENDING
    )
    outcome_at = models.DateTimeField(_("issue prononcée le"), null=True, blank=True)
    # Why a lot was not awarded, told to its candidates (article R2185-1): the buyer's
    # reason, or the selection's justification when no proposal of the lot was selected;
    # empty when every offer was eliminated or none was received (infructueux).
    outcome_reason = models.TextField(_("motif de non-attribution"), blank=True)

    class Meta:
        ordering = ["challenge_id", "number"]
        verbose_name = _("lot")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="lot_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="lot_number_positive"),
            models.CheckConstraint(
                condition=Q(estimated_amount__isnull=True) | Q(estimated_amount__gte=0),
                name="lot_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=LotOutcome.values), name="lot_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number} — {self.title}"


class ChallengeResource(models.Model):
    """A commons a challenge asks for: picked from the catalogue or to be created."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="resources")
    commons = models.ForeignKey(
        "procurement.Commons",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenge_resources",
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    expected_licence = models.CharField(_("licence attendue"), max_length=64, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="resources"
    )

    class Meta:
        ordering = ["challenge_id", "order", "id"]
        verbose_name = _("ressource attendue")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "title"], name="resource_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A partner's public question; the asker is hidden, linkable through a hash.

    The buyer drafts its answer (``draft_answer``, seen by its staff only), then
    publishes every drafted answer at once: ``answer`` and ``answered_at`` are the
    published answer, the same moment for the whole batch."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    organisation = models.ForeignKey(
        "procurement.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    author_hash = models.CharField(max_length=64)
    text = models.TextField(_("question"))
    answer = models.TextField(_("réponse"), blank=True)
    draft_answer = models.TextField(_("projet de réponse"), blank=True)
    drafted_at = models.DateTimeField(null=True, blank=True)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("question")
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="")
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="question_answer_published_with_date",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
