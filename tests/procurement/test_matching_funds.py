"""Matching funds (issue 21, "doublonnage"): the buyer or a funder adds so many euros per
euro others pledge, up to a cap. The arithmetic at its bounds (``procurement.matching``),
then the services: who may offer, live recomputation, withdraw, and the close that
honours the match."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement import matching, queries
from procurement.matching import BucketRoom, Offer, PledgeLine
from procurement.models import (
    Allocation,
    AuditEvent,
    BeyondMinimum,
    Bucket,
    MatchingOffer,
    Pledge,
)
from procurement.services.cofunding import (
    allocation_set,
    cofunding_update,
    matching_offer_create,
    matching_offer_withdraw,
    pledge_create,
    pledge_move,
    pledge_withdraw,
)
from tests.conftest import later
from tests.procurement.test_cofunding_rules import (
    COFUNDING_END,
    buckets_of,
    budget,
    close,
    fresh,
    open_round,
    pledge,
)

D = Decimal


def room(pk, total="0", ceiling="30000", minimum="30000", kept=False) -> BucketRoom:
    return BucketRoom(
        id=pk, total=D(total), ceiling=D(ceiling), minimum=D(minimum), kept_funded=kept
    )


def line(pk, bucket, funder, amount) -> PledgeLine:
    return PledgeLine(id=pk, bucket=bucket, funder=funder, amount=D(amount))


def offer(pk=1, matcher=9, ratio="1", cap="1000", buckets=()) -> Offer:
    return Offer(id=pk, matcher=matcher, ratio=D(ratio), cap=D(cap), buckets=frozenset(buckets))


def amounts(found) -> list[tuple[int, int, Decimal]]:
    return [(m.offer, m.pledge, m.amount) for m in found]


# --- the arithmetic -----------------------------------------------------------------------


def test_the_cap_exhausted_exactly_leaves_later_pledges_unmatched():
    # given a 1 € for 1 € offer capped at 1 000 € and three pledges, in this order
    pledges = [line(1, 10, 1, "600"), line(2, 10, 2, "400"), line(3, 10, 1, "300")]
    # when the match is computed
    found = matching.matches(buckets=[room(10)], pledges=pledges, offers=[offer()])
    # then the first two take the whole cap, to the cent, and the third gets nothing
    assert amounts(found) == [(1, 1, D("600")), (1, 2, D("400"))]
    assert matching.per_offer(found) == {1: D("1000")}


def test_the_pledge_that_crosses_the_cap_gets_what_is_left_of_it():
    pledges = [line(1, 10, 1, "600"), line(2, 10, 2, "401")]
    found = matching.matches(buckets=[room(10)], pledges=pledges, offers=[offer()])
    assert amounts(found) == [(1, 1, D("600")), (1, 2, D("400"))]


def test_the_cap_is_shared_in_pledge_order_across_buckets():
    # given pledges on two buckets, the later one on the first bucket
    pledges = [line(1, 20, 1, "700"), line(2, 10, 2, "700")]
    found = matching.matches(buckets=[room(10), room(20)], pledges=pledges, offers=[offer()])
    # then the earlier pledge is matched in full whatever its bucket
    assert matching.per_bucket(found) == {20: D("700"), 10: D("300")}


def test_the_ratio_multiplies_and_rounds_down_to_the_cent():
    pledges = [line(1, 10, 1, "333.33")]
    found = matching.matches(
        buckets=[room(10)], pledges=pledges, offers=[offer(ratio="0.5", cap="10000")]
    )
    assert amounts(found) == [(1, 1, D("166.66"))]


def test_the_matcher_own_pledges_are_not_matched_by_its_offer():
    pledges = [line(1, 10, 9, "500"), line(2, 10, 1, "200")]
    found = matching.matches(buckets=[room(10)], pledges=pledges, offers=[offer(matcher=9)])
    assert amounts(found) == [(1, 2, D("200"))]


def test_an_offer_limited_to_some_buckets_matches_only_there():
    pledges = [line(1, 10, 1, "500"), line(2, 20, 1, "200")]
    found = matching.matches(
        buckets=[room(10), room(20)], pledges=pledges, offers=[offer(buckets={20})]
    )
    assert amounts(found) == [(1, 2, D("200"))]


def test_a_match_never_takes_a_bucket_beyond_its_ceiling():
    # given a bucket of 30 000 € holding 29 500 € (pledges and subsidies)
    pledges = [line(1, 10, 1, "29500")]
    found = matching.matches(
        buckets=[room(10, total="29500")], pledges=pledges, offers=[offer(cap="5000")]
    )
    # then the match fills the 500 € left, not more
    assert amounts(found) == [(1, 1, D("500"))]


def test_a_second_offer_matches_the_pledges_not_the_first_offer_match():
    # given two matchers at 1 for 1 on a pledge of 1 000 €: no matching of matching
    pledges = [line(1, 10, 1, "1000")]
    found = matching.matches(
        buckets=[room(10)],
        pledges=pledges,
        offers=[offer(1, matcher=8, cap="5000"), offer(2, matcher=9, cap="5000")],
    )
    # then each adds 1 000 €, 2 000 € in all (a match of the match would make it 3 000 €)
    assert amounts(found) == [(1, 1, D("1000")), (2, 1, D("1000"))]


def test_the_close_frees_the_cap_held_by_a_hopeless_bucket_for_the_others():
    # given a cap of 15 000 €; the pledge on the hopeless bucket came first
    buckets = [room(10, total="10000", minimum="20000"), room(20, total="12000")]
    pledges = [line(1, 20, 1, "12000"), line(2, 10, 1, "10000")]
    # live, the first pledge takes 12 000 € of the cap and the other only 3 000 €
    live = matching.matches(buckets=buckets, pledges=pledges, offers=[offer(cap="15000")])
    assert matching.per_bucket(live) == {20: D("12000"), 10: D("3000")}
    # at close, bucket 20 cannot reach 30 000 € even alone: dropped, its cap goes to 10
    settled = matching.settle(buckets=buckets, pledges=pledges, offers=[offer(cap="15000")])
    assert settled.funded == {10}
    assert settled.not_funded == {20}
    assert matching.per_bucket(settled.matches) == {10: D("10000")}


def test_at_close_the_furthest_bucket_drops_first_when_each_could_make_it_alone():
    # given two commons of 20 000 €, a cap of 9 000 € at 1 for 1, and pledges in this
    # order: 3 000 € on 10, 12 000 € on 20, 11 000 € on 10
    buckets = [
        room(10, total="14000", ceiling="20000", minimum="20000"),
        room(20, total="12000", ceiling="20000", minimum="20000"),
    ]
    pledges = [line(1, 10, 1, "3000"), line(2, 20, 1, "12000"), line(3, 10, 1, "11000")]
    offers = [offer(cap="9000")]
    # live, the cap runs out: 10 is 3 000 € short, 20 is 2 000 € short
    live = matching.matches(buckets=buckets, pledges=pledges, offers=offers)
    assert matching.per_bucket(live) == {10: D("3000"), 20: D("6000")}
    # at close, each could be funded alone: the furthest from its minimum (10) drops,
    # and the whole cap it held lets 20 reach its minimum
    settled = matching.settle(buckets=buckets, pledges=pledges, offers=offers)
    assert (settled.funded, settled.not_funded) == ({20}, {10})
    assert matching.per_bucket(settled.matches) == {20: D("8000")}


def test_at_close_a_tie_drops_the_latest_bucket():
    buckets = [
        room(10, total="14000", ceiling="20000", minimum="20000"),
        room(20, total="11000", ceiling="20000", minimum="20000"),
    ]
    pledges = [line(1, 10, 1, "3000"), line(2, 20, 1, "11000"), line(3, 10, 1, "11000")]
    settled = matching.settle(buckets=buckets, pledges=pledges, offers=[offer(cap="9000")])
    assert (settled.funded, settled.not_funded) == ({10}, {20})


def test_a_bucket_kept_funded_stays_funded_without_a_match():
    settled = matching.settle(
        buckets=[room(10, total="100", minimum="20000", kept=True)], pledges=[], offers=[]
    )
    assert settled.funded == {10}


# --- offering a match ---------------------------------------------------------------------


@pytest.fixture
def round_(world, clock):
    return open_round(world, clock)


def offer_match(world, round_, *, who="funder", ratio="1", cap="20000", buckets=()):
    actor, matcher = (
        (world.funder_users[1], world.funders[1])
        if who == "funder"
        else (world.buyer_agent, world.buyer)
    )
    return matching_offer_create(
        actor=actor,
        round_=round_,
        matcher=matcher,
        ratio=D(ratio),
        cap=D(cap),
        buckets=buckets,
    )


def live(round_):
    return queries.round_matching(queries.cofunding_round_of(round_.challenge))


@pytest.mark.django_db
def test_a_funder_and_the_buyer_offer_a_match_and_it_is_audited(world, round_):
    first = buckets_of(round_)[0]
    by_funder = offer_match(world, round_, ratio="1", cap="20000")
    by_buyer = offer_match(world, round_, who="buyer", ratio="0.5", cap="5000", buckets=[first])
    assert by_funder.matcher == world.funders[1]
    assert list(by_buyer.buckets.all()) == [first]
    assert AuditEvent.objects.filter(verb="cofunding.matching_offered").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("ratio", "accepted"), [("0", False), ("0.01", True), ("5", True)])
def test_the_ratio_is_above_zero_and_at_most_five(world, round_, ratio, accepted):
    if accepted:
        assert offer_match(world, round_, ratio=ratio).ratio == D(ratio)
    else:
        with pytest.raises(ApplicationError) as refused:
            offer_match(world, round_, ratio=ratio)
        assert refused.value.code == "invalid_ratio"
        assert "ratio" in refused.value.extra["fields"]


@pytest.mark.django_db
def test_a_ratio_above_five_is_refused_with_a_french_message(world, round_):
    with pytest.raises(ApplicationError) as refused:
        offer_match(world, round_, ratio="5.01")
    assert refused.value.message == (
        "Le ratio d'abondement est compris entre 0 (exclu) et 5 € par euro engagé."
    )


@pytest.mark.django_db
def test_a_zero_cap_is_refused(world, round_):
    with pytest.raises(ApplicationError) as refused:
        offer_match(world, round_, cap="0")
    assert "cap" in refused.value.extra["fields"]


@pytest.mark.django_db
def test_only_the_matcher_agents_offer_and_only_for_a_funder_or_the_buyer(world, round_):
    # a funder's member may not offer for the buyer
    with pytest.raises(Forbidden):
        matching_offer_create(
            actor=world.funder_users[0],
            round_=round_,
            matcher=world.buyer,
            ratio=D(1),
            cap=D(100),
        )
    # a partner is neither the buyer nor a funder
    with pytest.raises(Forbidden) as refused:
        matching_offer_create(
            actor=world.partner_users[0],
            round_=round_,
            matcher=world.partners[0],
            ratio=D(1),
            cap=D(100),
        )
    assert refused.value.code == "not_a_matcher"


@pytest.mark.django_db
def test_one_active_offer_per_matcher_and_a_new_one_after_withdrawing(world, round_):
    first = offer_match(world, round_)
    with pytest.raises(WrongState) as refused:
        offer_match(world, round_, cap="100")
    assert refused.value.code == "matching_exists"
    matching_offer_withdraw(actor=world.funder_users[1], offer=first)
    assert offer_match(world, round_, cap="100").cap == D(100)


@pytest.mark.django_db
def test_an_offer_after_the_deadline_is_refused(world, clock, round_):
    clock.move_to(later(COFUNDING_END, seconds=1))
    with pytest.raises(WrongState):
        offer_match(world, round_)


# --- live -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_match_shows_at_once_and_follows_withdrawn_and_moved_pledges(world, round_):
    first, second, _third = buckets_of(round_)
    made = pledge(world, first, "8000")
    offered = offer_match(world, round_, ratio="1", cap="10000")
    assert live(round_).per_bucket == {first.pk: D("8000")}
    assert live(round_).per_offer == {offered.pk: D("8000")}
    # moving 5 000 € to the second bucket makes a new, later pledge: matched after
    moved = pledge_move(actor=world.funder_users[0], pledge=made, bucket=second, amount=D(5000))
    assert live(round_).per_bucket == {first.pk: D("3000"), second.pk: D("5000")}
    # withdrawing it takes its match away
    pledge_withdraw(actor=world.funder_users[0], pledge=moved)
    assert live(round_).per_bucket == {first.pk: D("3000")}
    # and the pledges are untouched by the match while the round is open
    assert fresh(first).pledged == D("3000")


@pytest.mark.django_db
def test_a_withdrawn_offer_matches_nothing_and_only_its_matcher_withdraws_it(world, round_):
    first = buckets_of(round_)[0]
    pledge(world, first, "8000")
    offered = offer_match(world, round_)
    with pytest.raises(Forbidden):
        matching_offer_withdraw(actor=world.funder_users[0], offer=offered)
    matching_offer_withdraw(actor=world.funder_users[1], offer=offered)
    assert live(round_).per_bucket == {}
    with pytest.raises(WrongState) as again:
        matching_offer_withdraw(actor=world.funder_users[1], offer=offered)
    assert again.value.code == "matching_not_active"


@pytest.mark.django_db
def test_the_match_stops_at_the_minimum_when_the_round_stops_there(world, round_):
    first = buckets_of(round_)[0]
    budget(world, first, "20000", "30000")
    cofunding_update(
        actor=world.buyer_agent, round_=round_, beyond_minimum=BeyondMinimum.STOP_AT_MINIMUM
    )
    pledge(world, first, "15000")
    offer_match(world, round_, ratio="1", cap="20000")
    assert live(round_).per_bucket == {first.pk: D("5000")}


# --- the close --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_close_honours_the_match_as_the_matcher_committed_pledges(world, clock, round_):
    # given the first commons at 20 000 € minimum, 10 000 € pledged by the ADEME, the
    # second at 30 000 € with 12 000 €; the Banque des Territoires matches 1 for 1 up to
    # 20 000 €
    first, second, _third = buckets_of(round_)
    budget(world, first, "20000", "30000")
    pledge(world, first, "10000")
    pledge(world, second, "12000")
    offered = offer_match(world, round_, ratio="1", cap="20000")
    # when the round closes
    close(round_, clock)
    # then the first is funded thanks to the match, the second missed its minimum even
    # with it: its pledge is released and its match is not due
    first, second = fresh(first), fresh(second)
    assert (first.status, second.status) == (Bucket.Status.FUNDED, Bucket.Status.NOT_FUNDED)
    (matched,) = Pledge.objects.filter(matching__isnull=False)
    assert (matched.bucket, matched.amount, matched.status) == (
        first,
        D("10000"),
        Pledge.Status.COMMITTED,
    )
    assert first.pledged == D("20000")
    assert second.pledges.get().status == Pledge.Status.RELEASED
    # the matcher's envelope holds what it gave, the offer says it
    allocation = Allocation.objects.get(round=round_, funder=world.funders[1])
    assert (allocation.amount, allocation.pledged) == (D("10000"), D("10000"))
    offered.refresh_from_db()
    assert (offered.status, offered.honoured) == (MatchingOffer.Status.HONOURED, D("10000"))
    assert AuditEvent.objects.get(verb="cofunding.closed").data["matched"] == {
        str(offered.pk): "10000.00"
    }


@pytest.mark.django_db
def test_the_close_raises_an_existing_envelope_of_the_matcher_by_its_match(world, clock, round_):
    # given the buyer's match and the buyer's own envelope with a pledge of its own
    first = buckets_of(round_)[0]
    pledge(world, first, "10000")
    offer_match(world, round_, who="buyer", ratio="2", cap="50000")
    allocation_set(actor=world.buyer_agent, round_=round_, funder=world.buyer, amount=D(5000))
    pledge_create(actor=world.buyer_agent, bucket=first, funder=world.buyer, amount=D(2000))
    close(round_, clock)
    # then only the ADEME's 10 000 € is matched (twice), not the buyer's own 2 000 €,
    # and never beyond the 30 000 € maximum: 30 000 − 12 000 = 18 000 €
    allocation = Allocation.objects.get(round=round_, funder=world.buyer)
    assert (allocation.amount, allocation.pledged) == (D("23000"), D("20000"))
    assert fresh(first).pledged == D("30000")
    assert fresh(first).status == Bucket.Status.FUNDED


@pytest.mark.django_db
def test_withdrawing_an_offer_after_the_close_is_refused(world, clock, round_):
    offered = offer_match(world, round_)
    close(round_, clock)
    with pytest.raises(WrongState) as refused:
        matching_offer_withdraw(actor=world.funder_users[1], offer=offered)
    assert refused.value.message == "Le tour de cofinancement est clos."


@pytest.mark.django_db
def test_an_offer_that_matched_nothing_is_honoured_at_zero(world, clock, round_):
    offered = offer_match(world, round_)
    close(round_, clock)
    offered.refresh_from_db()
    assert (offered.status, offered.honoured) == (MatchingOffer.Status.HONOURED, D(0))
    assert not Allocation.objects.filter(round=round_, funder=world.funders[1]).exists()


@pytest.mark.django_db
def test_two_matchers_each_match_the_pledges_never_the_other_match(world, clock, round_):
    # given the ADEME's 10 000 € on the first commons (30 000 €), matched 1 for 1 by the
    # Banque des Territoires and by the buyer, each up to 15 000 €
    first = buckets_of(round_)[0]
    pledge(world, first, "10000")
    by_funder = offer_match(world, round_, ratio="1", cap="15000")
    by_buyer = offer_match(world, round_, who="buyer", ratio="1", cap="15000")
    # when the round closes
    close(round_, clock)
    # then each matched the ADEME's 10 000 €, not the other's match (that would be 15 000
    # € for the second), and the commons is funded at its 30 000 €
    honoured = dict(
        MatchingOffer.objects.filter(pk__in=[by_funder.pk, by_buyer.pk]).values_list(
            "matcher", "honoured"
        )
    )
    assert honoured == {world.funders[1].pk: D("10000"), world.buyer.pk: D("10000")}
    assert (fresh(first).pledged, fresh(first).status) == (D("30000"), Bucket.Status.FUNDED)
