"""The commons catalogue: anyone reads it; anyone signed in proposes a commons, which
the Chambre references (``api.chambre``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from kernel.serializers import ModelSerializer
from procurement import queries
from procurement.models import Commons
from procurement.services.opinions import commons_propose

from .serializers import OrganisationRefSerializer
from .views import validated


class CommonsSerializer(ModelSerializer):
    host = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Commons
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "category",
            "licence",
            "url",
            "community",
            "governance",
            "host",
            "hosting_fee",
            "referenced",
            "referenced_at",
        ]


class CommonsInput(ModelSerializer):
    class Meta:
        model = Commons
        fields = [
            "name",
            "description",
            "category",
            "licence",
            "url",
            "community",
            "governance",
            "host",
        ]


class CommonsList(generics.ListAPIView):
    """The catalogue; anyone signed in proposes a new commons, which stays out of the
    catalogue until the Chambre references it."""

    serializer_class = CommonsSerializer
    queryset = queries.commons_catalogue()
    filterset_fields = ["category", "licence", "referenced"]

    @extend_schema(request=CommonsInput, responses={201: CommonsSerializer})
    def post(self, request):

        if not request.user.is_authenticated:
            raise NotAuthenticated()
        data = validated(CommonsInput, request)
        commons = commons_propose(actor=request.user, **data)
        return Response(CommonsSerializer(commons).data, status=status.HTTP_201_CREATED)


class CommonsDetail(generics.RetrieveAPIView):
    serializer_class = CommonsSerializer
    queryset = queries.commons_catalogue()
