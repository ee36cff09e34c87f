"""E-mail alerts over the API: the caller's subscriptions (its own and its
organisations'), subscribing to a buyer's calls or to every call, unsubscribing."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import Subscription
from procurement.services import notifications as services

from .serializers import OrganisationRefSerializer
from .views import validated


class SubscriptionSerializer(ModelSerializer):
    buyer = OrganisationRefSerializer(read_only=True, allow_null=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    personal = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = ["id", "buyer", "organisation", "personal", "created_at"]

    def get_personal(self, subscription) -> bool:
        """The caller's own subscription (else one of its organisations')."""
        return subscription.user_id is not None


class SubscriptionInput(Serializer):
    buyer = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Vide : tous les appels."
    )
    organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Vide : abonnement personnel ; sinon une organisation dont on est membre.",
    )


def _organisation(pk, code: str):
    if pk is None:
        return None
    organisation = queries.organisations_list().filter(pk=pk).first()
    if organisation is None:
        raise NotFound(_("Organisation introuvable."), code=code)
    return organisation


class SubscriptionList(generics.ListAPIView):
    """My e-mail alerts on the publication of calls; subscribing (idempotent)."""

    serializer_class = SubscriptionSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subscription.objects.none()
        return queries.subscriptions_of(self.request.user)

    @extend_schema(request=SubscriptionInput, responses={201: SubscriptionSerializer})
    def post(self, request):
        data = validated(SubscriptionInput, request)
        subscription = services.subscription_set(
            actor=request.user,
            subscribed=True,
            buyer=_organisation(data["buyer"], "buyer_not_found"),
            organisation=_organisation(data["organisation"], "organisation_not_found"),
        )
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        subscription = queries.subscriptions_of(request.user).filter(pk=pk).first()
        if subscription is None:
            raise NotFound(_("Abonnement introuvable."), code="subscription_not_found")
        services.subscription_set(
            actor=request.user,
            subscribed=False,
            buyer=subscription.buyer,
            organisation=subscription.organisation,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
