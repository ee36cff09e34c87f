"""An index of the open tasks in their order, for the task list (issue 20).

The list keeps the caller's open tasks, newest first (``queries.tasks_actionable_scope``):
a page, or a cursor's page, should read about twenty of them whatever the number of
tasks, open or done. Viewflow's own indexes do not give that: the one on ``status``
gives every open task, to be sorted before a page is cut; the one on ``created`` walks
the whole history, done tasks included.

The index holds only the unfinished tasks (``finished IS NULL``), in ``created`` then
``id`` order: the list's. Every open task is unfinished: viewflow stamps ``finished``
when a task ends (done, cancelled), no transition leads from an ended task back into
NEW or ASSIGNED, and a revived task is a new row. Its columns differ
by database, each the shape its planner takes for that query:

- PostgreSQL: ``(created, id)``; it walks it backwards and stops at the page.
- SQLite: ``(finished, created, id)``. With ``finished`` first, the list's
  ``finished IS NULL`` is an equality on the index's first column, which makes SQLite
  prefer it to the index on ``status``; without it, SQLite reads the open tasks by
  status and sorts them all.

Viewflow's ``Task`` is not a model of this project, so the index is created in SQL here.
"""

from django.db import migrations

NAME = "task_open_created"

COLUMNS = {"postgresql": ("created", "id"), "sqlite": ("finished", "created", "id")}


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in COLUMNS:  # the service runs on these two (DESIGN.md)
        return
    table = apps.get_model("viewflow", "Task")._meta.db_table
    quote = schema_editor.quote_name
    columns = ", ".join(quote(column) for column in COLUMNS[connection.vendor])
    schema_editor.execute(
        f"CREATE INDEX {quote(NAME)} ON {quote(table)} ({columns}) "
        f"WHERE {quote('finished')} IS NULL"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(NAME)}")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(create, drop)]
