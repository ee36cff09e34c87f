"""What an evaluator or the buyer does through the scoring API, step by step."""

from scoring.models import Assignment
from scoring.queries import marked_criteria
from tests.api.steps import challenge_url, ok


def codes(challenge) -> list[str]:
    return [c.code for c in marked_criteria(challenge)]


def proposals(challenge) -> list:
    return list(challenge.proposals.order_by("pk"))


def assignment_id(evaluator, proposal) -> int:
    return Assignment.objects.get(evaluator=evaluator, proposal=proposal).pk


def marks(challenge, value="6") -> dict[str, str]:
    return dict.fromkeys(codes(challenge), value)


def declare(client, challenge, assignment: int, conflict=False, note=""):
    return client.post(
        challenge_url(challenge.pk, f"assignments/{assignment}/declare/"),
        {"conflict": conflict, "note": note},
        format="json",
    )


def evaluate(client, challenge, proposal, scores=None, **fields):
    """POST /evaluations/ for the caller's own assignment on ``proposal``."""
    body = {"proposal": proposal.pk, "scores": scores or marks(challenge), **fields}
    return client.post(challenge_url(challenge.pk, "evaluations/"), body, format="json")


def listed_ids(client, url) -> list[int]:
    body = ok(client.get(url, {"page_size": 200}))
    return sorted(row["id"] for row in body["results"])


def evaluations_seen(client, challenge) -> list[tuple[int, str, int]]:
    """(proposal, evaluator, round) of every evaluation the caller sees."""
    rows = ok(client.get(challenge_url(challenge.pk, "evaluations/"), {"page_size": 200}))
    return sorted((r["proposal"], r["evaluator"], r["round"]) for r in rows["results"])


def audit_verbs(challenge) -> list[str]:
    return list(challenge.audit_events.order_by("seq").values_list("verb", flat=True))
