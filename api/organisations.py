"""Organisations: the buyers, partners, funders, hosts and Chambres, for everyone to read;
an organisation's own members update its identity as a contracting party."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import EssStatus, InclusionStatus, Organisation, VatRegime
from procurement.services.organisations import organisation_identity_update

from .views import validated


class OrganisationSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "legal_form",
            "siren",
            "siret",
            "rna",
            "address",
            "representative_name",
            "representative_capacity",
            "vat_regime",
            "ess_status",
            "inclusion_status",
            "inclusion_share",
            "website",
            "buyer_category",
        ]
        # A buyer's category decides its thresholds, hence the procedure of its calls:
        # the administrators set it in the Django admin (procurement/admin.py), never
        # an organisation's own agents.
        read_only_fields = ["buyer_category"]


class IdentityInput(Serializer):
    """The identity an acte d'engagement names; nothing else of the organisation."""

    legal_form = serializers.CharField(max_length=100, required=False, allow_blank=True)
    siret = serializers.CharField(
        max_length=14,
        required=False,
        allow_blank=True,
        help_text="14 chiffres, clé de contrôle vérifiée.",
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    representative_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    representative_capacity = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text="« gérant », « présidente »…"
    )
    vat_regime = serializers.ChoiceField(choices=VatRegime.choices, required=False)
    ess_status = serializers.ChoiceField(
        choices=EssStatus.choices,
        required=False,
        help_text=(
            "Statut dans l'économie sociale et solidaire, déclaré par les administrateurs de "
            "l'organisation : il ouvre les lots réservés (article L2113-15 du code de la "
            "commande publique)."
        ),
    )
    inclusion_status = serializers.ChoiceField(
        choices=InclusionStatus.choices,
        required=False,
        help_text=(
            "Entreprise adaptée, ESAT ou structure d'insertion par l'activité économique, "
            "déclaré par les administrateurs : il ouvre les lots réservés des articles "
            "L2113-12 et L2113-13 du code de la commande publique."
        ),
    )
    inclusion_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=(
            "Part des travailleurs handicapés (EA, ESAT) ou défavorisés (SIAE) de l'effectif, "
            "en % : au moins 50 % pour les lots réservés (article R2113-7)."
        ),
    )


class OrganisationList(generics.ListAPIView):
    serializer_class = OrganisationSerializer
    queryset = queries.organisations_list()
    filterset_fields = ["kind"]


class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    queryset = queries.organisations_list()

    @extend_schema(request=IdentityInput, responses={200: OrganisationSerializer})
    def patch(self, request, pk):
        """A member of the organisation updates its identity (SIRET, address, legal
        representative and capacity, VAT regime) and, for its administrators only, its
        ESS status; 403 for anyone else."""
        organisation = self.get_object()
        data = validated(IdentityInput, request)
        organisation = organisation_identity_update(
            actor=request.user, organisation=organisation, **data
        )
        return Response(OrganisationSerializer(organisation).data)
