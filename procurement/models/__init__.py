from .audit import AuditChainHead, AuditEvent
from .challenges import Challenge, ChallengeResource, ChallengeStatus, Question
from .cofunding import Allocation, Bucket, CofundingRound, Pledge
from .commons import Commons, CommonsCategory
from .documents import DocumentJob, DocumentStatus, TenderDocument
from .opinions import Opinion, OpinionSubject, Verdict
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
    "Intent",
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
    "Role",
    "TenderDocument",
    "Verdict",
    "WorkingGroup",
    "WorkingGroupMember",
]
