"""Writing behind the ORM's back, as someone holding the database's owner account could.

On PostgreSQL the append-only triggers refuse such writes; an owner of the tables can
disable them first, and so does this helper, for the tables it is told. What the chains
and their anchors must then detect is exactly what such a forger leaves behind."""

from collections.abc import Sequence

from django.db import connection


def behind_the_orm(statement: str, params: Sequence = (), *, tables: Sequence[str]) -> None:
    quoted = [connection.ops.quote_name(table) for table in tables]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # ALTER TABLE waits for no deferred foreign-key check of the transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in quoted:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(statement, list(params))
        if postgres:
            for table in quoted:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
