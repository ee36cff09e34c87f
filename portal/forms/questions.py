"""The public questions and the buyer's answers, and the extension of a deadline with
its published notice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.actions import OrganisationChoiceField
from portal.forms.base import DeadlineField, PortalForm
from procurement.models import (
    ChallengeStatus,
    DeadlineKind,
)

OPTIONAL = {"required": False}


class QuestionForm(PortalForm):
    organisation = OrganisationChoiceField()
    text = forms.CharField(
        label=_("Votre question"),
        help_text=_("Elle est publiée avec sa réponse, sans le nom de votre organisation."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, data=None, *, organisations, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["organisation"].queryset = organisations


class AnswerForm(PortalForm):
    answer = forms.CharField(label=_("Projet de réponse"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendDeadlineForm(PortalForm):
    """Extend the proposal deadline to the date the six-day rule proposes."""

    new_deadline = DeadlineField(label=_("Nouvelle date limite des propositions"))
    notice = forms.CharField(
        label=_("Avis de prolongation (publié)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DeadlineExtensionForm(PortalForm):
    """The buyer extends one of the call's deadlines, before it passes, with a public
    notice (``workflows.services.deadline_extend``)."""

    which = forms.ChoiceField(label=_("Échéance à prolonger"), choices=())
    new_deadline = DeadlineField(label=_("Nouvelle échéance"))
    notice = forms.CharField(
        label=_("Avis de prolongation (publié)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, challenge, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {
            DeadlineKind.POSITIONING: challenge.positioning_deadline,
            DeadlineKind.PROPOSALS: challenge.proposal_deadline,
            DeadlineKind.QUESTIONS: challenge.questions_deadline,
        }
        if challenge.status == ChallengeStatus.EXPLORATION:
            # While the teams explore, only the exploration's end is still ahead.
            fields = {DeadlineKind.EXPLORATION: challenge.exploration_end}
        self.fields["which"].choices = [
            (kind.value, kind.label) for kind, deadline in fields.items() if deadline
        ]
