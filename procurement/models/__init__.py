from .audit import AuditChainHead, AuditEvent
from .challenges import Challenge, ChallengeResource, ChallengeStatus, Question
from .cofunding import Allocation, Bucket, CofundingRound, Pledge
from .commons import Commons, CommonsCategory
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
from .opinions import Opinion, OpinionSubject, Verdict
from .organisations import Membership, Organisation, OrganisationKind, Role
from .positions import Intent, Position, WorkingGroup, WorkingGroupMember
from .proposals import Proposal, ProposalStatus

__all__ = [
    "Allocation",
    "ApprovalRule",
    "AuditChainHead",
    "AuditEvent",
    "Bucket",
    "Challenge",
    "ChallengeResource",
    "ChallengeStatus",
    "CofundingRound",
    "Commons",
    "CommonsCategory",
    "DocumentJob",
    "DocumentStatus",
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
    "Role",
    "TenderDocument",
    "Verdict",
    "WorkingGroup",
    "WorkingGroupMember",
]
