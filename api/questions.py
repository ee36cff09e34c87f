"""The partners' questions on a challenge and the buyer's drafted answers (published
together by ``api.deadlines.AnswersPublish``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import ModelSerializer, Serializer
from procurement import queries
from procurement.models import Organisation, Question
from procurement.services import questions as question_services

from .views import ChallengeScoped, validated


class QuestionSerializer(ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "author_hash", "text", "answer", "asked_at", "answered_at"]


class BuyerQuestionSerializer(ModelSerializer):
    """The buyer's staff also see their drafted, unpublished answer."""

    class Meta:
        model = Question
        fields = [
            "id",
            "author_hash",
            "text",
            "answer",
            "asked_at",
            "answered_at",
            "draft_answer",
            "drafted_at",
        ]


class QuestionInput(Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    text = serializers.CharField(max_length=5000)


class AnswerInput(Serializer):
    answer = serializers.CharField(max_length=10000)


class QuestionList(ChallengeScoped, generics.ListCreateAPIView):
    serializer_class = QuestionSerializer

    def get_serializer_class(self):
        # The buyer's staff also read their drafted answers; nobody else does.
        if not getattr(self, "swagger_fake_view", False) and queries.is_buyer_staff(
            self.request.user, self.challenge()
        ):
            return BuyerQuestionSerializer
        return QuestionSerializer

    def scoped_queryset(self):
        return queries.questions_visible_to(self.request.user, self.challenge())

    @extend_schema(request=QuestionInput, responses={201: QuestionSerializer})
    def post(self, request, challenge_pk):
        data = validated(QuestionInput, request)
        question = question_services.question_ask(
            challenge=self.challenge(), actor=request.user, **data
        )
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswer(ChallengeScoped, APIView):
    """The buyer drafts (or rewrites) an answer; it is public once the drafted answers
    are published together (``questions/publish/``)."""

    @extend_schema(request=AnswerInput, responses=BuyerQuestionSerializer)
    def post(self, request, challenge_pk, pk):
        data = validated(AnswerInput, request)
        question = queries.access_question(user=request.user, challenge=self.challenge(), pk=pk)
        question = question_services.question_answer_draft(
            question=question, actor=request.user, **data
        )
        return Response(BuyerQuestionSerializer(question).data)
