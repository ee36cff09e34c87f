"""The OpenAPI schema and the interactive docs answer, and the schema describes the
contract of API.md: its paths, its error responses, and the fields the endpoints return."""

import re

import pytest

from tests.api import scenarios
from tests.api.steps import ok
from tests.workflows import journey

# The paths of API.md (its placeholders written ``{}``), with the methods it names.
CONTRACT = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/processes/": {"get"},
    "/api/v1/processes/{}/": {"get"},
    "/api/v1/tasks/": {"get"},
    "/api/v1/tasks/{}/": {"get"},
    "/api/v1/tasks/{}/claim/": {"post"},
    "/api/v1/tasks/{}/unclaim/": {"post"},
    "/api/v1/tasks/{}/complete/": {"post"},
    "/api/v1/organisations/": {"get"},
    "/api/v1/commons/": {"get"},
    "/api/v1/challenges/": {"get", "post"},
    "/api/v1/challenges/{}/resources/": {"get"},
    "/api/v1/challenges/{}/questions/": {"get"},
    "/api/v1/challenges/{}/positions/": {"get", "post"},
    "/api/v1/challenges/{}/working-groups/": {"get"},
    "/api/v1/challenges/{}/proposals/": {"get", "post"},
    "/api/v1/challenges/{}/grid/": {"get"},
    "/api/v1/challenges/{}/evaluations/": {"get"},
    "/api/v1/challenges/{}/ranking/": {"get"},
    "/api/v1/challenges/{}/opinions/": {"get"},
    "/api/v1/challenges/{}/cofunding/": {"get"},
    "/api/v1/challenges/{}/documents/": {"get"},
    "/api/v1/challenges/{}/audit/": {"get"},
    "/api/v1/challenges/{}/essential-data/": {"patch"},
    "/api/v1/opendata/decp/": {"get"},
    "/api/v1/opendata/ocds/releases/": {"get"},
    "/api/v1/opendata/ocds/records/": {"get"},
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def shape(path: str) -> str:
    """``/challenges/{challenge_pk}/`` and ``/challenges/7/`` both as ``/challenges/{}/``."""
    return re.sub(r"/(\{[^}]+\}|\d+)(?=/)", "/{}", path)


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def operation(schema: dict, path: str, method: str) -> dict:
    paths = {shape(p): item for p, item in schema["paths"].items()}
    return paths[shape(path)][method]


def documented_fields(schema: dict, path: str, method: str, status: str) -> dict:
    """The properties of the object a response holds (of one row, for lists)."""
    response = operation(schema, path, method)["responses"][status]
    body = resolve(schema, response["content"]["application/json"]["schema"])
    if body.get("type") == "array":
        body = resolve(schema, body["items"])
    elif "oneOf" in body:  # a list by page or by cursor: the same rows in both shapes
        rows = [resolve(schema, one["properties"]["results"]["items"]) for one in body["oneOf"]]
        assert all(row == rows[0] for row in rows), path
        body = rows[0]
    elif "results" in body.get("properties", {}):
        body = resolve(schema, body["properties"]["results"]["items"])
    return body["properties"]


def undocumented(schema: dict, path: str, method: str, status: str, returned: dict) -> set:
    return set(returned) - set(documented_fields(schema, path, method, status))


@pytest.mark.django_db
def test_schema_answers_with_every_path_of_the_contract(schema):
    # given the schema the service publishes
    published = {
        shape(path): {m for m in item if m in HTTP_METHODS}
        for path, item in schema["paths"].items()
    }

    # then it is OpenAPI 3 and lists every path of API.md with its methods
    assert schema["openapi"].startswith("3.")
    missing = {path: methods for path, methods in CONTRACT.items() if path not in published}
    assert missing == {}
    lacking = {
        path: methods - published[path]
        for path, methods in CONTRACT.items()
        if methods - published[path]
    }
    assert lacking == {}


@pytest.mark.django_db
def test_interactive_docs_answer_and_load_the_schema(client):
    # when someone opens the interactive docs
    response = client.get("/api/docs/")

    # then a page answers whose start-up script (a second request: no inline script
    # under the CSP) loads the schema
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    script = re.search(rb'<script src="(/api/docs/[^"]*)"', response.content)
    assert script, response.content
    assert b"/api/schema/" in client.get(script.group(1).decode()).content


@pytest.mark.django_db
def test_schema_documents_the_error_responses_with_the_error_shape(schema):
    # given the one error shape of API.md
    error = resolve(schema, {"$ref": "#/components/schemas/Error"})
    assert set(error["required"]) == {"code", "message", "fields"}

    def refs(path, method, status):
        response = operation(schema, path, method)["responses"][status]
        return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    # then completing a task documents its 400, 401, 403, 404 and 409 with that shape
    for status in ("400", "401", "403", "404", "409"):
        assert refs("/api/v1/tasks/{}/complete/", "post", status) == "Error"
    # and every operation of the contract documents 401 and 404
    for path, methods in CONTRACT.items():
        if path == "/api/v1/auth/token/":
            continue
        for method in methods:
            for status in ("401", "404"):
                assert refs(path, method, status) == "Error", (path, method, status)


@pytest.mark.django_db
def test_schema_documents_403_and_400_on_reads_that_give_them(schema):
    # then the reads reserved to some roles document their 403
    for path in ("/api/v1/challenges/{}/audit/", "/api/v1/challenges/{}/ranking/"):
        assert "403" in operation(schema, path, "get")["responses"], path
    # and the filtered lists their 400
    for path in ("/api/v1/tasks/", "/api/v1/processes/", "/api/v1/challenges/"):
        assert "400" in operation(schema, path, "get")["responses"], path


@pytest.mark.django_db
def test_schema_documents_the_open_data_feeds_parameters_and_their_400(schema):
    # then each feed documents its cursor, its start date and its page size, and the 400
    # a wrong one gives
    for path in (
        "/api/v1/opendata/decp/",
        "/api/v1/opendata/ocds/releases/",
        "/api/v1/opendata/ocds/records/",
    ):
        get = operation(schema, path, "get")
        assert {p["name"] for p in get["parameters"]} >= {"since", "cursor", "page_size"}
        assert "400" in get["responses"], path
    # and the essential data's input names its fields
    patch = operation(schema, "/api/v1/challenges/{}/essential-data/", "patch")
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    fields = resolve(schema, body)["properties"]
    assert {"cpv_code", "execution_place_kind", "execution_place_code", "innovative"} <= set(fields)


@pytest.mark.django_db
def test_fields_returned_by_the_lists_and_tasks_are_in_the_schema(world, clock, api, schema):
    # given a challenge with positions, as its buyer's agent sees it
    challenge = scenarios.published(world)
    journey.position_and_propose(world, challenge)
    buyer = api(world.buyer_agent)
    c = f"/api/v1/challenges/{challenge.pk}/"
    task = journey.start(world, title="Autre appel")
    draft = journey.open_task(task, "draft")

    # when it reads the endpoints, then every field returned is documented
    for path in (
        "/api/v1/challenges/",
        "/api/v1/tasks/",
        "/api/v1/processes/",
        "/api/v1/organisations/",
        f"{c}resources/",
        f"{c}positions/",
        f"{c}opinions/",
    ):
        body = ok(buyer.get(path))
        rows = body["results"] if isinstance(body, dict) else body
        assert rows, path
        assert undocumented(schema, path, "get", "200", rows[0]) == set(), path
    detail = ok(buyer.get(f"/api/v1/tasks/{draft.pk}/"))
    assert undocumented(schema, "/api/v1/tasks/{}/", "get", "200", detail) == set()
    assert undocumented(schema, c, "get", "200", ok(buyer.get(c))) == set()


@pytest.mark.django_db
def test_process_detail_documents_its_current_steps_and_history(world, clock, api, schema):
    # given a process
    challenge = journey.start(world)
    detail = ok(api(world.buyer_agent).get(f"/api/v1/processes/{challenge.process.pk}/"))
    assert {"current_steps", "history"} <= set(detail)

    # then the schema describes what the detail returns
    assert undocumented(schema, "/api/v1/processes/{}/", "get", "200", detail) == set()


@pytest.mark.django_db
def test_cofunding_round_and_pledge_responses_are_described_by_the_schema(
    world, clock, api, schema
):
    # given an open cofunding round with a funder's envelope
    challenge = scenarios.scoring(world, clock)
    journey.score_all(world, challenge)
    proposals = list(challenge.proposals.values_list("pk", flat=True))
    journey.complete(
        challenge,
        "select",
        world.buyer_agent,
        {"proposals": proposals, "cofunding_deadline": scenarios.COFUNDING_END.isoformat()},
    )
    journey.give_opinion(world, challenge, "selection_opinion")
    url = f"/api/v1/challenges/{challenge.pk}/cofunding/"
    funder = api(world.funder_users[0])
    ok(
        funder.post(
            f"{url}allocations/", {"funder": world.funders[0].pk, "amount": "1000"}, format="json"
        ),
        201,
    )
    round_ = ok(api().get(url))
    pledge = ok(
        funder.post(
            f"{url}pledges/",
            {"bucket": round_["buckets"][0]["id"], "funder": world.funders[0].pk, "amount": "10"},
            format="json",
        ),
        201,
    )

    # then the round's and the pledge's fields are all documented, as they are
    fields = documented_fields(schema, url, "get", "200")
    assert round_["closed_at"] is None
    gaps = {
        "round": undocumented(schema, url, "get", "200", round_),
        "closed_at nullable": fields["closed_at"].get("nullable", False),
        "pledge": undocumented(schema, f"{url}pledges/", "post", "201", pledge),
    }
    assert gaps == {"round": set(), "closed_at nullable": True, "pledge": set()}


@pytest.mark.django_db
def test_schema_documents_the_faults_of_every_operation(schema):
    # then every operation documents the database down (503, with Retry-After) and the
    # bad input (400); every write a conflict (409); every body too large (413)
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = op["responses"]
            expected = {"400", "404", "503"}
            if method != "get":
                expected.add("409")
            if method in ("post", "put", "patch"):
                expected.add("413")
            assert expected <= set(responses), (method, path, expected - set(responses))
            assert "Retry-After" in responses["503"]["headers"], (method, path)


@pytest.mark.django_db
def test_schema_documents_nested_field_errors_and_the_nullable_fields(schema):
    # then a field's errors may be a list of messages, or an object per inner field or
    # index (a list of contributions, of lots…)
    fields = resolve(schema, {"$ref": "#/components/schemas/Error"})["properties"]["fields"]
    shapes = fields["additionalProperties"]["anyOf"]
    assert {s["type"] for s in shapes} == {"array", "object"}
    # and the fields that may be null say so
    for component, field in (
        ("Task", "owner"),
        ("TaskDetail", "owner"),
        ("History", "owner"),
        ("Commons", "host"),
        ("Ledger", "host"),
        ("Resource", "lot"),
        ("Challenge", "process"),
    ):
        prop = resolve(schema, {"$ref": f"#/components/schemas/{component}"})["properties"][field]
        nullable = prop.get("nullable") or any(
            s.get("nullable") for s in prop.get("allOf", []) + prop.get("oneOf", [])
        )
        assert nullable, (component, field, prop)


@pytest.mark.django_db
def test_redoc_is_served_from_the_instance_without_a_cdn(client):
    # when someone opens Redoc
    response = client.get("/api/redoc/")
    # then the page loads its script from our static files and points at our schema
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in page
    assert 'spec-url="/api/schema/"' in page
    assert "googleapis" not in page
    assert "cdn" not in page.lower()


def test_the_schema_generates_without_a_single_warning(tmp_path):
    # when the schema is generated with warnings counted as failures
    from django.core.management import call_command
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    # then there is none: a duplicate component name (two ``AnswerInputRequest``), an
    # enum named by a hash of its choices for want of a name, an unresolvable type would
    # each be a warning, and --fail-on-warn would raise here
    assert not GENERATOR_STATS
    assert "AnswerInputRequest" in target.read_text()


@pytest.mark.django_db
def test_the_task_and_call_lists_document_their_cursor_and_both_shapes(schema):
    for path in ("/api/v1/tasks/", "/api/v1/challenges/"):
        get = operation(schema, path, "get")
        # then each documents its cursor beside its page number and size
        assert {p["name"] for p in get["parameters"]} >= {"cursor", "page", "page_size"}
        # and answers one of two shapes: a counted page, or a page by cursor, which
        # has no count (so that no answer fits both)
        body = resolve(schema, get["responses"]["200"]["content"]["application/json"]["schema"])
        pages, cursor = body["oneOf"]
        assert set(pages["properties"]) == {"count", "next", "previous", "results"}
        assert "count" in pages["required"]
        assert set(cursor["properties"]) == {"next", "previous", "results"}
        assert cursor["additionalProperties"] is False
        assert pages["properties"]["results"] == cursor["properties"]["results"]
    # while the other lists keep the page shape alone
    get = operation(schema, "/api/v1/processes/", "get")
    assert "cursor" not in {p["name"] for p in get["parameters"]}
