from portal.forms.actions import (
    AllocationForm,
    AnswerForm,
    AttachmentForm,
    CommonsFilterForm,
    DeadlineExtensionForm,
    ExtendDeadlineForm,
    PledgeForm,
    PositionForm,
    ProposalForm,
    QuestionForm,
)
from portal.forms.base import PortalForm
from portal.forms.tasks import TaskForm

__all__ = [
    "AllocationForm",
    "AnswerForm",
    "AttachmentForm",
    "CommonsFilterForm",
    "DeadlineExtensionForm",
    "ExtendDeadlineForm",
    "PledgeForm",
    "PortalForm",
    "PositionForm",
    "ProposalForm",
    "QuestionForm",
    "TaskForm",
]
