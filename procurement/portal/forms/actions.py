"""Forms of the domain actions done during the timed stages (positions, proposals,
cofunding, questions and answers) and the catalogue's filters. Their cleaned data
are the keyword arguments of one service each."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.models import CommonsCategory, Intent
from procurement.portal.forms.base import DeadlineField, EurosField, NumberField, PortalForm

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


class PositionForm(PortalForm):
    organisation = OrganisationChoiceField()
    resource = ResourceChoiceField(label=_("Ressource"), queryset=None, empty_label=None)
    intent = forms.ChoiceField(
        label=_("Intention"), choices=Intent.choices, widget=forms.RadioSelect
    )
    skills_days = NumberField(
        label=_("Compétences apportées (jours-personne)"),
        max_digits=8,
        decimal_places=1,
        **OPTIONAL,
    )
    skills_profile = forms.CharField(label=_("Profil des personnes"), max_length=200, **OPTIONAL)
    technical_means = forms.CharField(
        label=_("Moyens techniques"), widget=forms.Textarea(attrs={"rows": 3}), **OPTIONAL
    )
    money = EurosField(label=_("Apport financier (€)"), **OPTIONAL)
    public_name = forms.BooleanField(
        label=_("Afficher publiquement le nom de mon organisation"), **OPTIONAL
    )

    def __init__(self, data=None, *, organisations, resources, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["resource"].queryset = resources

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["skills_days"] = data["skills_days"] or Decimal(0)
        data["money"] = data["money"] or Decimal(0)
        return data


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
    answer = forms.CharField(label=_("Projet de réponse"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendDeadlineForm(PortalForm):
    """Extend the proposal deadline to the date the six-day rule proposes."""

    new_deadline = DeadlineField(label=_("Nouvelle date limite des propositions"))
    notice = forms.CharField(
        label=_("Avis de prolongation (publié)"), widget=forms.Textarea(attrs={"rows": 2})
    )


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
