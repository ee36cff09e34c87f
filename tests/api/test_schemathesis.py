"""Schemathesis over every operation of the OpenAPI schema, as each role (issue 19,
item 5): requests generated from the schema against the demo's data, each answer
checked — no server error, a status code the schema documents, the documented content
type, a body that conforms to the documented schema.

Bounded: ``EXAMPLES`` generated requests per operation and role, derandomised (the same
requests at every run, so a failure is reproduced by running the test again), and path
parameters drawn half the time among the small ids the demo's rows have, so that most
operations reach a real object rather than a 404. It runs once, in the SQLite pass (the
Makefile's ONCE list)."""

import time
from collections import Counter
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

PASSWORD = "schemathesis-demo"
# The demo's accounts (``manage.py demo --json``), one per role.
ROLES = {
    "anonymous": None,
    "buyer": "agent.mel",
    "partner": "mobicoop",
    "evaluator": "evaluatrice.2",
    "chambre": "moderatrice.chambre",
    "funder": "ademe",
}
EXAMPLES = 2
# The demo's rows have small ids: a path parameter drawn among them reaches a real
# call, resource, proposal, task… of some role.
DEMO_IDS = st.integers(min_value=1, max_value=40)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def tokens() -> dict[str, dict[str, str]]:
    """Each role's headers: a token obtained as a client would."""
    client = APIClient()
    headers = {}
    for role, username in ROLES.items():
        if username is None:
            headers[role] = {}
            continue
        response = client.post(
            "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 200, (role, response.content)
        headers[role] = {"Authorization": f"Token {response.json()['token']}"}
    return headers


def operation_test(operation, headers: dict[str, str], found: list, sent: Counter):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        sent[operation.label] += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:  # one failure per check that failed
            found.extend((operation.label, f.title, str(f)) for f in group.exceptions)
        except Failure as failure:
            found.append((operation.label, failure.title, str(failure)))

    return run


@pytest.mark.django_db(transaction=True)
def test_every_operation_as_every_role_gives_no_server_error_and_conforms_to_the_schema():
    # given the demo's data and a token for each role
    call_command("demo", "--password", PASSWORD, stdout=StringIO())
    headers = tokens()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

    @schema.hook("flatmap_path_parameters")
    def demo_ids(context, path_parameters):
        ints = {k: v for k, v in (path_parameters or {}).items() if isinstance(v, int)}
        if not ints:
            return st.just(path_parameters)
        drawn = st.fixed_dictionaries({k: DEMO_IDS for k in ints})
        return st.one_of(st.just(path_parameters), drawn.map(lambda d: {**path_parameters, **d}))

    operations = [result.ok() for result in schema.get_all_operations()]
    found: list[tuple[str, str, str]] = []
    sent: Counter = Counter()

    # when each operation is called with generated data, as each role
    start = time.monotonic()
    for operation in operations:
        for role in ROLES:
            operation_test(operation, headers[role], found, sent)()
    elapsed = time.monotonic() - start

    # then every operation was called, and no answer broke the schema nor the server
    print(
        f"\nschemathesis : {sum(sent.values())} requêtes sur {len(operations)} opérations, "
        f"{len(ROLES)} rôles, en {elapsed:.0f} s ; {len(found)} échecs"
    )
    assert len(operations) >= 100
    assert set(sent) == {operation.label for operation in operations}
    kinds = Counter((label, title, text.strip().splitlines()[0]) for label, title, text in found)
    assert not found, "\n".join(
        f"{n} × {label} — {title} : {first}" for (label, title, first), n in kinds.most_common()
    )
