"""The public ledger of a commons: who records, submits, approves and pays, and a balance
that never goes below zero."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    ApprovalRule,
    AuditEvent,
    Expense,
    ExpenseStatus,
    Income,
    IncomeKind,
    Ledger,
)
from procurement.services import ledger as ledger_services
from procurement.services.ledger import (
    expense_approve,
    expense_pay,
    expense_refuse,
    expense_submit,
    exploration_grant,
    income_record,
    ledger_rule_set,
)
from tests.conftest import member
from tests.procurement.ledger_cast import PDF, hosted_commons

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return hosted_commons(world)


def give(cast, amount="1000.00", **kwargs):
    return income_record(
        actor=cast.treasurer,
        commons=cast.commons,
        amount=Decimal(amount),
        received_on=date(2026, 9, 1),
        source_name=kwargs.pop("source_name", "ADEME"),
        **kwargs,
    )


def submit(cast, index=0, amount="400.00", invoice=PDF):
    return expense_submit(
        actor=cast.partner_users[index],
        commons=cast.commons,
        label="Développement de l'application",
        amount=Decimal(amount),
        invoice=invoice,
    )


def ledger_of(cast) -> Ledger:
    return Ledger.objects.get(commons=cast.commons)


def test_income_raises_the_balance_and_is_audited(cast):
    income = give(cast, "1500.50", reference="VIR-42")
    ledger = ledger_of(cast)
    assert ledger.balance == Decimal("1500.50")
    assert income.recorded_by == cast.treasurer
    assert AuditEvent.objects.filter(verb="ledger.income_recorded").count() == 1


def test_only_the_host_records_income(cast, world):
    for user in (cast.partner_users[0], world.stranger, world.funder_users[0]):
        with pytest.raises(Forbidden):
            income_record(
                actor=user,
                commons=cast.commons,
                amount=Decimal("10"),
                received_on=date(2026, 9, 1),
                source_name="x",
            )


def test_a_subsidy_is_named(cast):
    with pytest.raises(ApplicationError) as caught:
        give(cast, kind=IncomeKind.SUBSIDY)
    assert "subsidy_label" in caught.value.extra["fields"]
    income = give(cast, kind=IncomeKind.SUBSIDY, subsidy_label="ADEME — Tremplin")
    assert income.subsidy_label == "ADEME — Tremplin"


def bucket_of(cast, world):
    from django.utils import timezone

    from procurement.models import Allocation, Bucket, CofundingRound, Pledge, Proposal

    challenge = cast.group.resource.challenge
    proposal = Proposal.objects.create(
        group=cast.group,
        challenge=challenge,
        title="Application",
        summary="s",
        deliverables="d",
        licence="AGPL-3.0-or-later",
        amount=Decimal("5000"),
    )
    round_ = CofundingRound.objects.create(challenge=challenge, deadline=timezone.now())
    bucket = Bucket.objects.create(
        round=round_, proposal=proposal, min_amount=Decimal("5000"), max_amount=Decimal("5000")
    )
    allocation = Allocation.objects.create(
        round=round_, funder=world.funders[0], amount=Decimal("5000")
    )
    pledge = Pledge.objects.create(bucket=bucket, allocation=allocation, amount=Decimal("2000"))
    return bucket, pledge


def test_cofunding_income_links_a_pledge_of_this_commons(cast, world):
    bucket, pledge = bucket_of(cast, world)
    income = give(cast, "2000.00", kind=IncomeKind.COFUNDING, pledge=pledge)
    assert (income.bucket, income.pledge) == (bucket, pledge)
    with pytest.raises(ApplicationError) as caught:
        give(cast, "10.00", pledge=pledge)  # a plain contribution links no pledge
    assert "bucket" in caught.value.extra["fields"]
    other = hosted_commons(world, name="Autre commun")
    with pytest.raises(ApplicationError) as caught:
        give(other, "10.00", kind=IncomeKind.COFUNDING, bucket=bucket)
    assert "bucket" in caught.value.extra["fields"]


@pytest.mark.parametrize("amount", ["0", "-5", "10.001"])
def test_amounts_are_positive_cents(cast, amount):
    with pytest.raises(ApplicationError) as caught:
        give(cast, amount)
    assert "amount" in caught.value.extra["fields"]


def test_a_commons_without_host_has_no_ledger(cast):
    cast.commons.host = None
    cast.commons.save()
    with pytest.raises(WrongState):
        give(cast)


def test_expense_submitted_with_its_invoice(cast, settings):
    expense = submit(cast)
    assert expense.status == ExpenseStatus.SUBMITTED
    assert expense.organisation == cast.partners[0]
    assert expense.invoice.name.startswith("invoices/")
    assert expense.invoice.name.endswith(".pdf")
    with expense.invoice.open("rb") as handle:
        assert handle.read() == PDF


def test_an_invoice_that_is_not_a_pdf_or_image_is_refused(cast):
    with pytest.raises(ApplicationError) as caught:
        submit(cast, invoice=b"MZ\x90\x00 not an invoice")
    assert "invoice" in caught.value.extra["fields"]
    assert not Expense.objects.exists()


def test_only_group_members_submit(cast, world):
    for user in (world.stranger, cast.treasurer, world.funder_users[0]):
        with pytest.raises(Forbidden):
            expense_submit(
                actor=user,
                commons=cast.commons,
                label="x",
                amount=Decimal("1"),
                invoice=PDF,
            )


def test_nobody_approves_their_own_expense(cast, world):
    expense = submit(cast, 0)
    colleague = member(cast.partners[0], "collegue.covoit")
    for user in (cast.partner_users[0], colleague):
        with pytest.raises(Forbidden) as caught:
            expense_approve(actor=user, expense=expense)
        assert caught.value.code == "own_expense"


def test_the_host_has_no_say(cast):
    expense = submit(cast, 0)
    with pytest.raises(Forbidden) as caught:
        expense_approve(actor=cast.treasurer, expense=expense)
    assert caught.value.code == "host_no_say"
    # Even a host's member who also belongs to a member organisation.
    both = member(cast.partners[1], "double.casquette")
    from procurement.models import Membership

    Membership.objects.create(user=both, organisation=cast.commons.host)
    with pytest.raises(Forbidden):
        expense_approve(actor=both, expense=expense)


def test_a_stranger_cannot_approve(cast, world):
    expense = submit(cast, 0)
    with pytest.raises(Forbidden):
        expense_approve(actor=world.stranger, expense=expense)


def test_majority_of_the_other_member_organisations_by_default(cast):
    # Three member organisations: the two others decide, both must approve.
    expense = submit(cast, 0)
    expense = expense_approve(actor=cast.partner_users[1], expense=expense)
    assert expense.status == ExpenseStatus.SUBMITTED
    with pytest.raises(WrongState):
        expense_approve(actor=cast.partner_users[1], expense=expense)
    expense = expense_approve(actor=cast.partner_users[2], expense=expense)
    assert expense.status == ExpenseStatus.APPROVED


def test_one_refusal_under_majority_of_two_refuses(cast):
    expense = submit(cast, 0)
    expense = expense_refuse(actor=cast.partner_users[1], expense=expense)
    assert expense.status == ExpenseStatus.REFUSED
    with pytest.raises(WrongState):
        expense_approve(actor=cast.partner_users[2], expense=expense)


def test_a_fixed_number_of_approvals(cast):
    ledger_rule_set(
        actor=cast.partner_users[0],
        commons=cast.commons,
        rule=ApprovalRule.FIXED,
        approvals_required=1,
    )
    expense = submit(cast, 0)
    expense = expense_approve(actor=cast.partner_users[2], expense=expense)
    assert expense.status == ExpenseStatus.APPROVED


def test_the_rule_is_set_by_the_group_only(cast, world):
    for user in (cast.treasurer, world.stranger):
        with pytest.raises(Forbidden):
            ledger_rule_set(actor=user, commons=cast.commons, rule=ApprovalRule.MAJORITY)
    with pytest.raises(ApplicationError):
        ledger_rule_set(
            actor=cast.partner_users[0],
            commons=cast.commons,
            rule=ApprovalRule.FIXED,
            approvals_required=3,  # only two others may approve
        )


def approved(cast, amount="400.00"):
    expense = submit(cast, 0, amount)
    expense_approve(actor=cast.partner_users[1], expense=expense)
    return expense_approve(actor=cast.partner_users[2], expense=expense)


def test_the_host_pays_an_approved_expense(cast):
    give(cast, "1000.00")
    expense = expense_pay(actor=cast.treasurer, expense=approved(cast), payment_reference="VIR")
    assert expense.status == ExpenseStatus.PAID
    assert expense.paid_by == cast.treasurer
    ledger = ledger_of(cast)
    assert (ledger.balance, ledger.paid_total) == (Decimal("600.00"), Decimal("400.00"))
    with pytest.raises(WrongState) as caught:
        expense_pay(actor=cast.treasurer2, expense=expense)
    assert caught.value.code == "already_paid"


def test_an_unapproved_expense_is_not_paid(cast):
    give(cast)
    with pytest.raises(WrongState) as caught:
        expense_pay(actor=cast.treasurer, expense=submit(cast))
    assert caught.value.code == "not_approved"


def test_only_the_host_pays(cast, world):
    give(cast)
    expense = approved(cast)
    for user in (cast.partner_users[0], cast.partner_users[1], world.stranger):
        with pytest.raises(Forbidden):
            expense_pay(actor=user, expense=expense)


def test_whoever_approved_does_not_pay(cast):
    give(cast)
    from procurement.models import Membership

    # A person of a member organisation who also works for the host approves first...
    Membership.objects.create(user=cast.partner_users[1], organisation=cast.commons.host)
    expense = submit(cast, 0)
    Membership.objects.filter(user=cast.partner_users[1], organisation=cast.commons.host).delete()
    expense_approve(actor=cast.partner_users[1], expense=expense)
    expense = expense_approve(actor=cast.partner_users[2], expense=expense)
    # ...then, back at the host, may not pay what they approved.
    Membership.objects.create(user=cast.partner_users[1], organisation=cast.commons.host)
    with pytest.raises(Forbidden) as caught:
        expense_pay(actor=cast.partner_users[1], expense=expense)
    assert caught.value.code == "payer_is_approver"
    assert expense_pay(actor=cast.treasurer, expense=expense).status == ExpenseStatus.PAID


def test_an_expense_larger_than_the_balance_is_refused(cast):
    give(cast, "300.00")
    expense = approved(cast, "300.01")
    with pytest.raises(WrongState) as caught:
        expense_pay(actor=cast.treasurer, expense=expense)
    assert caught.value.status_code == 409
    assert caught.value.code == "insufficient_balance"
    assert ledger_of(cast).balance == Decimal("300.00")
    give(cast, "0.01")
    expense_pay(actor=cast.treasurer, expense=expense)
    assert ledger_of(cast).balance == Decimal("0.00")


def test_the_database_refuses_a_negative_balance(cast):
    give(cast, "10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ledger.objects.filter(commons=cast.commons).update(
            balance=Decimal("-1"), paid_total=Decimal("11")
        )


def test_exploration_budget_is_income_paid_out_by_the_host(cast, world):
    explorer = cast.partners[2]
    payout = exploration_grant(
        actor=world.funder_users[0],
        commons=cast.commons,
        grantor=world.funders[0],
        recipient=explorer,
        amount=Decimal("2000.00"),
    )
    assert payout.status == ExpenseStatus.APPROVED
    assert payout.organisation == explorer
    assert payout.income.kind == IncomeKind.EXPLORATION
    assert ledger_of(cast).balance == Decimal("2000.00")
    with pytest.raises(Forbidden):
        expense_pay(actor=cast.partner_users[0], expense=payout)
    expense_pay(actor=cast.treasurer, expense=payout)
    ledger = ledger_of(cast)
    assert (ledger.balance, ledger.income_total) == (Decimal("0.00"), Decimal("2000.00"))


def test_exploration_budget_granted_by_a_funder_or_the_buyer_only(cast, world):
    with pytest.raises(Forbidden):
        exploration_grant(
            actor=cast.partner_users[0],
            commons=cast.commons,
            grantor=cast.partners[0],
            recipient=cast.partners[0],
            amount=Decimal("1000"),
        )
    with pytest.raises(Forbidden):
        exploration_grant(
            actor=world.stranger,
            commons=cast.commons,
            grantor=world.funders[0],
            recipient=cast.partners[0],
            amount=Decimal("1000"),
        )
    payout = exploration_grant(
        actor=world.buyer_agent,
        commons=cast.commons,
        grantor=world.buyer,
        recipient=cast.partners[0],
        amount=Decimal("1000"),
    )
    assert payout.income.source == world.buyer


# --- properties -------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=200_000).map(lambda cents: Decimal(cents) / 100)
exploration_amounts = st.integers(min_value=100_000, max_value=300_000).map(
    lambda cents: Decimal(cents) / 100
)
picks = st.integers(0, 3)  # mostly an expense in the right state, sometimes any
operations = st.lists(
    st.one_of(
        st.tuples(st.just("income"), amounts),
        st.tuples(st.just("submit"), st.integers(0, 2), amounts),
        st.tuples(st.just("approve"), picks, st.integers(0, 2)),
        st.tuples(st.just("approve"), picks, st.integers(0, 2)),
        st.tuples(st.just("approve"), picks, st.integers(0, 2)),
        st.tuples(st.just("refuse"), picks, st.integers(0, 2)),
        st.tuples(st.just("pay"), picks, st.integers(0, 1)),
        st.tuples(st.just("pay"), picks, st.integers(0, 1)),
        # an exploration budget lies within 1,000 € to 3,000 € (seed 003)
        st.tuples(st.just("explore"), st.integers(0, 2), exploration_amounts),
    ),
    min_size=10,
    max_size=30,
)


def check_invariants(cast):
    ledger = Ledger.objects.filter(commons=cast.commons).first()
    if ledger is None:
        return
    incomes = sum((i.amount for i in Income.objects.filter(ledger=ledger)), Decimal(0))
    paid = list(Expense.objects.filter(ledger=ledger, status=ExpenseStatus.PAID))
    assert ledger.balance == incomes - sum((e.amount for e in paid), Decimal(0))
    assert ledger.balance >= 0
    voters = 2  # three member organisations, the submitter's excluded
    for expense in paid:
        decisions = list(expense.decisions.all())
        assert expense.paid_by_id not in {d.decided_by_id for d in decisions}
        assert expense.organisation_id not in {d.organisation_id for d in decisions}
        if expense.kind == "expense":
            required = ledger_services.required_approvals(ledger, voters)
            assert sum(d.approve for d in decisions) >= required


def ids(status) -> set[int]:
    return set(Expense.objects.filter(status=status).values_list("pk", flat=True))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_the_balance_is_income_minus_paid_and_never_negative(world, ops):
    with transaction.atomic():
        cast = hosted_commons(world, name=f"Commun {Ledger.objects.count()}")
        payers = [cast.treasurer, cast.treasurer2]
        expenses: list[Expense] = []
        for op in ops:
            try:
                if op[0] == "income":
                    give(cast, str(op[1]))
                elif op[0] == "submit":
                    expenses.append(submit(cast, op[1], str(op[2])))
                elif op[0] == "explore":
                    expenses.append(
                        exploration_grant(
                            actor=world.funder_users[0],
                            commons=cast.commons,
                            grantor=world.funders[0],
                            recipient=cast.partners[op[1]],
                            amount=op[2],
                        )
                    )
                elif expenses:
                    wanted = ExpenseStatus.APPROVED if op[0] == "pay" else ExpenseStatus.SUBMITTED
                    pool = [e for e in expenses if e.pk in ids(wanted)] or expenses
                    expense = pool[op[1] % len(pool)] if op[1] < 3 else expenses[-1]
                    if op[0] == "approve":
                        expense_approve(actor=cast.partner_users[op[2]], expense=expense)
                    elif op[0] == "refuse":
                        expense_refuse(actor=cast.partner_users[op[2]], expense=expense)
                    else:
                        before = Ledger.objects.get(commons=cast.commons).balance
                        try:
                            expense_pay(actor=payers[op[2]], expense=expense)
                        except WrongState as refused:
                            if refused.code == "insufficient_balance":
                                assert expense.amount > before
                            raise
            except (Forbidden, WrongState):
                pass  # a refused operation changes nothing; the invariants still hold
            check_invariants(cast)
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_never_overdraw(world):
    """Two treasurers pay at the same moment two expenses the balance covers one at a
    time: the ledger's row lock lets one through and refuses the other (409)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Les verrous de ligne se vérifient sur PostgreSQL (DATABASE_URL=postgres://…)")
    cast = hosted_commons(world)
    give(cast, "1000.00")
    expenses = [approved(cast, "600.00"), approved(cast, "600.00")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay(user, expense):
        try:
            barrier.wait()
            expense_pay(actor=user, expense=expense)
            outcomes.append("paid")
        except WrongState as refused:
            outcomes.append(refused.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=pay, args=(user, expense))
        for user, expense in zip((cast.treasurer, cast.treasurer2), expenses, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["insufficient_balance", "paid"]
    assert ledger_of(cast).balance == Decimal("400.00")
