from .audit import AuditChainHead, AuditEvent
from .challenges import Challenge, ChallengeResource, ChallengeStatus, Question
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
    "CatalogueDecision",
    "Challenge",
    "ChallengeResource",
    "ChallengeStatus",
    "CofundingRound",
    "Commons",
    "CommonsCategory",
    "Contribution",
    "ContributionKind",
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
    "Opinion",
    "OpinionSubject",
    "Organisation",
    "OrganisationKind",
    "Pledge",
    "Position",
    "Proposal",
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
    "Subsidy",
    "TenderDocument",
    "Verdict",
    "WorkingGroup",
    "WorkingGroupMember",
]
