"""The task list reads the caller's open tasks in their order through their own index
(issue 20, migration workflows/0002 ``task_open_created``): a page, by number or by
cursor, reads about a page of tasks, never every open task sorted nor the done tasks of
the history. Plans are read from EXPLAIN, never timed."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from viewflow.workflow.models import Task

from tests.plans import indexes, plan
from workflows import queries

pytestmark = pytest.mark.django_db


def test_the_open_tasks_index_holds_them_in_the_lists_order():
    # given the task table's indexes
    found = indexes(Task)

    # when the open tasks' index is read
    columns = found.get("task_open_created")

    # then it orders them as the list does (creation, then id), after the constant
    # ``finished`` on SQLite, whose planner takes it only with that first column
    expected = (
        ["created", "id"] if connection.vendor == "postgresql" else ["finished", "created", "id"]
    )
    assert columns == expected


def test_a_page_of_tasks_walks_the_open_tasks_index_and_sorts_nothing(django_user_model):
    # given the list of a buyer's agent, as its page by number and its cursor read it
    agent = django_user_model.objects.create(username="agent.plan")
    scope = queries.tasks_actionable_scope(agent)
    reads = {
        "page 2": scope.values("pk")[20:40],
        "first cursor page": scope.values("id", "created")[:21],
        "next cursor page": scope.filter(created__lt=datetime(2026, 12, 1, tzinfo=UTC)).values(
            "id", "created"
        )[:21],
    }

    # when the database plans them
    plans = {name: plan(read, seqscan=False) for name, read in reads.items()}

    # then each walks the open tasks newest first and stops at the page: no sort of
    # every open task (the index on status gave them all to be sorted), no walk of the
    # done ones (the index on created gave the whole history)
    for name, steps in plans.items():
        assert "task_open_created" in steps, (name, steps)
        assert "TEMP B-TREE" not in steps, (name, steps)
        assert "Sort" not in steps, (name, steps)
