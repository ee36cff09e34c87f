"""The Content-Security-Policy: every page carries it, it lets no inline script or
style run unless the page gave it the request's nonce, and the pages it covers need
nothing it forbids — the portal (DSFR) and the API's Swagger UI, both served from our
own static files."""

import re

import pytest

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


def directives(response) -> dict[str, list[str]]:
    policy = response.headers[CSP]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def inline_blocks(html: str, tag: str) -> list[str]:
    """The opening tags of the ``<script>``/``<style>`` blocks written in the page."""
    return [
        opening
        for opening in re.findall(rf"<{tag}\b[^>]*>", html)
        if tag == "style" or " src=" not in opening
    ]


@pytest.mark.parametrize("path", ["/", "/communs/", "/connexion/", "/nulle-part/"])
def test_portal_pages_carry_a_policy_without_unsafe_inline(client, path):
    # when a visitor opens a portal page
    response = client.get(path)

    # then the policy allows only this site's scripts and styles
    policy = directives(response)
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"][0] == "'self'"
    assert "'unsafe-inline'" not in response.headers[CSP]
    assert "'unsafe-eval'" not in response.headers[CSP]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # and the page has nothing the policy would block: no inline script, style or handler
    html = response.content.decode()
    assert inline_blocks(html, "script") == []
    assert inline_blocks(html, "style") == []
    assert not re.search(r"\sstyle=\"", html)
    assert not re.search(r"\son[a-z]+=\"", html)


def test_api_docs_load_swagger_ui_from_our_static_files_under_the_policy(client):
    # when a developer opens the API's documentation
    response = client.get("/api/docs/")

    # then it answers under the policy, its one inline style carrying the request's nonce
    assert response.status_code == 200
    policy = directives(response)
    html = response.content.decode()
    nonces = re.findall(r"<style nonce=\"([^\"]+)\">", html)
    assert len(nonces) == 1
    assert f"'nonce-{nonces[0]}'" in policy["style-src"]
    assert "'unsafe-inline'" not in response.headers[CSP]
    # no inline script: Swagger UI's start-up script comes from a second request
    assert inline_blocks(html, "script") == []
    sources = re.findall(r"<script src=\"([^\"]+)\"", html)
    assert all(source.startswith("/") for source in sources), sources
    assert any("swagger-ui-bundle" in source for source in sources)
    start_up = client.get(next(s for s in sources if s.startswith("/api/docs/")))
    assert start_up.status_code == 200
    assert "SwaggerUIBundle" in start_up.content.decode()
    # and every asset is ours, none from a CDN
    assert not re.search(r"(src|href)=\"https?://", html)
    bundle = next(s for s in sources if "swagger-ui-bundle" in s)
    assert b"".join(client.get(bundle).streaming_content)


def test_the_schema_the_docs_read_is_allowed_by_connect_src(client):
    # given the docs page's policy
    policy = directives(client.get("/api/docs/"))

    # then Swagger UI may fetch the schema and call the API on this site
    assert policy["connect-src"] == ["'self'"]
    assert client.get("/api/schema/").status_code == 200
