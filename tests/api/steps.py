"""What an API client does, step by step: read its inbox, open a task, claim it,
complete it with its data. Every helper asserts the status code it expects, so a
failing call names itself."""

from base64 import b64encode

from rest_framework.test import APIClient

from tests.workflows.journey import RESOURCES

TASKS = "/api/v1/tasks/"


def challenge_url(challenge_id: int, tail: str = "") -> str:
    return f"/api/v1/challenges/{challenge_id}/{tail}"


def ok(response, status: int = 200) -> dict | list:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json() if response.content else {}


def encoded(text: str) -> str:
    """A cursor as DRF writes it (base64 of a query string), with what we choose in it."""
    return b64encode(text.encode()).decode()


def error(response, status: int, code: str | None = None) -> dict:
    """The stable error body of API.md, with its code."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}, body
    assert isinstance(body["fields"], dict)
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def inbox(client: APIClient, **filters) -> list[dict]:
    """The caller's ``/tasks/`` list (every page)."""
    return ok(client.get(TASKS, {"page_size": 200, **filters}))["results"]


def steps_in_inbox(client: APIClient, challenge_id: int) -> list[str]:
    return sorted(task["step"] for task in inbox(client, challenge=challenge_id))


def task_in_inbox(client: APIClient, challenge_id: int, step: str) -> dict:
    tasks = [t for t in inbox(client, challenge=challenge_id) if t["step"] == step]
    assert len(tasks) == 1, (step, tasks)
    return tasks[0]


def claim(client: APIClient, task_id: int) -> dict:
    return ok(client.post(f"{TASKS}{task_id}/claim/"))


def complete(client: APIClient, task_id: int, data: dict | None = None) -> dict:
    return ok(client.post(f"{TASKS}{task_id}/complete/", data or {}, format="json"))


def act(client: APIClient, challenge_id: int, step: str, data: dict | None = None) -> dict:
    """Find the step's task in the inbox, open it, claim it, complete it."""
    task = task_in_inbox(client, challenge_id, step)
    detail = ok(client.get(f"{TASKS}{task['id']}/"))
    assert detail["can_complete"] is True
    claimed = claim(client, task["id"])
    assert claimed["status"] == "ASSIGNED"
    done = complete(client, task["id"], data)
    assert done["status"] == "DONE"
    return done


def create_challenge(client: APIClient, world, resources=RESOURCES, **fields) -> dict:
    """POST /challenges/: the challenge is drafted and its process started; by default
    one lot per resource, with estimates adding up to the call's."""
    from decimal import Decimal

    from tests.workflows.journey import ESSENTIAL_DATA, lot_per_resource

    if "lots" not in fields:
        lots = lot_per_resource(
            list(resources), Decimal(fields.get("estimated_amount", "180000.00"))
        )
        fields["lots"] = [{**lot, "estimated_amount": str(lot["estimated_amount"])} for lot in lots]
        resources = [{**r, "lot": n} for n, r in enumerate(resources, 1)]
    body = {
        "buyer": world.buyer.pk,
        "chambre": world.chambre.pk,
        "title": "Mobilité partagée dans la métropole",
        "context": "Des communs pour le covoiturage et l'autopartage.",
        "estimated_amount": "180000.00",
        "resources": list(resources),
        **ESSENTIAL_DATA,
        **fields,
    }
    return ok(client.post("/api/v1/challenges/", body, format="json"), 201)


def status_of(client: APIClient, challenge_id: int) -> str:
    return ok(client.get(challenge_url(challenge_id)))["status"]


def process_of(client: APIClient, process_id: int) -> dict:
    return ok(client.get(f"/api/v1/processes/{process_id}/"))


def open_referral(client: APIClient, challenge_id: int, subject: str) -> dict:
    referrals = ok(client.get(challenge_url(challenge_id, "referrals/")))
    return next(r for r in referrals if r["subject"] == subject and r["closed_at"] is None)


def chambre_opinion(
    moderator: APIClient,
    rapporteur,
    challenge_id: int,
    step: str,
    *,
    writer: APIClient | None = None,
    **draft,
) -> dict:
    """The Chambre's referral through the API: the modérateur names ``rapporteur``
    (a user), who drafts and submits (through ``writer``, its own client, if given);
    the modérateur publishes by completing ``step``."""
    subject = "call" if step == "call_opinion" else "selection"
    referral = open_referral(moderator, challenge_id, subject)
    url = challenge_url(challenge_id, f"referrals/{referral['id']}/")
    ok(moderator.post(url + "rapporteur/", {"rapporteur": rapporteur.pk}, format="json"))
    if writer is None:
        writer = APIClient()
        writer.force_authenticate(rapporteur)
    ok(writer.put(url + "draft/", {"verdict": "favorable", **draft, "submit": True}, format="json"))
    return act(moderator, challenge_id, step, {})
