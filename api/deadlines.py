"""Deadlines and answers (issue 4, parts 3 and 7): publishing the drafted answers at
once (with the six-day warning of formal procedures), the question deadline, deadline
extensions and their public notices."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.serializers import ModelSerializer, Serializer
from procurement.models import DeadlineKind, DeadlineNotice
from procurement.services import deadlines as deadline_services
from procurement.services import questions as question_services
from workflows import services as process_services

from .challenges import ChallengeSerializer
from .questions import QuestionSerializer
from .views import ChallengeScoped, validated


class LateAnswersSerializer(Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    answered_at = serializers.DateTimeField()
    latest = serializers.DateTimeField(help_text="Quand les réponses étaient dues.")
    proposed_deadline = serializers.DateTimeField(
        help_text="La date limite des propositions qui rétablit les six jours."
    )
    can_extend = serializers.BooleanField()
    extend_url = serializers.CharField(help_text="POST {which, new_deadline, notice}")


class AnswersPublicationSerializer(Serializer):
    published_at = serializers.DateTimeField()
    questions = QuestionSerializer(many=True)
    warning = LateAnswersSerializer(allow_null=True)


class DeadlineNoticeSerializer(ModelSerializer):
    class Meta:
        model = DeadlineNotice
        fields = ["id", "which", "old_deadline", "new_deadline", "notice", "published_at"]


class ExtendInput(Serializer):
    which = serializers.ChoiceField(choices=DeadlineKind.choices)
    new_deadline = serializers.DateTimeField()
    notice = serializers.CharField(max_length=5000)


class QuestionsDeadlineInput(Serializer):
    questions_deadline = serializers.DateTimeField()


def _extend_url(request, challenge) -> str:
    return request.build_absolute_uri(
        reverse("deadline-extend", kwargs={"challenge_pk": challenge.pk})
    )


class AnswersPublish(ChallengeScoped, APIView):
    """The buyer publishes every drafted answer at once (one published time). In a
    formal procedure, answers published less than six days before the proposal
    deadline are published all the same, with a ``warning`` proposing the extension."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: AnswersPublicationSerializer})
    def post(self, request, challenge_pk):
        challenge = self.challenge()
        publication = question_services.questions_publish_answers(
            challenge=challenge, actor=request.user
        )
        warning = None
        if publication.warning:
            warning = {
                **publication.warning.as_dict(),
                "extend_url": _extend_url(request, challenge),
            }
        data = {
            "published_at": publication.published_at,
            "questions": publication.questions,
            "warning": warning,
        }
        return Response(AnswersPublicationSerializer(data).data)


class DeadlineNoticeList(ChallengeScoped, generics.ListAPIView):
    """The public notices of the call's extended deadlines."""

    serializer_class = DeadlineNoticeSerializer
    pagination_class = None

    def scoped_queryset(self):
        return self.challenge().deadline_notices.all()


class DeadlineExtend(ChallengeScoped, APIView):
    """The buyer extends a deadline before it passes, with a published notice; the
    process then moves on at the new deadline."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ExtendInput, responses={201: DeadlineNoticeSerializer})
    def post(self, request, challenge_pk):
        data = validated(ExtendInput, request)
        notice = process_services.deadline_extend(
            actor=request.user, challenge=self.challenge(), **data
        )
        return Response(DeadlineNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class QuestionsDeadlineSet(ChallengeScoped, APIView):
    """The buyer sets the question deadline of a published call that has none."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=QuestionsDeadlineInput, responses={200: ChallengeSerializer})
    def post(self, request, challenge_pk):
        data = validated(QuestionsDeadlineInput, request)
        challenge = deadline_services.challenge_set_questions_deadline(
            actor=request.user, challenge=self.challenge(), **data
        )
        return Response(ChallengeSerializer(challenge).data)
