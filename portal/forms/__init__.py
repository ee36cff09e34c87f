from portal.forms.actions import (
    AllocationForm,
    AttachmentForm,
    ChallengeFilterForm,
    CommonsFilterForm,
    GroupementForm,
    PledgeForm,
    PositionForm,
    ProposalForm,
)
from portal.forms.amendments import AmendmentForm
from portal.forms.base import PortalForm
from portal.forms.questions import (
    AnswerForm,
    DeadlineExtensionForm,
    ExtendDeadlineForm,
    QuestionForm,
)
from portal.forms.tasks import TaskForm

__all__ = [
    "AllocationForm",
    "AmendmentForm",
    "AnswerForm",
    "AttachmentForm",
    "ChallengeFilterForm",
    "CommonsFilterForm",
    "DeadlineExtensionForm",
    "ExtendDeadlineForm",
    "GroupementForm",
    "PledgeForm",
    "PortalForm",
    "PositionForm",
    "ProposalForm",
    "QuestionForm",
    "TaskForm",
]
