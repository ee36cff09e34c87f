"""Issue 4's endpoints against every role and a stranger organisation, while the
proposals are sealed (positioning closed, proposal deadline ahead): nobody reads or
writes where it is not due. Each cell is the HTTP status a caller gets; 404 means the
object is hidden from it, 403 that it sees it but may not act, 409 that the stage or
the deadline refuses it. Finer rules live with each concept's tests."""

import io

import pytest

from procurement.models import Role
from tests.conftest import later, member, paris
from tests.workflows import journey

ROLES = ["member", "other_partner", "buyer", "evaluator", "moderator", "stranger", "anonymous"]


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def sealed(world, clock):
    """Positions closed, each partner's group proposed, proposals still sealed."""
    challenge = journey.published(world)
    journey.position_and_propose(world, challenge)
    clock.move_to(later(paris(*journey.POSITIONING_END), seconds=1))
    journey.sweep()
    proposals = journey.submit_proposals(world, challenge)
    challenge.refresh_from_db()
    from procurement.services.questions import question_ask

    question = question_ask(
        challenge=challenge,
        actor=world.partner_users[0],
        organisation=world.partners[0],
        text="Les données sont-elles ouvertes ?",
    )
    return challenge, proposals[0], question


def callers(world, api):
    return {
        "member": api(world.partner_users[0]),
        "other_partner": api(world.partner_users[1]),
        "buyer": api(world.buyer_agent),
        "evaluator": api(world.evaluators[0]),
        "moderator": api(world.moderator),
        "stranger": api(world.stranger),
        "anonymous": api(),
    }


def requests(world, challenge, proposal, question):
    c = f"/api/v1/challenges/{challenge.pk}/"
    group = proposal.group
    resource = group.resource
    return {
        # reads
        "GET resources": ("get", c + "resources/", None),
        "GET positions": ("get", c + "positions/", None),
        "GET working group": ("get", c + f"working-groups/{group.pk}/", None),
        "GET questions": ("get", c + "questions/", None),
        "GET deadline notices": ("get", c + "deadline-notices/", None),
        "GET proposal": ("get", c + f"proposals/{proposal.pk}/", None),
        # writes
        "POST position (closed)": (
            "post",
            c + "positions/",
            {
                "resource": resource.pk,
                "organisation": world.partners[0].pk,
                "intent": "contribute",
                "contributions": [{"kind": "money", "amount": "1000"}],
            },
        ),
        "POST coordinator": (
            "post",
            c + f"working-groups/{group.pk}/coordinator/",
            {"organisation": world.partners[0].pk},
        ),
        "POST question": (
            "post",
            c + "questions/",
            {"organisation": world.partners[0].pk, "text": "Et le code ?"},
        ),
        "POST answer draft": ("post", c + f"questions/{question.pk}/answer/", {"answer": "Oui."}),
        "POST extend": (
            "post",
            c + "deadlines/extend/",
            {
                "which": "proposals",
                "new_deadline": paris(2026, 10, 20, 12).isoformat(),
                "notice": "Report demandé par les partenaires.",
            },
        ),
        "POST attachment": ("upload", c + f"proposals/{proposal.pk}/attachments/", None),
    }


EXPECTED = {
    # reads: a working group's contacts are its members'; a sealed proposal, its group's
    "GET resources": dict.fromkeys(ROLES, 200),
    "GET positions": dict.fromkeys(ROLES, 200),
    "GET working group": {**dict.fromkeys(ROLES, 404), "member": 200, "anonymous": 401},
    "GET questions": dict.fromkeys(ROLES, 200),
    "GET deadline notices": dict.fromkeys(ROLES, 200),
    "GET proposal": {**dict.fromkeys(ROLES, 404), "member": 200},
    # writes
    "POST position (closed)": {
        **dict.fromkeys(ROLES, 403),
        "member": 409,
        "anonymous": 401,
    },
    "POST coordinator": {**dict.fromkeys(ROLES, 404), "member": 200, "anonymous": 401},
    "POST question": {**dict.fromkeys(ROLES, 403), "member": 201, "anonymous": 401},
    # an unanswered question is seen by the buyer and the partner who asked it only
    "POST answer draft": {
        **dict.fromkeys(ROLES, 404),
        "member": 403,
        "buyer": 200,
        "anonymous": 401,
    },
    "POST extend": {**dict.fromkeys(ROLES, 403), "buyer": 201, "anonymous": 401},
    "POST attachment": {**dict.fromkeys(ROLES, 404), "member": 201, "anonymous": 401},
}


def send(client, how, url, body):
    if how == "get":
        return client.get(url)
    if how == "upload":
        upload = io.BytesIO(pdf_bytes())
        upload.name = "annexe.pdf"
        return client.post(url, {"file": upload}, format="multipart")
    return client.post(url, body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(EXPECTED))
def test_issue_4_permission_matrix(world, clock, api, sealed, name):
    challenge, proposal, question = sealed
    member(world.buyer, "evaluateur.matrice", Role.EVALUATOR)
    how, url, body = requests(world, challenge, proposal, question)[name]
    seen = {}
    for role, client in callers(world, api).items():
        seen[role] = send(client, how, url, body).status_code
    assert seen == EXPECTED[name]


# --- Need to know: a draft is the buyer's until referred (issue 18) -------------------

DRAFT_ROLES = ["buyer", "colleague", "moderator", "porteur", "partner", "stranger", "anonymous"]
DRAFT_READS = ["GET call", "GET resources", "GET lots", "GET audit", "GET process"]
CHAMBRE = ("moderator", "porteur")


def draft_callers(world, api, colleague, porteur):
    return {
        "buyer": api(world.buyer_agent),
        "colleague": api(colleague),
        "moderator": api(world.moderator),
        "porteur": api(porteur),
        "partner": api(world.partner_users[0]),
        "stranger": api(world.stranger),
        "anonymous": api(),
    }


def draft_reads(challenge) -> dict[str, str]:
    from workflows.models import ChallengeProcess

    process = ChallengeProcess.objects.get(challenge=challenge)
    c = f"/api/v1/challenges/{challenge.pk}/"
    return {
        "GET call": c,
        "GET resources": c + "resources/",
        "GET lots": c + "lots/",
        "GET audit": c + "audit/",
        "GET process": f"/api/v1/processes/{process.pk}/",
    }


def draft_matrix(world, api, colleague, porteur, challenge) -> dict[str, dict[str, int]]:
    clients = draft_callers(world, api, colleague, porteur)
    return {
        name: {role: client.get(url).status_code for role, client in clients.items()}
        for name, url in draft_reads(challenge).items()
    }


def listed_ids(client, url) -> set[int]:
    return {row["id"] for row in client.get(url, {"page_size": 200}).json()["results"]}


@pytest.mark.django_db
def test_a_draft_is_hidden_from_the_chambre_until_the_buyer_refers_it(
    world, clock, api, colleague, porteur
):
    # given a draft call, the Chambre named but not yet seized
    challenge = journey.start(world)
    clients = draft_callers(world, api, colleague, porteur)

    # when each role reads the draft, its resources, lots, audit trail and process
    before = draft_matrix(world, api, colleague, porteur, challenge)

    # then only the buyer's staff see them; the Chambre's modérateur and members get 404
    # like any outsider (the anonymous caller, 401 where the API asks to sign in)
    for name in DRAFT_READS:
        assert before[name]["buyer"] == before[name]["colleague"] == 200, name
        for role in (*CHAMBRE, "partner", "stranger"):
            assert before[name][role] == 404, (name, role, before[name])
        assert before[name]["anonymous"] in (401, 404), name
    for role in CHAMBRE:
        assert challenge.pk not in listed_ids(clients[role], "/api/v1/challenges/")
        assert not listed_ids(clients[role], "/api/v1/processes/")

    # when the buyer refers the draft to the Chambre
    journey.complete(challenge, "draft", world.buyer_agent)
    after = draft_matrix(world, api, colleague, porteur, challenge)

    # then the Chambre reads it all; the others still do not
    for name in DRAFT_READS:
        for role in ("buyer", "colleague", *CHAMBRE):
            assert after[name][role] == 200, (name, role, after[name])
        assert after[name]["partner"] == after[name]["stranger"] == 404, name
        assert after[name]["anonymous"] == before[name]["anonymous"], name
    for role in CHAMBRE:
        assert challenge.pk in listed_ids(clients[role], "/api/v1/challenges/")
