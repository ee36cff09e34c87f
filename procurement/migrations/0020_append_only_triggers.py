"""Append-only in PostgreSQL itself: triggers refuse what the ORM already refuses, for
whoever writes SQL with the service's account (a script, a console, a compromised
process). The hash chains and their anchors (``procurement.services.chains``) detect
what an owner of the tables does after disabling them.

- the audit events and the anchored heads: no UPDATE, no DELETE;
- a chain's head row: never removed, and it only moves forward, one event at a time,
  onto an event of its chain that exists with that hash;
- the money a ledger received (``Income``): no UPDATE, no DELETE;
- an expense: never removed; its amount, its ledger, whom it pays, its kind and its
  exploration income never change, and once paid it does not change at all (its status,
  decisions and payment do change before that: ``procurement.services.ledger``).

Only on PostgreSQL (the embedded SQLite default keeps the ORM's refusal and the chains).
TRUNCATE, which the test suite uses to empty its tables, is not a row trigger's business.
"""

from django.db import migrations

TABLES_REFUSED = (
    "procurement_auditevent",
    "procurement_chainanchor",
    "procurement_income",
)

FORWARD = """
CREATE OR REPLACE FUNCTION communs_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE OR REPLACE FUNCTION communs_chain_head_forward() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'append-only: DELETE on % is refused', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.chain <> OLD.chain OR NEW.seq <> OLD.seq + 1 OR NOT EXISTS (
        SELECT 1 FROM procurement_auditevent
        WHERE chain = NEW.chain AND seq = NEW.seq AND hash = NEW.hash
    ) THEN
        RAISE EXCEPTION 'append-only: the head of chain % moves one event forward', OLD.chain
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION communs_expense_recorded() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'append-only: DELETE on % is refused', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status = 'paid'
        OR NEW.amount <> OLD.amount
        OR NEW.ledger_id <> OLD.ledger_id
        OR NEW.organisation_id <> OLD.organisation_id
        OR NEW.kind <> OLD.kind
        OR NEW.income_id IS DISTINCT FROM OLD.income_id
    THEN
        RAISE EXCEPTION 'append-only: expense % keeps what its chain recorded', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS communs_append_only() CASCADE;
DROP FUNCTION IF EXISTS communs_chain_head_forward() CASCADE;
DROP FUNCTION IF EXISTS communs_expense_recorded() CASCADE;
"""


def triggers() -> list[str]:
    statements = [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION communs_append_only();"
        for table in TABLES_REFUSED
    ]
    statements.append(
        "CREATE TRIGGER procurement_auditchainhead_forward BEFORE UPDATE OR DELETE "
        "ON procurement_auditchainhead FOR EACH ROW EXECUTE FUNCTION communs_chain_head_forward();"
    )
    statements.append(
        "CREATE TRIGGER procurement_expense_recorded BEFORE UPDATE OR DELETE "
        "ON procurement_expense FOR EACH ROW EXECUTE FUNCTION communs_expense_recorded();"
    )
    return statements


def run(schema_editor, *statements: str) -> None:
    # Without parameters: the % of RAISE are PL/pgSQL's, not placeholders.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run(schema_editor, FORWARD, *triggers())


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0019_chain_anchor"),
    ]

    operations = [migrations.RunPython(forward, backward)]
