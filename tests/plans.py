"""What the database plans for a query, and the indexes a table has: for the tests that
hold a read to its index. Plans are read, never timed."""

from django.db import connection, transaction


def plan(queryset, *, seqscan: bool = True) -> str:
    """The database's plan for ``queryset``, one line per step. ``seqscan=False`` on
    PostgreSQL makes a table scan the last resort (``enable_seqscan``): on the few rows
    of a test it would otherwise win over any index."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if not seqscan:
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def indexes(model) -> dict[str, list[str]]:
    """Every index of ``model``'s table, unique ones included, by name: its columns."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: info["columns"]
        for name, info in found.items()
        if (info["index"] or info["unique"]) and not info["primary_key"]
    }
