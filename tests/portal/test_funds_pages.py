"""The money pages of the portal: a commons' public ledger with the forms of its host and
of its working group, the cofunding page's rules, buckets, subsidies and moves, and the
personal reciprocity page. Each form works for the right person only, and a refused
form comes back with what was typed and the reason next to the field."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.models import (
    Allocation,
    BeyondMinimum,
    EditAfterFunded,
    Expense,
    ExpenseStatus,
    Ledger,
    Pledge,
    ReciprocityCommitment,
    Subsidy,
)
from procurement.services.cofunding import allocation_set, pledge_create
from procurement.services.hosting import resource_host_designate
from procurement.services.ledger import expense_approve, expense_submit, income_record
from procurement.services.reciprocity import commitment_sign
from tests.portal.steps import advance
from tests.procurement.ledger_cast import PDF, hosted_commons
from tests.workflows import journey

pytestmark = pytest.mark.django_db


def text(response) -> str:
    page = html.unescape(response.content.decode())
    return page.replace("\xa0", " ").replace("\u202f", " ")


def field_messages(response, field_id: str) -> str:
    """The error messages shown under one field."""
    match = re.search(rf'id="{field_id}-messages"[^>]*>(.*?)</div>', text(response), re.S)
    assert match, f"no messages block for {field_id}"
    return match.group(1)


# --- the ledger -------------------------------------------------------------------------


@pytest.fixture
def cast(world):
    return hosted_commons(world)


def ledger_url(cast) -> str:
    return reverse("portal:ledger", args=[cast.commons.slug])


def funded(cast, amount="1000.00"):
    income_record(
        actor=cast.treasurer,
        commons=cast.commons,
        amount=Decimal(amount),
        received_on=date(2026, 9, 1),
        source_name="ADEME",
    )


def submitted(cast, index=0, amount="400.00") -> Expense:
    return expense_submit(
        actor=cast.partner_users[index],
        commons=cast.commons,
        label="Développement de l'API",
        amount=Decimal(amount),
        invoice=PDF,
    )


def test_anyone_reads_the_ledger_without_the_invoices(client, cast):
    funded(cast, "1500.50")
    expense = submitted(cast)

    response = client.get(ledger_url(cast))

    assert response.status_code == 200
    page = text(response)
    assert "1 500,50 €" in page
    assert "ADEME" in page
    assert "Développement de l'API" in page
    assert "Soumise" in page
    assert reverse("ledger-csv", args=[cast.commons.pk]) in page
    assert reverse("expense-invoice", args=[cast.commons.pk, expense.pk]) not in page
    assert 'id="form-recette"' not in page
    assert 'id="form-depense"' not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "1 approbation, 0 refus"), ("en", "1 approval, 0 refusals")],
)
def test_a_submitted_expense_counts_its_approvals_with_proper_plurals(
    client, cast, language, expected
):
    # given an expense approved by one partner out of those who vote
    expense = submitted(cast)
    expense_approve(actor=cast.partner_users[1], expense=expense)

    # when anyone reads the ledger
    page = text(client.get(ledger_url(cast), HTTP_ACCEPT_LANGUAGE=language))

    # then the counts are written with the singular or plural, not "approbation(s)"
    assert expected in page


def test_the_commons_page_links_to_its_ledger(client, cast):
    response = client.get(reverse("portal:commons_detail", args=[cast.commons.slug]))
    assert ledger_url(cast) in text(response)


def test_the_csv_link_downloads_the_ledger(client, cast):
    funded(cast)
    page = text(client.get(ledger_url(cast)))
    href = re.search(r'id="export-csv" href="([^"]+)"', page).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert "ADEME" in response.content.decode("utf-8-sig")


def test_the_host_records_an_income(client, cast, login):
    login(cast.treasurer)
    assert 'id="form-recette"' in text(client.get(ledger_url(cast)))

    response = client.post(
        ledger_url(cast),
        {
            "action": "income",
            "income-kind": "contribution",
            "income-source_name": "Métropole",
            "income-amount": "2 500,25",
            "income-received_on": "2026-09-02",
        },
    )

    assert response.status_code == 302
    assert Ledger.objects.get(commons=cast.commons).balance == Decimal("2500.25")


def test_a_refused_income_keeps_the_input_and_says_why_in_french(client, cast, login):
    login(cast.treasurer)
    response = client.post(
        ledger_url(cast),
        {
            "action": "income",
            "income-kind": "subsidy",
            "income-source_name": "ANCT",
            "income-amount": "300",
            "income-received_on": "2026-09-02",
        },
    )

    assert response.status_code == 400
    assert 'value="ANCT"' in text(response)
    assert "Nommez la subvention." in field_messages(response, "id_income-subsidy_label")
    assert not Ledger.objects.filter(commons=cast.commons, balance__gt=0).exists()


def test_only_the_host_records_income(client, cast, login, world):
    data = {
        "action": "income",
        "income-kind": "contribution",
        "income-source_name": "x",
        "income-amount": "10",
        "income-received_on": "2026-09-02",
    }
    anonymous = client.post(ledger_url(cast), data)
    assert anonymous.status_code == 302
    assert reverse("portal:login") in anonymous["Location"]
    for user in (cast.partner_users[0], world.stranger):
        login(user)
        assert 'id="form-recette"' not in text(client.get(ledger_url(cast)))
        assert client.post(ledger_url(cast), data).status_code == 403
    assert not Ledger.objects.filter(commons=cast.commons, balance__gt=0).exists()


def test_a_group_member_submits_an_expense_with_its_invoice(client, cast, login):
    login(cast.partner_users[0])
    response = client.post(
        ledger_url(cast),
        {
            "action": "expense",
            "expense-organisation": cast.partners[0].pk,
            "expense-label": "Serveurs",
            "expense-amount": "120,00",
            "expense-invoice": SimpleUploadedFile("facture.pdf", PDF),
        },
    )

    assert response.status_code == 302
    expense = Expense.objects.get(label="Serveurs")
    assert (expense.organisation, expense.amount) == (cast.partners[0], Decimal("120.00"))
    # the group sees the invoice link; a stranger does not
    invoice = reverse("expense-invoice", args=[cast.commons.pk, expense.pk])
    assert invoice in text(client.get(ledger_url(cast)))
    assert client.get(invoice).status_code == 200


def test_an_invoice_that_is_not_one_keeps_the_label(client, cast, login):
    login(cast.partner_users[0])
    response = client.post(
        ledger_url(cast),
        {
            "action": "expense",
            "expense-organisation": cast.partners[0].pk,
            "expense-label": "Serveurs",
            "expense-amount": "120",
            "expense-invoice": SimpleUploadedFile("facture.pdf", b"GIF89a pas une facture"),
        },
    )

    assert response.status_code == 400
    assert 'value="Serveurs"' in text(response)
    assert field_messages(response, "id_expense-invoice").strip()
    assert not Expense.objects.exists()


def test_the_host_and_strangers_cannot_submit_an_expense(client, cast, login, world):
    for user in (cast.treasurer, world.stranger):
        login(user)
        assert 'id="form-depense"' not in text(client.get(ledger_url(cast)))
        response = client.post(
            ledger_url(cast),
            {
                "action": "expense",
                "expense-label": "x",
                "expense-amount": "1",
                "expense-invoice": SimpleUploadedFile("f.pdf", PDF),
            },
        )
        assert response.status_code == 403
    assert not Expense.objects.exists()


def test_the_others_of_the_group_approve_and_the_host_pays(client, cast, login, world):
    funded(cast)
    expense = submitted(cast, 0)
    invoice = reverse("expense-invoice", args=[cast.commons.pk, expense.pk])

    # the submitter has no buttons on its own expense, and is refused if it tries
    login(cast.partner_users[0])
    assert 'value="approve"' not in text(client.get(ledger_url(cast)))
    own = client.post(ledger_url(cast), {"action": "approve", "expense": expense.pk})
    assert own.status_code == 403

    # the two other organisations approve: a majority
    for index in (1, 2):
        login(cast.partner_users[index])
        page = text(client.get(ledger_url(cast)))
        assert 'value="approve"' in page
        assert invoice in page
        assert 'id="form-paiement-' not in page
        response = client.post(ledger_url(cast), {"action": "approve", "expense": expense.pk})
        assert response.status_code == 302
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.APPROVED

    # a group member may not pay it
    pay = {"action": "pay", "expense": expense.pk, f"pay{expense.pk}-payment_reference": "VIR-1"}
    assert client.post(ledger_url(cast), pay).status_code == 403

    # the host sees the invoice and pays it with its reference
    login(cast.treasurer)
    page = text(client.get(ledger_url(cast)))
    assert invoice in page
    assert f'id="form-paiement-{expense.pk}"' in page
    assert 'value="approve"' not in page
    assert client.post(ledger_url(cast), pay).status_code == 302
    expense.refresh_from_db()
    assert (expense.status, expense.payment_reference) == (ExpenseStatus.PAID, "VIR-1")
    assert Ledger.objects.get(commons=cast.commons).balance == Decimal("600.00")
    assert "VIR-1" in text(client.get(ledger_url(cast)))


def test_a_group_member_refuses_an_expense(client, cast, login):
    expense = submitted(cast, 0)
    login(cast.partner_users[1])
    response = client.post(ledger_url(cast), {"action": "refuse", "expense": expense.pk})
    assert response.status_code == 302
    # with three organisations, one refusal leaves no majority to approve it
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.REFUSED
    row = re.search(
        rf'id="depense-{expense.pk}".*?</tr>', text(client.get(ledger_url(cast))), re.S
    ).group(0)
    assert "Refusée" in row
    assert 'value="approve"' not in row


def test_paying_beyond_the_balance_is_refused_on_the_page(client, cast, login):
    funded(cast, "100.00")
    expense = submitted(cast, 0, "400.00")
    expense_approve(actor=cast.partner_users[1], expense=expense)
    expense_approve(actor=cast.partner_users[2], expense=expense)
    login(cast.treasurer)

    response = client.post(
        ledger_url(cast),
        {"action": "pay", "expense": expense.pk, f"pay{expense.pk}-payment_reference": "VIR-9"},
    )

    assert response.status_code == 409
    assert "Le solde du commun ne couvre pas cette dépense." in text(response)
    assert 'value="VIR-9"' in text(response)


def test_an_expense_of_another_commons_is_404(client, cast, login, world):
    other = hosted_commons(world, name="Autre commun")
    expense = submitted(other, 0)
    login(cast.partner_users[1])
    response = client.post(ledger_url(cast), {"action": "approve", "expense": expense.pk})
    assert response.status_code == 404


# --- the cofunding page -----------------------------------------------------------------


@pytest.fixture
def round_(world, clock):
    return advance(world, clock, "cofunding", **journey.SUBSIDISED).cofunding_round


def hosted(world, bucket):
    """The bucket, its commons' host designated: no subsidy is recorded for a commons
    without one (``hosting.require_host``)."""
    resource_host_designate(
        actor=world.buyer_agent, resource=bucket.proposal.group.resource, host=world.host
    )
    return bucket


def cofunding_url(round_) -> str:
    return reverse("portal:cofunding", args=[round_.challenge_id])


def test_the_buyer_sets_the_round_rules(client, world, login, round_):
    login(world.buyer_agent)
    assert 'id="form-reglages"' in text(client.get(cofunding_url(round_)))

    response = client.post(
        cofunding_url(round_),
        {
            "action": "settings",
            "settings-beyond_minimum": BeyondMinimum.STOP_AT_MINIMUM,
            "settings-edit_after_funded": EditAfterFunded.REOPEN,
        },
    )

    assert response.status_code == 302
    round_.refresh_from_db()
    assert (round_.beyond_minimum, round_.edit_after_funded) == ("stop_at_minimum", "reopen")
    assert "n'accepte plus d'engagement une fois son minimum atteint" in text(
        client.get(cofunding_url(round_))
    )


def test_funders_have_no_buyer_forms(client, world, login, round_):
    login(world.funder_users[0])
    page = text(client.get(cofunding_url(round_)))
    assert 'id="form-reglages"' not in page
    assert 'id="form-subvention"' not in page
    for data in (
        {"action": "settings", "settings-beyond_minimum": "stop_at_minimum"},
        {"action": "contributors", "contributors-amount": "1000"},
        {"action": "subsidy", "subsidy-funder_name": "ADEME", "subsidy-amount": "10"},
    ):
        assert client.post(cofunding_url(round_), data).status_code == 403
    round_.refresh_from_db()
    assert round_.beyond_minimum == BeyondMinimum.UP_TO_MAXIMUM
    assert not Subsidy.objects.exists()


def test_the_buyer_grants_the_contributors_an_envelope(client, world, login, round_):
    login(world.buyer_agent)
    response = client.post(
        cofunding_url(round_), {"action": "contributors", "contributors-amount": "3 000"}
    )
    assert response.status_code == 302
    granted = Allocation.objects.filter(round=round_, kind=Allocation.Kind.CONTRIBUTOR)
    assert granted.exists()
    assert {a.amount for a in granted} == {Decimal("3000")}


def test_the_buyer_records_a_subsidy_shown_on_its_commons(client, world, login, round_):
    bucket = hosted(world, round_.buckets.order_by("pk").first())
    login(world.buyer_agent)
    response = client.post(
        cofunding_url(round_),
        {
            "action": "subsidy",
            "subsidy-bucket": bucket.pk,
            "subsidy-funder_name": "ADEME",
            "subsidy-amount": "1000",
            "subsidy-reference": "AAP-42",
        },
    )
    assert response.status_code == 302
    bucket.refresh_from_db()
    assert bucket.subsidised == Decimal("1000")
    login(world.funder_users[0])
    section = re.search(
        rf'id="commun-{bucket.pk}".*?</section>', text(client.get(cofunding_url(round_))), re.S
    ).group(0)
    assert "ADEME : 1 000,00 €" in section
    assert "AAP-42" in section


def test_a_subsidy_beyond_the_maximum_keeps_the_input(client, world, login, round_):
    bucket = hosted(world, round_.buckets.order_by("pk").first())
    login(world.buyer_agent)
    response = client.post(
        cofunding_url(round_),
        {
            "action": "subsidy",
            "subsidy-bucket": bucket.pk,
            "subsidy-funder_name": "ANCT",
            "subsidy-amount": str(bucket.max_amount + 1),
        },
    )
    assert response.status_code == 409
    assert 'value="ANCT"' in text(response)
    assert "dépasserait le maximum du commun" in text(response)


def test_a_funder_moves_a_pledge(client, world, login, round_):
    first, second = round_.buckets.order_by("pk")[:2]
    funder, user = world.funders[0], world.funder_users[0]
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal("5000"))
    pledge = pledge_create(actor=user, bucket=first, funder=funder, amount=Decimal("1000"))
    login(user)
    assert 'id="form-deplacement"' in text(client.get(cofunding_url(round_)))

    response = client.post(
        cofunding_url(round_),
        {
            "action": "move",
            "move-pledge": pledge.pk,
            "move-bucket": second.pk,
            "move-amount": "400",
        },
    )

    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("600")
    moved = Pledge.objects.get(bucket=second)
    assert (moved.amount, moved.status) == (Decimal("400"), Pledge.Status.ACTIVE)


def test_moving_to_the_same_commons_is_refused_next_to_the_field(client, world, login, round_):
    first = round_.buckets.order_by("pk").first()
    funder, user = world.funders[0], world.funder_users[0]
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal("5000"))
    pledge = pledge_create(actor=user, bucket=first, funder=funder, amount=Decimal("1000"))
    login(user)
    response = client.post(
        cofunding_url(round_),
        {"action": "move", "move-pledge": pledge.pk, "move-bucket": first.pk, "move-amount": "400"},
    )
    assert response.status_code == 400
    assert "Choisissez un autre commun." in field_messages(response, "id_move-bucket")
    assert 'value="400"' in text(response)


def test_a_pledge_of_another_funder_cannot_be_moved(client, world, login, round_):
    first, second = round_.buckets.order_by("pk")[:2]
    funder, user = world.funders[0], world.funder_users[0]
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal("5000"))
    pledge = pledge_create(actor=user, bucket=first, funder=funder, amount=Decimal("1000"))
    login(world.funder_users[1])
    assert 'id="form-deplacement"' not in text(client.get(cofunding_url(round_)))
    response = client.post(
        cofunding_url(round_),
        {"action": "move", "move-pledge": pledge.pk, "move-bucket": second.pk},
    )
    assert response.status_code == 403
    assert not Pledge.objects.filter(bucket=second).exists()


def _group_user(world, bucket):
    organisation = bucket.proposal.group.members.order_by("pk").first().organisation
    return world.partner_users[world.partners.index(organisation)]


def test_the_working_group_describes_its_commons_and_sets_its_budget(client, world, login, round_):
    bucket = round_.buckets.order_by("pk").first()
    login(_group_user(world, bucket))
    page = text(client.get(cofunding_url(round_)))
    assert f'id="form-commun-{bucket.pk}"' in page

    response = client.post(
        cofunding_url(round_),
        {
            "action": "bucket",
            "bucket": bucket.pk,
            f"b{bucket.pk}-description": "Version 2 : l'API de réservation",
            f"b{bucket.pk}-min_amount": "1000",
            f"b{bucket.pk}-max_amount": str(bucket.max_amount + 5000),
        },
    )

    assert response.status_code == 302
    bucket.refresh_from_db()
    assert bucket.min_amount == Decimal("1000")
    assert "Version 2 : l'API de réservation" in text(client.get(cofunding_url(round_)))


def test_a_maximum_below_the_pledges_keeps_the_input(client, world, login, round_):
    bucket = round_.buckets.order_by("pk").first()
    funder, user = world.funders[0], world.funder_users[0]
    allocation_set(actor=user, round_=round_, funder=funder, amount=Decimal("5000"))
    pledge_create(actor=user, bucket=bucket, funder=funder, amount=Decimal("2000"))
    login(world.buyer_agent)
    response = client.post(
        cofunding_url(round_),
        {
            "action": "bucket",
            "bucket": bucket.pk,
            f"b{bucket.pk}-description": "Étape gardée",
            f"b{bucket.pk}-min_amount": "500",
            f"b{bucket.pk}-max_amount": "1000",
        },
    )
    assert response.status_code == 400
    assert "Étape gardée" in text(response)
    assert "Au moins 2 000,00 €." in field_messages(response, f"id_b{bucket.pk}-max_amount")
    bucket.refresh_from_db()
    assert bucket.description == ""


def test_a_funder_cannot_edit_a_bucket(client, world, login, round_):
    bucket = round_.buckets.order_by("pk").first()
    login(world.funder_users[0])
    assert f'id="form-commun-{bucket.pk}"' not in text(client.get(cofunding_url(round_)))
    response = client.post(
        cofunding_url(round_),
        {
            "action": "bucket",
            "bucket": bucket.pk,
            f"b{bucket.pk}-min_amount": "1",
            f"b{bucket.pk}-max_amount": "1",
        },
    )
    assert response.status_code == 403


def test_each_bucket_shows_its_progress(client, world, login, round_):
    bucket = round_.buckets.order_by("pk").first()
    funder, user = world.funders[0], world.funder_users[0]
    allocation_set(actor=user, round_=round_, funder=funder, amount=bucket.min_amount)
    pledge_create(actor=user, bucket=bucket, funder=funder, amount=bucket.min_amount / 2)
    login(user)
    section = re.search(
        rf'id="commun-{bucket.pk}".*?</section>', text(client.get(cofunding_url(round_))), re.S
    ).group(0)
    assert "50 % du minimum" in section
    assert "<progress" in section


# --- reciprocity ------------------------------------------------------------------------


RECIPROCITY = "portal:reciprocity_space"


def test_a_partner_signs_a_commitment_then_declares(client, world, login, cast):
    login(world.partner_users[0])
    url = reverse(RECIPROCITY)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "action": "commitment",
            "commitment-organisation": world.partners[0].pk,
            "commitment-commons": cast.commons.pk,
            "commitment-kind": "revenue_share",
            "commitment-revenue_share": "2,5",
            "commitment-period": "quarter",
            "commitment-starts_on": "2026-01-01",
            "commitment-commercial_use": "Hébergement du service",
        },
    )
    assert response.status_code == 302
    commitment = ReciprocityCommitment.objects.get()
    assert commitment.revenue_share == Decimal("2.5")

    response = client.post(
        url,
        {
            "action": "declaration",
            "declaration-commitment": commitment.pk,
            "declaration-period_start": "2026-04-01",
            "declaration-revenue": "10000",
            "declaration-given": "250",
        },
    )
    assert response.status_code == 302
    declaration = commitment.declarations.get()
    assert (declaration.due, declaration.given) == (Decimal("250.00"), Decimal("250"))
    assert "250,00 €" in text(client.get(url))


def test_a_refused_commitment_keeps_the_input(client, world, login, cast):
    login(world.partner_users[0])
    response = client.post(
        reverse(RECIPROCITY),
        {
            "action": "commitment",
            "commitment-organisation": world.partners[0].pk,
            "commitment-commons": cast.commons.pk,
            "commitment-kind": "revenue_share",
            "commitment-period": "quarter",
            "commitment-starts_on": "2026-01-01",
            "commitment-commercial_use": "Revente du calcul d'itinéraires",
        },
    )
    assert response.status_code == 400
    assert "Revente du calcul d'itinéraires" in text(response)
    assert "Indiquez une part comprise entre 0 et 100 %" in field_messages(
        response, "id_commitment-revenue_share"
    )
    assert not ReciprocityCommitment.objects.exists()


def test_a_declaration_that_does_not_start_a_period_is_refused(client, world, login, cast):
    commitment = commitment_sign(
        actor=world.partner_users[0],
        organisation=world.partners[0],
        commons=cast.commons,
        kind="fixed_amount",
        fixed_amount=Decimal("500"),
        period="quarter",
        starts_on=date(2026, 1, 1),
    )
    login(world.partner_users[0])
    response = client.post(
        reverse(RECIPROCITY),
        {
            "action": "declaration",
            "declaration-commitment": commitment.pk,
            "declaration-period_start": "2026-02-15",
            "declaration-revenue": "1000",
            "declaration-given": "500",
        },
    )
    assert response.status_code == 400
    assert "Une période commence le premier jour" in field_messages(
        response, "id_declaration-period_start"
    )


def test_only_partners_have_the_reciprocity_page(client, world, login, cast):
    anonymous = client.get(reverse(RECIPROCITY))
    assert anonymous.status_code == 302
    login(world.funder_users[0])
    assert client.get(reverse(RECIPROCITY)).status_code == 403
    # a partner cannot declare for another organisation's commitment
    commitment = commitment_sign(
        actor=world.partner_users[0],
        organisation=world.partners[0],
        commons=cast.commons,
        kind="fixed_amount",
        fixed_amount=Decimal("500"),
        period="quarter",
        starts_on=date(2026, 1, 1),
    )
    login(world.partner_users[1])
    response = client.post(
        reverse(RECIPROCITY),
        {
            "action": "declaration",
            "declaration-commitment": commitment.pk,
            "declaration-period_start": "2026-01-01",
            "declaration-revenue": "1000",
            "declaration-given": "500",
        },
    )
    assert response.status_code == 400
    assert not commitment.declarations.exists()


@pytest.mark.django_db
def test_withdrawing_a_pledge_named_by_nonsense_is_a_404_not_a_500(client, world, clock, login):
    challenge = journey.in_cofunding(world, clock)
    login(world.funder_users[0])
    url = reverse("portal:cofunding", args=[challenge.pk])
    for value in ("abc", "²", "99999999999999999999"):
        assert client.post(url, {"action": "withdraw", "pledge": value}).status_code == 404
