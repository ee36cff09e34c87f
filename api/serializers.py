"""The serializers several concepts of the API share: an organisation and a user as
another object names them. Each concept's own serializers live beside its views
(``api.challenges``, ``api.proposals``, ``api.cofunding``…). No rule lives here: the
views hand validated data to the services."""

from django.contrib.auth import get_user_model

from kernel.serializers import ModelSerializer
from procurement.models import Organisation


class OrganisationRefSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class UserRefSerializer(ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]
