"""The Chambre des communs over REST: referrals (rapporteur, comments, draft, return),
answers to reservations, the catalogue's decisions and the Chambre's public activity.

Publishing an opinion is the completion of the Chambre's process step
(``POST /tasks/{id}/complete/``), the one way to move the process on.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import NotFound
from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import (
    CatalogueDecision,
    Commons,
    OpinionSubject,
    Organisation,
    OrganisationKind,
    Referral,
    ReferralComment,
    Verdict,
)
from procurement.services import opinions as opinion_services

from .opinions import OpinionSerializer
from .serializers import OrganisationRefSerializer
from .views import ChallengeScoped, validated


class UserRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class CommentSerializer(ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = ReferralComment
        fields = ["id", "author", "body", "created_at"]


class ReferralSerializer(ModelSerializer):
    """A referral. The draft and the comments are the Chambre's own: the buyer sees
    only where the referral stands."""

    rapporteur = UserRefSerializer(read_only=True, allow_null=True)
    draft = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "subject",
            "status",
            "note",
            "opened_at",
            "deadline",
            "closed_at",
            "rapporteur",
            "opinion",
            "draft",
            "comments",
        ]

    def _inside(self) -> bool:
        return self.context.get("chambre_member", False)

    def get_draft(self, referral) -> dict | None:
        if not self._inside() or not referral.draft_verdict:
            return None
        return {
            "verdict": referral.draft_verdict,
            "reasons": referral.draft_reasons,
            "reservations": referral.draft_reservations,
            "recommended_commons": [c.pk for c in referral.draft_recommended_commons.all()],
            "licence_requirements": referral.draft_licence_requirements,
            "drafted_at": referral.drafted_at,
        }

    def get_comments(self, referral) -> list[dict]:
        if not self._inside():
            return []
        return CommentSerializer(referral.comments.all(), many=True).data


class RapporteurInput(Serializer):
    rapporteur = serializers.IntegerField(
        min_value=1,
        label=gettext_lazy("Rapporteur"),
        help_text=gettext_lazy("Identifiant d'un membre du groupe engagement de la Chambre."),
    )


class CommentInput(Serializer):
    body = serializers.CharField(max_length=10000, label=gettext_lazy("Commentaire"))


class ReturnInput(Serializer):
    comment = serializers.CharField(max_length=10000, label=gettext_lazy("Ce qui est à reprendre"))


class DraftInput(Serializer):
    verdict = serializers.ChoiceField(
        choices=[(v, label) for v, label in Verdict.choices if v != Verdict.NONE_IN_TIME],
        label=gettext_lazy("Avis"),
    )
    reasons = serializers.CharField(
        required=False, allow_blank=True, default="", label=gettext_lazy("Motifs")
    )
    reservations = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        label=gettext_lazy("Réserves"),
    )
    recommended_commons = serializers.PrimaryKeyRelatedField(
        queryset=Commons.objects.all(),
        many=True,
        required=False,
        default=list,
        label=gettext_lazy("Communs recommandés"),
    )
    licence_requirements = serializers.CharField(
        required=False, allow_blank=True, default="", label=gettext_lazy("Exigences de licence")
    )
    submit = serializers.BooleanField(
        default=False,
        label=gettext_lazy("Soumettre au modérateur"),
        help_text=gettext_lazy("Vrai : le projet est transmis au modérateur pour validation."),
    )


class ReservationAnswerInput(Serializer):
    reservation = serializers.IntegerField(min_value=1, label=gettext_lazy("Réserve n°"))
    accepted = serializers.BooleanField(label=gettext_lazy("Acceptée"))
    answer = serializers.CharField(allow_blank=True, max_length=5000, label=gettext_lazy("Réponse"))


class DecisionSerializer(ModelSerializer):
    chambre = OrganisationRefSerializer(read_only=True)
    commons_name = serializers.CharField(source="commons.name", read_only=True)

    class Meta:
        model = CatalogueDecision
        fields = ["id", "commons", "commons_name", "chambre", "kind", "reason", "decided_at"]


class CatalogueDecisionInput(Serializer):
    chambre = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.CHAMBRE),
        label=gettext_lazy("Chambre"),
    )
    kind = serializers.ChoiceField(
        choices=CatalogueDecision.Kind.choices, label=gettext_lazy("Décision")
    )
    reason = serializers.CharField(max_length=5000, label=gettext_lazy("Motif"))


# --- referrals ------------------------------------------------------------------------


class ReferralScoped(ChallengeScoped):
    def context(self) -> dict:
        return {"chambre_member": queries.is_chambre_member(self.request.user, self.challenge())}

    def referral(self) -> Referral:
        return queries.access_referral(
            user=self.request.user, challenge=self.challenge(), pk=self.kwargs["pk"]
        )

    def answer(self) -> Response:
        referral = self.referral()
        return Response(ReferralSerializer(referral, context=self.context()).data)


class ReferralList(ReferralScoped, generics.ListAPIView):
    """The challenge's referrals to the Chambre (its members and the buyer's staff)."""

    serializer_class = ReferralSerializer
    pagination_class = None

    def scoped_queryset(self):
        challenge = self.challenge()
        user = self.request.user
        if not (
            queries.is_chambre_member(user, challenge) or queries.is_buyer_staff(user, challenge)
        ):
            return Referral.objects.none()
        return queries.referrals_of(challenge)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context.update(self.context())
        return context


class ReferralDetail(ReferralScoped, APIView):
    @extend_schema(responses=ReferralSerializer)
    def get(self, request, challenge_pk, pk):
        return self.answer()


class ReferralRapporteur(ReferralScoped, APIView):
    """The modérateur names the rapporteur (a member of the engagement group)."""

    @extend_schema(request=RapporteurInput, responses=ReferralSerializer)
    def post(self, request, challenge_pk, pk):
        referral = self.referral()
        data = validated(RapporteurInput, request)
        rapporteur = (
            queries.rapporteur_candidates(referral.chambre).filter(pk=data["rapporteur"]).first()
        )
        opinion_services.referral_name_rapporteur(
            actor=request.user, referral=referral, rapporteur=rapporteur
        )
        return self.answer()


class ReferralComments(ReferralScoped, APIView):
    """A member of the Chambre comments on the referral."""

    @extend_schema(request=CommentInput, responses={201: CommentSerializer})
    def post(self, request, challenge_pk, pk):
        referral = self.referral()
        data = validated(CommentInput, request)
        comment = opinion_services.referral_comment(actor=request.user, referral=referral, **data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ReferralDraft(ReferralScoped, APIView):
    """The named rapporteur writes the draft opinion, and submits it when ready."""

    @extend_schema(request=DraftInput, responses=ReferralSerializer)
    def put(self, request, challenge_pk, pk):
        referral = self.referral()
        data = validated(DraftInput, request)
        opinion_services.referral_draft(actor=request.user, referral=referral, **data)
        return self.answer()


class ReferralReturn(ReferralScoped, APIView):
    """The modérateur sends the submitted draft back to the rapporteur."""

    @extend_schema(request=ReturnInput, responses=ReferralSerializer)
    def post(self, request, challenge_pk, pk):
        referral = self.referral()
        data = validated(ReturnInput, request)
        opinion_services.referral_return(actor=request.user, referral=referral, **data)
        return self.answer()


class ReservationAnswerView(ChallengeScoped, APIView):
    """The buyer answers one reservation of a published opinion (public answer)."""

    @extend_schema(request=ReservationAnswerInput, responses={200: None})
    def post(self, request, challenge_pk, pk):
        opinion = queries.access_opinion(challenge=self.challenge(), pk=pk)
        data = validated(ReservationAnswerInput, request)
        opinion_services.reservation_answer(
            actor=request.user,
            opinion=opinion,
            index=data["reservation"],
            accepted=data["accepted"],
            answer=data["answer"],
        )
        opinion = queries.access_opinion(challenge=self.challenge(), pk=pk)
        return Response(OpinionSerializer(opinion).data)


# --- the catalogue and the Chambre's activity ------------------------------------------


class CommonsDecisions(generics.ListAPIView):
    """The referencing decisions on a commons (public); the modérateur adds one."""

    serializer_class = DecisionSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CatalogueDecision.objects.none()
        return queries.catalogue_decisions(queries.access_commons(pk=self.kwargs["pk"]))

    @extend_schema(request=CatalogueDecisionInput, responses={201: DecisionSerializer})
    def post(self, request, pk):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        data = validated(CatalogueDecisionInput, request)
        decide = (
            opinion_services.commons_reference
            if data["kind"] == CatalogueDecision.Kind.REFERENCE
            else opinion_services.commons_dereference
        )
        decision = decide(
            actor=request.user,
            chambre=data["chambre"],
            commons=queries.access_commons(pk=pk),
            reason=data["reason"],
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ActivityOpinionSerializer(Serializer):
    challenge = serializers.IntegerField(source="challenge.pk")
    challenge_title = serializers.CharField(source="challenge.title")
    subject = serializers.ChoiceField(choices=OpinionSubject.choices)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    opened_at = serializers.DateTimeField()
    issued_at = serializers.DateTimeField()
    days = serializers.FloatField(help_text="Jours entre la saisine et l'avis.")


class VerdictCountSerializer(Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class ChambreActivitySerializer(Serializer):
    chambre = OrganisationRefSerializer()
    delay_days = serializers.IntegerField(help_text="Délai de la Chambre pour rendre un avis.")
    given = serializers.IntegerField(help_text="Avis rendus dans le délai.")
    none_in_time = serializers.IntegerField(help_text="Saisines restées sans avis dans le délai.")
    pending = serializers.IntegerField(help_text="Saisines en cours.")
    mean_days = serializers.FloatField(
        allow_null=True, help_text="Jours en moyenne pour rendre un avis (null : aucun avis)."
    )
    verdicts = VerdictCountSerializer(many=True)
    opinions = ActivityOpinionSerializer(many=True)


class ChambreActivity(APIView):
    """A Chambre's public record: opinions given, time taken, verdicts."""

    @extend_schema(responses=ChambreActivitySerializer)
    def get(self, request, pk):
        chambre = Organisation.objects.filter(kind=OrganisationKind.CHAMBRE, pk=pk).first()
        if chambre is None:
            raise NotFound(_("Chambre introuvable."), code="chambre_not_found")
        return Response(ChambreActivitySerializer(queries.chambre_activity(chambre)).data)
