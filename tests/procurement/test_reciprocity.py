"""Reciprocity: who may sign and declare, one declaration per period, what is due (in
Decimal, to the cent), ended commitments, the public board and its audit trail."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement import queries
from procurement.models import (
    AuditEvent,
    Commons,
    CommonsCategory,
    ReciprocityDeclaration,
    ReciprocityKind,
    ReciprocityPeriod,
)
from procurement.services.reciprocity import (
    commitment_end,
    commitment_sign,
    declaration_submit,
)


@pytest.fixture
def commons(world):
    return Commons.objects.create(
        name="Covoiturage partagé",
        slug="covoiturage-partage",
        category=CommonsCategory.KNOWLEDGE,
        licence="AGPL-3.0-or-later",
        host=world.host,
    )


def share(world, commons, percent="2.5", period=ReciprocityPeriod.QUARTER, index=0):
    return commitment_sign(
        actor=world.partner_users[index],
        organisation=world.partners[index],
        commons=commons,
        kind=ReciprocityKind.REVENUE_SHARE,
        revenue_share=Decimal(percent),
        period=period,
        starts_on=date(2026, 1, 1),
        commercial_use="Intégration pour des collectivités",
    )


def fixed(world, commons, amount="500", index=1):
    return commitment_sign(
        actor=world.partner_users[index],
        organisation=world.partners[index],
        commons=commons,
        kind=ReciprocityKind.FIXED_AMOUNT,
        fixed_amount=Decimal(amount),
        period=ReciprocityPeriod.YEAR,
        starts_on=date(2026, 1, 1),
    )


def declare(world, commitment, period_start, revenue, given, index=0):
    return declaration_submit(
        actor=world.partner_users[index],
        commitment=commitment,
        period_start=period_start,
        revenue=Decimal(revenue),
        given=Decimal(given),
    )


# --- signing ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_signs_and_the_signature_is_audited(world, commons, clock):
    commitment = share(world, commons)

    assert commitment.signed_by == world.partner_users[0]
    assert commitment.is_active
    event = AuditEvent.objects.get(verb="reciprocity.signed")
    assert event.chain == "global"
    assert event.actor == world.partner_users[0]
    assert event.data["revenue_share"] == "2.5"


@pytest.mark.django_db
def test_only_members_of_the_organisation_sign(world, commons, clock):
    with pytest.raises(Forbidden) as refused:
        commitment_sign(
            actor=world.stranger,
            organisation=world.partners[0],
            commons=commons,
            kind=ReciprocityKind.REVENUE_SHARE,
            revenue_share=Decimal("3"),
            period=ReciprocityPeriod.MONTH,
            starts_on=date(2026, 1, 1),
        )
    assert refused.value.code == "not_allowed"


@pytest.mark.django_db
def test_only_partner_organisations_sign(world, commons, clock):
    with pytest.raises(Forbidden) as refused:
        commitment_sign(
            actor=world.funder_users[0],
            organisation=world.funders[0],
            commons=commons,
            kind=ReciprocityKind.FIXED_AMOUNT,
            fixed_amount=Decimal("100"),
            period=ReciprocityPeriod.YEAR,
            starts_on=date(2026, 1, 1),
        )
    assert refused.value.code == "not_a_partner"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "revenue_share", "fixed_amount", "field"),
    [
        (ReciprocityKind.REVENUE_SHARE, None, None, "revenue_share"),
        (ReciprocityKind.REVENUE_SHARE, Decimal("0"), None, "revenue_share"),
        (ReciprocityKind.REVENUE_SHARE, Decimal("100.01"), None, "revenue_share"),
        (ReciprocityKind.REVENUE_SHARE, Decimal("5"), Decimal("10"), "fixed_amount"),
        (ReciprocityKind.FIXED_AMOUNT, None, Decimal("-1"), "fixed_amount"),
        (ReciprocityKind.FIXED_AMOUNT, Decimal("5"), Decimal("10"), "revenue_share"),
        ("gift", None, None, "kind"),
    ],
)
def test_terms_are_checked_field_by_field(
    world, commons, clock, kind, revenue_share, fixed_amount, field
):
    with pytest.raises(ApplicationError) as refused:
        commitment_sign(
            actor=world.partner_users[0],
            organisation=world.partners[0],
            commons=commons,
            kind=kind,
            revenue_share=revenue_share,
            fixed_amount=fixed_amount,
            period=ReciprocityPeriod.MONTH,
            starts_on=date(2026, 1, 1),
        )
    assert refused.value.status_code == 400
    assert field in refused.value.extra["fields"]


@pytest.mark.django_db
def test_one_commitment_in_force_per_organisation_and_commons(world, commons, clock):
    first = share(world, commons)
    with pytest.raises(WrongState) as refused:
        share(world, commons, percent="4")
    assert refused.value.code == "already_committed"

    # once ended, a new commitment with other terms may be signed
    commitment_end(actor=world.partner_users[0], commitment=first)
    second = share(world, commons, percent="4")
    assert second.revenue_share == Decimal("4")


@pytest.mark.django_db
def test_the_database_refuses_terms_that_do_not_match_the_kind(world, commons, clock):
    commitment = share(world, commons)
    commitment.fixed_amount = Decimal("10")
    with pytest.raises(IntegrityError), transaction.atomic():
        commitment.save()


# --- declaring ----------------------------------------------------------------------


@pytest.mark.django_db
def test_due_is_the_share_of_the_revenue_in_exact_decimal(world, commons, clock):
    commitment = share(world, commons, percent="2.5")

    # 2.5 % of 12 345.67 € is 308.64175 €: 308.64 € to the cent
    declaration = declare(world, commitment, date(2026, 4, 1), "12345.67", "300")

    assert declaration.due == Decimal("308.64")
    assert isinstance(declaration.due, Decimal)
    assert declaration.shortfall == Decimal("8.64")
    stored = ReciprocityDeclaration.objects.get(pk=declaration.pk)
    assert stored.due == Decimal("308.64")


@pytest.mark.django_db
def test_half_a_cent_rounds_up(world, commons, clock):
    commitment = share(world, commons, percent="1")
    declaration = declare(world, commitment, date(2026, 1, 1), "0.50", "0.01")
    assert declaration.due == Decimal("0.01")
    assert declaration.shortfall == Decimal("0")


@pytest.mark.django_db
def test_a_fixed_amount_is_due_whatever_the_revenue(world, commons, clock):
    commitment = fixed(world, commons, amount="500")
    declaration = declare(world, commitment, date(2026, 1, 1), "0", "200", index=1)
    assert declaration.due == Decimal("500.00")
    assert declaration.shortfall == Decimal("300")


@pytest.mark.django_db
def test_one_declaration_per_period(world, commons, clock):
    commitment = share(world, commons)
    declare(world, commitment, date(2026, 1, 1), "1000", "25")

    with pytest.raises(ApplicationError) as refused:
        declare(world, commitment, date(2026, 1, 1), "2000", "50")

    assert refused.value.code == "already_declared"
    assert "period_start" in refused.value.extra["fields"]
    assert commitment.declarations.count() == 1


@pytest.mark.django_db
def test_the_database_keeps_one_declaration_per_period(world, commons, clock):
    commitment = share(world, commons)
    first = declare(world, commitment, date(2026, 1, 1), "1000", "25")
    first.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


@pytest.mark.django_db
def test_only_members_of_the_organisation_declare(world, commons, clock):
    commitment = share(world, commons)
    for outsider in (world.stranger, world.partner_users[1], world.buyer_agent):
        with pytest.raises(Forbidden):
            declaration_submit(
                actor=outsider,
                commitment=commitment,
                period_start=date(2026, 1, 1),
                revenue=Decimal("1"),
                given=Decimal("1"),
            )
    assert not commitment.declarations.exists()


@pytest.mark.django_db
def test_an_ended_commitment_refuses_new_declarations(world, commons, clock):
    commitment = share(world, commons)
    declare(world, commitment, date(2026, 1, 1), "1000", "25")
    commitment_end(actor=world.partner_users[0], commitment=commitment)

    with pytest.raises(WrongState) as refused:
        declare(world, commitment, date(2026, 4, 1), "1000", "25")

    assert refused.value.code == "commitment_ended"
    # its past declarations stay
    assert commitment.declarations.count() == 1
    assert AuditEvent.objects.filter(verb="reciprocity.ended").count() == 1


@pytest.mark.django_db
def test_ending_twice_or_before_the_start_is_refused(world, commons, clock):
    commitment = share(world, commons)
    with pytest.raises(ApplicationError) as early:
        commitment_end(
            actor=world.partner_users[0], commitment=commitment, ended_on=date(2025, 12, 31)
        )
    assert "ended_on" in early.value.extra["fields"]
    with pytest.raises(Forbidden):
        commitment_end(actor=world.stranger, commitment=commitment)

    commitment_end(actor=world.partner_users[0], commitment=commitment)
    with pytest.raises(WrongState):
        commitment_end(actor=world.partner_users[0], commitment=commitment)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("period_start", "revenue", "given", "field"),
    [
        (date(2026, 2, 1), "1", "1", "period_start"),  # not the start of a quarter
        (date(2025, 10, 1), "1", "1", "period_start"),  # before the commitment
        (date(2026, 10, 1), "1", "1", "period_start"),  # not begun (today: 1 Sept 2026)
        (date(2026, 1, 1), "-1", "1", "revenue"),
        (date(2026, 1, 1), "1", "-0.01", "given"),
    ],
)
def test_declarations_are_checked_field_by_field(
    world, commons, clock, period_start, revenue, given, field
):
    commitment = share(world, commons)
    with pytest.raises(ApplicationError) as refused:
        declare(world, commitment, period_start, revenue, given)
    assert refused.value.status_code == 400
    assert list(refused.value.extra["fields"]) == [field]


@pytest.mark.django_db
def test_declaring_is_audited_with_what_was_due(world, commons, clock):
    commitment = share(world, commons, percent="10")
    declare(world, commitment, date(2026, 1, 1), "1000", "100")
    event = AuditEvent.objects.get(verb="reciprocity.declared")
    assert event.data["due"] == "100.00"
    assert event.actor == world.partner_users[0]


# --- the board ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_sums_due_and_given_per_organisation(world, commons, clock):
    first = share(world, commons, percent="10")
    declare(world, first, date(2026, 1, 1), "1000", "100")
    declare(world, first, date(2026, 4, 1), "2000", "150")
    commitment_end(actor=world.partner_users[0], commitment=first)
    second = share(world, commons, percent="5", period=ReciprocityPeriod.MONTH)
    declare(world, second, date(2026, 8, 1), "1000", "50")
    annual = fixed(world, commons, amount="500")
    share(world, commons, percent="1", index=2)  # signed, nothing declared yet

    board = queries.reciprocity_board(commons)

    rows = {row.organisation: row for row in board.rows}
    assert set(rows) == set(world.partners)
    covoit = rows[world.partners[0]]
    assert (covoit.due, covoit.given, covoit.declarations) == (
        Decimal("350.00"),
        Decimal("300.00"),
        3,
    )
    assert covoit.shortfall == Decimal("50.00")
    assert covoit.status == "short"
    assert covoit.active == second
    assert rows[world.partners[1]].active == annual
    assert rows[world.partners[1]].status == "none"
    assert [row.organisation for row in board.givers] == [world.partners[0]]
    assert board.due == Decimal("350.00")
    assert board.given == Decimal("300.00")


@pytest.mark.django_db
def test_the_board_only_shows_the_commons_own_commitments(world, commons, clock):
    other = Commons.objects.create(
        name="Autre commun", slug="autre", category=CommonsCategory.NATURAL
    )
    share(world, other)
    assert queries.reciprocity_board(commons).rows == []


@pytest.mark.django_db
def test_the_board_runs_a_constant_number_of_queries(
    world, commons, clock, django_assert_num_queries
):
    commitment = share(world, commons)
    declare(world, commitment, date(2026, 1, 1), "1000", "25")
    with django_assert_num_queries(2):
        small = queries.reciprocity_board(commons)

    for index in (1, 2):
        other = fixed(world, commons, index=index)
        declare(world, other, date(2026, 1, 1), "10", "500", index=index)
    with django_assert_num_queries(2):
        large = queries.reciprocity_board(commons)
    assert (len(small.rows), len(large.rows)) == (1, 3)
