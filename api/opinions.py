"""The Chambre's published opinions on a challenge, with the buyer's answers to their
reservations (public). The referrals that lead to them are ``api.chambre``."""

from datetime import datetime

from rest_framework import generics, serializers

from kernel.serializers import ModelSerializer
from procurement import queries
from procurement.models import Opinion, ReservationAnswer

from .views import ChallengeScoped


class ReservationAnswerSerializer(ModelSerializer):
    reservation = serializers.IntegerField(source="index")

    class Meta:
        model = ReservationAnswer
        fields = ["reservation", "accepted", "answer", "answered_at"]


class OpinionSerializer(ModelSerializer):
    """A published opinion with the buyer's answers to its reservations (public)."""

    answers = ReservationAnswerSerializer(many=True, read_only=True)
    referred_at = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "subject",
            "verdict",
            "reasons",
            "reservations",
            "answers",
            "recommended_commons",
            "licence_requirements",
            "referred_at",
            "issued_at",
        ]

    def get_referred_at(self, opinion) -> datetime | None:
        referral = getattr(opinion, "referral", None)
        return referral.opened_at if referral else None


class OpinionList(ChallengeScoped, generics.ListAPIView):
    serializer_class = OpinionSerializer
    pagination_class = None

    def scoped_queryset(self):
        return queries.opinions_of(self.challenge())
