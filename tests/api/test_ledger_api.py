"""The ledger over the API: public reads, the host's income and payments, the group's
expenses with their invoice, and the CSV export."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.models import Membership
from tests.api.steps import error, ok
from tests.procurement.ledger_cast import PDF, hosted_commons

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return hosted_commons(world)


def url(cast, tail: str = "") -> str:
    return f"/api/v1/commons/{cast.commons.pk}/ledger/{tail}"


def give(api, cast, amount="1000.00", **extra):
    body = {"amount": amount, "received_on": "2026-09-01", "source_name": "ADEME", **extra}
    return api(cast.treasurer).post(url(cast, "incomes/"), body, format="json")


def submit(api, cast, index=0, amount="400.00", invoice=PDF, name="facture.pdf"):
    return api(cast.partner_users[index]).post(
        url(cast, "expenses/"),
        {"label": "Développement", "amount": amount, "invoice": SimpleUploadedFile(name, invoice)},
        format="multipart",
    )


def approved(api, cast, amount="400.00") -> int:
    expense = ok(submit(api, cast, 0, amount), 201)
    ok(api(cast.partner_users[1]).post(url(cast, f"expenses/{expense['id']}/approve/")))
    body = ok(api(cast.partner_users[2]).post(url(cast, f"expenses/{expense['id']}/approve/")))
    assert body["status"] == "approved"
    return expense["id"]


def test_the_ledger_is_public(api, cast):
    ok(give(api, cast, "1500.50"), 201)
    ledger = ok(api().get(url(cast)))
    assert ledger["balance"] == "1500.50"
    assert ledger["host"]["id"] == cast.commons.host_id
    incomes = ok(api().get(url(cast, "incomes/")))
    assert incomes["count"] == 1
    assert incomes["results"][0]["source_name"] == "ADEME"


def test_an_unknown_commons_is_404(api, cast):
    error(api().get("/api/v1/commons/999999/ledger/incomes/"), 404, "commons_not_found")


def test_only_the_host_records_income(api, cast, world):
    body = {"amount": "10.00", "received_on": "2026-09-01", "source_name": "x"}
    error(api().post(url(cast, "incomes/"), body, format="json"), 401)
    for user in (world.stranger, cast.partner_users[0]):
        error(api(user).post(url(cast, "incomes/"), body, format="json"), 403)


def test_an_amount_with_more_than_cents_is_a_field_error(api, cast):
    body = error(give(api, cast, "10.001"), 400)
    assert "amount" in body["fields"]


def test_submit_an_expense_with_its_invoice(api, cast):
    body = ok(submit(api, cast), 201)
    assert body["status"] == "submitted"
    assert body["organisation"]["id"] == cast.partners[0].pk
    assert body["amount"] == "400.00"
    listed = ok(api().get(url(cast, "expenses/")))
    assert [e["id"] for e in listed["results"]] == [body["id"]]
    assert "invoice" not in listed["results"][0]


def test_an_invoice_is_judged_by_its_content(api, cast):
    body = error(submit(api, cast, invoice=b"GIF89a fake", name="facture.pdf"), 400, "file_type")
    assert "invoice" in body["fields"]


def test_a_stranger_cannot_submit(api, cast, world):
    response = api(world.stranger).post(
        url(cast, "expenses/"),
        {"label": "x", "amount": "1.00", "invoice": SimpleUploadedFile("f.pdf", PDF)},
        format="multipart",
    )
    error(response, 403)


def test_self_approval_refused(api, cast):
    expense = ok(submit(api, cast, 0), 201)
    error(
        api(cast.partner_users[0]).post(url(cast, f"expenses/{expense['id']}/approve/")),
        403,
        "own_expense",
    )


def test_the_host_cannot_approve(api, cast):
    expense = ok(submit(api, cast, 0), 201)
    error(
        api(cast.treasurer).post(url(cast, f"expenses/{expense['id']}/approve/")),
        403,
        "host_no_say",
    )


def test_stranger_403_on_a_visible_expense_404_on_another_commons(api, cast, world):
    expense = ok(submit(api, cast, 0), 201)
    error(api(world.stranger).post(url(cast, f"expenses/{expense['id']}/approve/")), 403)
    other = hosted_commons(world, name="Autre commun")
    error(
        api(cast.partner_users[1]).post(url(other, f"expenses/{expense['id']}/approve/")),
        404,
        "expense_not_found",
    )


def test_refusal(api, cast):
    expense = ok(submit(api, cast, 0), 201)
    body = ok(api(cast.partner_users[1]).post(url(cast, f"expenses/{expense['id']}/refuse/")))
    assert (body["status"], body["refusals"]) == ("refused", 1)


def test_pay_and_overdraw(api, cast):
    ok(give(api, cast, "500.00"), 201)
    first = approved(api, cast, "400.00")
    second = approved(api, cast, "100.01")
    body = ok(api(cast.treasurer).post(url(cast, f"expenses/{first}/pay/"), {}, format="json"))
    assert body["status"] == "paid"
    refused = error(
        api(cast.treasurer).post(url(cast, f"expenses/{second}/pay/")), 409, "insufficient_balance"
    )
    assert refused["detail"]["balance"] == "100.00"
    assert ok(api().get(url(cast)))["balance"] == "100.00"


def test_only_the_host_pays_and_not_an_approver(api, cast, world):
    ok(give(api, cast), 201)
    expense = approved(api, cast)
    for user in (cast.partner_users[0], world.stranger):
        error(api(user).post(url(cast, f"expenses/{expense}/pay/")), 403)
    # An approver who (also) works for the host may not pay what they approved.
    Membership.objects.create(user=cast.partner_users[1], organisation=cast.commons.host)
    error(
        api(cast.partner_users[1]).post(url(cast, f"expenses/{expense}/pay/")),
        403,
        "payer_is_approver",
    )


def test_invoice_for_the_group_and_the_host_only(api, cast, world):
    expense = ok(submit(api, cast, 0), 201)
    invoice = url(cast, f"expenses/{expense['id']}/invoice/")
    for user in (cast.partner_users[0], cast.partner_users[2], cast.treasurer):
        response = api(user).get(invoice)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    error(api().get(invoice), 401)
    error(api(world.stranger).get(invoice), 403, "invoice_private")
    error(api(world.funder_users[0]).get(invoice), 403)


def test_the_rule_set_by_the_group(api, cast):
    body = ok(
        api(cast.partner_users[0]).post(
            url(cast, "rule/"), {"rule": "fixed", "approvals_required": 1}, format="json"
        )
    )
    assert body["approval_rule"] == "fixed"
    expense = ok(submit(api, cast, 0), 201)
    body = ok(api(cast.partner_users[1]).post(url(cast, f"expenses/{expense['id']}/approve/")))
    assert body["status"] == "approved"
    error(
        api(cast.treasurer).post(url(cast, "rule/"), {"rule": "majority"}, format="json"),
        403,
    )


def test_exploration_budget(api, cast, world):
    body = ok(
        api(world.funder_users[0]).post(
            url(cast, "exploration/"),
            {"grantor": world.funders[0].pk, "recipient": cast.partners[2].pk, "amount": "2000.00"},
            format="json",
        ),
        201,
    )
    assert (body["kind"], body["status"]) == ("exploration", "approved")
    assert ok(api().get(url(cast)))["balance"] == "2000.00"
    ok(api(cast.treasurer).post(url(cast, f"expenses/{body['id']}/pay/")))
    assert ok(api().get(url(cast)))["balance"] == "0.00"


def test_csv_export(api, cast):
    ok(give(api, cast, "1000.50", reference="VIR-1"), 201)
    ok(
        give(api, cast, "250.00", kind="subsidy", subsidy_label="=ADEME", source_name="ADEME"),
        201,
    )
    expense = approved(api, cast, "400.25")
    ok(api(cast.treasurer).post(url(cast, f"expenses/{expense}/pay/"), {"payment_reference": "P1"}))
    response = api().get(url(cast, "export.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Date;Opération;Organisation;Objet;Référence;Montant (€);Solde (€)"
    assert lines[1].endswith(";ADEME;;VIR-1;1000,50;1000,50")
    assert ";'=ADEME;" in lines[2]  # a label never runs as a formula
    assert lines[2].endswith(";250,00;1250,50")
    assert lines[3].endswith(";Covoit Libre SAS;Développement;P1;-400,25;850,25")


@pytest.mark.parametrize("tail", ["incomes/", "expenses/"])
def test_lists_run_a_constant_number_of_queries(api, cast, tail):
    ok(give(api, cast, "5000.00"), 201)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api().get(url(cast, tail)))
        return len(queries)

    for _ in range(2):
        ok(give(api, cast, "1.00"), 201)
        approved(api, cast, "1.00")
    small = count()
    for _ in range(6):
        ok(give(api, cast, "1.00"), 201)
        approved(api, cast, "1.00")
    assert count() == small <= 3
    assert Decimal(ok(api().get(url(cast)))["balance"]) == Decimal("5008.00")


def test_an_exploration_budget_is_not_recorded_as_plain_income(api, cast):
    body = error(give(api, cast, kind="exploration"), 400)
    assert "kind" in body["fields"]
