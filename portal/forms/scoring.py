"""The evaluator's page: the declaration of interests on each assigned proposal, then
the marks on every criterion (``score`` step)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import PortalForm
from portal.forms.tasks import OPTIONAL, TaskForm
from procurement import queries
from scoring.models import SCALE_MAX, ScaleKind
from scoring.queries import (
    assignments_visible_to,
    current_round,
    draft_scores_of,
    evaluations_visible_to,
    marked_criteria,
)
from scoring.services import MJ_GRADES


class DeclarationForm(PortalForm):
    """Before reading a proposal, the evaluator declares a conflict of interest or none
    (``scoring.services.conflict_declare``)."""

    conflict = forms.TypedChoiceField(
        label=_("Déclaration d'intérêts"),
        choices=[
            ("0", _("Je n'ai aucun conflit d'intérêts avec les organisations de ce groupe")),
            ("1", _("Je déclare un conflit d'intérêts : je ne noterai pas cette proposition")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Nature du conflit d'intérêts"),
        widget=forms.Textarea(attrs={"rows": 2}),
        **OPTIONAL,
    )

    def __init__(self, data=None, *, assignment, **kwargs):
        self.assignment = assignment
        super().__init__(data, prefix=f"d{assignment.pk}", **kwargs)


class ScoreForm(TaskForm):
    """The evaluator's assigned proposals: each first gets a declaration of interests
    (its own small form); those declared free of conflict are then marked on every
    criterion, on the criterion's scale, with comments, and submitted together."""

    def __init__(self, *args, declaration_data=None, draft: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # a draft keeps what is given: every mark may still be blank
        self.draft = draft
        self.assignments = list(
            assignments_visible_to(self.user, self.challenge).filter(evaluator=self.user)
        )
        readable = {p.pk: p for p in queries.proposals_visible_to(self.user, self.challenge)}
        scored = set(
            evaluations_visible_to(self.user, self.challenge)
            .filter(
                assignment__evaluator=self.user,
                submitted_at__isnull=False,
                round=current_round(self.challenge),
            )
            .values_list("assignment__proposal_id", flat=True)
        )
        # The price criterion is marked by the published formula, not by evaluators.
        self.criteria = marked_criteria(self.challenge)
        self.failed_proposal = None
        self.sent: list[int] = []
        self.proposals = [
            readable[a.proposal_id]
            for a in self.assignments
            if a.conflict is False and a.proposal_id in readable and a.proposal_id not in scored
        ]
        self.scored = scored
        self.readable = readable
        self.declarations = {
            a.pk: DeclarationForm(
                declaration_data
                if declaration_data and declaration_data.get("assignment") == str(a.pk)
                else None,
                assignment=a,
            )
            for a in self.assignments
            if a.conflict is None
        }
        drafts = draft_scores_of(evaluator=self.user, challenge=self.challenge)
        for proposal in self.proposals:
            prefix = f"p{proposal.pk}_"
            saved = drafts.get(proposal.pk)
            marks = {s.criterion.code: s for s in saved.scores.all()} if saved else {}
            if saved:
                self.initial[prefix + "comment"] = saved.comment
            for criterion in self.criteria:
                self.fields[f"{prefix}score_{criterion.code}"] = self._score_field(criterion)
                if self.draft:
                    self.fields[f"{prefix}score_{criterion.code}"].required = False
                if criterion.code in marks:
                    self.initial[f"{prefix}score_{criterion.code}"] = marks[criterion.code].value
                    self.initial[f"{prefix}comment_{criterion.code}"] = marks[
                        criterion.code
                    ].comment
                self.fields[f"{prefix}comment_{criterion.code}"] = forms.CharField(
                    label=_("Commentaire sur « %(criterion)s »") % {"criterion": criterion.label},
                    help_text=_("Requis pour la note la plus basse ou la plus haute."),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    **OPTIONAL,
                )
            self.fields[prefix + "comment"] = forms.CharField(
                label=_("Appréciation générale"),
                widget=forms.Textarea(attrs={"rows": 3}),
                **OPTIONAL,
            )

    def _score_field(self, criterion):
        label = _("Note : %(criterion)s (poids %(weight)s %%)") % {
            "criterion": criterion.label,
            "weight": f"{criterion.weight.normalize():f}",
        }
        if criterion.scale == ScaleKind.MAJORITY:
            return forms.ChoiceField(
                label=label,
                choices=[("", _("Choisir une mention")), *[(g, g) for g in MJ_GRADES]],
            )
        maximum = SCALE_MAX[criterion.scale]
        return forms.DecimalField(
            label=label,
            help_text=_("De 0 à %(max)s.") % {"max": maximum},
            min_value=0,
            max_value=maximum,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
        )

    def declaration(self, assignment_pk) -> DeclarationForm | None:
        try:
            return self.declarations.get(int(assignment_pk))
        except (TypeError, ValueError):
            return None

    def sections(self) -> list[dict]:
        """One per assignment, in order: its declaration, or its marks once declared."""
        marked = {p.pk for p in self.proposals}
        return [
            {
                "assignment": a,
                "proposal": self.readable.get(a.proposal_id),
                "declaration": self.declarations.get(a.pk),
                "scored": a.proposal_id in self.scored,
                "criteria": [
                    {
                        "criterion": criterion,
                        "score": self[f"p{a.proposal_id}_score_{criterion.code}"],
                        "comment": self[f"p{a.proposal_id}_comment_{criterion.code}"],
                    }
                    for criterion in self.criteria
                ]
                if a.proposal_id in marked
                else [],
                "comment": self[f"p{a.proposal_id}_comment"] if a.proposal_id in marked else None,
            }
            for a in self.assignments
        ]

    @property
    def ready(self) -> bool:
        """Every assigned proposal has its declaration of interests."""
        return not self.declarations

    def task_data(self) -> dict:
        data = self.cleaned_data
        evaluations = [
            {"proposal": a.proposal_id, "conflict": True}
            for a in self.assignments
            if a.conflict is True
        ]
        for proposal in self.proposals:
            prefix = f"p{proposal.pk}_"
            evaluations.append(
                {
                    "proposal": proposal.pk,
                    "conflict": False,
                    "scores": {
                        c.code: _mark(data[f"{prefix}score_{c.code}"])
                        for c in self.criteria
                        if data[f"{prefix}score_{c.code}"] not in (None, "")
                    },
                    "comments": {
                        c.code: data[f"{prefix}comment_{c.code}"]
                        for c in self.criteria
                        if data[f"{prefix}comment_{c.code}"]
                    },
                    "comment": data[prefix + "comment"],
                }
            )
        return {"evaluations": evaluations}

    def note_refusal(self, exc) -> None:
        self.failed_proposal = getattr(exc, "extra", {}).get("proposal")
        # The proposal of each item of the data sent, for the serializer's errors.
        self.sent = [item["proposal"] for item in self.task_data()["evaluations"]]

    def field_for_error(self, path):
        # The handler's serializer: evaluations.<index>.scores.<code>
        if len(path) >= 4 and path[0] == "evaluations" and path[1].isdigit():
            index = int(path[1])
            if index < len(self.sent) and path[2] in ("scores", "comments"):
                kind = "score" if path[2] == "scores" else "comment"
                return f"p{self.sent[index]}_{kind}_{path[3]}"
            return None
        # The scoring service: scores.<code>, for the proposal it names (when it does).
        if len(path) == 2 and path[0] == "scores" and self.failed_proposal:
            return f"p{self.failed_proposal}_score_{path[1]}"
        # The draft and the check before submitting: proposals.<id>.scores.<code>
        if len(path) == 4 and path[0] == "proposals" and path[2] == "scores":
            name = f"p{path[1]}_score_{path[3]}"
            return name if name in self.fields else None
        return None

    def error_items(self) -> list[dict]:
        """Each refused mark named by its proposal and criterion, for the summary."""
        items = []
        titles = {p.pk: p.title for p in self.proposals}
        labels = {c.code: c.label for c in self.criteria}
        for name, errors in self.errors.items():
            if name == "__all__" or not name.startswith("p"):
                continue
            pid, _sep, rest = name[1:].partition("_")
            kind, _sep, code = rest.partition("_")
            if not pid.isdigit():
                continue
            items.append(
                {
                    "anchor": self[name].id_for_label,
                    "proposal": titles.get(int(pid), ""),
                    "criterion": labels.get(code, "")
                    if kind in ("score", "comment")
                    else _("Appréciation générale"),
                    "message": errors[0],
                }
            )
        return items

    def review(self) -> list[dict]:
        """What will be submitted, proposal by proposal, to read before submitting."""
        data = self.cleaned_data
        return [
            {
                "proposal": proposal,
                "marks": [
                    {
                        "criterion": c,
                        "value": data.get(f"p{proposal.pk}_score_{c.code}"),
                        "comment": data.get(f"p{proposal.pk}_comment_{c.code}"),
                    }
                    for c in self.criteria
                ],
                "comment": data.get(f"p{proposal.pk}_comment"),
            }
            for proposal in self.proposals
        ]


def _mark(value) -> str:
    if isinstance(value, str):
        return value
    return f"{value.normalize():f}"
