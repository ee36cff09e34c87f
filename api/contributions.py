"""The public contribution record (recognition after the fact) over the API: per commons,
the organisations that took part in it; per organisation, the commons it took part in;
each with every component of its involvement (``calculations.Involvement``) and its
reciprocity contracts. Anonymous read; only what is already public goes in
(``procurement.queries.contributions``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import Serializer
from procurement import queries

from .execution import CommonsBriefSerializer
from .reciprocity import ReciprocityCommitmentSerializer
from .serializers import OrganisationRefSerializer

MONEY = {"max_digits": 16, "decimal_places": 2}


class InvolvementSerializer(Serializer):
    positions = serializers.IntegerField(help_text="Positionnements publics sur le commun.")
    skills_days = serializers.DecimalField(
        max_digits=10, decimal_places=1, help_text="Jours-personne de compétences proposés."
    )
    technical_means = serializers.IntegerField(help_text="Moyens techniques proposés.")
    money_offers = serializers.IntegerField(
        help_text="Apports financiers proposés (leur montant reste à l'acheteur)."
    )
    paid_in = serializers.DecimalField(
        help_text="Versé au compte du commun (registre public).", **MONEY
    )
    paid_out = serializers.DecimalField(
        help_text="Reçu du compte du commun : dépenses payées (registre public).", **MONEY
    )
    reciprocity_given = serializers.DecimalField(
        help_text="Reversé au titre de la réciprocité.", **MONEY
    )
    reciprocity_due = serializers.DecimalField(help_text="Dû au titre de la réciprocité.", **MONEY)
    kept = serializers.IntegerField(help_text="Périodes de réciprocité déclarées à temps.")
    late = serializers.IntegerField(help_text="Périodes déclarées après le délai de 30 jours.")
    missed = serializers.IntegerField(help_text="Périodes échues sans déclaration.")
    ways = serializers.IntegerField(
        help_text="Nombre de façons de contribuer (0 à 5), premier critère de l'ordre."
    )


class RecordRowSerializer(Serializer):
    organisation = OrganisationRefSerializer()
    commons = CommonsBriefSerializer()
    involvement = InvolvementSerializer()
    commitments = ReciprocityCommitmentSerializer(many=True)


class ContributionRecordSerializer(Serializer):
    order = serializers.CharField(help_text="Comment les lignes sont ordonnées.")
    rows = RecordRowSerializer(many=True)
    totals = InvolvementSerializer()


ORDER = (
    "Par nombre de façons de contribuer (compétences, moyens techniques, apport financier "
    "proposé, versement au compte du commun, réciprocité reversée), puis par jours-personne "
    "de compétences, puis par nom. Aucune pondération, aucun score ; l'argent reçu ne "
    "compte pas dans l'ordre."
)


def _record(rows) -> dict:
    return ContributionRecordSerializer(
        {"order": ORDER, "rows": rows, "totals": queries.record_totals(rows)}
    ).data


class CommonsContributions(APIView):
    """The organisations that took part in a commons, most involved first."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ContributionRecordSerializer)
    def get(self, request, pk):
        commons = queries.access_commons(pk=pk)
        return Response(_record(queries.contribution_record_of_commons(commons)))


class OrganisationContributions(APIView):
    """The commons an organisation took part in."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ContributionRecordSerializer)
    def get(self, request, pk):
        organisation = queries.access_public_organisation(pk=pk)
        return Response(_record(queries.contribution_record_of_organisation(organisation)))
