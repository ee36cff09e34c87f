"""Rebuilding the demo's database from nothing: every table dropped, the migrations run
again. The virtualenv, the settings and the stored files are left alone."""

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.utils.translation import gettext as _


def database_rebuild(using: str = "default") -> int:
    """Drop every table of the database ``using`` and migrate it again; returns how many
    tables were dropped.

    On PostgreSQL the append-only triggers (migration 0020) refuse UPDATE and DELETE on
    the audit tables, not DROP TABLE: the tables go with their triggers (CASCADE), and
    the migration recreates both (its functions are ``CREATE OR REPLACE``). On SQLite
    foreign keys are turned off while the tables go."""
    connection = connections[using]
    tables = connection.introspection.table_names(include_views=False)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
        else:
            raise CommandError(
                _("La remise à zéro ne connaît que SQLite et PostgreSQL, pas %(vendor)s.")
                % {"vendor": connection.vendor}
            )
    call_command("migrate", database=using, interactive=False, verbosity=0)
    return len(tables)
