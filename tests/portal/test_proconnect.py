"""ProConnect end to end against a real OpenID Connect provider started here
(tests/oidc.py): Django's test client on our side, HTTP to the provider on the other,
every redirect followed by hand — the authorization request (state, nonce, PKCE S256),
the agent's consent, the code exchanged with its verifier, the ID token's signature
checked against the provider's keys, the agent matched to a buyer by SIRET; the
logout at the provider's end_session endpoint with the ID token as hint."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from procurement.models import AuditEvent, Membership, Role
from tests.conftest import member
from tests.oidc import AGENT, OUTSIDER

pytestmark = pytest.mark.django_db


def sign_in_at_provider(client, sub: str, start="/proconnect/connexion/"):
    """Click « Se connecter avec ProConnect », consent at the provider as ``sub``,
    come back: returns our answer to the callback."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    authorize = to_provider["Location"]
    consent = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    back = urlparse(consent.headers["Location"])
    assert back.path == "/proconnect/retour/"
    return client.get(f"{back.path}?{back.query}")


def test_login_page_offers_proconnect_only_when_configured(client, settings):
    settings.PROCONNECT_ENABLED = False
    page = client.get("/connexion/").content.decode()
    assert "Se connecter avec ProConnect" not in page
    assert "Mot de passe oublié ?" in page
    assert "Créer un compte" in page
    assert client.get("/proconnect/connexion/").status_code == 404


def test_agent_signs_in_and_becomes_a_plain_member_of_the_buyer(world, client, proconnect):
    # given ProConnect on and the login page
    assert "Se connecter avec ProConnect" in client.get("/connexion/").content.decode()
    # when the agent of the MEL (its SIRET) signs in at the provider
    answer = sign_in_at_provider(client, AGENT.sub)
    # then they are signed in, in their space, a plain member of the MEL
    assert answer.status_code == 302
    assert answer["Location"] == "/espace/"
    assert client.get("/espace/").status_code == 200
    membership = Membership.objects.get(user__email="claire.dubois@lille.fr")
    assert membership.organisation == world.buyer
    assert membership.role == Role.MEMBER
    assert membership.user.get_full_name() == "Claire Dubois"
    assert not membership.user.has_usable_password()
    assert AuditEvent.objects.filter(verb="organisation.agent_joined").exists()
    # and the flow carried state, nonce and a PKCE S256 challenge the token request met
    authorization = proconnect.authorizations[-1]
    assert authorization["code_challenge_method"] == "S256"
    assert authorization["state"]
    assert authorization["nonce"]
    assert proconnect.tokens[0]["code_verifier"]


def test_known_agent_keeps_their_account_and_role(world, client, proconnect):
    # given an admin of the MEL whose address is the agent's
    agent = member(world.buyer, "claire", Role.ADMIN)
    agent.email = "Claire.Dubois@lille.fr"
    agent.save()
    # when she signs in with ProConnect
    sign_in_at_provider(client, AGENT.sub)
    # then it is her account, still admin only
    assert client.get("/espace/").context["user"] == agent
    assert list(Membership.objects.filter(user=agent).values_list("role", flat=True)) == ["admin"]


def test_agent_of_an_unknown_organisation_is_refused_in_french(world, client, proconnect):
    answer = sign_in_at_provider(client, OUTSIDER.sub)
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "Connexion avec ProConnect refusée" in page
    assert "11000001900017" in page
    assert "n&#x27;est pas un acheteur inscrit" in page
    assert not client.get("/espace/").wsgi_request.user.is_authenticated


def test_a_forged_state_or_a_replayed_code_signs_nobody_in(world, client, proconnect):
    # given an authorization obtained for this browser
    authorize = client.get("/proconnect/connexion/")["Location"]
    consent = requests.post(authorize, data={"sub": AGENT.sub}, allow_redirects=False, timeout=10)
    query = parse_qs(urlparse(consent.headers["Location"]).query)
    code = query["code"][0]
    # when the callback comes with another state, it is refused
    forged = client.get("/proconnect/retour/", {"code": code, "state": "forged"})
    assert forged.status_code in (400, 302)
    assert not client.get("/espace/").wsgi_request.user.is_authenticated
    # and a denied consent ends on the failure page
    authorize = client.get("/proconnect/connexion/")["Location"]
    denied = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=10)
    back = urlparse(denied.headers["Location"])
    answer = client.get(f"{back.path}?{back.query}", follow=True)
    assert answer.status_code == 400
    assert "n'a pas abouti" in answer.content.decode().replace("&#x27;", "'")


def test_logout_ends_the_session_at_the_provider(world, client, proconnect):
    sign_in_at_provider(client, AGENT.sub)
    id_token = client.session["oidc_id_token"]
    # when the agent signs out
    answer = client.post("/deconnexion/")
    # then our session is over and the browser goes to the provider's end_session
    assert answer.status_code == 302
    target = urlparse(answer["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == proconnect.endpoint(
        "/oauth2/end_session"
    )
    params = parse_qs(target.query)
    assert params["id_token_hint"] == [id_token]
    assert params["post_logout_redirect_uri"] == ["http://testserver/"]
    assert not client.get("/espace/").wsgi_request.user.is_authenticated
    # the provider asks to confirm, then sends the agent back home
    assert requests.get(answer["Location"], timeout=10).status_code == 200
    assert proconnect.end_sessions[0]["id_token_hint"] == id_token


def test_the_provider_refuses_a_sign_in_without_pkce(world, client, proconnect, settings):
    # given a client that would leave PKCE out
    settings.OIDC_USE_PKCE = False
    authorize = client.get("/proconnect/connexion/")["Location"]
    # then the provider (as ProConnect) refuses the authorization request
    assert "code_challenge" not in authorize
    consent = requests.post(authorize, data={"sub": AGENT.sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 400
