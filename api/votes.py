"""A call's collective vote on the commons to cofinance (majority judgment): its plan
and state, my organisation's ballot, and the results once counted."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import ApplicationError, Forbidden
from kernel.serializers import Serializer
from scoring import votes as vote_queries
from scoring.aggregation import MJ_GRADES
from scoring.models import Grade
from scoring.services import votes as vote_services

from .errors import ErrorSerializer
from .views import ChallengeScoped, validated


class VotePlanInput(Serializer):
    """The collective vote a call plans (with the call, while drafted or revised)."""

    planned = serializers.BooleanField(
        help_text="Le vote collectif a lieu avant le cofinancement (false : aucun vote)."
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=60,
        required=False,
        help_text="Durée du vote en jours à son ouverture (7 par défaut).",
    )
    planned_end = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Fin du vote prévue ; l'emporte sur la durée tant qu'elle est à venir.",
    )
    min_grade = serializers.ChoiceField(
        choices=list(MJ_GRADES),
        required=False,
        help_text="Mention majoritaire minimale d'un commun retenu (« Bien » par défaut).",
    )
    max_retained = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        allow_null=True,
        help_text="Nombre maximal de communs retenus, les mieux jugés (aucun : pas de plafond).",
    )


def plan_kwargs(data: dict) -> dict:
    """The service's arguments from ``VotePlanInput``'s data (a mention as its number)."""
    kwargs = dict(data)
    if "min_grade" in kwargs:
        kwargs["min_grade"] = len(MJ_GRADES) - 1 - MJ_GRADES.index(kwargs["min_grade"])
    return kwargs


class CandidateSerializer(Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    title = serializers.SerializerMethodField(help_text="Le commun (la ressource de l'appel).")

    def get_title(self, candidate) -> str:
        return vote_queries.commons_title(candidate)


class VoteSerializer(Serializer):
    days = serializers.IntegerField()
    planned_end = serializers.DateTimeField(allow_null=True)
    min_grade = serializers.SerializerMethodField()
    max_retained = serializers.IntegerField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    ballots_counted = serializers.SerializerMethodField(
        help_text="Nombre de bulletins dépouillés (null avant la clôture : le vote est secret)."
    )
    candidates = serializers.SerializerMethodField()

    def get_min_grade(self, vote) -> str:
        return str(Grade(vote.min_grade).label)

    def get_ballots_counted(self, vote) -> int | None:
        return vote.ballots_counted if vote.closed_at else None

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, vote) -> list[dict]:
        return CandidateSerializer(vote_queries.candidates_of(vote), many=True).data


class BallotInput(Serializer):
    organisation = serializers.IntegerField(
        required=False,
        help_text="L'organisation qui vote (requise si vous votez pour plusieurs).",
    )
    grades = serializers.DictField(
        child=serializers.ChoiceField(choices=list(MJ_GRADES)),
        allow_empty=False,
        help_text=(
            "Une mention par commun soumis au vote, clé = id de la proposition : "
            "Excellent, Très bien, Bien, Assez bien, Passable, Insuffisant, À rejeter. "
            "Les communs du groupe de travail de votre organisation ne se notent pas."
        ),
    )


class MyBallotSerializer(Serializer):
    organisation = serializers.IntegerField(source="organisation.pk")
    organisation_name = serializers.CharField(source="organisation.name")
    grades = serializers.DictField(child=serializers.CharField())
    own = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Les communs de votre groupe de travail, que votre organisation ne note pas.",
    )
    cast_at = serializers.DateTimeField(allow_null=True)


class ProfileEntrySerializer(Serializer):
    grade = serializers.CharField()
    value = serializers.IntegerField(help_text="De 0 (À rejeter) à 6 (Excellent).")
    count = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1)


class ResultSerializer(Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    proposal_title = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    grades = serializers.IntegerField(help_text="Nombre de mentions reçues.")
    majority_grade = serializers.CharField(help_text="Mention majoritaire (médiane inférieure).")
    retained = serializers.BooleanField(help_text="Le commun a un pot dans le cofinancement.")
    reason = serializers.CharField()
    tie_break = serializers.CharField(help_text="Le départage, en mots (vide s'il n'y en a pas).")
    tied_with = serializers.ListField(child=serializers.CharField())
    profile = ProfileEntrySerializer(
        many=True, help_text="Profil de mérite, meilleure mention d'abord."
    )


class ResultsSerializer(Serializer):
    ballots = serializers.IntegerField()
    min_grade = serializers.CharField()
    max_retained = serializers.IntegerField(allow_null=True)
    results = ResultSerializer(many=True)


class VoteDetail(ChallengeScoped, APIView):
    """The call's collective vote: its plan, state and candidates (404: none planned)."""

    @extend_schema(responses=VoteSerializer)
    def get(self, request, challenge_pk):
        return Response(VoteSerializer(vote_queries.access_vote(self.challenge())).data)


class MyBallot(ChallengeScoped, APIView):
    """My organisations' ballots: read (403 for who does not vote), cast or change
    until the close (409 after it, to the second)."""

    permission_classes = [IsAuthenticated]

    def _voting(self):
        vote = vote_queries.access_vote(self.challenge())
        organisations = list(vote_services.voter_organisations(self.request.user, vote.challenge))
        if not organisations:
            raise Forbidden(
                _("Seuls les financeurs et les contributeurs de l'appel votent."),
                code="not_a_voter",
            )
        return vote, organisations

    @extend_schema(responses=MyBallotSerializer(many=True))
    def get(self, request, challenge_pk):
        vote, _organisations = self._voting()
        return Response(
            MyBallotSerializer(vote_queries.my_ballots(request.user, vote), many=True).data
        )

    @extend_schema(
        request=BallotInput,
        responses=MyBallotSerializer(many=True),
        examples=[
            OpenApiExample(
                "Un bulletin",
                value={"grades": {"12": "Très bien", "13": "Assez bien"}},
                request_only=True,
            )
        ],
    )
    def put(self, request, challenge_pk):
        vote, organisations = self._voting()
        data = validated(BallotInput, request)
        organisation = _pick(organisations, data.get("organisation"))
        vote_services.ballot_submit(
            actor=request.user, vote=vote, organisation=organisation, grades=data["grades"]
        )
        return Response(
            MyBallotSerializer(vote_queries.my_ballots(request.user, vote), many=True).data
        )


def _pick(organisations, organisation_id):
    if organisation_id is None:
        if len(organisations) > 1:
            message = _("Indiquez pour quelle organisation vous votez.")
            raise ApplicationError(
                message, code="organisation_required", extra={"fields": {"organisation": [message]}}
            )
        return organisations[0]
    for organisation in organisations:
        if organisation.pk == organisation_id:
            return organisation
    raise Forbidden(
        _("Vous ne votez pas pour cette organisation dans cet appel."), code="not_a_voter"
    )


class VoteResults(ChallengeScoped, APIView):
    """The result, once the vote is counted (409 before: the ballots are secret): per
    commons its merit profile, majority grade, rank, whether it is retained and why."""

    @extend_schema(
        responses={
            200: ResultsSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Le vote n'est pas encore clos : les bulletins restent secrets.",
            ),
        }
    )
    def get(self, request, challenge_pk):
        vote = vote_queries.access_vote(self.challenge())
        rows = vote_queries.vote_results(vote)
        return Response(
            ResultsSerializer(
                {
                    "ballots": vote.ballots_counted,
                    "min_grade": str(Grade(vote.min_grade).label),
                    "max_retained": vote.max_retained,
                    "results": rows,
                }
            ).data
        )
