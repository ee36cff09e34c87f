"""Recognition after the fact (issue 21, seed 004): the public contribution record
combines the contributions of the public positions, the public ledger's money in and
out, and the reciprocity commitments with their periods kept, late or missed — per
commons and per organisation — and shows nothing that was not already public."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from procurement import queries
from procurement.models import ChallengeResource
from procurement.services.ledger import expense_pay, exploration_grant, income_record
from procurement.services.positions import position_create
from procurement.services.reciprocity import commitment_sign, declaration_submit
from tests.conftest import paris
from tests.procurement.ledger_cast import hosted_commons
from tests.workflows import journey


@pytest.fixture
def record(world, clock):
    """A published call whose first resource is the hosted commons « Covoiturage
    libre »; on 31 October 2026:

    - Covoit Libre SAS: public position (10 days of skills and 5 000 € offered), paid
      1 500 € of exploration by the host; a quarterly commitment from July, never
      declared (Q3 missed);
    - Mobicoop SCIC: public position (technical means), paid 300 € into the account; a
      quarterly commitment of 100 € from January: Q1 missed, Q2 declared late, Q3 on
      time;
    - Association Rues Partagées: a position with its name kept private (50 days);
    - ADEME paid 2 000 € in; the métropole granted the exploration (1 500 € in)."""
    cast = hosted_commons(world)
    commons = cast.commons
    challenge = journey.published(world)
    resource = (
        ChallengeResource.objects.filter(challenge_id=challenge.pk).order_by("order", "id").first()
    )
    ChallengeResource.objects.filter(pk=resource.pk).update(commons=commons)
    covoit, mobicoop, rues = world.partners
    covoit_user, mobicoop_user, rues_user = world.partner_users
    position_create(
        actor=covoit_user,
        resource=resource,
        organisation=covoit,
        intent="produce",
        public_name=True,
        contributions=[
            {"kind": "skills", "days": Decimal("10.0"), "profile": "développeuse"},
            {"kind": "money", "amount": Decimal("5000.00")},
        ],
    )
    position_create(
        actor=mobicoop_user,
        resource=resource,
        organisation=mobicoop,
        intent="contribute",
        public_name=True,
        contributions=[{"kind": "technical_means", "description": "Serveurs"}],
    )
    position_create(
        actor=rues_user,
        resource=resource,
        organisation=rues,
        intent="produce",
        public_name=False,
        contributions=[{"kind": "skills", "days": Decimal("50.0"), "profile": "animation"}],
    )
    income_record(
        actor=cast.treasurer,
        commons=commons,
        amount=Decimal("2000.00"),
        received_on=date(2026, 9, 1),
        source=world.funders[0],
        source_name=world.funders[0].name,
    )
    income_record(
        actor=cast.treasurer,
        commons=commons,
        amount=Decimal("300.00"),
        received_on=date(2026, 9, 1),
        source=mobicoop,
        source_name=mobicoop.name,
    )
    payout = exploration_grant(
        actor=world.buyer_agent,
        commons=commons,
        grantor=world.buyer,
        recipient=covoit,
        amount=Decimal("1500.00"),
    )
    expense_pay(actor=cast.treasurer, expense=payout)
    fixed = {"kind": "fixed_amount", "fixed_amount": Decimal("100.00"), "period": "quarter"}
    commitment = commitment_sign(
        actor=mobicoop_user,
        organisation=mobicoop,
        commons=commons,
        starts_on=date(2026, 1, 1),
        **fixed,
    )
    commitment_sign(
        actor=covoit_user, organisation=covoit, commons=commons, starts_on=date(2026, 7, 1), **fixed
    )
    declaration_submit(  # on 1 September: Q2 was due by 30 July
        actor=mobicoop_user,
        commitment=commitment,
        period_start=date(2026, 4, 1),
        revenue=Decimal("8000.00"),
        given=Decimal("100.00"),
    )
    clock.move_to(paris(2026, 10, 15, 10, 0))
    declaration_submit(
        actor=mobicoop_user,
        commitment=commitment,
        period_start=date(2026, 7, 1),
        revenue=Decimal("9000.00"),
        given=Decimal("100.00"),
    )
    clock.move_to(paris(2026, 10, 31, 10, 0))
    return commons


@pytest.mark.django_db
def test_the_commons_record_combines_every_source_most_involved_first(world, record):
    rows = queries.contribution_record_of_commons(record)

    # ordered by ways of taking part, then person-days, then name
    names = [row.organisation.name for row in rows]
    assert names == [
        "Mobicoop SCIC",  # 3 ways: technical means, money paid in, reciprocity
        "Covoit Libre SAS",  # 2 ways: skills, money offered
        "ADEME Hauts-de-France",  # 1 way: money paid in
        "Métropole Européenne de Lille",  # 1 way: the exploration budget paid in
    ]
    mobicoop, covoit, ademe, mel = (row.involvement for row in rows)
    assert (mobicoop.ways, mobicoop.technical_means, mobicoop.paid_in) == (1 + 2, 1, Decimal(300))
    assert (mobicoop.reciprocity_given, mobicoop.reciprocity_due) == (Decimal(200), Decimal(200))
    assert (mobicoop.kept, mobicoop.late, mobicoop.missed) == (1, 1, 1)
    assert (covoit.skills_days, covoit.money_offers, covoit.paid_out) == (
        Decimal(10),
        1,
        Decimal(1500),
    )
    assert (covoit.kept, covoit.late, covoit.missed) == (0, 0, 1)
    assert ademe.paid_in == Decimal(2000)
    assert mel.paid_in == Decimal(1500)
    assert queries.record_totals(rows).paid_in == Decimal(3800)


@pytest.mark.django_db
def test_a_name_kept_private_stays_out_of_every_record(world, record):
    rues = world.partners[2]
    assert rues.name not in [
        r.organisation.name for r in queries.contribution_record_of_commons(record)
    ]
    assert queries.contribution_record_of_organisation(rues) == []

    api = APIClient().get(f"/api/v1/commons/{record.pk}/contributions/")
    page = APIClient().get(f"/communs/{record.slug}/contributions/")
    for body in (api.content.decode(), page.content.decode()):
        assert rues.name not in body
        # the amount a position offers stays with the buyer
        assert "5000" not in body.replace("\u202f", "").replace(" ", "")


@pytest.mark.django_db
def test_the_organisation_record_lists_its_commons(world, record):
    [row] = queries.contribution_record_of_organisation(world.partners[1])
    assert row.commons == record
    assert row.involvement.ways == 3
    assert [c.starts_on for c in row.commitments] == [date(2026, 1, 1)]


@pytest.mark.django_db
def test_the_record_is_public_in_the_api_and_the_portal(world, record):
    # when anyone reads it
    api = APIClient().get(f"/api/v1/commons/{record.pk}/contributions/")
    org = APIClient().get(f"/api/v1/organisations/{world.partners[1].pk}/contributions/")
    page = APIClient().get(f"/communs/{record.slug}/contributions/")
    org_page = APIClient().get(f"/organisations/{world.partners[1].pk}/contributions/")

    # then the API gives the components and says how rows are ordered
    assert api.status_code == org.status_code == 200
    body = api.json()
    first = body["rows"][0]
    assert first["organisation"]["name"] == "Mobicoop SCIC"
    assert first["involvement"]["paid_in"] == "300.00"
    assert first["involvement"]["missed"] == 1
    assert first["commitments"][0]["fixed_amount"] == "100.00"
    assert "façons de contribuer" in body["order"]
    assert body["totals"]["paid_in"] == "3800.00"
    assert org.json()["rows"][0]["commons"]["slug"] == record.slug
    # and the pages show the same table, with its method
    assert page.status_code == org_page.status_code == 200
    html = page.content.decode()
    assert "Mobicoop SCIC" in html
    assert 'id="methode"' in html
    assert html.index("Mobicoop SCIC") < html.index("Covoit Libre SAS")
    assert "Covoiturage libre" in org_page.content.decode()


@pytest.mark.django_db
def test_an_unknown_commons_or_organisation_is_a_404_in_the_error_shape(world, record):
    for url in (
        "/api/v1/commons/999999/contributions/",
        "/api/v1/organisations/999999/contributions/",
    ):
        response = APIClient().get(url)
        assert response.status_code == 404
        assert set(response.json()) >= {"code", "message"}
    assert APIClient().get("/organisations/999999/contributions/").status_code == 404


@pytest.mark.django_db
def test_the_record_reads_in_constant_queries(world, record, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        assert len(queries.contribution_record_of_commons(record)) == 4
