"""Forms of the domain actions done during the timed stages (positions, proposals,
cofunding, questions and answers) and the catalogue's filters. Their cleaned data
are the keyword arguments of one service each."""

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import CommonsCategory, ContributionKind, Intent
from procurement.portal.forms.base import EurosField, NumberField, PortalForm

OPTIONAL = {"required": False}


class OrganisationChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Au nom de"))
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset=None, **kwargs)


class ResourceChoiceField(forms.ModelChoiceField):
    widget = forms.RadioSelect

    def label_from_instance(self, obj):
        return obj.title


CONTRIBUTION_ROWS = 3
CONTRIBUTION_FIELDS = ("kind", "days", "profile", "description", "amount")


class PositionForm(PortalForm):
    """A position and up to ``CONTRIBUTION_ROWS`` contributions, one per row: its type
    and the fields of that type (the rows left empty are ignored)."""

    organisation = OrganisationChoiceField()
    resource = ResourceChoiceField(label=_("Ressource"), queryset=None, empty_label=None)
    intent = forms.ChoiceField(
        label=_("Intention"), choices=Intent.choices, widget=forms.RadioSelect
    )
    public_name = forms.BooleanField(
        label=_("Afficher publiquement le nom de mon organisation"), **OPTIONAL
    )

    def __init__(self, data=None, *, organisations, resources, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["resource"].queryset = resources
        for i in range(CONTRIBUTION_ROWS):
            n = i + 1
            self.fields[f"c{i}_kind"] = forms.ChoiceField(
                label=_("Type de la contribution %(n)s") % {"n": n},
                choices=[("", "—"), *ContributionKind.choices],
                **OPTIONAL,
            )
            self.fields[f"c{i}_days"] = NumberField(
                label=_("Compétences : jours-personne"),
                max_digits=8,
                decimal_places=1,
                **OPTIONAL,
            )
            self.fields[f"c{i}_profile"] = forms.CharField(
                label=_("Compétences : profil des personnes"), max_length=200, **OPTIONAL
            )
            self.fields[f"c{i}_description"] = forms.CharField(
                label=_("Moyens techniques : description"),
                widget=forms.Textarea(attrs={"rows": 2}),
                **OPTIONAL,
            )
            self.fields[f"c{i}_amount"] = EurosField(
                label=_("Apport financier : montant (€)"), **OPTIONAL
            )
        self._rows: list[int] = []

    @classmethod
    def initial_for(cls, position) -> dict:
        initial = {
            "organisation": position.organisation_id,
            "resource": position.resource_id,
            "intent": position.intent,
            "public_name": position.public_name,
        }
        for i, c in enumerate(list(position.contributions.all())[:CONTRIBUTION_ROWS]):
            for name in CONTRIBUTION_FIELDS:
                initial[f"c{i}_{name}"] = getattr(c, name)
        return initial

    def rows(self):
        """The bound fields of each contribution row, for the template."""
        return [
            {name: self[f"c{i}_{name}"] for name in CONTRIBUTION_FIELDS}
            for i in range(CONTRIBUTION_ROWS)
        ]

    def clean(self):
        data = super().clean()
        for i in range(CONTRIBUTION_ROWS):
            filled = any(data.get(f"c{i}_{n}") not in (None, "") for n in CONTRIBUTION_FIELDS)
            if filled and not data.get(f"c{i}_kind"):
                self.add_error(f"c{i}_kind", _("Choisissez le type de cette contribution."))
        return data

    def contributions(self) -> list[dict]:
        items, self._rows = [], []
        data = self.cleaned_data
        for i in range(CONTRIBUTION_ROWS):
            kind = data.get(f"c{i}_kind")
            if not kind:
                continue
            self._rows.append(i)
            items.append(
                {
                    name: data.get(f"c{i}_{name}")
                    for name in CONTRIBUTION_FIELDS
                    if data.get(f"c{i}_{name}") not in (None, "")
                }
            )
        return items

    def field_for_error(self, path: tuple[str, ...]) -> str | None:
        if path and path[0] == "contributions":
            if len(path) >= 3 and path[1].isdigit() and int(path[1]) < len(self._rows):
                name = f"c{self._rows[int(path[1])]}_{path[2]}"
                return name if name in self.fields else None
            return "c0_kind"
        return super().field_for_error(path)

    def service_kwargs(self) -> dict:
        return {
            "organisation": self.cleaned_data["organisation"],
            "resource": self.cleaned_data["resource"],
            "intent": self.cleaned_data["intent"],
            "public_name": self.cleaned_data["public_name"],
            "contributions": self.contributions(),
        }

    def update_kwargs(self) -> dict:
        kwargs = self.service_kwargs()
        del kwargs["organisation"], kwargs["resource"]
        return kwargs


class ProposalForm(PortalForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    summary = forms.CharField(label=_("Résumé"), widget=forms.Textarea(attrs={"rows": 4}))
    deliverables = forms.CharField(label=_("Livrables"), widget=forms.Textarea(attrs={"rows": 3}))
    licence = forms.CharField(
        label=_("Licence"),
        max_length=64,
        help_text=_("Identifiant SPDX d'une licence ouverte, par exemple EUPL-1.2 ou ODbL-1.0."),
    )
    amount = EurosField(label=_("Coût total HT (€)"))
    community = forms.CharField(
        label=_("Communauté"), widget=forms.Textarea(attrs={"rows": 3}), **OPTIONAL
    )
    governance = forms.CharField(
        label=_("Gouvernance"), widget=forms.Textarea(attrs={"rows": 3}), **OPTIONAL
    )


class AllocationForm(PortalForm):
    funder = OrganisationChoiceField(label=_("Financeur"))
    amount = EurosField(label=_("Enveloppe (€)"))

    def __init__(self, data=None, *, funders, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["funder"].queryset = funders


class BucketChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.proposal.title


class PledgeForm(PortalForm):
    bucket = BucketChoiceField(label=_("Commun à cofinancer"), queryset=None, empty_label=None)
    funder = OrganisationChoiceField(label=_("Financeur"))
    amount = EurosField(label=_("Montant engagé (€)"))

    def __init__(self, data=None, *, funders, buckets, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["funder"].queryset = funders
        self.fields["bucket"].queryset = buckets


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
    answer = forms.CharField(label=_("Réponse"), widget=forms.Textarea(attrs={"rows": 3}))


class CommonsFilterForm(PortalForm):
    q = forms.CharField(label=_("Rechercher"), max_length=100, **OPTIONAL)
    category = forms.ChoiceField(
        label=_("Catégorie"),
        choices=[("", _("Toutes les catégories")), *CommonsCategory.choices],
        **OPTIONAL,
    )
    licence = forms.ChoiceField(label=_("Licence"), **OPTIONAL)
    referenced = forms.ChoiceField(
        label=_("Référencement"),
        choices=[
            ("", _("Tous les communs")),
            ("1", _("Référencés par la Chambre")),
            ("0", _("Non référencés")),
        ],
        **OPTIONAL,
    )

    def __init__(self, data=None, *, licences, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["licence"].choices = [
            ("", _("Toutes les licences")),
            *[(lic, lic) for lic in licences],
        ]
