"""What the renderers read: frozen dataclasses of plain values.

The Django side builds them from queries; nothing here imports Django. Conventions:

* money is ``Decimal`` in euros, rates and weights are ``Decimal`` percentages
  (``Decimal("20")`` means 20 %);
* every ``datetime`` is time-zone aware (it is written in Europe/Paris time);
* collections are tuples, so a context is immutable from end to end;
* figures that follow from others (the commons share of the grid, an amount TTC, a
  funding total) are properties, so a piece cannot contradict itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kernel.formats import CENT


def _require_aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{name} must be a time-zone aware datetime, got {value!r}")


def _require_non_negative(**amounts: Decimal | None) -> None:
    for name, amount in amounts.items():
        if amount is not None and amount < 0:
            raise ValueError(f"{name} must not be negative, got {amount}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """A legal person named in a piece (buyer, contractor, funder, host, partner)."""

    name: str
    siret: str | None = None
    address: str | None = None
    representative: str | None = None  # "Mme Jeanne Martin, vice-présidente"
    legal_form: str | None = None  # "SCIC SAS", "association loi 1901"; printed when given


@dataclass(frozen=True, slots=True, kw_only=True)
class CommonsRef:
    """A commons named in a piece, with the licence (SPDX id or licence name) it is under."""

    name: str
    licence: str
    url: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionLine:
    code: str
    label: str
    weight: Decimal  # percent of the overall mark
    is_commons: bool = False
    is_environmental: bool = False
    is_social: bool = False  # the social and solidarity criterion (R2152-7, 2° a)
    scale_label: str = ""  # "note de 0 à 10"
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceLine:
    """A resource (commons) the challenge asks for."""

    title: str
    description: str
    licence_spdx: str  # licence its deliverables are published under, e.g. "EUPL-1.2"
    deliverables: tuple[str, ...]
    referenced_commons: tuple[CommonsRef, ...] = ()  # existing commons to reuse
    governance: str = ""
    community: str = ""


class VatRegime(StrEnum):
    """How a titulaire invoices VAT (``procurement.models.VatRegime``)."""

    STANDARD = "standard"  # the standard rate, 20 %
    FRANCHISE = "franchise"  # franchise en base, article 293 B du CGI
    EXEMPT_ASSOCIATION = "exempt_association"  # non-profit association, article 261, 7-1° du CGI


STANDARD_VAT_RATE = Decimal("20")
# What an invoice (and the price of a deed) says instead of a rate when no VAT is due.
VAT_MENTIONS = {
    VatRegime.FRANCHISE: "TVA non applicable, article 293 B du CGI",
    VatRegime.EXEMPT_ASSOCIATION: "Exonération de TVA, article 261, 7-1° du CGI",
}


def vat_rate_of(regime: VatRegime) -> Decimal:
    return STANDARD_VAT_RATE if regime is VatRegime.STANDARD else Decimal(0)


class FramingKind(StrEnum):
    """The legal framing of a call, printed on every piece."""

    PUBLIC_CONTRACT = "public_contract"  # a marché public, lot by lot
    OUTSIDE_CONTRACT = "outside_contract"  # subsidies under conventions, hors marché


FRAMING_LABELS = {
    FramingKind.PUBLIC_CONTRACT: "Marché public",
    FramingKind.OUTSIDE_CONTRACT: "Appel à communs hors marché public (subventions)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LotLine:
    """A lot of the call, with the resources it groups and its estimate (HT)."""

    number: int
    title: str
    estimated_amount: Decimal | None
    resources: tuple[ResourceLine, ...]
    reserved_ess: bool = False
    reserved_disability: bool = False  # EA and ESAT (L2113-12)
    reserved_insertion: bool = False  # SIAE (L2113-13)
    outcome: str = ""  # once the award is made: "Attribué" or "Infructueux"

    def __post_init__(self) -> None:
        _require_non_negative(estimated_amount=self.estimated_amount)


@dataclass(frozen=True, slots=True, kw_only=True)
class AmendmentLine:
    """A change made to the published call."""

    made_at: datetime
    summary: str
    substantial: bool = False

    def __post_init__(self) -> None:
        _require_aware(made_at=self.made_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class VotePlan:
    """The collective vote a call plans before its cofunding (majority judgment): the
    lowest majority grade retained, the most commons retained (``None``: no limit), and
    how long it lasts once opened, or the moment it ends (which wins when set)."""

    min_grade: str  # « Bien »
    max_retained: int | None = None
    days: int = 7
    planned_end: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(planned_end=self.planned_end)
        if self.days < 1:
            raise ValueError(f"a vote lasts at least a day, got {self.days}")
        if self.max_retained is not None and self.max_retained < 1:
            raise ValueError(f"a vote retains at least one commons, got {self.max_retained}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChallengeContext:
    """One appel à communs; every piece is about one of them.

    The fields after ``ccag_label`` serve the consultation documents (DCE); their
    defaults keep the award pieces' contexts short."""

    reference: str
    title: str
    object: str
    buyer: Party
    procedure_label: str
    estimated_amount: Decimal | None  # HT
    published_at: datetime | None
    positioning_deadline: datetime
    proposal_deadline: datetime
    resources: tuple[ResourceLine, ...]
    criteria: tuple[CriterionLine, ...]
    licence_requirements: str
    chambre_recommended_commons: tuple[CommonsRef, ...]
    generated_at: datetime  # also fixes the documents' metadata, for reproducible bytes
    payment_delay_days: int = 30
    ccag_label: str = (
        "cahier des clauses administratives générales applicables aux marchés publics "
        "de techniques de l'information et de la communication (CCAG-TIC), approuvé par "
        "l'arrêté du 30 mars 2021"
    )
    framing: FramingKind = FramingKind.PUBLIC_CONTRACT
    lots: tuple[LotLine, ...] = ()
    single_lot_reason: str = ""
    multi_lot_proposals: bool = False
    procedure_code: str = ""  # "mapa", "formal_open"…: negotiation is possible in a MAPA
    procedure_formal: bool = False
    questions_deadline: datetime | None = None
    method_label: str = ""
    method_paragraphs: tuple[str, ...] = ()  # the scoring method, formulae included
    offer_validity_days: int = 120
    contract_duration_months: int = 12
    personal_data: bool = False  # the titulaire processes personal data for the buyer
    recourse_court: str = ""  # "Tribunal administratif de Lille"
    contact: str = ""
    service_url: str = ""  # where the documents are and the proposals are submitted
    amendments: tuple[AmendmentLine, ...] = ()
    # The exploration before cofunding (seed 003), when the call plans one: the budget
    # per selected team (HT) and its end.
    exploration_budget: Decimal | None = None
    exploration_end: datetime | None = None
    # The collective vote before cofunding, when the call plans one.
    vote: VotePlan | None = None

    def __post_init__(self) -> None:
        _require_aware(
            exploration_end=self.exploration_end,
            questions_deadline=self.questions_deadline,
            published_at=self.published_at,
            positioning_deadline=self.positioning_deadline,
            proposal_deadline=self.proposal_deadline,
            generated_at=self.generated_at,
        )
        _require_non_negative(estimated_amount=self.estimated_amount)
        if not self.criteria or any(c.weight <= 0 for c in self.criteria):
            raise ValueError("the grid needs at least one criterion, each with a positive weight")

    @property
    def is_public_contract(self) -> bool:
        return self.framing is FramingKind.PUBLIC_CONTRACT

    @property
    def contract_duration_label(self) -> str:
        """``12 mois à compter de la notification du marché``."""
        return f"{self.contract_duration_months}\u00a0mois à compter de la notification du marché"

    @property
    def framing_label(self) -> str:
        return FRAMING_LABELS[self.framing]

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), Decimal(0))

    @property
    def commons_share(self) -> Decimal:
        """Share of the overall mark (percent) carried by the commons criteria."""
        commons = sum((c.weight for c in self.criteria if c.is_commons), Decimal(0))
        return (commons * 100 / self.total_weight).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def commons_criteria(self) -> tuple[CriterionLine, ...]:
        return tuple(c for c in self.criteria if c.is_commons)

    @property
    def environmental_criteria(self) -> tuple[CriterionLine, ...]:
        return tuple(c for c in self.criteria if c.is_environmental)


@dataclass(frozen=True, slots=True, kw_only=True)
class LotContext:
    """One lot of a published call: its blank acte d'engagement, its price document
    (DPGF) or, outside a contract, its subsidy application form. Built from the call
    alone, never from an offer."""

    challenge: ChallengeContext
    lot: LotLine
    vat_rate: Decimal = Decimal("20")

    def __post_init__(self) -> None:
        _require_non_negative(vat_rate=self.vat_rate)


# --- rapport d'analyse des offres -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluatorMark:
    evaluator: str
    mark: Decimal | None  # None: the evaluator did not mark (conflict of interest, abstention)


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionResult:
    criterion_code: str
    marks: tuple[EvaluatorMark, ...]
    score: Decimal  # the aggregated mark on the criterion's scale
    weighted_score: Decimal  # its contribution to the total


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentLine:
    """An evaluator's comment on a criterion: the reasons behind the mark."""

    criterion: str  # its label
    evaluator: str  # as in ``RankingContext.evaluators``
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingRow:
    lot: int  # its number
    rank: int  # within the lot
    proposal: str
    members: tuple[str, ...]
    total: Decimal
    results: tuple[CriterionResult, ...]
    selected: bool = False
    price: Decimal | None = None  # offered on the lot, HT (None: no price on it)
    tie_note: str = ""  # how the règlement's rule orders a tie, if any
    comments: tuple[CommentLine, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ConflictLine:
    evaluator: str
    proposal: str
    nature: str
    declared_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(declared_at=self.declared_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class EliminationLine:
    proposal: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingContext:
    challenge: ChallengeContext
    method_label: str
    method_description: str
    evaluators: tuple[str, ...]
    rows: tuple[RankingRow, ...]  # lot by lot, in rank order within each lot
    # each evaluator by name, capacity and organisation (same order as ``evaluators``)
    evaluator_titles: tuple[str, ...] = ()
    # the buyer's reasons for departing from a lot's ranking or leaving a lot aside
    selection_justification: str = ""
    conflicts: tuple[ConflictLine, ...] = ()
    eliminations: tuple[EliminationLine, ...] = ()
    total_label: str = "sur 100"


# --- avis d'attribution ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributionLine:
    """A lot's award: its titulaire and price, or no titulaire (unsuccessful)."""

    number: int
    title: str
    offers: int  # offers received on the lot
    titulaire: Party | None = None
    amount_ht: Decimal | None = None
    # Not awarded although it had a valid offer (the buyer gave a reason, R2185-1),
    # rather than infructueux.
    discontinued: bool = False

    def __post_init__(self) -> None:
        _require_non_negative(amount_ht=self.amount_ht)
        if self.discontinued and self.titulaire is not None:
            raise ValueError("an awarded lot is not discontinued")


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributionContext:
    challenge: ChallengeContext
    awarded_at: datetime
    lots: tuple[AttributionLine, ...]

    def __post_init__(self) -> None:
        _require_aware(awarded_at=self.awarded_at)


# --- avis de la Chambre des communs ---------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationLine:
    reservation: str
    answer: str | None = None  # the buyer's answer, once given


class OpinionTopic(StrEnum):
    """What the Chambre gives its opinion on."""

    CALL = "call"  # the draft of the call, before its publication
    SELECTION = "selection"  # the proposals the buyer selected


@dataclass(frozen=True, slots=True, kw_only=True)
class OpinionContext:
    challenge: ChallengeContext
    verdict_label: str  # "Avis favorable avec réserves"
    reasons: tuple[str, ...]
    reservations: tuple[ReservationLine, ...]
    recommended_commons: tuple[CommonsRef, ...]
    licence_requirements: str
    chambre: Party
    issued_at: datetime
    moderator_name: str
    place: str | None = None  # "Lille"
    topic: OpinionTopic = OpinionTopic.CALL
    number: int = 1  # its rank among the Chambre's opinions on the same topic
    count: int = 1  # how many opinions on that topic the Chambre gave
    referred_at: datetime | None = None  # when the process referred it to the Chambre
    selected: tuple[str, ...] = ()  # on a selection: the proposals selected, lot by lot
    catalogue_size: int = 0  # the commons the Chambre's catalogue references

    def __post_init__(self) -> None:
        _require_aware(issued_at=self.issued_at, referred_at=self.referred_at)
        if not 1 <= self.number <= self.count:
            raise ValueError(f"opinion number {self.number} of {self.count}")


# --- acte d'engagement ------------------------------------------------------------------

# An advance is due on a contract over 50 000 € HT lasting more than two months
# (article R2191-3), at 5 % at least (R2191-7), unless the titulaire renounces it (R2191-5).
ADVANCE_THRESHOLD_HT = Decimal("50000")
ADVANCE_MIN_MONTHS = 2
ADVANCE_RATE = Decimal("5")


def advance_due(amount_ht: Decimal | None, duration_months: int) -> bool:
    """Article R2191-3: over 50 000 € HT (strictly) and over two months (strictly)."""
    return (
        amount_ht is not None
        and amount_ht > ADVANCE_THRESHOLD_HT
        and duration_months > ADVANCE_MIN_MONTHS
    )


class GroupementForm(StrEnum):
    """Articles R2142-19 to R2142-27: each member bound for its share, or for the whole."""

    NONE = ""
    JOINT = "joint"  # conjoint
    SEVERAL = "several"  # solidaire


GROUPEMENT_LABELS = {
    GroupementForm.NONE: "Le titulaire se présente seul.",
    GroupementForm.JOINT: (
        "Groupement conjoint : chaque membre s'engage à exécuter les prestations qui lui "
        "sont attribuées ci-dessous, pour sa part du prix ; le mandataire est solidaire de "
        "chacun des membres pour ses obligations contractuelles à l'égard de l'acheteur."
    ),
    GroupementForm.SEVERAL: (
        "Groupement solidaire : chaque membre est engagé financièrement pour la totalité du "
        "marché ; la répartition ci-dessous indique la part de chacun dans le paiement."
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLine:
    """A member of a groupement and its share of the lot's price (HT), paid to it with
    the VAT of its own regime."""

    party: Party
    amount_ht: Decimal
    vat_regime: VatRegime = VatRegime.STANDARD

    def __post_init__(self) -> None:
        _require_non_negative(amount_ht=self.amount_ht)

    @property
    def amount_vat(self) -> Decimal:
        return (self.amount_ht * vat_rate_of(self.vat_regime) / 100).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    @property
    def amount_ttc(self) -> Decimal:
        return self.amount_ht.quantize(CENT, rounding=ROUND_HALF_UP) + self.amount_vat


@dataclass(frozen=True, slots=True, kw_only=True)
class StepLine:
    """A milestone of the awarded proposal's timeline."""

    label: str
    due_on: date
    deliverable: str = ""


def _require_identity(party: Party) -> None:
    missing = [
        name
        for name, value in (
            ("siret", party.siret),
            ("address", party.address),
            ("representative", party.representative),
        )
        if not value
    ]
    if missing:
        raise ValueError(f"{party.name}: an acte d'engagement names its {', '.join(missing)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class AwardContext:
    """The acte d'engagement of one lot: its titulaire (identified: SIRET, address,
    representative and capacity), the groupement if any and each member's share, the
    lot's price with the VAT of the titulaire's regime, its timeline."""

    challenge: ChallengeContext
    lot: LotLine
    awardee: Party
    amount_ht: Decimal
    vat_regime: VatRegime = VatRegime.STANDARD
    groupement: GroupementForm = GroupementForm.NONE
    members: tuple[MemberLine, ...] = ()  # a groupement's members, the mandataire first
    milestones: tuple[StepLine, ...] = ()

    def __post_init__(self) -> None:
        _require_non_negative(amount_ht=self.amount_ht)
        for party in (self.awardee, *(m.party for m in self.members)):
            _require_identity(party)
        if (self.groupement is GroupementForm.NONE) != (not self.members):
            raise ValueError("a groupement lists its members with their shares, and only one")
        shared = sum((m.amount_ht for m in self.members), Decimal(0))
        if self.members and shared != self.amount_ht:
            raise ValueError(f"the members' shares make {shared}, the price {self.amount_ht}")

    @property
    def amount_vat(self) -> Decimal:
        if self.members:
            return sum((m.amount_vat for m in self.members), Decimal(0))
        return (self.amount_ht * vat_rate_of(self.vat_regime) / 100).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    @property
    def amount_ttc(self) -> Decimal:
        return self.amount_ht.quantize(CENT, rounding=ROUND_HALF_UP) + self.amount_vat

    @property
    def vat_mention(self) -> str:
        """The legal mention when no VAT is due on the price, else ""."""
        regimes = {m.vat_regime for m in self.members} or {self.vat_regime}
        if regimes == {VatRegime.STANDARD}:
            return ""
        if len(regimes) == 1:
            return VAT_MENTIONS[regimes.pop()]
        return "TVA due selon le régime de chaque membre du groupement (détail ci-dessous)"

    @property
    def advance_due(self) -> bool:
        return advance_due(self.amount_ht, self.challenge.contract_duration_months)


# --- convention de cofinancement --------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FunderLine:
    funder: Party
    amount: Decimal
    # Of ``amount``, what honours the funder's matching offer ("abondement"), with the
    # offer's terms: ``ratio`` euros per euro pledged by others, ``cap`` for the round.
    matched: Decimal = Decimal(0)
    ratio: Decimal | None = None
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.matched <= self.amount:
            raise ValueError("a funder's matched part lies between 0 and its amount")
        if self.matched and (self.ratio is None or self.cap is None):
            raise ValueError("matched funds come with their offer's ratio and cap")


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    label: str
    due_on: date
    amount: Decimal  # released by the host when the milestone is reached
    deliverable: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubsidyLine:
    """A subsidy the host recorded in the commons' ledger."""

    grantor: str
    amount: Decimal
    label: str = ""  # the subsidy's name or decision
    received_on: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CofundingContext:
    """One funded commons of a closed cofunding round."""

    challenge: ChallengeContext
    commons: CommonsRef
    host: Party  # required: the structure that receives and passes on the funds
    funders: tuple[FunderLine, ...]
    milestones: tuple[Milestone, ...]  # the proposal's own, with the funds they release
    round_label: str = ""
    subsidies: tuple[SubsidyLine, ...] = ()
    contributors: tuple[Party, ...] = ()  # the working group, to whom the host pays
    recourse_court: str = ""  # "Tribunal administratif de Lille"

    def __post_init__(self) -> None:
        if not self.host.name.strip():
            raise ValueError("a cofunding convention needs its host")
        if not self.funders:
            raise ValueError("a cofunding convention needs at least one funder")
        if any(line.amount <= 0 for line in self.subsidies):
            raise ValueError("every subsidy must be positive")
        if any(line.amount <= 0 for line in self.funders):
            raise ValueError("every funder's amount must be positive")
        if any(m.amount < 0 for m in self.milestones):
            raise ValueError("a milestone cannot release a negative amount")
        scheduled = sum((m.amount for m in self.milestones), Decimal(0))
        if self.milestones and scheduled != self.total:
            raise ValueError(f"milestones release {scheduled} but the funders give {self.total}")

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.funders), Decimal(0))

    @property
    def subsidies_total(self) -> Decimal:
        return sum((line.amount for line in self.subsidies), Decimal(0))


# --- contrat de réciprocité -------------------------------------------------------------


class ReciprocityKind(StrEnum):
    REVENUE_SHARE = "revenue_share"  # a percentage of the revenue earned with the commons
    FIXED_AMOUNT = "fixed_amount"  # a fixed amount per period


@dataclass(frozen=True, slots=True, kw_only=True)
class ReciprocityContext:
    challenge: ChallengeContext
    partner: Party
    commons: CommonsRef
    beneficiary: Party  # who receives the contributions for the commons (its host)
    kind: ReciprocityKind
    period_label: str  # "trimestre", "année"
    starts_on: date
    commercial_use: str  # the market use the partner declares
    revenue_share: Decimal | None = None  # percent, with REVENUE_SHARE
    fixed_amount: Decimal | None = None  # euros per period, with FIXED_AMOUNT
    duration_label: str = "trois ans, renouvelable par tacite reconduction"

    def __post_init__(self) -> None:
        if not self.beneficiary.name.strip():
            raise ValueError("a reciprocity contract needs the commons' host")
        _require_non_negative(revenue_share=self.revenue_share, fixed_amount=self.fixed_amount)
        if self.kind is ReciprocityKind.REVENUE_SHARE:
            if self.revenue_share is None or self.fixed_amount is not None:
                raise ValueError("a revenue-share contract sets revenue_share only")
        elif self.fixed_amount is None or self.revenue_share is not None:
            raise ValueError("a fixed-amount contract sets fixed_amount only")


# --- contrat d'hébergement de commun -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LotPrice:
    """The contract price of one lot of a retained proposal (HT): each lot is a marché
    of its own (article L2113-10)."""

    number: int
    price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class HostingContext:
    """The contrat d'hébergement of one commons of a call: its host, the buyer and the
    contributors' organisations (the working group of the retained proposal), the
    commons and its licence, the budget the host passes on and to whom, its fee,
    duration and the group's approval rule. Every party is fully identified (name,
    legal form, SIRET, address, representative): the pack refuses the piece otherwise
    (``workflows.pack.hosting``), so nothing here is a blank to fill in by hand.

    ``budget_total`` is what the host passes on: the retained proposal's cofundable
    budget — under a *marché public* its lines outside the contract, hors marché all of
    them. Under a marché public the contract price (``contract_price``) is paid by the
    buyer straight to the titulaires under the acte d'engagement and never goes through
    the host: the contract states it so that no euro is passed on twice.

    A sole contributor receives the whole of ``budget_total``. Several contributors
    receive what the group approves, line by line: no split of what the host passes on
    is recorded anywhere (a groupement's member shares split the contract price, under a
    marché public only), so the contract invents no amount.

    ``contract_lots``: the price of each lot that makes ``contract_price``, each lot a
    marché of its own (article L2113-10), so that the contract names « le prix des lots
    n° 1 et 2 » of a proposal answering several lots, « le prix du marché » of one."""

    challenge: ChallengeContext
    commons: CommonsRef
    host: Party
    contributors: tuple[Party, ...]
    coordinator: str  # the name of the contributor who coordinates the working group
    budget_total: Decimal  # HT, what the host passes on (see above)
    contract_price: Decimal = Decimal(0)  # HT, paid by the buyer directly; 0 hors marché
    contract_lots: tuple[LotPrice, ...] = ()  # the lots' prices making contract_price
    funded_total: Decimal | None = None  # what the cofunding round gave, when closed
    fee_percent: Decimal  # of the funds received; 0: hosted free of charge
    duration_months: int
    approval_rule: str  # "la majorité des organisations membres…"
    notice_months: int = 3
    transfer_days: int = 30

    def __post_init__(self) -> None:
        for party in (self.host, self.challenge.buyer, *self.contributors):
            missing = [
                name
                for name in ("siret", "address", "representative", "legal_form")
                if not (getattr(party, name) or "").strip()
            ]
            if not party.name.strip() or missing:
                raise ValueError(f"a hosting contract party is not identified: {party.name!r}")
        if not self.contributors:
            raise ValueError("a hosting contract needs the contributors' organisations")
        if not self.commons.licence.strip():
            raise ValueError("a hosting contract needs the commons' licence")
        if not Decimal(0) <= self.fee_percent <= Decimal(100):
            raise ValueError(f"the hosting fee must lie in 0..100 %, got {self.fee_percent}")
        if self.duration_months < 1:
            raise ValueError("a hosting contract lasts at least a month")
        _require_non_negative(
            budget_total=self.budget_total,
            contract_price=self.contract_price,
            funded_total=self.funded_total,
        )
        self._check_lots()

    def _check_lots(self) -> None:
        """The lots' prices, each lot once, make the contract price to the cent."""
        if not self.contract_lots:
            return
        numbers = [lot.number for lot in self.contract_lots]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"a lot is priced twice: {numbers}")
        priced = sum((lot.price for lot in self.contract_lots), Decimal(0))
        if priced != self.contract_price:
            raise ValueError(
                f"the lots' prices make {priced}, the contract price {self.contract_price}: "
                "they must add up to it"
            )


# --- lettre de rejet --------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionComparison:
    """One criterion of a rejection letter: the candidate's mark and the awardee's, on
    the criterion's scale and in points of the overall mark, with the reasons the
    evaluators gave for the candidate's mark."""

    code: str
    label: str
    weight: Decimal  # percent of the overall mark
    scale_max: Decimal | None  # the top of the criterion's scale ("sur 10")
    candidate_mark: Decimal
    candidate_points: Decimal  # its contribution to the overall mark, on 100
    awardee_mark: Decimal
    awardee_points: Decimal
    reasons: tuple[str, ...]  # the evaluators' comments on the candidate's mark

    @property
    def awardee_ahead(self) -> bool:
        """The awarded offer scores better on this criterion: one of its advantages."""
        return self.awardee_points > self.candidate_points


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectionContext:
    """A rejection letter to one unsuccessful candidate on one lot (articles R2181-1 and
    R2181-3): its scores, rank and reasons, the awardee with its scores and the
    advantages of its offer, the date from which the contract may be signed (R2182-1)
    and the recourse. ``challenge.generated_at`` is the letter's date."""

    challenge: ChallengeContext
    lot_number: int
    lot_title: str
    candidate: tuple[Party, ...]  # the members of the candidate's working group
    candidate_offer: str  # the title of its proposal
    awardee: tuple[Party, ...]
    awardee_offer: str
    awardee_rank: int = 1  # not first when the buyer departed from the ranking
    departure_reason: str = ""  # the buyer's justification of that departure
    rank: int  # the candidate's rank in the lot
    ranked: int  # how many offers the lot ranked
    total: Decimal  # on 100
    awardee_total: Decimal
    criteria: tuple[CriterionComparison, ...]
    general_remarks: tuple[str, ...] = ()  # the evaluators' overall comments
    eliminated: tuple[str, ...] = ()  # why the offer fell below a published threshold
    sent_at: datetime
    signature_from: datetime  # the end of the standstill (R2182-1), or sent_at in a MAPA

    def __post_init__(self) -> None:
        _require_aware(sent_at=self.sent_at, signature_from=self.signature_from)
        if not self.candidate or not self.awardee:
            raise ValueError("a rejection letter names its candidate and the awardee")
        if self.signature_from < self.sent_at:
            raise ValueError("the contract cannot be signed before the letters are sent")
        if self.challenge.procedure_formal and self.signature_from == self.sent_at:
            raise ValueError("a formal procedure waits the standstill before signing (R2182-1)")
        for rank in (self.rank, self.awardee_rank):
            if not 1 <= rank <= self.ranked:
                raise ValueError(f"rank {rank} out of 1..{self.ranked}")
        if self.awardee_rank > 1 and not self.departure_reason.strip():
            raise ValueError("an awardee ranked below first needs the buyer's justification")

    @property
    def standstill(self) -> bool:
        return self.signature_from > self.sent_at

    @property
    def advantages(self) -> tuple[CriterionComparison, ...]:
        return tuple(c for c in self.criteria if c.awardee_ahead)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiscontinuationContext:
    """The letter to a candidate of a lot the buyer did not award (article R2185-1): the
    decision and its reasons — the buyer's (the lot declared sans suite although it had a
    valid offer) or, when every offer was eliminated, the lot being infructueux and why
    this candidate's offer was — with the candidate's own result when it was ranked, and
    the recourse. ``challenge.generated_at`` is the letter's date."""

    challenge: ChallengeContext
    lot_number: int
    lot_title: str
    candidate: tuple[Party, ...]
    candidate_offer: str
    decided_at: datetime  # the award decision that left the lot unawarded
    reason: str = ""  # the buyer's reason; empty when the lot is infructueux
    eliminated: tuple[str, ...] = ()  # why this candidate's offer was eliminated
    rank: int | None = None  # its rank among the lot's offers, when it was ranked
    ranked: int = 0
    total: Decimal | None = None
    sent_at: datetime

    def __post_init__(self) -> None:
        _require_aware(decided_at=self.decided_at, sent_at=self.sent_at)
        if not self.candidate:
            raise ValueError("a letter names its candidate")
        if not self.reason.strip() and not self.eliminated:
            raise ValueError(
                "a lot left unawarded although this offer was valid needs the buyer's reason"
            )
        if self.rank is not None and not 1 <= self.rank <= self.ranked:
            raise ValueError(f"rank {self.rank} out of 1..{self.ranked}")

    @property
    def infructueux(self) -> bool:
        """No valid offer on the lot: the buyer gave no reason of its own."""
        return not self.reason.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationContext:
    """The notification of one lot's contract to its titulaire (articles R2182-4 and
    R2182-5): the signed acte d'engagement's parties and price, the signature date, and
    the acknowledgement the titulaire returns, whose date is the contract's start."""

    challenge: ChallengeContext  # its ``generated_at`` dates the piece
    award: AwardContext
    signed_at: datetime

    def __post_init__(self) -> None:
        _require_aware(signed_at=self.signed_at)
        if self.award.challenge.reference != self.challenge.reference:
            raise ValueError("a notification is about its own call's contract")
