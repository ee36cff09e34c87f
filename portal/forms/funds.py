"""Forms of the money pages: the commons' ledger (income, expenses with their invoice,
payments), the cofunding round's settings, buckets, subsidies and moves, and the
reciprocity commitments and declarations. Their cleaned data are the keyword arguments
of one service each."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.actions import (
    OPTIONAL,
    BucketChoiceField,
    OrganisationChoiceField,
)
from portal.forms.base import EurosField, NumberField, PortalForm
from procurement.models import (
    MATCHING_RATIO_MAX,
    BeyondMinimum,
    EditAfterFunded,
    IncomeKind,
    ReciprocityKind,
    ReciprocityPeriod,
)
from procurement.uploads import MAX_UPLOAD_BYTES

DATE_INPUT = "%Y-%m-%d"


class DateField(forms.DateField):
    """A date typed in the browser's ``date`` control (or the French way, 31/12/2026)."""

    widget = forms.DateInput(attrs={"type": "date"}, format=DATE_INPUT)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATE_INPUT, "%d/%m/%Y"])
        super().__init__(**kwargs)


# --- the ledger -------------------------------------------------------------------------


class IncomeForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("Nature de la recette"),
        choices=[
            (IncomeKind.CONTRIBUTION, IncomeKind.CONTRIBUTION.label),
            (IncomeKind.COFUNDING, IncomeKind.COFUNDING.label),
            (IncomeKind.SUBSIDY, IncomeKind.SUBSIDY.label),
        ],
    )
    source_name = forms.CharField(label=_("Versé par"), max_length=200, **OPTIONAL)
    amount = EurosField(label=_("Montant reçu (€)"))
    received_on = DateField(label=_("Date de réception"))
    reference = forms.CharField(label=_("Référence du virement"), max_length=100, **OPTIONAL)
    subsidy_label = forms.CharField(
        label=_("Intitulé de la subvention"),
        max_length=200,
        help_text=_("Seulement pour une subvention."),
        **OPTIONAL,
    )


class ExpenseForm(PortalForm):
    organisation = OrganisationChoiceField()
    label = forms.CharField(label=_("Objet de la dépense"), max_length=200)
    amount = EurosField(label=_("Montant (€)"))
    invoice = forms.FileField(label=_("Facture"), help_text=_("PDF, PNG ou JPEG, 20 Mo au plus."))

    def __init__(self, data=None, files=None, *, organisations, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["organisation"].queryset = organisations

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        # One byte more than allowed: the service's checker then refuses it as too large.
        data["invoice"] = data["invoice"].read(MAX_UPLOAD_BYTES + 1)
        return data


class PaymentForm(PortalForm):
    payment_reference = forms.CharField(
        label=_("Référence du paiement"), max_length=100, **OPTIONAL
    )


# --- the cofunding round ----------------------------------------------------------------


class RoundSettingsForm(PortalForm):
    beyond_minimum = forms.ChoiceField(
        label=_("Une fois son minimum atteint, un commun…"),
        choices=BeyondMinimum.choices,
        widget=forms.RadioSelect,
    )
    edit_after_funded = forms.ChoiceField(
        label=_("Quand le budget d'un commun financé est modifié…"),
        choices=EditAfterFunded.choices,
        widget=forms.RadioSelect,
    )


class ContributorAllocationsForm(PortalForm):
    amount = EurosField(
        label=_("Enveloppe de chaque contributeur (€)"),
        help_text=_("Chaque organisation positionnée pour produire ou contribuer la reçoit."),
    )


class BucketsChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.proposal.title


class MatchingOfferForm(PortalForm):
    """Matching funds: so many euros per euro others pledge, up to a cap."""

    matcher = OrganisationChoiceField(label=_("Abondement de"))
    ratio = NumberField(
        label=_("Euros ajoutés par euro engagé par les autres"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Par exemple 1 pour doubler chaque engagement ; entre 0 (exclu) et %(max)s.")
        % {"max": MATCHING_RATIO_MAX},
    )
    cap = EurosField(
        label=_("Plafond de l'abondement (€)"),
        help_text=_(
            "Le montant total que votre organisation engage ; partagé dans l'ordre des "
            "engagements une fois épuisé."
        ),
    )
    buckets = BucketsChoiceField(
        label=_("Communs abondés"),
        queryset=None,
        help_text=_("Aucun coché : tous les communs du tour."),
        **OPTIONAL,
    )

    def __init__(self, data=None, *, matchers, buckets, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["matcher"].queryset = matchers
        self.fields["buckets"].queryset = buckets


class SubsidyForm(PortalForm):
    bucket = BucketChoiceField(label=_("Commun subventionné"), queryset=None, empty_label=None)
    funder_name = forms.CharField(
        label=_("Financeur de la subvention"),
        max_length=200,
        help_text=_("Par exemple l'ADEME ou l'ANCT."),
    )
    amount = EurosField(label=_("Montant (€)"))
    reference = forms.CharField(label=_("Référence"), max_length=200, **OPTIONAL)

    def __init__(self, data=None, *, buckets, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["bucket"].queryset = buckets


class PledgeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(amount)s € de %(funder)s sur « %(title)s »") % {
            "amount": obj.amount,
            "funder": obj.allocation.funder.name,
            "title": obj.bucket.proposal.title,
        }


class PledgeMoveForm(PortalForm):
    pledge = PledgeChoiceField(label=_("Engagement à déplacer"), queryset=None, empty_label=None)
    bucket = BucketChoiceField(label=_("Vers le commun"), queryset=None, empty_label=None)
    amount = EurosField(
        label=_("Montant déplacé (€)"),
        help_text=_("Laissez vide pour déplacer tout l'engagement."),
        **OPTIONAL,
    )

    def __init__(self, data=None, *, pledges, buckets, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["pledge"].queryset = pledges
        self.fields["bucket"].queryset = buckets


class BucketForm(PortalForm):
    description = forms.CharField(
        label=_("Étape de développement financée"),
        widget=forms.Textarea(attrs={"rows": 3}),
        **OPTIONAL,
    )
    min_amount = EurosField(label=_("Minimum (€)"))
    max_amount = EurosField(label=_("Maximum (€)"))


# --- reciprocity ------------------------------------------------------------------------


class CommonsChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CommitmentForm(PortalForm):
    organisation = OrganisationChoiceField()
    commons = CommonsChoiceField(label=_("Commun"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(
        label=_("Type d'engagement"), choices=ReciprocityKind.choices, widget=forms.RadioSelect
    )
    revenue_share = NumberField(
        label=_("Part du chiffre d'affaires reversée (%)"),
        max_digits=5,
        decimal_places=2,
        **OPTIONAL,
    )
    fixed_amount = EurosField(label=_("Montant fixe par période (€)"), **OPTIONAL)
    period = forms.ChoiceField(label=_("Période"), choices=ReciprocityPeriod.choices)
    starts_on = DateField(label=_("Début de l'engagement"))
    commercial_use = forms.CharField(
        label=_("Usage marchand du commun"),
        widget=forms.Textarea(attrs={"rows": 3}),
        **OPTIONAL,
    )

    def __init__(self, data=None, *, organisations, commons, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["commons"].queryset = commons


class CommitmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organisation.name} — {obj.commons.name} ({obj.get_period_display()})"


class DeclarationForm(PortalForm):
    commitment = CommitmentChoiceField(label=_("Engagement"), queryset=None, empty_label=None)
    period_start = DateField(
        label=_("Début de la période déclarée"),
        help_text=_("Le premier jour du mois, du trimestre ou de l'année."),
    )
    revenue = EurosField(label=_("Chiffre d'affaires réalisé avec le commun (€)"))
    given = EurosField(label=_("Montant reversé (€)"))

    def __init__(self, data=None, *, commitments, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["commitment"].queryset = commitments
