"""Execution follow-up after the award (issue 21, as Decidim's accountability component
does): the buyer plans deliverables and milestones, the holder submits and marks
reached, the buyer admits or refuses with a reason; open only once the contract is
signed, each act by whom it belongs to, each in the call's audit trail, the e-mails to
whom must act next, and the progress computed by the published formula."""

from datetime import date

import pytest
from django.core import mail

from kernel.errors import ApplicationError, Forbidden, WrongState
from procurement import queries
from procurement.models import AuditEvent, DeliverableStatus, Notification
from procurement.services.execution import (
    deliverable_decide,
    deliverable_plan,
    deliverable_submit,
    milestone_plan,
    milestone_reach,
)
from tests.conftest import paris
from tests.procurement.execution_cast import signed_call

URL = "https://forge.example.fr/standard/v2"


@pytest.fixture
def call(world, clock):
    return signed_call(world)


def planned(world, lot, title="Spécification"):
    return deliverable_plan(actor=world.buyer_agent, lot=lot, title=title, due_on=date(2026, 10, 1))


def verbs(challenge) -> list[str]:
    return list(
        AuditEvent.objects.filter(challenge=challenge, verb__startswith="execution.")
        .order_by("seq")
        .values_list("verb", flat=True)
    )


# --- opening: only after the signature ------------------------------------------------


@pytest.mark.django_db
def test_nothing_is_planned_before_the_contract_is_signed(world, clock):
    # given an award decided, not yet signed
    challenge, lot, _proposal = signed_call(world, signed=False)

    # when the buyer plans a deliverable
    with pytest.raises(WrongState) as refused:
        planned(world, lot)

    # then it is refused until the signature, and the public follow-up is empty
    assert refused.value.code == "execution_not_open"
    assert queries.execution_of(challenge).lots == []


@pytest.mark.django_db
def test_a_lot_not_awarded_has_no_follow_up(world, call):
    challenge, _lot, _proposal = call
    other = challenge.lots.get(number=2)
    with pytest.raises(WrongState) as refused:
        planned(world, other)
    assert refused.value.code == "lot_not_awarded"


# --- who does what ----------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_buyer_plans_and_only_the_holder_submits(world, call):
    _challenge, lot, _proposal = call
    holder, other_partner = world.partner_users[0], world.partner_users[1]

    # the holder may not plan what the buyer expects
    with pytest.raises(Forbidden):
        deliverable_plan(actor=holder, lot=lot, title="Spécification")
    with pytest.raises(Forbidden):
        milestone_plan(actor=holder, lot=lot, title="Bêta", planned_on=date(2026, 11, 1))

    deliverable = planned(world, lot)
    # a partner outside the holder's group, and the buyer, may not submit it
    for outsider in (other_partner, world.buyer_agent, world.stranger):
        with pytest.raises(Forbidden) as refused:
            deliverable_submit(actor=outsider, deliverable=deliverable, evidence_url=URL)
        assert refused.value.code == "not_holder"

    # the holder submits it; only the buyer decides on it
    deliverable_submit(actor=holder, deliverable=deliverable, evidence_url=URL)
    with pytest.raises(Forbidden):
        deliverable_decide(actor=holder, deliverable=deliverable, admit=True)


@pytest.mark.django_db
def test_every_member_of_a_groupement_submits_for_it(world, clock):
    # given a lot held by a groupement of two partners
    _challenge, lot, _proposal = signed_call(world, members=(0, 1))
    deliverable = planned(world, lot)

    # when the second member submits
    deliverable = deliverable_submit(
        actor=world.partner_users[1], deliverable=deliverable, evidence_url=URL
    )

    # then it is submitted
    assert deliverable.status == DeliverableStatus.SUBMITTED


# --- the deliverable's life ------------------------------------------------------------


@pytest.mark.django_db
def test_submitted_then_admitted_with_its_date_and_audited(world, call, clock):
    challenge, lot, _proposal = call
    deliverable = planned(world, lot)
    clock.move_to(paris(2026, 9, 20, 10, 0))
    deliverable = deliverable_submit(
        actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL
    )
    clock.move_to(paris(2026, 9, 22, 15, 0))

    deliverable = deliverable_decide(actor=world.buyer_agent, deliverable=deliverable, admit=True)

    assert deliverable.status == DeliverableStatus.ADMITTED
    assert deliverable.decided_at == paris(2026, 9, 22, 15, 0)
    assert deliverable.submitted_at == paris(2026, 9, 20, 10, 0)
    assert verbs(challenge) == [
        "execution.deliverable_planned",
        "execution.deliverable_submitted",
        "execution.deliverable_admitted",
    ]


@pytest.mark.django_db
def test_a_refusal_needs_its_reason_and_the_holder_submits_again(world, call):
    challenge, lot, _proposal = call
    deliverable = planned(world, lot)
    deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)

    # a refusal without a reason (blank counts as none) is refused, naming the field
    for blank in ("", "   "):
        with pytest.raises(ApplicationError) as refused:
            deliverable_decide(
                actor=world.buyer_agent, deliverable=deliverable, admit=False, reason=blank
            )
        assert list(refused.value.extra["fields"]) == ["reason"]

    deliverable = deliverable_decide(
        actor=world.buyer_agent,
        deliverable=deliverable,
        admit=False,
        reason="Le jeu de tests manque.",
    )
    assert deliverable.status == DeliverableStatus.REFUSED
    assert deliverable.refusal_reason == "Le jeu de tests manque."

    # the holder submits it again: it waits for the buyer once more
    deliverable = deliverable_submit(
        actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL + "-corrige"
    )
    assert deliverable.status == DeliverableStatus.SUBMITTED
    assert deliverable.refusal_reason == ""
    refusal = AuditEvent.objects.get(challenge=challenge, verb="execution.deliverable_refused")
    assert refusal.data["reason"] == "Le jeu de tests manque."


@pytest.mark.django_db
def test_a_deliverable_is_decided_once_and_only_after_submission(world, call):
    _challenge, lot, _proposal = call
    deliverable = planned(world, lot)

    # expected, not submitted: nothing to decide
    with pytest.raises(WrongState) as refused:
        deliverable_decide(actor=world.buyer_agent, deliverable=deliverable, admit=True)
    assert refused.value.code == "deliverable_not_submitted"

    deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)
    # submitted twice in a row: refused while it waits
    with pytest.raises(WrongState) as refused:
        deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)
    assert refused.value.code == "deliverable_already_submitted"

    deliverable_decide(actor=world.buyer_agent, deliverable=deliverable, admit=True)
    # admitted: neither decided again nor submitted again
    with pytest.raises(WrongState):
        deliverable_decide(
            actor=world.buyer_agent, deliverable=deliverable, admit=False, reason="x"
        )
    with pytest.raises(WrongState):
        deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["", "forge.example.fr/standard", "ftp://forge.example.fr/x", "javascript:alert(1)"]
)
def test_a_submission_needs_a_web_address(world, call, url):
    _challenge, lot, _proposal = call
    deliverable = planned(world, lot)
    with pytest.raises(ApplicationError) as refused:
        deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=url)
    assert list(refused.value.extra["fields"]) == ["evidence_url"]


@pytest.mark.django_db
def test_a_deliverable_needs_a_title_of_200_characters_at_most(world, call):
    _challenge, lot, _proposal = call
    assert planned(world, lot, title="x" * 200).title == "x" * 200
    for title in ("", "  ", "x" * 201):
        with pytest.raises(ApplicationError) as refused:
            planned(world, lot, title=title)
        assert list(refused.value.extra["fields"]) == ["title"]


# --- notifications ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_buyer_hears_of_a_submission_and_the_holder_of_the_decision(world, clock):
    _challenge, lot, _proposal = signed_call(world)
    deliverable = planned(world, lot)
    mail.outbox.clear()

    deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)
    [to_buyer] = [m for m in mail.outbox if world.buyer_agent.email in m.to]
    assert "Livrable remis : Spécification" in to_buyer.subject
    assert URL in to_buyer.body
    assert not any(world.partner_users[0].email in m.to for m in mail.outbox)
    mail.outbox.clear()

    deliverable_decide(
        actor=world.buyer_agent, deliverable=deliverable, admit=False, reason="Tests absents."
    )
    [to_holder] = [m for m in mail.outbox if world.partner_users[0].email in m.to]
    assert "Livrable refusé : Spécification" in to_holder.subject
    assert "Tests absents." in to_holder.body
    # the other partners hear nothing of it
    assert not any(world.partner_users[1].email in m.to for m in mail.outbox)

    # submitted again and admitted: a new mail each time, none sent twice
    mail.outbox.clear()
    deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)
    deliverable_decide(actor=world.buyer_agent, deliverable=deliverable, admit=True)
    subjects = sorted(m.subject for m in mail.outbox)
    assert any("Livrable admis : Spécification" in s for s in subjects)
    assert Notification.objects.filter(kind="deliverable_submitted").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_holder_reads_the_decision_in_english_when_it_chose_english(world, clock):
    from procurement.services.notifications import mail_language_set

    _challenge, lot, _proposal = signed_call(world)
    mail_language_set(actor=world.partner_users[0], language="en")
    deliverable = planned(world, lot)
    deliverable_submit(actor=world.partner_users[0], deliverable=deliverable, evidence_url=URL)
    mail.outbox.clear()

    deliverable_decide(actor=world.buyer_agent, deliverable=deliverable, admit=True)

    [to_holder] = [m for m in mail.outbox if world.partner_users[0].email in m.to]
    assert to_holder.subject.startswith("Deliverable admitted")
    assert "The buyer admitted the deliverable" in to_holder.body


# --- milestones ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_milestone_is_reached_between_the_signature_and_today_both_included(world, call, clock):
    challenge, lot, _proposal = call  # signed on 1 September 2026
    clock.move_to(paris(2026, 9, 15, 12, 0))
    first, second, third, fourth = (
        milestone_plan(
            actor=world.buyer_agent, lot=lot, title=f"Jalon {n}", planned_on=date(2026, 10, n)
        )
        for n in (1, 2, 3, 4)
    )
    holder = world.partner_users[0]

    # the day before the signature, and tomorrow: refused, naming the day
    for day in (date(2026, 8, 31), date(2026, 9, 16)):
        with pytest.raises(ApplicationError) as refused:
            milestone_reach(actor=holder, milestone=first, evidence_url=URL, reached_on=day)
        assert list(refused.value.extra["fields"]) == ["reached_on"]

    # the signature's day and today: accepted; no day given means today
    assert milestone_reach(
        actor=holder, milestone=first, evidence_url=URL, reached_on=date(2026, 9, 1)
    ).reached_on == date(2026, 9, 1)
    assert milestone_reach(
        actor=holder, milestone=second, evidence_url=URL, reached_on=date(2026, 9, 15)
    ).reached_on == date(2026, 9, 15)
    assert milestone_reach(actor=holder, milestone=third, evidence_url=URL).reached_on == date(
        2026, 9, 15
    )

    # reached once; evidence required; the buyer does not mark it for the holder
    with pytest.raises(WrongState):
        milestone_reach(actor=holder, milestone=first, evidence_url=URL)
    with pytest.raises(ApplicationError) as refused:
        milestone_reach(actor=holder, milestone=fourth, evidence_url="")
    assert list(refused.value.extra["fields"]) == ["evidence_url"]
    with pytest.raises(Forbidden):
        milestone_reach(actor=world.buyer_agent, milestone=fourth, evidence_url=URL)
    assert verbs(challenge).count("execution.milestone_reached") == 3


@pytest.mark.django_db
def test_a_milestone_is_late_from_the_day_after_its_planned_day(world, call, clock):
    challenge, lot, _proposal = call
    milestone_plan(actor=world.buyer_agent, lot=lot, title="Bêta", planned_on=date(2026, 9, 10))

    def state():
        return queries.execution_of(challenge).lots[0].milestones[0].state

    clock.move_to(paris(2026, 9, 10, 23, 59))
    assert state() == "planned"
    clock.move_to(paris(2026, 9, 11, 0, 0))
    assert state() == "late"


# --- progress --------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_counts_what_is_admitted_and_reached_only(world, call):
    challenge, lot, _proposal = call
    holder = world.partner_users[0]
    admitted, submitted, refused, _expected = (
        planned(world, lot, title=t) for t in ("Spéc", "Tests", "Doc", "Guide")
    )
    reached, _planned = (
        milestone_plan(actor=world.buyer_agent, lot=lot, title=t, planned_on=date(2026, 12, 1))
        for t in ("Alpha", "Bêta")
    )
    for d in (admitted, submitted, refused):
        deliverable_submit(actor=holder, deliverable=d, evidence_url=URL)
    deliverable_decide(actor=world.buyer_agent, deliverable=admitted, admit=True)
    deliverable_decide(actor=world.buyer_agent, deliverable=refused, admit=False, reason="Non.")
    milestone_reach(actor=holder, milestone=reached, evidence_url=URL)

    follow_up = queries.execution_of(challenge)

    # ⌊100 × (1 admitted + 1 reached) / (4 deliverables + 2 milestones)⌋ = ⌊33.3⌋
    [row] = follow_up.lots
    assert (row.progress.admitted, row.progress.deliverables) == (1, 4)
    assert (row.progress.reached, row.progress.milestones) == (1, 2)
    assert row.progress.percent == 33
    assert follow_up.progress.percent == 33
    assert [c.name for c in row.commons] == ["Covoiturage ouvert"]
    # the commons' page shows the same lot
    assert queries.execution_of_commons(row.commons[0]).progress.percent == 33


@pytest.mark.django_db
def test_the_follow_up_reads_in_constant_queries(world, call, django_assert_max_num_queries):
    challenge, lot, _proposal = call
    for n in range(6):
        planned(world, lot, title=f"Livrable {n}")
        milestone_plan(
            actor=world.buyer_agent, lot=lot, title=f"Jalon {n}", planned_on=date(2026, 12, 1)
        )
    with django_assert_max_num_queries(8):
        follow_up = queries.execution_of(challenge)
        assert len(follow_up.lots[0].deliverables) == 6


@pytest.mark.django_db(transaction=True)
def test_the_follow_up_opens_at_the_flows_sign_step(world, clock):
    """The real path: the award decided, the letters sent, the ``sign`` step done."""
    from tests.workflows.journey import complete
    from tests.workflows.test_standstill import ONE_LOT_MAPA, decided

    challenge = decided(world, clock, **ONE_LOT_MAPA)
    lot = challenge.lots.get()
    with pytest.raises(WrongState):
        planned(world, lot)

    complete(challenge, "sign", world.buyer_agent)
    lot.challenge.refresh_from_db()

    deliverable = planned(world, lot)
    awardee = deliverable.proposal
    assert awardee.status == "awarded"
    member = next(
        user
        for user, org in zip(world.partner_users, world.partners, strict=True)
        if awardee.group.members.filter(organisation=org).exists()
    )
    deliverable_submit(actor=member, deliverable=deliverable, evidence_url=URL)
    assert queries.execution_of(lot.challenge).lots[0].deliverables[0].status == "submitted"
