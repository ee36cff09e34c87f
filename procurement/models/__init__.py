from .audit import AuditChainHead, AuditEvent
from .challenges import Challenge, ChallengeResource, ChallengeStatus, ContractNature, Question
from .cofunding import (
    Allocation,
    BeyondMinimum,
    Bucket,
    CofundingRound,
    EditAfterFunded,
    Pledge,
    Subsidy,
)
from .commons import Commons, CommonsCategory
from .contributions import Contribution, ContributionKind
from .deadlines import DeadlineKind, DeadlineNotice
from .documents import DocumentJob, DocumentStatus, TenderDocument
from .ledger import (
    ApprovalRule,
    Expense,
    ExpenseDecision,
    ExpenseKind,
    ExpenseStatus,
    Income,
    IncomeKind,
    Ledger,
)
from .notifications import Notification, Subscription
from .opinions import (
    CatalogueDecision,
    Opinion,
    OpinionSubject,
    Referral,
    ReferralComment,
    ReferralStatus,
    ReservationAnswer,
    Verdict,
)
from .organisations import BuyerCategory, Membership, Organisation, OrganisationKind, Role
from .positions import Intent, Position, WorkingGroup, WorkingGroupMember
from .proposal_parts import BudgetCategory, BudgetLine, BudgetUnit, Milestone, ProposalAttachment
from .proposals import Proposal, ProposalStatus
from .reciprocity import (
    ReciprocityCommitment,
    ReciprocityDeclaration,
    ReciprocityKind,
    ReciprocityPeriod,
)

__all__ = [
    "Allocation",
    "ApprovalRule",
    "AuditChainHead",
    "AuditEvent",
    "BeyondMinimum",
    "Bucket",
    "BudgetCategory",
    "BudgetLine",
    "BudgetUnit",
    "BuyerCategory",
    "CatalogueDecision",
    "Challenge",
    "ChallengeResource",
    "ChallengeStatus",
    "CofundingRound",
    "Commons",
    "CommonsCategory",
    "ContractNature",
    "Contribution",
    "ContributionKind",
    "DeadlineKind",
    "DeadlineNotice",
    "DocumentJob",
    "DocumentStatus",
    "EditAfterFunded",
    "Expense",
    "ExpenseDecision",
    "ExpenseKind",
    "ExpenseStatus",
    "Income",
    "IncomeKind",
    "Intent",
    "Ledger",
    "Membership",
    "Milestone",
    "Notification",
    "Opinion",
    "OpinionSubject",
    "Organisation",
    "OrganisationKind",
    "Pledge",
    "Position",
    "Proposal",
    "ProposalAttachment",
    "ProposalStatus",
    "Question",
    "ReciprocityCommitment",
    "ReciprocityDeclaration",
    "ReciprocityKind",
    "ReciprocityPeriod",
    "Referral",
    "ReferralComment",
    "ReferralStatus",
    "ReservationAnswer",
    "Role",
    "Subscription",
    "Subsidy",
    "TenderDocument",
    "Verdict",
    "WorkingGroup",
    "WorkingGroupMember",
]
