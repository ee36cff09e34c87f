from .audit import AuditChainHead, AuditEvent
from .challenges import (
    Challenge,
    ChallengeResource,
    ChallengeStatus,
    Framing,
    Lot,
    Question,
)
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
from .organisations import Membership, Organisation, OrganisationKind, Role
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
    "CatalogueDecision",
    "Challenge",
    "ChallengeResource",
    "ChallengeStatus",
    "CofundingRound",
    "Commons",
    "CommonsCategory",
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
    "Framing",
    "Income",
    "IncomeKind",
    "Intent",
    "Ledger",
    "Lot",
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
