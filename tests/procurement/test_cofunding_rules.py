"""The cofunding round's rules (issue 7): the buyer's policies on funding beyond the
minimum and on editing a funded bucket's budget, moving a pledge, contributors'
envelopes and subsidies, and how the round closes with all of them."""

from decimal import Decimal

import pytest

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement.models import (
    Allocation,
    AuditEvent,
    BeyondMinimum,
    Bucket,
    EditAfterFunded,
    Pledge,
)
from procurement.services.cofunding import (
    allocation_set,
    allocations_grant_contributors,
    bucket_update,
    cofunding_close,
    cofunding_update,
    pledge_create,
    pledge_move,
    subsidy_record,
)
from procurement.services.hosting import resource_host_designate
from tests.conftest import later, paris
from tests.workflows import journey

COFUNDING_END = paris(*journey.COFUNDING_END)


def open_round(world, clock):
    """Three selected proposals of 30 000 € each in a call hors marché (three buckets of
    their whole budget, minimum = maximum), the Chambre approves, the buyer designates
    the host of each commons (no money moves without one); the ADEME has an envelope of
    100 000 €, nothing pledged yet."""
    challenge = journey.in_scoring(world, clock, **journey.SUBSIDISED)
    journey.score_all(world, challenge)
    journey.complete(
        challenge,
        "select",
        world.buyer_agent,
        {
            "proposals": list(challenge.proposals.values_list("pk", flat=True)),
            "cofunding_deadline": COFUNDING_END.isoformat(),
        },
    )
    journey.give_opinion(world, challenge, "selection_opinion")
    challenge.refresh_from_db()
    for proposal in challenge.proposals.select_related("group__resource"):
        resource_host_designate(
            actor=world.buyer_agent, resource=proposal.group.resource, host=world.host
        )
    round_ = challenge.cofunding_round
    allocation_set(
        actor=world.funder_users[0],
        round_=round_,
        funder=world.funders[0],
        amount=Decimal("100000"),
    )
    return round_


@pytest.fixture
def round_(world, clock):
    return open_round(world, clock)


def buckets_of(round_) -> list[Bucket]:
    return list(round_.buckets.order_by("pk"))


def fresh(obj):
    obj.refresh_from_db()
    return obj


def pledge(world, bucket, amount, who=0) -> Pledge:
    return pledge_create(
        actor=world.funder_users[who],
        bucket=bucket,
        funder=world.funders[who],
        amount=Decimal(amount),
    )


def budget(world, bucket, min_amount, max_amount) -> Bucket:
    return bucket_update(
        actor=world.buyer_agent,
        bucket=bucket,
        min_amount=Decimal(min_amount),
        max_amount=Decimal(max_amount),
    )


def close(round_, clock):
    clock.move_to(later(COFUNDING_END, seconds=1))
    return cofunding_close(challenge=round_.challenge)


# --- funding beyond the minimum ----------------------------------------------------------


def test_by_default_a_bucket_is_funded_at_its_minimum_and_takes_pledges_up_to_its_maximum(
    world, round_
):
    # given a bucket of 20 000 € minimum and 30 000 € maximum
    bucket = budget(world, buckets_of(round_)[0], "20000", "30000")

    # when its minimum is pledged, then it is funded
    pledge(world, bucket, "20000")
    assert fresh(bucket).status == Bucket.Status.FUNDED

    # and it still takes pledges up to its maximum, not one euro beyond
    pledge(world, bucket, "10000")
    with pytest.raises(WrongState) as refused:
        pledge(world, bucket, "1")
    assert refused.value.code == "bucket_overfunded"
    assert fresh(bucket).pledged == Decimal("30000")


def test_a_round_that_stops_at_the_minimum_refuses_pledges_once_it_is_reached(world, round_):
    # given a round where buckets stop at their minimum, a bucket of 20 000 to 30 000 €
    cofunding_update(
        actor=world.buyer_agent, round_=round_, beyond_minimum=BeyondMinimum.STOP_AT_MINIMUM
    )
    bucket = budget(world, buckets_of(round_)[0], "20000", "30000")
    pledge(world, bucket, "15000")

    # when a pledge would take it beyond its minimum, then it is refused, saying why
    with pytest.raises(WrongState) as beyond:
        pledge(world, bucket, "10000")
    assert beyond.value.status_code == 409
    assert beyond.value.code == "bucket_minimum_exceeded"
    assert "minimum" in str(beyond.value.message)
    assert beyond.value.extra["available"] == Decimal("5000")

    # when it reaches its minimum exactly, it is funded and refuses any further pledge
    pledge(world, bucket, "5000")
    assert fresh(bucket).status == Bucket.Status.FUNDED
    with pytest.raises(WrongState) as reached:
        pledge(world, bucket, "1")
    assert reached.value.code == "bucket_minimum_reached"
    assert str(reached.value.message) == (
        "Ce commun a atteint son minimum : dans ce tour, il n'accepte plus d'engagement."
    )
    assert fresh(bucket).pledged == Decimal("20000")


def test_only_the_buyer_sets_the_round_policies_while_it_is_open_and_it_is_audited(
    world, clock, round_
):
    # when a funder tries to change the policies, then it is refused
    with pytest.raises(Forbidden):
        cofunding_update(
            actor=world.funder_users[0],
            round_=round_,
            beyond_minimum=BeyondMinimum.STOP_AT_MINIMUM,
        )

    # when the buyer changes them, then they hold and the audit trail says so
    cofunding_update(
        actor=world.buyer_agent,
        round_=round_,
        beyond_minimum=BeyondMinimum.STOP_AT_MINIMUM,
        edit_after_funded=EditAfterFunded.REOPEN,
    )
    fresh(round_)
    assert (round_.beyond_minimum, round_.edit_after_funded) == ("stop_at_minimum", "reopen")
    event = AuditEvent.objects.filter(verb="cofunding.settings").get()
    assert event.data["after"] == {
        "beyond_minimum": "stop_at_minimum",
        "edit_after_funded": "reopen",
    }

    # when the deadline has passed, then they no longer change
    clock.move_to(later(COFUNDING_END, seconds=1))
    with pytest.raises(WrongState):
        cofunding_update(
            actor=world.buyer_agent,
            round_=round_,
            beyond_minimum=BeyondMinimum.UP_TO_MAXIMUM,
        )


# --- editing a funded bucket's budget ----------------------------------------------------


def test_a_funded_bucket_stays_funded_when_its_minimum_is_raised_if_the_round_says_so(
    world, clock, round_
):
    # given (default policy) a bucket funded at its 20 000 € minimum
    bucket = budget(world, buckets_of(round_)[0], "20000", "30000")
    pledge(world, bucket, "20000")

    # when its minimum is raised beyond what is pledged
    budget(world, bucket, "25000", "30000")

    # then it stays funded, and is funded at the close with its pledges committed
    assert fresh(bucket).status == Bucket.Status.FUNDED
    close(round_, clock)
    assert fresh(bucket).status == Bucket.Status.FUNDED
    assert set(bucket.pledges.values_list("status", flat=True)) == {Pledge.Status.COMMITTED}


def test_a_funded_bucket_opens_again_when_its_new_minimum_is_not_reached_if_the_round_says_so(
    world, clock, round_
):
    # given a round where an edited funded bucket opens again, a bucket funded at 20 000 €
    cofunding_update(
        actor=world.buyer_agent, round_=round_, edit_after_funded=EditAfterFunded.REOPEN
    )
    bucket = budget(world, buckets_of(round_)[0], "20000", "30000")
    pledge(world, bucket, "20000")

    # when its minimum is raised beyond what is pledged, then it is open again
    budget(world, bucket, "25000", "30000")
    assert fresh(bucket).status == Bucket.Status.OPEN

    # and when it is lowered back under what is pledged, it is funded again
    budget(world, bucket, "18000", "30000")
    assert fresh(bucket).status == Bucket.Status.FUNDED

    # and when raised again and the round closes short of it, it is not funded
    budget(world, bucket, "25000", "30000")
    close(round_, clock)
    assert fresh(bucket).status == Bucket.Status.NOT_FUNDED
    assert set(bucket.pledges.values_list("status", flat=True)) == {Pledge.Status.RELEASED}
    assert Allocation.objects.get(funder=world.funders[0]).pledged == Decimal("20000")


def test_a_bucket_maximum_never_goes_below_what_is_pledged(world, round_):
    # given a bucket with 25 000 € pledged
    bucket = budget(world, buckets_of(round_)[0], "20000", "30000")
    pledge(world, bucket, "25000")

    # when its maximum would go below, then it is refused on the field
    with pytest.raises(ApplicationError) as refused:
        budget(world, bucket, "20000", "24000")
    assert refused.value.status_code == 400
    assert refused.value.extra["fields"]["max_amount"] == ["Au moins 25\u202f000,00\xa0€."]
    # and a minimum above the maximum is refused too
    with pytest.raises(ApplicationError) as inverted:
        budget(world, bucket, "31000", "30000")
    assert "min_amount" in inverted.value.extra["fields"]
    assert fresh(bucket).max_amount == Decimal("30000")


def test_the_working_group_describes_its_bucket_and_a_stranger_may_not(world, round_):
    # given the bucket of the first partner's proposal
    bucket = buckets_of(round_)[0]
    assert bucket.proposal.group.members.filter(organisation=world.partners[0]).exists()

    # when a member of its working group describes the development step it funds
    bucket_update(
        actor=world.partner_users[0],
        bucket=bucket,
        description="Étape 1 : API de réservation",
        max_amount=Decimal("40000"),
    )

    # then it is saved and audited
    assert fresh(bucket).description == "Étape 1 : API de réservation"
    assert bucket.max_amount == Decimal("40000")
    assert AuditEvent.objects.filter(verb="cofunding.bucket_updated").count() == 1

    # and a member of another group, or a funder, may not edit it
    for outsider in (world.partner_users[1], world.funder_users[0], world.stranger):
        with pytest.raises(Forbidden):
            bucket_update(actor=outsider, bucket=bucket, description="Autre chose")
    assert fresh(bucket).description == "Étape 1 : API de réservation"


# --- moving a pledge ---------------------------------------------------------------------


def test_a_funder_moves_part_then_all_of_a_pledge_to_another_bucket(world, round_):
    # given 20 000 € pledged on the first bucket
    first, second, _third = buckets_of(round_)
    source = pledge(world, first, "20000")

    # when 5 000 € are moved to the second bucket
    moved = pledge_move(
        actor=world.funder_users[0], pledge=source, bucket=second, amount=Decimal("5000")
    )

    # then both buckets show it, the envelope is unchanged
    assert (fresh(first).pledged, fresh(second).pledged) == (Decimal("15000"), Decimal("5000"))
    assert fresh(source).amount == Decimal("15000")
    assert (moved.bucket_id, moved.amount, moved.status) == (second.pk, Decimal("5000"), "active")
    assert Allocation.objects.get(funder=world.funders[0]).pledged == Decimal("20000")

    # when the rest is moved, then the first pledge is released and the first bucket empty
    pledge_move(actor=world.funder_users[0], pledge=source, bucket=second)
    assert fresh(source).status == Pledge.Status.RELEASED
    assert (fresh(first).pledged, fresh(second).pledged) == (Decimal("0"), Decimal("20000"))
    assert AuditEvent.objects.filter(verb="cofunding.moved").count() == 2


def test_a_move_that_would_break_a_limit_is_refused_and_changes_nothing(world, round_):
    # given 20 000 € on the first bucket, and the second nearly full (28 000 of 30 000 €)
    first, second, _third = buckets_of(round_)
    source = pledge(world, first, "20000")
    pledge(world, second, "28000")

    def refused(bucket, amount, actor=None):
        with pytest.raises(ApplicationError) as error:
            pledge_move(
                actor=actor or world.funder_users[0],
                pledge=source,
                bucket=bucket,
                amount=Decimal(amount),
            )
        return error.value

    # beyond the target's maximum
    error = refused(second, "5000")
    assert (error.status_code, error.code) == (409, "bucket_overfunded")
    assert str(error.message).startswith(
        "Cet engagement dépasserait le maximum du commun : on peut encore y engager "
    )
    # more than the pledge holds (it would exceed the envelope's pledge)
    error = refused(_third, "20001")
    assert (error.status_code, error.code) == (409, "move_exceeds_pledge")
    assert "(20\u202f000,00\xa0€)" in str(error.message)
    # onto its own bucket
    assert refused(first, "1000").code == "same_bucket"
    # by someone who is not the funder's
    assert refused(_third, "1000", actor=world.funder_users[1]).status_code == 403

    # and nothing moved
    assert [fresh(b).pledged for b in (first, second, _third)] == [
        Decimal("20000"),
        Decimal("28000"),
        Decimal("0"),
    ]
    assert fresh(source).amount == Decimal("20000")


def test_a_move_onto_a_bucket_that_reached_its_minimum_is_refused_when_the_round_stops_there(
    world, round_
):
    # given a round stopping at the minimum, a second bucket of 10 000 € minimum reached
    cofunding_update(
        actor=world.buyer_agent, round_=round_, beyond_minimum=BeyondMinimum.STOP_AT_MINIMUM
    )
    first, second, _third = buckets_of(round_)
    budget(world, second, "10000", "30000")
    source = pledge(world, first, "20000")
    pledge(world, second, "10000")

    # when the funder moves money onto it, then it is refused
    with pytest.raises(WrongState) as refused:
        pledge_move(
            actor=world.funder_users[0], pledge=source, bucket=second, amount=Decimal("100")
        )
    assert refused.value.code == "bucket_minimum_reached"

    # and a move out of the funded bucket opens it again
    other = Pledge.objects.get(bucket=second)
    pledge_move(actor=world.funder_users[0], pledge=other, bucket=first, amount=Decimal("1"))
    assert fresh(second).status == Bucket.Status.OPEN


def test_a_move_after_the_deadline_is_refused(world, clock, round_):
    first, second, _third = buckets_of(round_)
    source = pledge(world, first, "20000")
    clock.move_to(COFUNDING_END)
    with pytest.raises(WrongState) as refused:
        pledge_move(actor=world.funder_users[0], pledge=source, bucket=second)
    assert refused.value.code == "round_closed"


# --- contributors' envelopes -------------------------------------------------------------


def test_the_buyer_grants_each_contributor_an_envelope_once(world, round_):
    # when the buyer grants the contributors 5 000 € each, twice
    allocations_grant_contributors(actor=world.buyer_agent, round_=round_, amount=Decimal("5000"))
    allocations_grant_contributors(actor=world.buyer_agent, round_=round_, amount=Decimal("5000"))

    # then each organisation positioned to produce has one contributor envelope
    contributors = Allocation.objects.filter(round=round_, kind=Allocation.Kind.CONTRIBUTOR)
    assert sorted(contributors.values_list("funder__name", flat=True)) == sorted(
        p.name for p in world.partners
    )
    assert set(contributors.values_list("amount", flat=True)) == {Decimal("5000")}
    # and the funder's envelope is still a funder's
    assert Allocation.objects.get(funder=world.funders[0]).kind == Allocation.Kind.FUNDER
    assert AuditEvent.objects.filter(verb="cofunding.contributors_granted").count() == 1


def test_a_contributor_spreads_its_envelope_over_the_commons_of_its_choice(world, round_):
    # given the contributors' envelopes of 5 000 €
    allocations_grant_contributors(actor=world.buyer_agent, round_=round_, amount=Decimal("5000"))
    first, second, _third = buckets_of(round_)
    partner, user = world.partners[1], world.partner_users[1]

    # when a contributor pledges on another group's commons and its own
    pledge_create(actor=user, bucket=first, funder=partner, amount=Decimal("3000"))
    pledge_create(actor=user, bucket=second, funder=partner, amount=Decimal("2000"))

    # then its envelope is spent, and no more
    assert Allocation.objects.get(funder=partner).pledged == Decimal("5000")
    with pytest.raises(WrongState) as refused:
        pledge_create(actor=user, bucket=_third, funder=partner, amount=Decimal("1"))
    assert refused.value.code == "allocation_exceeded"
    # and it may not raise its envelope itself
    with pytest.raises(Forbidden):
        allocation_set(actor=user, round_=round_, funder=partner, amount=Decimal("9000"))


def test_only_the_buyer_grants_contributors_envelopes(world, round_):
    with pytest.raises(Forbidden):
        allocations_grant_contributors(
            actor=world.funder_users[0], round_=round_, amount=Decimal("5000")
        )
    assert not Allocation.objects.filter(kind=Allocation.Kind.CONTRIBUTOR).exists()


# --- subsidies ---------------------------------------------------------------------------


def test_a_subsidy_counts_toward_the_minimum_at_the_close_apart_from_the_pledges(
    world, clock, round_
):
    # given (a round where only the money decides at the close) two buckets of 30 000 €
    # with 20 000 € pledged each
    cofunding_update(
        actor=world.buyer_agent, round_=round_, edit_after_funded=EditAfterFunded.REOPEN
    )
    first, second, _third = buckets_of(round_)
    pledge(world, first, "20000")
    pledge(world, second, "20000")

    # when the buyer records an ANCT subsidy of 10 000 € on the first
    subsidy = subsidy_record(
        actor=world.buyer_agent,
        bucket=first,
        funder_name="ANCT",
        amount=Decimal("10000"),
        reference="ANCT-2026-042",
    )

    # then it is its own line, not a pledge, and the bucket's total reaches its minimum
    fresh(first)
    assert (first.pledged, first.subsidised, first.total) == (
        Decimal("20000"),
        Decimal("10000"),
        Decimal("30000"),
    )
    assert first.status == Bucket.Status.FUNDED
    assert (subsidy.funder_name, subsidy.reference) == ("ANCT", "ANCT-2026-042")
    assert first.pledges.count() == 1

    # and at the close the first is funded, the second (pledges only) is not
    close(round_, clock)
    assert (fresh(first).status, fresh(second).status) == ("funded", "not_funded")


def test_a_subsidy_beyond_the_maximum_or_not_from_the_buyer_is_refused(world, round_):
    first = buckets_of(round_)[0]
    pledge(world, first, "25000")
    with pytest.raises(WrongState) as refused:
        subsidy_record(
            actor=world.buyer_agent, bucket=first, funder_name="ADEME", amount=Decimal("6000")
        )
    assert refused.value.code == "bucket_overfunded"
    with pytest.raises(Forbidden):
        subsidy_record(
            actor=world.funder_users[0],
            bucket=first,
            organisation=world.funders[0],
            amount=Decimal("1000"),
        )
    # a subsidy takes the room a pledge would have had
    subsidy_record(
        actor=world.buyer_agent, bucket=first, organisation=world.funders[0], amount=Decimal("5000")
    )
    with pytest.raises(WrongState):
        pledge(world, first, "1")
    assert first.subsidies.get().funder_name == "ADEME Hauts-de-France"


# --- closing -----------------------------------------------------------------------------


def test_closing_twice_changes_nothing(world, clock, round_):
    # given a round closed with one bucket funded by a pledge and a subsidy
    first = buckets_of(round_)[0]
    pledge(world, first, "20000")
    subsidy_record(
        actor=world.buyer_agent, bucket=first, funder_name="ANCT", amount=Decimal("10000")
    )
    closed = close(round_, clock)
    statuses = dict(round_.buckets.values_list("pk", "status"))
    events = AuditEvent.objects.filter(verb="cofunding.closed").count()

    # when it is closed again
    clock.move_to(later(COFUNDING_END, days=1))
    again = cofunding_close(challenge=round_.challenge)

    # then nothing changed
    assert again.closed_at == closed.closed_at
    assert dict(round_.buckets.values_list("pk", "status")) == statuses
    assert AuditEvent.objects.filter(verb="cofunding.closed").count() == events == 1
