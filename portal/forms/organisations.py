"""Forms of the award's parties: an organisation's identity as titulaire, stated by its
members, and the structure hébergeuse of a commons, designated by the buyer. Their
cleaned data are the keyword arguments of one service each; the services check them
(a SIRET's key, a host's kind), so these forms only read what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms.base import NumberField, PortalForm
from procurement.models import EssStatus, InclusionStatus, VatRegime
from procurement.services.organisations import IDENTITY_FIELDS

OPTIONAL = {"required": False}


class IdentityForm(PortalForm):
    """The identity an acte d'engagement names (as the API's ``IdentityInput``): every
    field may stay empty until the organisation is retained; the SIRET is checked by
    ``organisation_identity_update``."""

    legal_form = forms.CharField(
        label=_("Forme juridique"),
        max_length=100,
        help_text=_("Par exemple SAS, SCIC, association loi 1901."),
        **OPTIONAL,
    )
    # Typed as printed (« 732 829 320 00074 »), kept as its 14 digits.
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        help_text=_("14 chiffres, ceux de l'établissement qui signe le marché."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        **OPTIONAL,
    )
    address = forms.CharField(
        label=_("Adresse"),
        max_length=300,
        help_text=_("Numéro, voie, code postal et commune du siège ou de l'établissement."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        **OPTIONAL,
    )
    representative_name = forms.CharField(
        label=_("Représentant légal"),
        max_length=200,
        help_text=_("La personne qui signe l'acte d'engagement, par exemple Mme Jeanne Martin."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        **OPTIONAL,
    )
    representative_capacity = forms.CharField(
        label=_("Qualité du représentant"),
        max_length=120,
        help_text=_("Par exemple gérant, présidente, directeur général."),
        **OPTIONAL,
    )
    vat_regime = forms.ChoiceField(
        label=_("Régime de TVA"),
        choices=VatRegime.choices,
        widget=forms.RadioSelect,
        help_text=_("L'acte d'engagement en déduit le prix TTC ou la mention d'exonération."),
    )
    # Changed by the organisation's administrators only: the view disables it for the
    # other members (``organisation_identity_update`` refuses them anyway).
    ess_status = forms.ChoiceField(
        label=_("Statut dans l'économie sociale et solidaire"),
        choices=EssStatus.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Il ouvre les lots réservés aux entreprises de l'ESS (article L2113-15 du code "
            "de la commande publique). Déclaré par les administrateurs de l'organisation."
        ),
    )
    # Not posted by an older form or a client that leaves it out: kept as it was.
    inclusion_status = forms.ChoiceField(
        label=_("Structure du handicap ou de l'insertion"),
        choices=InclusionStatus.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Il ouvre les lots réservés aux entreprises adaptées et ESAT (article L2113-12 du "
            "code de la commande publique) ou aux structures d'insertion par l'activité "
            "économique (article L2113-13). Déclaré par les administrateurs de l'organisation."
        ),
    )
    inclusion_share = NumberField(
        label=_("Part des travailleurs handicapés ou défavorisés (%)"),
        help_text=_(
            "Dans l'effectif de l'organisation : au moins 50 % pour répondre à un lot réservé "
            "(article R2113-7)."
        ),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
    )

    @classmethod
    def initial_for(cls, organisation) -> dict:
        return {name: getattr(organisation, name) for name in IDENTITY_FIELDS}

    def clean_inclusion_status(self) -> str:
        return self.cleaned_data["inclusion_status"] or self.initial.get(
            "inclusion_status", InclusionStatus.NONE
        )

    def clean_siret(self) -> str:
        return "".join(self.cleaned_data["siret"].split())


class HostForm(PortalForm):
    """The structure hébergeuse of one resource's commons, among the organisations of
    that kind (``resource_host_designate`` refuses any other). The choices are read
    once for the page (``hosts``, a list), whatever the number of resources."""

    host = forms.ChoiceField(
        label=_("Structure hébergeuse"),
        help_text=_("Elle reçoit les fonds des financeurs et les reverse aux contributeurs."),
    )

    def __init__(self, data=None, *, hosts, **kwargs):
        super().__init__(data, **kwargs)
        self.hosts = {str(host.pk): host for host in hosts}
        self.fields["host"].choices = [
            ("", _("Choisir une structure")),
            *[(pk, host.name) for pk, host in self.hosts.items()],
        ]

    hosting_fee = NumberField(
        label=_("Frais d'hébergement (%)"),
        help_text=_(
            "Part des fonds reçus que la structure retient, convenue avec elle et les "
            "contributeurs ; vide ou 0 si l'hébergement est gratuit. Le contrat d'hébergement "
            "l'imprime."
        ),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
    )

    def clean_host(self):
        return self.hosts[self.cleaned_data["host"]]


class HostingFeeForm(PortalForm):
    """The fee of a commons already hosted (``commons_hosting_fee_set``)."""

    hosting_fee = NumberField(
        label=_("Frais d'hébergement (%)"),
        help_text=_("0 si l'hébergement est gratuit."),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
