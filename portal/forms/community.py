"""The forms of facilitation and community: the facilitator's designation, a working
group's meetings, minutes and links, the Chambre's motions and action plan."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import DeadlineField, PortalForm
from procurement.models import ActionStatus


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class FacilitatorForm(PortalForm):
    facilitator = forms.ChoiceField(
        label=_("Animateur de l'appel"),
        help_text=_(
            "Une personne ressource de l'acheteur, neutre : membre d'aucun candidat, "
            "évaluatrice d'aucune proposition de l'appel."
        ),
    )

    def __init__(self, data=None, *, people, **kwargs):
        super().__init__(data, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["facilitator"].choices = [("", "—")] + [
            (pk, _person(p)) for pk, p in self.people.items()
        ]

    def service_kwargs(self) -> dict:
        return {"facilitator": self.people.get(self.cleaned_data["facilitator"])}


class MeetingForm(PortalForm):
    starts_at = DeadlineField(label=_("Date et heure de la réunion"))
    place = forms.CharField(label=_("Lieu"), max_length=300, required=False)
    visio_url = forms.CharField(
        label=_("Lien de visioconférence"),
        max_length=200,
        required=False,
        help_text=_("Une adresse web en http ou https."),
    )
    agenda = forms.CharField(label=_("Ordre du jour"), widget=forms.Textarea(attrs={"rows": 3}))


class MinutesForm(PortalForm):
    minutes = forms.CharField(label=_("Compte rendu"), widget=forms.Textarea(attrs={"rows": 6}))
    attendees = forms.MultipleChoiceField(
        label=_("Organisations présentes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    facilitator_present = forms.BooleanField(label=_("L'animateur était présent"), required=False)

    def __init__(self, data=None, *, organisations, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["attendees"].choices = [(str(o.pk), o.name) for o in organisations]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "minutes": data["minutes"],
            "attendee_ids": [int(pk) for pk in data["attendees"]],
            "facilitator_present": data["facilitator_present"],
        }

    def field_for_error(self, path):
        if path and path[0] == "attendees":
            return "attendees"
        return super().field_for_error(path)


class LinksForm(PortalForm):
    chat_url = forms.CharField(
        label=_("Salon de discussion"),
        max_length=200,
        required=False,
        help_text=_("Une adresse web en http ou https."),
    )
    wiki_url = forms.CharField(
        label=_("Wiki"),
        max_length=200,
        required=False,
        help_text=_("Une adresse web en http ou https."),
    )


class MotionForm(PortalForm):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    text = forms.CharField(label=_("Texte de la motion"), widget=forms.Textarea(attrs={"rows": 5}))
    commons = forms.ChoiceField(label=_("Commun concerné"), required=False)
    challenge = forms.ChoiceField(label=_("Appel concerné"), required=False)

    def __init__(self, data=None, *, commons, challenges, **kwargs):
        super().__init__(data, **kwargs)
        self.commons = {str(c.pk): c for c in commons}
        self.challenges = {str(c.pk): c for c in challenges}
        self.fields["commons"].choices = [("", "—")] + [
            (pk, c.name) for pk, c in self.commons.items()
        ]
        self.fields["challenge"].choices = [("", "—")] + [
            (pk, f"{c.reference} — {c.title}") for pk, c in self.challenges.items()
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "text": data["text"],
            "commons": self.commons.get(data["commons"]),
            "challenge": self.challenges.get(data["challenge"]),
        }


# The adoption form offers this many rows of the plan; more are added afterwards.
PLAN_ROWS = 3


class DecisionForm(PortalForm):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("adopt", _("Adopter la motion")), ("reject", _("Rejeter la motion"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for i in range(1, PLAN_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=_("Action %(n)s") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"owner_{i}"] = forms.CharField(
                label=_("Porteur de l'action %(n)s") % {"n": i}, max_length=200, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(
                label=_("Échéance de l'action %(n)s") % {"n": i},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def plan_rows(self):
        return [
            (self[f"action_{i}"], self[f"owner_{i}"], self[f"due_{i}"])
            for i in range(1, PLAN_ROWS + 1)
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        actions = [
            {
                "title": data[f"action_{i}"],
                "owner": data[f"owner_{i}"],
                "due_date": data[f"due_{i}"],
            }
            for i in range(1, PLAN_ROWS + 1)
            if data[f"action_{i}"] or data[f"owner_{i}"] or data[f"due_{i}"]
        ]
        return {
            "adopted": data["decision"] == "adopt",
            "reason": data["reason"],
            "actions": actions,
        }

    def field_for_error(self, path):
        if path and path[0] == "actions" and len(path) >= 3:
            row = int(path[1]) + 1
            name = {"title": "action", "owner": "owner", "due_date": "due"}.get(path[2])
            return f"{name}_{row}" if name else None
        if path and path[0] == "actions":
            return "action_1"
        return super().field_for_error(path)


class ActionAddForm(PortalForm):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = forms.CharField(label=_("Porteur de l'action"), max_length=200)
    due_date = forms.DateField(label=_("Échéance"), widget=forms.DateInput(attrs={"type": "date"}))

    def field_for_error(self, path):
        if path and path[0] == "actions" and len(path) >= 3:
            return path[2]
        return super().field_for_error(path)


class ActionUpdateForm(PortalForm):
    status = forms.ChoiceField(label=_("État"), choices=ActionStatus.choices)
    due_date = forms.DateField(label=_("Échéance"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Suivi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
