"""Every hash chain verified by one command: a call's trail, its sealed proposals, a
commons' ledger and its rows, the anchored heads. Each fault is made behind the ORM's
back, as someone holding the database's owner account could, and must be named: the
chain, the row, what is wrong."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procurement.models import AuditChainHead, AuditEvent, ChainAnchor, Expense, Income
from procurement.services.audit import GENESIS, audit_record, event_hash, hashed_fields
from procurement.services.chains import chains_anchor, chains_anchor_due, chains_verify
from procurement.services.ledger import (
    expense_approve,
    expense_pay,
    expense_submit,
    income_record,
)
from procurement.services.proposals import proposals_open
from tests.api import scenarios
from tests.conftest import later
from tests.procurement.ledger_cast import PDF, hosted_commons
from tests.tamper import behind_the_orm
from tests.workflows import journey

EVENTS = AuditEvent._meta.db_table
HEADS = AuditChainHead._meta.db_table
ANCHORS = ChainAnchor._meta.db_table


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def paid_expense(world, amount="700.00", name="Covoiturage libre"):
    """A hosted commons that received 1 000 € and paid a 700 € expense."""
    cast = hosted_commons(world, name)
    income_record(
        actor=cast.treasurer,
        commons=cast.commons,
        amount=Decimal("1000.00"),
        received_on=date(2026, 9, 1),
        source_name="ADEME",
    )
    expense = expense_submit(
        actor=cast.partner_users[0],
        commons=cast.commons,
        label="Développement",
        amount=Decimal(amount),
        invoice=PDF,
    )
    expense_approve(actor=cast.partner_users[1], expense=expense)
    expense_approve(actor=cast.partner_users[2], expense=expense)
    expense_pay(actor=cast.treasurer, expense=expense, payment_reference="VIR-1")
    return cast, Expense.objects.get(pk=expense.pk)


def verify_command(*chains: str) -> str:
    """Run ``manage.py verify_chains``; its output if every chain is whole."""
    out = StringIO()
    args = [arg for chain in chains for arg in ("--chain", chain)]
    call_command("verify_chains", *args, stdout=out)
    return out.getvalue()


def broken_command(*chains: str) -> tuple[str, CommandError]:
    """Run ``manage.py verify_chains`` expecting it to fail: its output and its error."""
    out = StringIO()
    args = [arg for chain in chains for arg in ("--chain", chain)]
    with pytest.raises(CommandError) as failed:
        call_command("verify_chains", *args, stdout=out)
    return out.getvalue(), failed.value


def codes(chain: str) -> list[tuple[str, int | None, str]]:
    report = chains_verify(chains=[chain]).report(chain)
    assert report is not None
    return [(p.code, p.seq, p.row) for p in report.problems]


def rewrite(chain: str, seq: int, data: dict) -> None:
    """Edit one event, then recompute every hash from it to the head, the head too:
    row by row, the chain is whole again."""
    events = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
    prev = events[seq - 2].hash if seq > 1 else GENESIS
    for event in events[seq - 1 :]:
        if event.seq == seq:
            event.data = data
        event.prev_hash = prev
        event.hash = event_hash(prev, hashed_fields(event))
        prev = event.hash
        behind_the_orm(
            f"UPDATE {table(AuditEvent)} SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
            [json.dumps(event.data), event.prev_hash, event.hash, event.pk],
            tables=[EVENTS],
        )
    behind_the_orm(
        f"UPDATE {table(AuditChainHead)} SET hash = %s WHERE chain = %s",  # noqa: S608
        [prev, chain],
        tables=[HEADS],
    )


# --- a whole service verifies -------------------------------------------------------


@pytest.mark.django_db
def test_every_chain_of_a_working_service_verifies(world, clock):
    # given a call whose proposals were opened, and a commons' ledger that paid 700 €
    challenge = scenarios.opened(world, clock)
    cast, _expense = paid_expense(world)

    # when the command verifies every chain
    output = verify_command()

    # then each is whole: the call's, its sealed proposals', the ledger's, the anchors
    verification = chains_verify()
    chains = {report.chain for report in verification.reports}
    assert {
        f"challenge:{challenge.pk}",
        f"sealed:{challenge.pk}",
        f"ledger:{cast.commons.pk}",
        "anchors",
    } <= chains
    assert verification.valid, verification.problems
    assert "toutes intègres" in output
    # and the ledger's money is chained per ledger
    assert set(
        AuditEvent.objects.filter(verb__startswith="ledger.").values_list("chain", flat=True)
    ) == {f"ledger:{cast.commons.pk}"}


# --- the ledger ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_payment_changed_from_700_to_7_in_the_ledger_is_named(world):
    # given a ledger that paid a 700 € expense, whole
    cast, expense = paid_expense(world, "700.00")
    chain = f"ledger:{cast.commons.pk}"
    assert codes(chain) == []

    # when someone changes the expense's amount to 7 € in the database
    behind_the_orm(
        f"UPDATE {table(Expense)} SET amount = %s WHERE id = %s",  # noqa: S608
        ["7.00", expense.pk],
        tables=[Expense._meta.db_table],
    )

    # then the ledger's chain is broken at that expense, against both events that
    # recorded 700 € (its submission and its payment), and its paid total
    found = codes(chain)
    row = f"expense:{expense.pk}"
    submitted = AuditEvent.objects.get(chain=chain, verb="ledger.expense_submitted").seq
    paid = AuditEvent.objects.get(chain=chain, verb="ledger.expense_paid").seq
    assert [c for c in found if c[2] == row] == [
        ("ledger_amount_mismatch", submitted, row),
        ("ledger_amount_mismatch", paid, row),
    ]
    assert ("ledger_total_mismatch", None, "") in found

    # and the command fails (exit status 1), naming the chain, the row and the amounts
    output, failed = broken_command()
    assert failed.returncode == 1
    line = next(line for line in output.splitlines() if "paiement de" in line)
    assert line.startswith(f"  ✗ {chain} — événement n° ")
    assert f" — dépense n° {expense.pk} : paiement de " in line
    assert "7,00" in line
    assert "700,00" in line
    assert "anomalies dans 1 chaîne" in str(failed)


@pytest.mark.django_db
def test_a_payment_event_changed_from_700_to_7_breaks_the_ledgers_chain(world):
    # given a ledger that paid a 700 € expense
    cast, expense = paid_expense(world, "700.00")
    chain = f"ledger:{cast.commons.pk}"
    paid = AuditEvent.objects.get(chain=chain, verb="ledger.expense_paid")

    # when someone changes the amount its payment event recorded to 7 €
    behind_the_orm(
        f"UPDATE {table(AuditEvent)} SET data = %s WHERE id = %s",  # noqa: S608
        [json.dumps({**paid.data, "amount": "7.00"}), paid.pk],
        tables=[EVENTS],
    )

    # then the event is named as altered, and the row no longer agrees with it
    found = codes(chain)
    assert ("altered_event", paid.seq, "") in found
    assert ("ledger_amount_mismatch", paid.seq, f"expense:{expense.pk}") in found


@pytest.mark.django_db
def test_an_income_deleted_from_the_ledger_is_named(world):
    # given a ledger with an income of 1 000 €
    cast, _expense = paid_expense(world)
    income = Income.objects.get(ledger__commons=cast.commons)

    # when the income's row is deleted (the payment's row keeps the ledger's totals)
    behind_the_orm(
        f"DELETE FROM {table(Income)} WHERE id = %s",  # noqa: S608
        [income.pk],
        tables=[Income._meta.db_table],
    )

    # then its event names a row that is no longer in the ledger, and the totals differ
    found = codes(f"ledger:{cast.commons.pk}")
    assert ("ledger_row_missing", 1, f"income:{income.pk}") in found
    assert "ledger_total_mismatch" in {c[0] for c in found}


# --- the sealed proposals -------------------------------------------------------------


def resubmitted(world, clock):
    """Each group submitted its proposal, then replaced it: each proposal's own sealed
    chain (``sealed:<call>:<proposal>``) holds two events; the deadline still ahead."""
    challenge = scenarios.sealed(world, clock)
    journey.submit_proposals(world, challenge)
    return challenge


def open_proposals(challenge, clock) -> None:
    """Opened by the service itself, with no sweep: the proposals' chains are not
    anchored since their events, so that only the digest the opening recorded tells."""
    clock.move_to(later(scenarios.PROPOSAL_END, seconds=1))
    proposals_open(challenge=challenge)
    assert not ChainAnchor.objects.filter(chain__startswith=f"sealed:{challenge.pk}:").exists()


@pytest.mark.django_db
def test_a_sealed_event_deleted_before_the_opening_is_named(world, clock):
    # given proposals submitted under seal, then replaced, the deadline still ahead:
    # each proposal's chain holds two events, no row shared between them
    challenge = resubmitted(world, clock)
    family = f"sealed:{challenge.pk}"
    proposal = challenge.proposals.order_by("pk").first()
    chain = f"{family}:{proposal.pk}"
    assert AuditChainHead.objects.get(chain=chain).seq == 2
    assert codes(family) == []

    # when someone deletes the first sealed event of that proposal
    behind_the_orm(
        f"DELETE FROM {table(AuditEvent)} WHERE chain = %s AND seq = 1",  # noqa: S608
        [chain],
        tables=[EVENTS],
    )

    # then the call's sealed chain is broken, naming the proposal's chain and its row,
    # and the command says so
    report = chains_verify(chains=[family]).report(family)
    assert [(p.chain, p.code, p.seq) for p in report.problems] == [(chain, "missing_event", 1)]
    output, failed = broken_command(family)
    assert failed.returncode == 1
    assert f"  ✗ {chain} — événement n° 1 : ligne supprimée" in output


@pytest.mark.django_db
def test_the_last_sealed_event_deleted_and_its_head_moved_back_is_named(world, clock):
    # given proposals replaced once, then opened: the call's chain recorded the digest of
    # the proposals' sealed chains
    challenge = resubmitted(world, clock)
    open_proposals(challenge, clock)
    family = f"sealed:{challenge.pk}"
    assert codes(family) == []
    proposal = challenge.proposals.order_by("pk").last()
    chain = f"{family}:{proposal.pk}"
    first = AuditEvent.objects.get(chain=chain, seq=1)

    # when a careful forger deletes the proposal's last sealed event and moves its head
    # back: row by row, that chain is whole
    behind_the_orm(
        f"DELETE FROM {table(AuditEvent)} WHERE chain = %s AND seq = 2",  # noqa: S608
        [chain],
        tables=[EVENTS],
    )
    behind_the_orm(
        f"UPDATE {table(AuditChainHead)} SET seq = 1, hash = %s WHERE chain = %s",  # noqa: S608
        [first.hash, chain],
        tables=[HEADS],
    )

    # then the sealed chains no longer give what the opening recorded
    assert codes(family) == [("sealed_head_mismatch", None, "")]
    output, _failed = broken_command(family)
    assert "l'ouverture des plis" in output


@pytest.mark.django_db
def test_a_proposals_whole_sealed_chain_removed_after_the_opening_is_named(world, clock):
    # given opened proposals, each with its sealed chain (not anchored since)
    challenge = scenarios.sealed(world, clock)
    open_proposals(challenge, clock)
    family = f"sealed:{challenge.pk}"
    chain = f"{family}:{challenge.proposals.order_by('pk').first().pk}"

    # when its events and its head are removed: no row is left to be found broken
    behind_the_orm(
        f"DELETE FROM {table(AuditEvent)} WHERE chain = %s",  # noqa: S608
        [chain],
        tables=[EVENTS],
    )
    behind_the_orm(
        f"DELETE FROM {table(AuditChainHead)} WHERE chain = %s",  # noqa: S608
        [chain],
        tables=[HEADS],
    )

    # then the verification of every chain still names the call's sealed chain
    report = chains_verify().report(family)
    assert [(p.code, p.seq) for p in report.problems] == [("sealed_head_mismatch", None)]


@pytest.mark.django_db
def test_a_sealed_event_added_after_the_opening_is_named(world, clock):
    # given opened proposals
    challenge = scenarios.opened(world, clock)
    family = f"sealed:{challenge.pk}"
    proposal = challenge.proposals.order_by("pk").first()

    # when an event is chained under seal after the opening, through the trail's writer
    # (the chain and its head move together, row by row whole)
    audit_record(verb="proposal.submitted", challenge=challenge, obj=proposal, sealed=True)

    # then the sealed chains are no longer what the opening recorded
    assert codes(family) == [("sealed_head_mismatch", None, "")]


# --- rows inserted, chains rewritten, anchors --------------------------------------------


@pytest.mark.django_db
def test_a_row_inserted_after_the_head_is_named(world, clock):
    # given a call's chain
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    head = AuditChainHead.objects.get(chain=chain)

    # when an event is added at its end without going through the trail's writer
    forged = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        challenge=challenge,
        actor_label="système",
        verb="challenge.cancelled",
        data={},
        created_at=timezone.now(),
        prev_hash=head.hash,
    )
    forged.hash = event_hash(forged.prev_hash, hashed_fields(forged))
    forged.save()

    # then the chain goes beyond its recorded head: the row is named
    assert codes(chain) == [("inserted_event", head.seq + 1, "")]
    output, _failed = broken_command()
    assert f"  ✗ {chain} — événement n° {head.seq + 1} : ligne ajoutée" in output


@pytest.mark.django_db
def test_a_chain_rewritten_consistently_is_detected_by_its_anchors(world, clock):
    # given a call's chain whose head was anchored
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    anchoring = chains_anchor()
    anchor = next(a for a in anchoring.anchors if a.chain == chain)
    assert codes(chain) == []

    # when a forger edits its second event and recomputes every hash after it
    rewrite(chain, 2, {"note": "falsifié"})

    # then, row by row, the chain is whole again: only the anchor tells
    assert codes(chain) == [("anchor_mismatch", anchor.chain_seq, f"anchor:{anchor.seq}")]
    output, failed = broken_command()
    assert failed.returncode == 1
    assert f"{chain} — événement n° {anchor.chain_seq} — ancre n° {anchor.seq} : " in output
    assert "chaîne réécrite" in output


@pytest.mark.django_db
def test_a_rewritten_chain_whose_anchor_is_rewritten_too_is_detected_by_its_signature(world, clock):
    # given a call's chain anchored, then rewritten
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    anchor = next(a for a in chains_anchor().anchors if a.chain == chain)
    rewrite(chain, 2, {"note": "falsifié"})

    # when the forger also writes the new head into the anchor (without the key)
    new_head = AuditChainHead.objects.get(chain=chain).hash
    behind_the_orm(
        f"UPDATE {table(ChainAnchor)} SET hash = %s WHERE id = %s",  # noqa: S608
        [new_head, anchor.pk],
        tables=[ANCHORS],
    )

    # then the anchor's signature is not the service's
    assert codes(chain) == [("anchor_forged", anchor.chain_seq, f"anchor:{anchor.seq}")]


@pytest.mark.django_db
def test_an_anchor_removed_from_the_list_is_named(world, clock):
    # given three calls' chains anchored
    for title in ("Premier appel", "Deuxième appel", "Troisième appel"):
        scenarios.published(world, title=title)
    assert len(chains_anchor().anchors) == 3

    # when the second anchor is deleted
    behind_the_orm(
        f"DELETE FROM {table(ChainAnchor)} WHERE seq = 2",  # noqa: S608
        [],
        tables=[ANCHORS],
    )

    # then the anchors' list has a gap there
    report = chains_verify().report("anchors")
    assert report is not None
    assert [(p.code, p.row) for p in report.problems] == [("anchor_missing", "anchor:2")]


@pytest.mark.django_db
def test_a_chain_truncated_below_its_anchor_is_detected(world, clock):
    # given a call's chain anchored at its head
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    anchor = next(a for a in chains_anchor().anchors if a.chain == chain)
    last = AuditEvent.objects.get(chain=chain, seq=anchor.chain_seq - 1)

    # when its last event is deleted and its head moved back onto the one before
    behind_the_orm(
        f"DELETE FROM {table(AuditEvent)} WHERE chain = %s AND seq = %s",  # noqa: S608
        [chain, anchor.chain_seq],
        tables=[EVENTS],
    )
    behind_the_orm(
        f"UPDATE {table(AuditChainHead)} SET seq = %s, hash = %s WHERE chain = %s",  # noqa: S608
        [last.seq, last.hash, chain],
        tables=[HEADS],
    )

    # then the chain no longer reaches its anchored head
    assert codes(chain) == [("anchor_mismatch", anchor.chain_seq, f"anchor:{anchor.seq}")]


# --- anchoring ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_anchors_the_moved_heads_once_a_day(world, clock):
    # given a published call, never anchored
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    assert not ChainAnchor.objects.exists()

    # when the sweep's anchoring runs, then every chain's head is anchored, signed
    assert chains_anchor_due() >= 1
    head = AuditChainHead.objects.get(chain=chain)
    anchor = ChainAnchor.objects.get(chain=chain)
    assert (anchor.chain_seq, anchor.hash) == (head.seq, head.hash)
    assert len(anchor.signature) == 64

    # and a chain that moves is anchored again only a day later
    audit_record(verb="challenge.note", challenge=challenge, data={"n": 1})
    clock.move_to(timezone.now() + timedelta(hours=23))
    assert chains_anchor_due() == 0
    clock.move_to(timezone.now() + timedelta(hours=1, seconds=1))
    assert chains_anchor_due() == 1
    assert ChainAnchor.objects.filter(chain=chain).count() == 2


@pytest.mark.django_db
def test_a_broken_chain_is_not_anchored(world, clock):
    # given two calls, the chain of one with an edited row
    other = scenarios.published(world, title="Appel intact")
    challenge = scenarios.published(world)
    chain = f"challenge:{challenge.pk}"
    behind_the_orm(
        f"UPDATE {table(AuditEvent)} SET verb = %s WHERE chain = %s AND seq = 2",  # noqa: S608
        ["challenge.cancelled", chain],
        tables=[EVENTS],
    )

    # when the heads are anchored, then that chain's is refused, the others anchored
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("anchor_chains", stdout=out)
    assert failed.value.returncode == 1
    assert not ChainAnchor.objects.filter(chain=chain).exists()
    assert ChainAnchor.objects.filter(chain=f"challenge:{other.pk}").exists()
    assert f"{chain} : tête non ancrée" in out.getvalue()


@pytest.mark.django_db
def test_anchors_signed_with_another_key_read_as_forged(world, clock):
    # given heads anchored with the service's key
    scenarios.published(world)
    chains_anchor()
    assert chains_verify().valid

    # when the key is not the one that signed them
    with override_settings(CHAIN_ANCHOR_KEY="une-autre-clé"):
        verification = chains_verify()

    # then every anchor reads as forged
    assert not verification.valid
    assert {p.code for p in verification.problems} == {"anchor_forged"}


@pytest.mark.django_db
def test_verifying_every_chain_takes_the_same_queries_whatever_their_number(
    world, clock, django_assert_num_queries
):
    # given one call and one ledger, every chain anchored
    scenarios.published(world)
    paid_expense(world)
    chains_anchor()
    with CaptureQueriesContext(connection) as few:
        chains_verify()

    # when there are three calls and two ledgers more
    for title in ("Deuxième appel", "Troisième appel", "Quatrième appel"):
        scenarios.published(world, title=title)
    for name in ("Cartographie libre", "Données ouvertes"):
        paid_expense(world, name=name)
    chains_anchor()

    # then verifying them all reads the database as many times
    with django_assert_num_queries(len(few.captured_queries)):
        assert chains_verify().valid
