"""The demo's five calls, each left at its stage, and ``run``."""

from datetime import date, timedelta
from decimal import Decimal

import time_machine
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from procurement.models import Challenge, Commons, IncomeKind, Motion
from procurement.services.cofunding import allocation_set, matching_offer_create, pledge_create
from procurement.services.hosting import resource_host_designate
from procurement.services.ledger import income_record
from procurement.services.questions import (
    question_answer_draft,
    question_ask,
    questions_publish_answers,
)
from scoring.models import Grade
from scoring.services.votes import ballot_submit, vote_of, vote_plan_set
from workflows.demo import steps
from workflows.demo.cast import ensure_cast
from workflows.demo.data import (
    ENVELOPES,
    GROUPED_LOTS,
    GROUPED_RESOURCE_LOTS,
    MATCHING,
    PARIS,
    PARTNER_LINES,
    PLEDGES,
    SINGLE_LOT_REASON,
)
from workflows.demo.execution import execution_follow_up
from workflows.tasks import sweep


def completed_challenge(cast) -> Challenge:
    """MEL-AAC-2026-001: a marché public of one lot per resource, each with its estimate,
    run from June to October 2026, awarded after an eleven-day standstill, documents
    generated; the funders cofund only what lies outside each contract."""
    u, o = cast.users, cast.orgs
    positioning_end, proposal_end = steps.at(2026, 6, 20, 12), steps.at(2026, 7, 20, 12)
    with time_machine.travel(steps.at(2026, 6, 1, 9, 0), tick=True) as clock:
        challenge = steps.start(cast, "MEL-AAC-2026-001", "Mobilité partagée dans la métropole")
        steps.refer_and_publish(cast, challenge, positioning_end, proposal_end, reserve=True)
        question = question_ask(
            challenge=Challenge.objects.get(pk=challenge.pk),
            actor=u["geocommuns"],
            organisation=o["GéoCommuns SAS"],
            text="Les données produites pourront-elles alimenter des services payants ?",
        )
        question_answer_draft(
            question=question,
            actor=u["agente.mel"],
            answer="Oui, dans le respect de la licence et d'un engagement de réciprocité.",
        )
        questions_publish_answers(challenge=question.challenge, actor=u["agente.mel"])
        steps.to_scoring(cast, challenge, clock, positioning_end, proposal_end)
        steps.score(cast, challenge, "evaluateur.1", [8, 7, 6])
        steps.score(cast, challenge, "evaluatrice.2", [9, 6, 7])
        proposals = list(Challenge.objects.get(pk=challenge.pk).proposals.order_by("pk"))
        steps.complete(
            challenge,
            "select",
            u["agent.mel"],
            {
                "proposals": [proposals[0].pk, proposals[1].pk],
                "cofunding_deadline": steps.at(2026, 10, 1, 18).isoformat(),
                # Lot 3 is left aside: the justification is the reason its candidate
                # is told (article R2185-1).
                "justification": (
                    "Le budget de l'exercice 2026 ne finance que les lots 1 et 2 ; la base "
                    "de connaissances du lot 3 fera l'objet d'une nouvelle consultation en "
                    "2027."
                ),
            },
        )
        steps.chambre_opinion(
            cast,
            challenge,
            "selection_opinion",
            verdict="favorable",
            reasons="La sélection renforce deux communs référencés.",
        )
        round_ = Challenge.objects.get(pk=challenge.pk).cofunding_round
        buckets = list(round_.buckets.order_by("proposal_id"))
        funders = {
            "ademe": "ADEME Hauts-de-France",
            "banque.territoires": "Banque des Territoires",
            "region.hdf": "Région Hauts-de-France",
        }
        for username, amount in ENVELOPES:
            allocation_set(
                actor=u[username],
                round_=round_,
                funder=o[funders[username]],
                amount=Decimal(amount),
            )
        for bucket_index, username, amount in PLEDGES:
            pledge_create(
                actor=u[username],
                bucket=buckets[bucket_index],
                funder=o[funders[username]],
                amount=Decimal(amount),
            )
        for username, ratio, cap, bucket_indexes in MATCHING:
            matching_offer_create(
                actor=u[username],
                round_=round_,
                matcher=o[funders[username]],
                ratio=Decimal(ratio),
                cap=Decimal(cap),
                buckets=[buckets[i] for i in bucket_indexes],
            )
        # The conventions and the contrats d'hébergement name the host of each funded
        # commons: the buyer designates the one of the booking module (still to be
        # created), at a fee of 3 % agreed with it, the catalogue's covers the other
        # (hosted free of charge); the host records the ANCT's subsidy in that commons'
        # ledger. No money moves for a commons before its host is designated.
        booking = challenge.resources.get(title="Brique open source de réservation")
        resource_host_designate(
            actor=u["agent.mel"],
            resource=booking,
            host=o["La Coop des Communs"],
            hosting_fee=Decimal("3"),
        )
        carpooling = Commons.objects.get(name="Standard REST covoiturage")
        income_record(
            actor=u["coop.communs"],
            commons=carpooling,
            amount=Decimal("4000.00"),
            received_on=date(2026, 9, 15),
            source_name="Agence nationale de la cohésion des territoires",
            kind=IncomeKind.SUBSIDY,
            subsidy_label="Fabrique prospective – mobilités du quotidien",
        )
        clock.move_to(steps.at(2026, 10, 1, 18, 0, 1))
        sweep()  # closes the round; the documents are generated in the background
        clock.move_to(steps.at(2026, 10, 12, 10, 0))
        # The buyer observes the standstill although the call is a MAPA: the letters give
        # the date, the flow's timer opens the signature eleven days later.
        steps.complete(
            challenge,
            "award",
            u["agent.mel"],
            {"proposals": [proposals[0].pk, proposals[1].pk], "standstill": True},
        )
        clock.move_to(Challenge.objects.get(pk=challenge.pk).standstill_ends_at)
        sweep()  # the standstill's timer fires: the signature opens
        steps.complete(challenge, "sign", u["agent.mel"])
        # After the signature, the follow-up of its execution (deliverables, milestones).
        execution_follow_up(cast, challenge, clock)
    return challenge


def scoring_challenge(cast) -> Challenge:
    """MEL-AAC-2026-002: proposals opened in November, one evaluator has scored; its
    facilitator, ``animatrice.mel``, held a meeting of the first working group (minutes
    written) and planned the next one."""
    positioning_end, proposal_end = steps.at(2026, 9, 30, 12), steps.at(2026, 11, 2, 12)
    with time_machine.travel(steps.at(2026, 9, 14, 9, 0), tick=True) as clock:
        challenge = steps.start(cast, "MEL-AAC-2026-002", "Logistique urbaine partagée")
        steps.refer_and_publish(cast, challenge, positioning_end, proposal_end)
        steps.facilitate(cast, challenge)
        steps.to_scoring(cast, challenge, clock, positioning_end, proposal_end)
        steps.score(cast, challenge, "evaluateur.1", [7, 8, 5])
        # The first working group goes on meeting with its facilitator while it is scored.
        group = steps.group_meetings(cast, challenge, clock)
    steps.next_meeting(cast, group)
    return challenge


def positioning_challenge(cast) -> Challenge:
    """MEL-AAC-2026-003: an appel à communs hors marché (subsidies under conventions),
    published today, positions open for ten days."""
    now = timezone.now().astimezone(PARIS).replace(second=0, microsecond=0)
    challenge = steps.start(
        cast,
        "MEL-AAC-2026-003",
        "Données ouvertes des mobilités actives",
        framing="outside_contract",
    )
    steps.refer_and_publish(cast, challenge, now + timedelta(days=10), now + timedelta(days=45))
    steps.position(cast, challenge, PARTNER_LINES[:3])
    return challenge


def exploring_challenge(cast) -> Challenge:
    """MEL-AAC-2026-006: a call that plans an exploration before its cofunding (seed
    003): the two selected teams explored with 2,500 € each (the catalogue's hosted
    commons through its ledger), the exploration ended on 30 June 2026, and the buyer's
    decision — which commons proved themselves — is waiting in its inbox."""
    u = cast.users
    positioning_end, proposal_end = steps.at(2026, 4, 20, 12), steps.at(2026, 5, 20, 12)
    exploration_end = steps.at(2026, 6, 30, 18)
    with time_machine.travel(steps.at(2026, 4, 1, 9, 0), tick=True) as clock:
        challenge = steps.start(
            cast,
            "MEL-AAC-2026-006",
            "Mobilités rurales et tiers-lieux",
            exploration_planned=True,
            exploration_budget=Decimal("2500.00"),
            exploration_end=exploration_end,
        )
        steps.refer_and_publish(cast, challenge, positioning_end, proposal_end)
        steps.to_scoring(cast, challenge, clock, positioning_end, proposal_end)
        steps.score(cast, challenge, "evaluateur.1", [8, 7, 5])
        steps.score(cast, challenge, "evaluatrice.2", [8, 6, 6])
        proposals = list(Challenge.objects.get(pk=challenge.pk).proposals.order_by("pk"))
        steps.complete(
            challenge,
            "select",
            u["agent.mel"],
            {
                "proposals": [proposals[0].pk, proposals[1].pk],
                "cofunding_deadline": steps.at(2026, 9, 15, 18).isoformat(),
                "justification": (
                    "Le lot 3 n'est pas retenu : la base de connaissances sera reprise avec "
                    "les tiers-lieux en 2027."
                ),
            },
        )
        steps.chambre_opinion(
            cast,
            challenge,
            "selection_opinion",
            verdict="favorable",
            reasons="Explorer avant de cofinancer protège les communs et les financeurs.",
        )
        clock.move_to(exploration_end + timedelta(seconds=1))
        sweep()  # the exploration's end: the buyer's decision opens
    return challenge


def draft_challenge(cast) -> Challenge:
    """MEL-AAC-2026-004: a draft the buyer is still writing; the standard and the booking
    brick share lot 1, with the reason for grouping them, printed in the règlement."""
    return steps.start(
        cast,
        "MEL-AAC-2026-004",
        "Énergie citoyenne et tiers-lieux",
        lots=[
            {**lot, "estimated_amount": Decimal(lot["estimated_amount"])} for lot in GROUPED_LOTS
        ],
        resource_lots=GROUPED_RESOURCE_LOTS,
        single_lot_reason=SINGLE_LOT_REASON,
    )


def vote_challenge(cast) -> Challenge:
    """MEL-AAC-2026-005: a call that plans a collective vote; its three commons selected,
    the Chambre approved the selection yesterday, and the funders and contributors vote
    until a fortnight from now (the ADEME has voted; the Banque des Territoires and the
    working groups' organisations still may)."""
    u, o = cast.users, cast.orgs
    now = timezone.now().astimezone(PARIS).replace(second=0, microsecond=0)
    positioning_end, proposal_end = now - timedelta(days=50), now - timedelta(days=15)
    with time_machine.travel(now - timedelta(days=90), tick=True) as clock:
        challenge = steps.start(cast, "MEL-AAC-2026-005", "Tiers-lieux et communs partagés")
        vote_plan_set(
            challenge=challenge, actor=u["agent.mel"], planned=True, days=15, min_grade=Grade.BIEN
        )
        steps.refer_and_publish(cast, challenge, positioning_end, proposal_end)
        steps.to_scoring(cast, challenge, clock, positioning_end, proposal_end)
        steps.score(cast, challenge, "evaluateur.1", [8, 7, 6])
        steps.score(cast, challenge, "evaluatrice.2", [7, 8, 6])
        proposals = list(Challenge.objects.get(pk=challenge.pk).proposals.order_by("pk"))
        steps.complete(
            challenge,
            "select",
            u["agent.mel"],
            {
                "proposals": [p.pk for p in proposals],
                "cofunding_deadline": (now + timedelta(days=45)).isoformat(),
            },
        )
        clock.move_to(now - timedelta(days=1))
        steps.chambre_opinion(cast, challenge, "selection_opinion", verdict="favorable")
        ballot_submit(
            actor=u["ademe"],
            vote=vote_of(challenge),
            organisation=o["ADEME Hauts-de-France"],
            grades={
                str(proposals[0].pk): "Très bien",
                str(proposals[1].pk): "Bien",
                str(proposals[2].pk): "Passable",
            },
        )
    return challenge


STAGES = [
    ("MEL-AAC-2026-001", completed_challenge),
    ("MEL-AAC-2026-002", scoring_challenge),
    ("MEL-AAC-2026-003", positioning_challenge),
    ("MEL-AAC-2026-004", draft_challenge),
    ("MEL-AAC-2026-005", vote_challenge),
    ("MEL-AAC-2026-006", exploring_challenge),
]


def run(password: str) -> list[Challenge]:
    """Create what is missing; return the demo's challenges.

    The past is replayed in one go, each step at its date and on the job before it: in
    the embedded default the document jobs run inline here, not in the local worker's
    threads (``LOCAL_WORKER_THREADS``), which would leave them behind the replay."""
    with override_settings(LOCAL_WORKER_THREADS=0):
        with transaction.atomic():
            cast = ensure_cast(password)
        challenges = []
        for reference, build in STAGES:
            existing = Challenge.objects.filter(reference=reference).first()
            challenges.append(existing or build(cast))
        if not Motion.objects.exists():
            steps.chambre_motion(cast)
    return challenges
