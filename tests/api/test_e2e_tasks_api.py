"""The whole appel-à-communs process driven as an API client would drive it.

Every transition of the process goes through ``/api/v1/tasks/`` (inbox, form, claim,
complete) or a deadline passing (time travel and the periodic sweep); the partners' and
funders' own data goes through the domain endpoints. At each step the test checks what
the people involved would notice: whose inbox holds the task, the challenge's stage,
the process's current steps and its history of who did what.
"""

import pytest

from procurement.models import Proposal
from tests.api.steps import (
    act,
    challenge_url,
    chambre_opinion,
    claim,
    complete,
    create_challenge,
    inbox,
    ok,
    open_referral,
    process_of,
    status_of,
    steps_in_inbox,
    task_in_inbox,
)
from tests.conftest import later, member, paris
from tests.workflows import journey
from workflows.tasks import sweep

POSITIONING_END = paris(2026, 9, 20, 12, 0)
PROPOSAL_END = paris(2026, 10, 20, 12, 0)
COFUNDING_END = paris(2026, 11, 10, 18, 0)


def current_steps(client, process_id) -> set[str]:
    return {step["step"] for step in process_of(client, process_id)["current_steps"]}


def who_did(client, process_id) -> list[tuple[str, str | None]]:
    """The finished steps of the history, in order, with who completed each."""
    return [
        (step["step"], step["owner"])
        for step in process_of(client, process_id)["history"]
        if step["status"] == "DONE"
    ]


@pytest.mark.django_db(transaction=True)
def test_challenge_runs_from_draft_to_award_through_the_tasks_api(world, clock, api, colleague):
    buyer, moderator, anonymous = api(world.buyer_agent), api(world.moderator), api()
    rapporteur, porteur = api(world.rapporteur), api(member(world.chambre, "porteur", "porteurs"))
    partners = [api(user) for user in world.partner_users]
    evaluators = [api(user) for user in world.evaluators]
    funders = [api(user) for user in world.funder_users]
    everyone_else = [api(colleague), moderator, *partners, *evaluators, *funders]

    # --- drafting -------------------------------------------------------------------
    # when the buyer's agent creates a challenge
    challenge = create_challenge(buyer, world)
    cid, pid = challenge["id"], challenge["process"]

    # then its process starts with the drafting task in the buyer's staff's inboxes only
    assert challenge["status"] == "draft"
    assert current_steps(buyer, pid) == {"draft"}
    assert steps_in_inbox(buyer, cid) == ["draft"]
    assert steps_in_inbox(api(colleague), cid) == ["draft"]
    for client in [moderator, *partners, *evaluators, *funders]:
        assert steps_in_inbox(client, cid) == []
    # and the draft is invisible to the public and to partners
    assert anonymous.get(challenge_url(cid)).status_code == 404
    assert partners[0].get(challenge_url(cid)).status_code == 404

    # when the agent opens the task, claims it and refers the call to the Chambre
    task = task_in_inbox(buyer, cid, "draft")
    form = ok(buyer.get(f"/api/v1/tasks/{task['id']}/"))
    assert [field["name"] for field in form["form"]] == ["note"]
    claimed = claim(buyer, task["id"])

    # then the claimed task leaves the colleague's inbox and shows its holder
    assert claimed["owner"] == world.buyer_agent.username
    assert steps_in_inbox(api(colleague), cid) == []
    done = complete(buyer, task["id"], {"note": "Merci de votre avis."})
    assert done["status"] == "DONE"
    assert status_of(buyer, cid) == "in_review"

    # --- the Chambre's opinion on the call, one revision ------------------------------
    # then the opinion task is the Chambre's, not the buyer's
    assert steps_in_inbox(buyer, cid) == []
    assert steps_in_inbox(moderator, cid) == ["call_opinion"]
    referral = open_referral(moderator, cid, "call")
    assert referral["status"] == "awaiting_rapporteur"
    url = challenge_url(cid, f"referrals/{referral['id']}/")

    # when the modérateur names the rapporteur, a member comments, the rapporteur drafts
    # an opinion with a reservation and submits it, and the modérateur publishes it
    ok(moderator.post(url + "rapporteur/", {"rapporteur": world.rapporteur.pk}, format="json"))
    ok(porteur.post(url + "comments/", {"body": "La licence doit protéger."}, format="json"), 201)
    draft = {
        "verdict": "reservations",
        "reasons": "Licence à préciser",
        "reservations": ["Exiger une licence à réciprocité pour la brique de réservation"],
        "submit": True,
    }
    ok(rapporteur.put(url + "draft/", draft, format="json"))
    # (the buyer sees where the referral stands, not the Chambre's draft or comments)
    seen_by_buyer = ok(buyer.get(url))
    assert (seen_by_buyer["status"], seen_by_buyer["draft"], seen_by_buyer["comments"]) == (
        "submitted",
        None,
        [],
    )
    assert ok(moderator.get(url))["comments"][0]["body"] == "La licence doit protéger."
    act(moderator, cid, "call_opinion", {})
    assert status_of(buyer, cid) == "revision"
    assert steps_in_inbox(buyer, cid) == ["revise"]
    assert steps_in_inbox(moderator, cid) == []
    act(
        buyer,
        cid,
        "revise",
        {
            "resubmit": True,
            "answers": [
                {"reservation": "1", "accepted": True, "answer": "Licence CeCILL-C exigée."}
            ],
        },
    )
    assert steps_in_inbox(moderator, cid) == ["call_opinion"]
    chambre_opinion(moderator, world.rapporteur, cid, "call_opinion")

    # then the buyer may publish, and both opinions are on the record
    assert status_of(buyer, cid) == "ready"
    assert steps_in_inbox(buyer, cid) == ["publish"]
    opinions = ok(buyer.get(challenge_url(cid, "opinions/")))
    assert [o["verdict"] for o in opinions] == ["reservations", "favorable"]
    assert opinions[0]["answers"][0]["answer"] == "Licence CeCILL-C exigée."

    # --- publication and positions --------------------------------------------------
    # when the buyer publishes with its deadlines
    act(
        buyer,
        cid,
        "publish",
        {
            "positioning_deadline": POSITIONING_END.isoformat(),
            "proposal_deadline": PROPOSAL_END.isoformat(),
        },
    )

    # then the call is public, nobody has a task, and the positioning timer waits
    assert status_of(anonymous, cid) == "positioning"
    assert current_steps(buyer, pid) == {"positioning"}
    for client in [buyer, *everyone_else]:
        assert steps_in_inbox(client, cid) == []

    # when each partner positions on one resource
    resources = ok(anonymous.get(challenge_url(cid, "resources/")))
    assert len(resources) == 3
    for resource, org, client in zip(resources, world.partners, partners, strict=True):
        ok(
            client.post(
                challenge_url(cid, "positions/"),
                {
                    "resource": resource["id"],
                    "organisation": org.pk,
                    "intent": "produce",
                    "contributions": [{"kind": "skills", "days": "40", "profile": "Développeur"}],
                    "public_name": True,
                },
                format="json",
            ),
            201,
        )

    # then a partner sees its own position, the buyer sees them all
    mine = ok(partners[0].get(challenge_url(cid, "positions/")))["results"]
    assert [p["organisation"]["id"] for p in mine] == [world.partners[0].pk]
    assert ok(buyer.get(challenge_url(cid, "positions/")))["count"] == 3
    # and a positioned partner follows the process
    assert ok(partners[0].get(f"/api/v1/processes/{pid}/"))["stage"] == "positioning"

    # --- the positioning deadline passes with nobody clicking -------------------------
    clock.move_to(later(POSITIONING_END, seconds=1))
    sweep()

    # then the working groups are formed and proposals are open
    assert status_of(anonymous, cid) == "proposals"
    assert current_steps(buyer, pid) == {"proposals"}
    groups = ok(anonymous.get(challenge_url(cid, "working-groups/")))
    assert [[m["id"] for m in g["members"]] for g in groups] == [[o.pk] for o in world.partners]

    # when each group submits its sealed proposal
    for group, client in zip(groups, partners, strict=True):
        ok(
            client.post(
                challenge_url(cid, "proposals/"),
                {
                    "group": group["id"],
                    "title": f"Proposition — {group['resource_title']}",
                    "summary": "Produire le commun avec sa communauté.",
                    "deliverables": "Code, documentation",
                    "licence": "EUPL-1.2",
                    **journey.proposal_json("30000.00"),
                },
                format="json",
            ),
            201,
        )

    # then they stay sealed: the buyer reads none, each group reads its own
    assert ok(buyer.get(challenge_url(cid, "proposals/")))["count"] == 0
    assert ok(partners[1].get(challenge_url(cid, "proposals/")))["count"] == 1

    # --- the proposal deadline: opening, evaluators ---------------------------------
    clock.move_to(later(PROPOSAL_END, seconds=1))
    sweep()

    # then the proposals are opened for the buyer, who must name the evaluators
    assert status_of(anonymous, cid) == "assignment"
    proposals = ok(buyer.get(challenge_url(cid, "proposals/")))["results"]
    assert len(proposals) == 3
    assert steps_in_inbox(buyer, cid) == ["assign_evaluators"]
    act(buyer, cid, "assign_evaluators", {"evaluators": [u.pk for u in world.evaluators]})

    # then each evaluator finds its own scoring task, already assigned to it
    assert status_of(buyer, cid) == "scoring"
    assert steps_in_inbox(buyer, cid) == []
    score_tasks = [task_in_inbox(client, cid, "score") for client in evaluators]
    assert [t["owner"] for t in score_tasks] == [u.username for u in world.evaluators]
    assert score_tasks[0]["id"] != score_tasks[1]["id"]
    assert "score" in current_steps(buyer, pid)

    # when each evaluator declares no conflict of interest on its assignments, then reads
    # and scores every proposal on the grid (it claims nothing: the task is its own)
    # every criterion but the price, which the published formula marks (R2152-7)
    codes = [
        c["code"]
        for c in ok(buyer.get(challenge_url(cid, "grid/")))["criteria"]
        if c["scale"] != "price"
    ]
    for client, task in zip(evaluators, score_tasks, strict=True):
        assignments = ok(client.get(challenge_url(cid, "assignments/")))["results"]
        assert sorted(a["proposal"] for a in assignments) == sorted(p["id"] for p in proposals)
        assert ok(client.get(challenge_url(cid, "proposals/")))["count"] == 0
        for assignment in assignments:
            ok(
                client.post(
                    challenge_url(cid, f"assignments/{assignment['id']}/declare/"),
                    {"conflict": False},
                    format="json",
                )
            )
        assigned = ok(client.get(challenge_url(cid, "proposals/")))["results"]
        assert len(assigned) == 3
        complete(
            client,
            task["id"],
            {
                "evaluations": [
                    {"proposal": p["id"], "conflict": False, "scores": dict.fromkeys(codes, "7")}
                    for p in assigned
                ]
            },
        )

    # then the scoring closes and the buyer selects from the ranking
    assert status_of(buyer, cid) == "selection"
    for client in evaluators:
        assert steps_in_inbox(client, cid) == []
    ranking = ok(buyer.get(challenge_url(cid, "ranking/")))
    ranked = [entry["proposal_id"] for entry in sorted(ranking["entries"], key=lambda e: e["rank"])]
    assert sorted(ranked) == sorted(p["id"] for p in proposals)
    first, second = ranked[:2]
    act(
        buyer,
        cid,
        "select",
        {
            "proposals": [first, second],
            "cofunding_deadline": COFUNDING_END.isoformat(),
            "justification": "Le troisième lot attend une seconde consultation.",
        },
    )
    assert status_of(buyer, cid) == "selection_review"
    assert steps_in_inbox(moderator, cid) == ["selection_opinion"]
    chambre_opinion(moderator, world.rapporteur, cid, "selection_opinion")

    # --- cofunding --------------------------------------------------------------------
    # then the cofunding round is open with one bucket per selected proposal, for what
    # lies outside its contract only (the 4 500 € of animation of a 30 000 € proposal)
    assert status_of(anonymous, cid) == "cofunding"
    assert current_steps(buyer, pid) == {"cofunding"}
    round_ = ok(anonymous.get(challenge_url(cid, "cofunding/")))
    buckets = {b["proposal"]: b["id"] for b in round_["buckets"]}
    assert set(buckets) == {first, second}
    assert {b["max_amount"] for b in round_["buckets"]} == {"4500.00"}

    # when the funders set their envelopes and pledge
    ademe, bdt = world.funders
    for client, funder, amount in ((funders[0], ademe, "40000"), (funders[1], bdt, "10000")):
        ok(
            client.post(
                challenge_url(cid, "cofunding/allocations/"),
                {"funder": funder.pk, "amount": amount},
                format="json",
            ),
            201,
        )
    for client, funder, proposal, amount in (
        (funders[0], ademe, first, "3000"),
        (funders[1], bdt, first, "1500"),
        (funders[1], bdt, second, "1000"),
    ):
        ok(
            client.post(
                challenge_url(cid, "cofunding/pledges/"),
                {"bucket": buckets[proposal], "funder": funder.pk, "amount": amount},
                format="json",
            ),
            201,
        )
    pledged = {
        b["proposal"]: b["pledged"]
        for b in ok(buyer.get(challenge_url(cid, "cofunding/")))["buckets"]
    }
    assert pledged == {first: "4500.00", second: "1000.00"}
    # and the buyer designates the host that the funded commons' convention names
    resource = Proposal.objects.get(pk=first).group.resource_id
    ok(
        buyer.post(
            challenge_url(cid, f"resources/{resource}/host/"),
            {"host": world.host.pk},
            format="json",
        )
    )

    # when the round's deadline passes: it closes, the documents are generated
    clock.move_to(later(COFUNDING_END, seconds=1))
    sweep()

    # then the buckets are settled, the tender pack is ready and the buyer may award
    settled = ok(buyer.get(challenge_url(cid, "cofunding/")))
    assert settled["closed_at"] is not None
    assert {b["proposal"]: b["status"] for b in settled["buckets"]} == {
        first: "funded",
        second: "not_funded",
    }
    documents = ok(buyer.get(challenge_url(cid, "documents/")))
    assert documents["job"]["status"] == "done", documents["job"]
    assert any(d["piece"] == "reglement" for d in documents["documents"])
    assert status_of(buyer, cid) == "award"
    assert steps_in_inbox(buyer, cid) == ["award"]

    # when the buyer awards the funded proposal only, without saying why the other
    # selected proposal's lot is not awarded, it is refused, naming that lot (R2185-1)
    task = task_in_inbox(buyer, cid, "award")
    claim(buyer, task["id"])
    refused = buyer.post(
        f"/api/v1/tasks/{task['id']}/complete/", {"proposals": [first]}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_award"
    second_lot = Proposal.objects.get(pk=second).lots.get().number
    assert list(refused.json()["fields"]["lot_reasons"]) == [str(second_lot)]
    assert "R2185-1" in refused.json()["fields"]["lot_reasons"][str(second_lot)][0]
    # with the reason, it is decided; then the buyer signs (a MAPA: no standstill)
    done = complete(
        buyer,
        task["id"],
        {"proposals": [first], "lot_reasons": {str(second_lot): "Cofinancement insuffisant."}},
    )
    assert done["status"] == "DONE"
    assert status_of(buyer, cid) == "award"
    assert steps_in_inbox(buyer, cid) == ["sign"]
    act(buyer, cid, "sign", {})

    # then the process is over: nobody has anything left to do
    assert status_of(anonymous, cid) == "awarded"
    process = process_of(buyer, pid)
    assert process["status"] == "DONE"
    assert process["current_steps"] == []
    for client in [buyer, *everyone_else]:
        assert inbox(client, challenge=cid) == []
    # and the history tells who did each step, the deadlines as nobody's
    history = who_did(buyer, pid)
    buyer_name, moderator_name = world.buyer_agent.username, world.moderator.username
    human = [(step, owner) for step, owner in history if owner is not None]
    assert human[:5] == [
        ("draft", buyer_name),
        ("call_opinion", moderator_name),
        ("revise", buyer_name),
        ("call_opinion", moderator_name),
        ("publish", buyer_name),
    ]
    assert ("assign_evaluators", buyer_name) in human
    assert {owner for step, owner in human if step == "score"} == {
        u.username for u in world.evaluators
    }
    assert human[-4:] == [
        ("select", buyer_name),
        ("selection_opinion", moderator_name),
        ("award", buyer_name),
        ("sign", buyer_name),
    ]
    for timer in (
        "positioning",
        "proposals",
        "cofunding",
        "generate_documents",
        "rejection_letters",
    ):
        assert (timer, None) in history
    # and the audit trail holds every completion, its chain intact (read page by page)
    audit = ok(buyer.get(challenge_url(cid, "audit/")))
    assert audit["verification"]["valid"] is True
    events = audit["events"]
    while audit["next"]:
        audit = ok(buyer.get(audit["next"]))
        events += audit["events"]
    completed = [e for e in events if e["verb"] == "task.completed"]
    assert len(completed) == len(human)
    assert {e["actor_label"] for e in completed} >= {buyer_name, moderator_name}
