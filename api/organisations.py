"""Organisations: the buyers, partners, funders, hosts and Chambres, for everyone to read."""

from rest_framework import generics, serializers

from procurement import queries
from procurement.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
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
            "website",
            "buyer_category",
        ]
        # A buyer's category decides its thresholds, hence the procedure of its calls:
        # the administrators set it in the Django admin (procurement/admin.py), never
        # an organisation's own agents.
        read_only_fields = ["buyer_category"]


class OrganisationList(generics.ListAPIView):
    serializer_class = OrganisationSerializer
    queryset = queries.organisations_list()
    filterset_fields = ["kind"]


class OrganisationDetail(generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    queryset = queries.organisations_list()
