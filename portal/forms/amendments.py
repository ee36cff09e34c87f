"""The buyer's change to its published call: what ``workflows.services.call_amend``
takes (a summary, the object's new text, the lots' new estimates, whether the change is
substantial and then the new proposal deadline), nothing more."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import DeadlineField, EurosField, PortalForm, required_when

OPTIONAL = {"required": False}


def _lines(text: str) -> str:
    """A textarea's text with the line ends the browser sends (CRLF) made plain, so an
    untouched text compares equal to the stored one."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class AmendmentForm(PortalForm):
    """Filled with the call as it stands: what the buyer leaves as it is does not change
    (the service ignores an unchanged text or amount)."""

    summary = forms.CharField(
        label=_("Objet de la modification"),
        help_text=_(
            "Publié sur la page de l'appel et envoyé aux partenaires positionnés et aux "
            "abonnés ; il sert d'avis de prolongation si la modification est substantielle."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    context = forms.CharField(
        label=_("Contexte et objet de l'appel"),
        help_text=_(
            "Le texte repris dans le règlement et le CCTP. Laissez-le tel quel s'il ne change pas."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        **OPTIONAL,
    )
    substantial = forms.BooleanField(
        label=_("Modification substantielle"),
        help_text=_(
            "Elle laisse aux candidats plus de temps : reportez la date limite des "
            "propositions ci-dessous."
        ),
        **OPTIONAL,
    )
    new_proposal_deadline = required_when(
        DeadlineField(
            label=_("Nouvelle date limite des propositions"),
            help_text=_("Requise si la modification est substantielle. Date et heure de Paris."),
            **OPTIONAL,
        )
    )

    def __init__(self, data=None, *, challenge, lots, **kwargs):
        kwargs.setdefault("initial", {"context": challenge.context})
        super().__init__(data, **kwargs)
        self.challenge = challenge
        self.lot_names: dict[str, int] = {}
        for lot in lots:
            name = f"lot_{lot.number}"
            self.fields[name] = EurosField(
                label=_("Lot %(number)s — %(title)s : montant estimé HT (€)")
                % {"number": lot.number, "title": lot.title},
                max_digits=14,
                initial=lot.estimated_amount,
                **OPTIONAL,
            )
            self.lot_names[name] = lot.number

    def main_fields(self):
        return [self["summary"], self["context"]]

    def lot_fields(self):
        return [self[name] for name in self.lot_names]

    def clean_context(self) -> str:
        return _lines(self.cleaned_data["context"])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "summary": data["summary"],
            "substantial": data["substantial"],
            "new_proposal_deadline": data["new_proposal_deadline"],
            "context": data["context"] or None,
            # a lot left empty keeps its estimate
            "lot_estimates": {
                number: data[name]
                for name, number in self.lot_names.items()
                if data.get(name) is not None
            },
        }

    def field_for_error(self, path: tuple[str, ...]) -> str | None:
        # The service names its own arguments, and the deadline's extension its own:
        # its new deadline is the form's new proposal deadline, its notice the summary.
        names = {"new_deadline": "new_proposal_deadline", "notice": "summary"}
        if path and path[0] in names:
            return names[path[0]]
        if path and path[0] == "lot_estimates":
            return next(iter(self.lot_names), None)
        return super().field_for_error(path)
