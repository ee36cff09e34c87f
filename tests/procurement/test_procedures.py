from datetime import date, timedelta
from decimal import Decimal

import pytest

from kernel.errors import ApplicationError
from procurement import procedures
from procurement.models import BuyerCategory, ContractNature
from procurement.procedures import FORMAL_OPEN, MAPA, NO_PUBLICITY, MissingEstimate, procedure_for
from procurement.services.award_rules import offer_window_of
from tests.conftest import paris
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("39999.99"), NO_PUBLICITY),
        (Decimal("40000"), MAPA),
        (Decimal("215999.99"), MAPA),
        (Decimal("216000"), FORMAL_OPEN),
    ],
)
def test_procedure_follows_the_2026_thresholds(amount, expected):
    # given an estimated amount HT / when the procedure is chosen in early 2026 / then
    assert procedure_for(amount, on=date(2026, 3, 1)) == expected


@pytest.mark.parametrize(
    ("amount", "on", "nature", "expected"),
    [
        # R2122-8 as amended by décret n° 2025-1386: supplies and services 40 000 € HT
        # until 31 March 2026, 60 000 € HT from 1 April 2026
        (Decimal("59999.99"), date(2026, 3, 31), "services", MAPA),
        (Decimal("39999.99"), date(2026, 3, 31), "services", NO_PUBLICITY),
        (Decimal("59999.99"), date(2026, 4, 1), "services", NO_PUBLICITY),
        (Decimal("60000"), date(2026, 4, 1), "supplies", MAPA),
        # works: 100 000 € HT from 1 January 2026
        (Decimal("99999.99"), date(2026, 1, 1), "works", NO_PUBLICITY),
        (Decimal("100000"), date(2026, 1, 1), "works", MAPA),
    ],
)
def test_r2122_8_no_publicity_thresholds_of_decret_2025_1386(amount, on, nature, expected):
    assert procedure_for(amount, on=on, nature=nature) == expected


@pytest.mark.parametrize(
    ("amount", "buyer", "nature", "expected"),
    [
        # R2122-8 on 1 January 2026: below 40 000 € HT of services, 100 000 € HT of
        # works, no publicity, whoever buys
        (Decimal("39999.99"), "state", "services", NO_PUBLICITY),
        (Decimal("40000"), "state", "services", MAPA),
        (Decimal("99999.99"), "local", "works", NO_PUBLICITY),
        # the State's supplies and services: 140 000 € HT
        (Decimal("139999.99"), "state", "services", MAPA),
        (Decimal("140000"), "state", "supplies", FORMAL_OPEN),
        # a local authority's supplies: 216 000 € HT
        (Decimal("215999.99"), "local", "supplies", MAPA),
        (Decimal("216000"), "local", "supplies", FORMAL_OPEN),
        # works: 5 404 000 € HT, for the State as for a local authority
        (Decimal("5403999.99"), "local", "works", MAPA),
        (Decimal("5403999.99"), "state", "works", MAPA),
        (Decimal("5404000"), "state", "works", FORMAL_OPEN),
    ],
)
def test_procedure_follows_the_2026_thresholds_of_the_state_and_of_works(
    amount, buyer, nature, expected
):
    assert procedure_for(amount, on=date(2026, 1, 1), buyer=buyer, nature=nature) == expected


def test_procedure_is_never_guessed_without_an_estimate():
    # an empty estimate used to give a MAPA without a minimum window
    with pytest.raises(MissingEstimate):
        procedure_for(None, on=date(2026, 3, 1))


def test_the_models_choices_are_the_procedures_categories():
    assert set(BuyerCategory.values) == {c.value for c in procedures.BuyerCategory}
    assert set(ContractNature.values) == {n.value for n in procedures.ContractNature}


@pytest.mark.django_db(transaction=True)
def test_formal_procedure_refuses_a_proposal_deadline_under_30_days(world, clock):
    # given a challenge above the EU threshold, ready to publish on 1 September 2026
    challenge = journey.start(world, estimated_amount=Decimal("250000.00"))
    complete(challenge, "draft", world.buyer_agent)
    give_opinion(world, challenge)
    now = paris(2026, 9, 1, 9, 0)

    # when the buyer sets the proposal deadline 29 days after publication
    with pytest.raises(ApplicationError) as excinfo:
        complete(
            challenge,
            "publish",
            world.buyer_agent,
            {
                "positioning_deadline": (now + timedelta(days=10)).isoformat(),
                "proposal_deadline": (now + timedelta(days=29, hours=23)).isoformat(),
            },
        )

    # then it is refused on that field, and 30 days are accepted
    assert "30 jours" in excinfo.value.extra["fields"]["proposal_deadline"][0]
    complete(
        challenge,
        "publish",
        world.buyer_agent,
        {
            "positioning_deadline": (now + timedelta(days=10)).isoformat(),
            "proposal_deadline": (now + timedelta(days=30)).isoformat(),
        },
    )
    challenge.refresh_from_db()
    assert challenge.status == "positioning"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "category", "expected"),
    [
        # a local authority's 180 000 € of services: a MAPA, floor 15 days, warned under 21
        (Decimal("180000"), "local", (MAPA, 15, 21)),
        # the State's: above its 140 000 € threshold, a formal procedure's 30 days
        (Decimal("180000"), "state", (FORMAL_OPEN, 30, None)),
        # under 40 000 €: no publicity, no minimum
        (Decimal("30000"), "local", (NO_PUBLICITY, 0, None)),
    ],
)
def test_offer_window_of_a_call_follows_its_estimate_and_its_buyer(
    world, settings, amount, category, expected
):
    # given the settings' MAPA floor and warning, and a call of that buyer
    settings.MAPA_MIN_OFFER_DAYS, settings.MAPA_WARN_OFFER_DAYS = 15, 21
    world.buyer.buyer_category = category
    world.buyer.save()
    challenge = journey.start(world, estimated_amount=amount)
    # when its window is asked for a publication in 2026
    window = offer_window_of(challenge, date(2026, 9, 1))
    # then it is the procedure's, with the MAPA's floors from the settings
    assert (window.procedure, window.minimum_days, window.warning_days) == expected


@pytest.mark.django_db
def test_offer_window_of_a_call_without_estimate_is_unknown(world):
    challenge = journey.start(world, estimated_amount=None)
    assert offer_window_of(challenge) is None


@pytest.mark.parametrize(
    ("floor", "expected"),
    [
        (0, "La date limite des propositions doit suivre la publication."),
        (1, "est d'au moins 1 jour après la publication."),
        (15, "est d'au moins 15 jours après la publication."),
    ],
)
def test_the_offers_window_refusal_never_says_at_least_0_days(settings, floor, expected):
    # given a MAPA whose floor the operator set (0: no floor but after the publication)
    from procurement.services.award_rules import offer_window_check

    settings.MAPA_MIN_OFFER_DAYS = floor
    settings.MAPA_WARN_OFFER_DAYS = None
    published = paris(2026, 9, 1, 12)
    # when the proposal deadline comes before the floor (before the publication for 0)
    deadline = published - timedelta(hours=1) if floor == 0 else published + timedelta(hours=1)
    refusals, _warnings = offer_window_check(MAPA, published, deadline)
    # then the refusal reads right, in the singular or plural
    assert len(refusals) == 1
    assert refusals[0].endswith(expected)
    assert "au moins 0 jour" not in refusals[0]
