"""The workflow part of the REST API, in the shape BPM engines use (Camunda's as the
reference): processes with their history; tasks I can act on; claim, unclaim,
release (an administrator), complete with data."""

from datetime import datetime

from django.core.paginator import Paginator
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from viewflow.workflow.models import Task

from api.pagination import PageOrCursorPagination
from kernel.fields import MAX_ID
from kernel.serializers import ModelSerializer, Serializer
from workflows import queries, services
from workflows.models import ChallengeProcess
from workflows.step_data import describe


class TaskSerializer(ModelSerializer):
    step = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    process = serializers.IntegerField(source="process_id")
    challenge = serializers.IntegerField(source="process.challengeprocess.challenge_id")
    challenge_title = serializers.CharField(source="process.challengeprocess.challenge.title")
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    deadline = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "step",
            "title",
            "status",
            "process",
            "challenge",
            "challenge_title",
            "owner",
            "created",
            "finished",
            "deadline",
            "data",
        ]

    def get_step(self, task) -> str:
        return task.flow_task.name

    def get_title(self, task) -> str:
        return str(task.flow_task.task_title or task.flow_task.name)

    def get_deadline(self, task) -> datetime | None:
        """The task's deadline (on the Chambre's steps, its referral's), for the inbox."""
        return queries.task_deadline(task)


class TaskRowSerializer(TaskSerializer):
    """``TaskSerializer`` over the list's rows (``queries.TaskRow``): the same fields,
    read from the values of one query instead of four model instances per task."""

    challenge = serializers.IntegerField(source="challenge_id")
    challenge_title = serializers.CharField()
    owner = serializers.CharField(default=None, allow_null=True)

    def get_deadline(self, task) -> datetime | None:
        return task.deadline

    def to_representation(self, task):
        # DRF's generic walk (a source path and an attribute lookup per field, a lazy
        # title translated per row) was most of this serializer's cost on a page. Here
        # each value still goes through its own field (the method fields' raw, as DRF
        # gives them), in the fields' order: the same JSON.
        titles = self.__dict__.setdefault("_titles", {})
        node = task.flow_task
        if node not in titles:  # one translation per step and page, not per row
            titles[node] = (self.get_step(task), self.get_title(task))
        step, title = titles[node]
        methods = {"step": step, "title": title, "deadline": task.deadline}
        values = {
            "id": task.id,
            "status": task.status,
            "process": task.process_id,
            "challenge": task.challenge_id,
            "challenge_title": task.challenge_title,
            "owner": task.owner,
            "created": task.created,
            "finished": task.finished,
            "data": task.data,
        }
        fields = self.fields
        return {
            name: methods[name]
            if name in methods
            else (None if values[name] is None else fields[name].to_representation(values[name]))
            for name in self.Meta.fields
        }


class TaskDetailSerializer(TaskSerializer):
    form = serializers.SerializerMethodField()
    can_complete = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "form", "can_complete"]

    def get_form(self, task) -> list[dict]:
        data = getattr(task.flow_task, "data", None)
        return describe(data()) if data is not None else []

    def get_can_complete(self, task) -> bool:
        return (
            services.can_act(self.context["request"].user, task)
            and task.status in services.OPEN_STATUSES
        )


class TaskFilter(filters.FilterSet):
    process = filters.NumberFilter(field_name="process_id", min_value=1, max_value=MAX_ID)
    challenge = filters.NumberFilter(
        field_name="process__challengeprocess__challenge_id", min_value=1, max_value=MAX_ID
    )
    status = filters.CharFilter(field_name="status")


class TaskPaginator(Paginator):
    """Django's paginator over the scoped tasks (``queries.tasks_actionable_scope``): it
    counts them, reads the page's ids in the list's order, then the page's rows by id
    (``queries.tasks_rows``). The same pages, count and errors as Django's; the count and
    the ids read the task and the links that scope it, never the calls' wide rows.

    The ids walk the open tasks' index and stop at the page (``task_open_created``); the
    count reads the caller's open tasks once. Counting in the same query
    (``COUNT(*) OVER ()``) would save a round trip but sort them all: on SQLite 0.7 ms
    against 1.1 for 100 open tasks, 12.5 against 6.8 for 10,000."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page]
        return self._get_page(queries.tasks_rows(list(ids)), number, self)


class TaskPagination(PageOrCursorPagination):
    """Pages by number through ``TaskPaginator``; by cursor, the page's ids (and the
    creation times that place it), then the rows of those ids (``queries.tasks_rows``):
    the same rows for the same serializer in both modes.

    The cursor's ids are read with ``LIMIT page_size + 1`` and no count, walking the open
    tasks' own index newest first (``task_open_created``, migration workflows/0002) and
    stopping at the page, on both databases: about a page of tasks read whether the
    caller has 100 or 10,000 open, and none of the done ones. Without it SQLite read
    every open task through the index on ``status`` and sorted them (0.14, 0.9, then
    9.9 ms for 100, 1,000, 10,000), PostgreSQL walked the whole history by ``created``."""

    django_paginator_class = TaskPaginator

    def cursor_queryset(self, queryset):
        return queryset.values("id", "created")

    def cursor_rows(self, page):
        return queries.tasks_rows([row["id"] for row in page])


class TaskList(generics.ListAPIView):
    """Tasks the caller can act on now: assigned to it, or claimable by its role. Paged
    by number with their count, or by cursor (``?cursor=``) without it."""

    permission_classes = [IsAuthenticated]
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = TaskPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        return queries.tasks_actionable_scope(self.request.user)

    def get_serializer_class(self):
        # the schema documents the task (the same fields); the pages hold rows
        if getattr(self, "swagger_fake_view", False):
            return TaskSerializer
        return TaskRowSerializer


class TaskDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = TaskDetailSerializer

    def get_object(self):
        return queries.access_task(user=self.request.user, pk=self.kwargs["pk"])


def _task_response(request, task):
    task = queries.access_task(user=request.user, pk=task.pk)
    return Response(TaskDetailSerializer(task, context={"request": request}).data)


class TaskClaim(APIView):
    """Take a claimable task (409 if someone else holds it)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=TaskDetailSerializer)
    def post(self, request, pk):
        task = queries.access_task(user=request.user, pk=pk)
        return _task_response(request, services.task_claim(actor=request.user, task=task))


class TaskUnclaim(APIView):
    """Give a claimed task back."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=TaskDetailSerializer)
    def post(self, request, pk):
        task = queries.access_task(user=request.user, pk=pk)
        return _task_response(request, services.task_unclaim(actor=request.user, task=task))


class TaskReleaseSerializer(Serializer):
    reason = serializers.CharField(max_length=500)


class TaskRelease(APIView):
    """An administrator gives back to the pool a task someone else holds (with a reason)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TaskReleaseSerializer, responses=TaskDetailSerializer)
    def post(self, request, pk):
        task = queries.access_task(user=request.user, pk=pk)
        data = TaskReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        released = services.task_release(
            actor=request.user, task=task, reason=data.validated_data["reason"]
        )
        return _task_response(request, released)


class TaskComplete(APIView):
    """Complete a task with its data, as described by the task's ``form``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses=TaskDetailSerializer,
        description="Le corps est la donnée de l'étape, décrite par le champ `form` de la tâche.",
    )
    def post(self, request, pk):
        task = queries.access_task(user=request.user, pk=pk)
        data = request.data if isinstance(request.data, dict) else {}
        return _task_response(
            request, services.task_complete(actor=request.user, task=task, data=data)
        )


class HistorySerializer(ModelSerializer):
    step = serializers.CharField(source="flow_task.name")
    title = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "step",
            "title",
            "status",
            "owner",
            "created",
            "started",
            "finished",
            "scheduled",
        ]

    def get_title(self, task) -> str:
        return str(task.flow_task.task_title or task.flow_task.name)


class ProcessSerializer(ModelSerializer):
    challenge_title = serializers.CharField(source="challenge.title")
    stage = serializers.CharField(source="challenge.status")

    class Meta:
        model = ChallengeProcess
        fields = ["id", "challenge", "challenge_title", "status", "stage", "created", "finished"]


class ProcessFilter(filters.FilterSet):
    challenge = filters.NumberFilter(field_name="challenge_id", min_value=1, max_value=MAX_ID)
    status = filters.CharFilter(field_name="status")


class ProcessList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ProcessSerializer
    filterset_class = ProcessFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChallengeProcess.objects.none()
        return queries.processes_visible_to(self.request.user)


class ProcessDetailSerializer(ProcessSerializer):
    current_steps = HistorySerializer(many=True)
    history = HistorySerializer(many=True)

    class Meta(ProcessSerializer.Meta):
        fields = [*ProcessSerializer.Meta.fields, "current_steps", "history"]


class ProcessDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ProcessDetailSerializer,
        parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)],
    )
    def get(self, request, pk):
        process = queries.access_process(user=request.user, pk=pk)
        history = list(queries.process_history(process))
        data = ProcessSerializer(process).data
        data["current_steps"] = HistorySerializer(
            [
                t
                for t in history
                if t.status in ("NEW", "ASSIGNED", "STARTED", "SCHEDULED", "ERROR")
            ],
            many=True,
        ).data
        data["history"] = HistorySerializer(history, many=True).data
        return Response(data)


urlpatterns = [
    path("processes/", ProcessList.as_view(), name="process-list"),
    path("processes/<int:pk>/", ProcessDetail.as_view(), name="process-detail"),
    path("tasks/", TaskList.as_view(), name="task-list"),
    path("tasks/<int:pk>/", TaskDetail.as_view(), name="task-detail"),
    path("tasks/<int:pk>/claim/", TaskClaim.as_view(), name="task-claim"),
    path("tasks/<int:pk>/unclaim/", TaskUnclaim.as_view(), name="task-unclaim"),
    path("tasks/<int:pk>/release/", TaskRelease.as_view(), name="task-release"),
    path("tasks/<int:pk>/complete/", TaskComplete.as_view(), name="task-complete"),
]
