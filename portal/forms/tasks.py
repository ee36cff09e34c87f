"""One form per human step of the process.

Each form is named by its step's node (``Step(form=...)`` in ``workflows/flows.py``) and
only gathers what the step takes: ``task_data()`` returns the same JSON-like data the
task API receives, and the node validates it again with its serializer before its call.
Choices come from the queries, so a person is only offered what it may pick;
``page_context()`` gives what the person reads on the step's page.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import NotFound
from portal.forms.base import DeadlineField, PortalForm
from portal.pack_gaps import pack_gaps
from procurement import queries
from procurement.models import OpinionSubject, ProposalStatus
from procurement.services.award_rules import (
    essential_data_problems,
    estimate_required,
    offer_window_of,
    publication_warnings,
)
from scoring.queries import (
    grid_of,
)
from scoring.ranking import ranking_for
from workflows.snapshots import call_changes

OPTIONAL = {"required": False}


def _essential_gaps(challenge, status: str) -> dict[str, list[str]]:
    """What the données essentielles of the contracts of the proposals at ``status``
    lack: the award and the signature are refused until it is given."""
    retained = challenge.proposals.filter(status=status).values_list("pk", flat=True)
    return essential_data_problems(challenge, list(retained))


class TaskForm(PortalForm):
    """A step's form, built for one task of one challenge and the person doing it."""

    def __init__(self, data=None, *, challenge, task, user, **kwargs):
        self.challenge = challenge
        self.task = task
        self.user = user
        super().__init__(data, **kwargs)

    def task_data(self) -> dict:
        return dict(self.cleaned_data)

    def done_warnings(self) -> list[str]:
        """What the person must still read once the step is done (shown as warnings
        beside the success message): nothing, for most steps."""
        return []

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        """What the step's page shows beside the form: the call's resources and opinions."""
        return {
            "resources": queries.resources_of(challenge),
            "opinions": queries.opinions_of(challenge),
        }


class CallForm(TaskForm):
    """A step on the call itself, before publication: its page shows the grid."""

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "grid": grid_of(challenge),
        }


class DraftForm(CallForm):
    note = forms.CharField(
        label=_("Message à la Chambre des communs"),
        help_text=_("Facultatif. Il accompagne la saisine de la Chambre."),
        widget=forms.Textarea(attrs={"rows": 4}),
        **OPTIONAL,
    )


class ProposalChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        lots = ", ".join(str(lot.number) for lot in obj.lots.all())
        return _("%(title)s — %(resource)s (lot n° %(lots)s)") % {
            "title": obj.title,
            "resource": obj.group.resource.title,
            "lots": lots,
        }


class OpinionForm(TaskForm):
    """The modérateur publishes the draft the rapporteur submitted: no field."""

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        if step == "call_opinion":
            subject, extra = OpinionSubject.CALL, {"grid": grid_of(challenge)}
        else:
            subject, extra = (
                OpinionSubject.SELECTION,
                {"results": queries.public_results(challenge)},
            )
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            **extra,
            "referral": queries.open_referral(challenge, subject),
        }


class ReviseForm(CallForm):
    resubmit = forms.TypedChoiceField(
        label=_("Suite donnée à l'avis"),
        choices=[
            ("1", _("Saisir à nouveau la Chambre sur l'appel révisé")),
            ("0", _("Passer à la publication (l'avis est consultatif)")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opinion = queries.opinions_of(self.challenge).filter(subject=OpinionSubject.CALL).last()
        self.opinion = opinion
        self.reservations = list(opinion.reservations) if opinion else []
        for index, reservation in enumerate(self.reservations):
            self.fields[f"accepted_{index}"] = forms.BooleanField(
                label=_("Réserve n° %(n)s acceptée") % {"n": index + 1}, **OPTIONAL
            )
            self.fields[f"answer_{index}"] = forms.CharField(
                label=_("Réponse à la réserve n° %(n)s") % {"n": index + 1},
                help_text=reservation,
                widget=forms.Textarea(attrs={"rows": 2}),
                **OPTIONAL,
            )

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        """Beside the answers, what changed since the version the Chambre saw."""
        referral, changes = call_changes(challenge)
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "referral": referral,
            "changes": changes,
        }

    def answer_fields(self) -> list[dict]:
        return [
            {
                "reservation": reservation,
                "accepted": self[f"accepted_{index}"],
                "answer": self[f"answer_{index}"],
            }
            for index, reservation in enumerate(self.reservations)
        ]

    def task_data(self) -> dict:
        data = self.cleaned_data
        return {
            "resubmit": data["resubmit"],
            "answers": [
                {
                    "reservation": reservation,
                    "accepted": data[f"accepted_{index}"],
                    "answer": data[f"answer_{index}"],
                }
                for index, reservation in enumerate(self.reservations)
                # a reservation left untouched stays unanswered (the service says so)
                if data[f"accepted_{index}"] or data[f"answer_{index}"].strip()
            ],
        }

    def field_for_error(self, path):
        if len(path) >= 3 and path[0] == "answers":
            name = f"{path[2]}_{path[1]}" if path[2] == "answer" else f"accepted_{path[1]}"
            return name if name in self.fields else None
        return super().field_for_error(path)


class PublishForm(CallForm):
    positioning_deadline = DeadlineField(label=_("Fin des positionnements"))
    proposal_deadline = DeadlineField(label=_("Date limite de dépôt des propositions"))
    questions_deadline = DeadlineField(
        label=_("Fin des questions (facultative)"),
        required=False,
        help_text=_("Sans elle, les partenaires posent leurs questions jusqu'aux propositions."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The dates the buyer planned in the editor fill the form (it checks them now).
        for name in ("positioning_deadline", "proposal_deadline"):
            planned = getattr(self.challenge, f"planned_{name}", None)
            if planned is not None:
                self.initial.setdefault(name, timezone.localtime(planned))

    def task_data(self) -> dict:
        return {
            name: value.isoformat() if value else None for name, value in self.cleaned_data.items()
        }

    def done_warnings(self) -> list[str]:
        """The warnings the publication recorded (a MAPA's short window)."""
        self.challenge.refresh_from_db()
        return publication_warnings(self.challenge)

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        """Before publishing, the procedure the estimate gives today and the offers'
        window it asks for (``None`` without an estimate, with what to do)."""
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "offer_window": offer_window_of(challenge),
            "estimate_required": estimate_required(),
        }


class EvaluatorChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.email})" if obj.email else name


class AssignEvaluatorsForm(TaskForm):
    evaluators = EvaluatorChoiceField(
        label=_("Évaluateurs"),
        help_text=_("Chaque évaluateur note toutes les propositions déposées."),
        queryset=None,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluators"].queryset = queries.buyer_evaluators(self.challenge)

    def task_data(self) -> dict:
        return {"evaluators": [user.pk for user in self.cleaned_data["evaluators"]]}

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "proposals": queries.proposals_visible_to(user, challenge),
        }


class SelectForm(TaskForm):
    proposals = ProposalChoiceField(label=_("Propositions retenues"), queryset=None)
    cofunding_deadline = DeadlineField(label=_("Clôture du cofinancement"))
    justification = forms.CharField(
        label=_("Justification de la sélection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        **OPTIONAL,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = queries.proposals_visible_to(
            self.user, self.challenge
        ).filter(status=ProposalStatus.SUBMITTED)

    def task_data(self) -> dict:
        data = self.cleaned_data
        return {
            "proposals": [p.pk for p in data["proposals"]],
            "cofunding_deadline": data["cofunding_deadline"].isoformat(),
            "justification": data["justification"],
        }

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "ranking": ranking_for(challenge),
        }


class AwardForm(TaskForm):
    proposals = ProposalChoiceField(label=_("Propositions attributaires"), queryset=None)
    standstill = forms.BooleanField(
        label=_("Observer un délai de suspension de onze jours avant la signature"),
        help_text=_(
            "Imposé en procédure formalisée (article R2182-1) ; facultatif en procédure adaptée."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        selected = queries.proposals_visible_to(self.user, self.challenge).filter(
            status=ProposalStatus.SELECTED
        )
        self.fields["proposals"].queryset = selected
        # A lot whose proposal is selected may be left unawarded, for a reason told to
        # its candidates (article R2185-1): one field per such lot.
        lots = self.challenge.lots.filter(proposals__in=selected).distinct().order_by("number")
        for lot in lots:
            self.fields[f"lot_reason_{lot.number}"] = forms.CharField(
                label=_("Lot n° %(lot)s « %(title)s » : motif s'il n'est pas attribué")
                % {"lot": lot.number, "title": lot.title},
                help_text=_(
                    "Seulement si vous n'attribuez pas ce lot ; le motif est communiqué à ses "
                    "candidats (article R2185-1 du code de la commande publique)."
                ),
                widget=forms.Textarea(attrs={"rows": 2}),
                **OPTIONAL,
            )

    def field_for_error(self, path):
        if len(path) == 2 and path[0] == "lot_reasons":
            return f"lot_reason_{path[1]}"
        return super().field_for_error(path)

    def task_data(self) -> dict:
        prefix = "lot_reason_"
        return {
            "proposals": [p.pk for p in self.cleaned_data["proposals"]],
            "standstill": self.cleaned_data["standstill"],
            "lot_reasons": {
                name.removeprefix(prefix): value
                for name, value in self.cleaned_data.items()
                if name.startswith(prefix) and value.strip()
            },
        }

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        try:
            round_ = queries.cofunding_round_of(challenge)
        except NotFound:
            round_ = None
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "results": queries.public_results(challenge),
            "round": round_,
            "pack_gaps": pack_gaps(user, challenge),
            "essential_gaps": _essential_gaps(challenge, ProposalStatus.SELECTED),
        }


class SignForm(TaskForm):
    """The signature of the contracts of the decided award: no field, the page shows
    the awardees and the letters sent."""

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "results": queries.public_results(challenge),
            "letters": queries.candidate_letters_of(challenge),
            "pack_gaps": pack_gaps(user, challenge),
            "essential_gaps": _essential_gaps(challenge, ProposalStatus.AWARDED),
        }


class ExplorationForm(TaskForm):
    """The buyer's decision at the end of the exploration (seed 003): for each exploring
    proposal, whether its commons proved itself, and why. Only the proven ones are
    cofunded; the reasons go to the audit trail and to the teams."""

    PROVEN_CHOICES = (
        ("yes", _("A fait ses preuves : ouvert au cofinancement")),
        ("no", _("N'a pas fait ses preuves : pas de cofinancement")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.explorations = list(queries.explorations_of(self.challenge))
        for exploration in self.explorations:
            pk = exploration.proposal_id
            title = exploration.proposal.title
            self.fields[f"proven_{pk}"] = forms.ChoiceField(
                label=_("« %(title)s » (%(team)s)") % {"title": title, "team": exploration.team},
                choices=self.PROVEN_CHOICES,
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{pk}"] = forms.CharField(
                label=_("Motif pour « %(title)s »") % {"title": title},
                help_text=_("Ce que l'exploration a montré ; il est publié avec la décision."),
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def task_data(self) -> dict:
        data = self.cleaned_data
        return {
            "decisions": [
                {
                    "proposal": e.proposal_id,
                    "proven": data[f"proven_{e.proposal_id}"] == "yes",
                    "reason": data[f"reason_{e.proposal_id}"],
                }
                for e in self.explorations
            ]
        }

    def field_for_error(self, path):
        if len(path) >= 3 and path[0] == "decisions" and str(path[1]).isdigit():
            index = int(path[1])
            if index < len(self.explorations):
                name = "reason" if path[2] == "reason" else "proven"
                return f"{name}_{self.explorations[index].proposal_id}"
        return super().field_for_error(path)

    @classmethod
    def page_context(cls, *, challenge, user, step: str) -> dict:
        return {
            **super().page_context(challenge=challenge, user=user, step=step),
            "explorations": queries.explorations_of(challenge),
        }
