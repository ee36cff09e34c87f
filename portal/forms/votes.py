"""The ballot of a collective vote: one mention per commons, best mention first."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import PortalForm
from scoring.aggregation import MJ_GRADES
from scoring.models import Grade


def _mentions():
    # the value is the mention as the service takes it; the label is translated
    return [(name, Grade(len(MJ_GRADES) - 1 - i).label) for i, name in enumerate(MJ_GRADES)]


class BallotForm(PortalForm):
    """A radio group per commons put to the vote, except the organisation's own ones
    (its working group's), which it does not grade."""

    def __init__(self, *args, candidates, own, **kwargs):
        super().__init__(*args, **kwargs)
        for candidate, title in candidates:
            if candidate.proposal_id in own:
                continue
            self.fields[f"c{candidate.proposal_id}"] = forms.ChoiceField(
                label=title,
                choices=_mentions(),
                widget=forms.RadioSelect,
                help_text=candidate.proposal.title,
                error_messages={"required": _("Donnez une mention à ce commun.")},
            )

    def field_for_error(self, path):
        # the service names a commons as ("grades", "<proposal id>")
        if len(path) >= 2 and path[0] == "grades" and f"c{path[1]}" in self.fields:
            return f"c{path[1]}"
        return super().field_for_error(path)

    def service_kwargs(self) -> dict:
        return {"grades": {name[1:]: value for name, value in self.cleaned_data.items()}}
