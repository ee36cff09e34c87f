"""Append-only in PostgreSQL itself (migration 0020): whoever writes SQL with the
service's account cannot rewrite or remove an audit event, an anchor, an income, a
head going backwards, or what an expense recorded; the service's own writes still go
through (a whole ledger, a call's trail, an anchoring)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from procurement.models import (
    AuditChainHead,
    AuditEvent,
    ChainAnchor,
    Expense,
    ExpenseStatus,
    Income,
)
from procurement.services.audit import audit_record
from procurement.services.chains import chains_anchor, chains_verify
from procurement.services.ledger import expense_submit
from tests.api import scenarios
from tests.procurement.ledger_cast import PDF
from tests.procurement.test_chains import paid_expense

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("Les déclencheurs se vérifient sur PostgreSQL (DATABASE_URL=postgres://…)")


def refused(statement: str, params: list) -> str:
    """Run one SQL statement as the service's account: it must be refused."""
    with (
        pytest.raises(IntegrityError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    return str(caught.value)


def quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def test_events_anchors_and_incomes_refuse_update_and_delete(world, clock):
    # given a call, a ledger that paid an expense, and their heads anchored: every one
    # of these writes went through the triggers
    scenarios.published(world)
    cast, _expense = paid_expense(world, "700.00")
    assert chains_anchor().anchors
    event = AuditEvent.objects.filter(chain=f"ledger:{cast.commons.pk}").last()
    anchor = ChainAnchor.objects.last()
    income = Income.objects.get(ledger__commons=cast.commons)

    # when SQL tries to rewrite or remove an event, an anchor or an income
    for model, pk, column, value in (
        (AuditEvent, event.pk, "verb", "ledger.forged"),
        (ChainAnchor, anchor.pk, "hash", "0" * 64),
        (Income, income.pk, "amount", "1.00"),
    ):
        # then each UPDATE and each DELETE is refused
        message = refused(
            f"UPDATE {quoted(model)} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )
        assert "append-only" in message
        refused(f"DELETE FROM {quoted(model)} WHERE id = %s", [pk])  # noqa: S608

    # and nothing changed: every chain is whole
    assert chains_verify().valid


def test_an_expense_keeps_what_its_chain_recorded(world):
    # given a paid expense of 700 € and one still submitted
    cast, paid = paid_expense(world, "700.00")
    pending = expense_submit(
        actor=cast.partner_users[0],
        commons=cast.commons,
        label="Hébergement",
        amount=Decimal("50.00"),
        invoice=PDF,
    )

    # when SQL changes the paid expense's amount to 7 €, or its status, or deletes it
    table = quoted(Expense)
    refused(f"UPDATE {table} SET amount = %s WHERE id = %s", ["7.00", paid.pk])  # noqa: S608
    refused(f"UPDATE {table} SET status = %s WHERE id = %s", ["approved", paid.pk])  # noqa: S608
    refused(f"DELETE FROM {table} WHERE id = %s", [pending.pk])  # noqa: S608
    # or the amount of one not yet decided
    refused(f"UPDATE {table} SET amount = %s WHERE id = %s", ["5.00", pending.pk])  # noqa: S608

    # then each is refused; a pending expense's decision still goes through
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s WHERE id = %s",  # noqa: S608
            ["refused", pending.pk],
        )
    assert Expense.objects.get(pk=pending.pk).status == ExpenseStatus.REFUSED


def test_a_chain_head_moves_only_forward_onto_its_events(world, clock):
    # given a call's chain and its head
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    head = AuditChainHead.objects.get(chain=chain)
    before = AuditEvent.objects.get(chain=chain, seq=head.seq - 1)
    table = quoted(AuditChainHead)

    # when SQL moves the head back, onto a hash that is no event, or removes it
    refused(
        f"UPDATE {table} SET seq = %s, hash = %s WHERE chain = %s",  # noqa: S608
        [before.seq, before.hash, chain],
    )
    refused(
        f"UPDATE {table} SET seq = seq + 1, hash = %s WHERE chain = %s",  # noqa: S608
        ["f" * 64, chain],
    )
    refused(f"DELETE FROM {table} WHERE chain = %s", [chain])  # noqa: S608

    # then each is refused, and the trail's writer still moves it one event forward
    event = audit_record(verb="challenge.note", challenge=challenge, data={})
    head.refresh_from_db()
    assert (head.seq, head.hash) == (event.seq, event.hash)
