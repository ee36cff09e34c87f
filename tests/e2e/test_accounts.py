"""The ways in, in a browser: a public agent signs in with ProConnect (a real OpenID
Connect provider started by the test, tests/oidc.py) and out at the provider; a startup
creates its account and activates it from the e-mailed link; a forgotten password is
reset; the buyer's administrator invites a colleague who joins from the link. The
e-mails are read from Django's locmem outbox; each page is checked by axe-core."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from procurement.models import Membership, Role
from tests.e2e.helpers import choose, follow
from tests.oidc import AGENT

NEW_PASSWORD = "un-nouveau-mot-de-passe"


def link_path(body: str, pattern: str) -> str:
    """The path of the link an e-mail carries (its host is SITE_URL's)."""
    return urlparse(re.search(rf"https?://\S*{pattern}\S*", body).group(0)).path


@pytest.mark.django_db(transaction=True)
def test_agent_signs_in_with_proconnect_and_out_at_the_provider(
    world, browse, check_page, server_paused, proconnect
):
    page = browse()
    page.goto("/connexion/")
    check_page(page, "comptes-01-connexion-proconnect", "main")
    # to the provider, and back signed in as the MEL's agent
    follow(page.get_by_role("link", name="Se connecter avec ProConnect"))
    assert page.url.startswith(proconnect.base + "/oauth2/authorize")
    with page.expect_navigation(url="**/espace/"):
        page.get_by_role("button", name=AGENT.sub).click()
    expect(page.locator("main")).to_contain_text(world.buyer.name)
    with server_paused():
        membership = Membership.objects.get(user__email=AGENT.sub)
        assert (membership.organisation, membership.role) == (world.buyer, Role.MEMBER)
    # signing out ends the session at the provider, which sends the agent home
    follow(page.get_by_role("button", name="Se déconnecter"))
    assert page.url.startswith(proconnect.base + "/oauth2/end_session")
    with page.expect_navigation(url=re.compile(r"/(\?state=.*)?$")):
        page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    assert proconnect.end_sessions[-1]["id_token_hint"]


@pytest.mark.django_db(transaction=True)
def test_a_startup_signs_up_and_activates_its_account(world, browse, check_page, server_paused):
    page = browse()
    page.goto("/connexion/")
    follow(page.locator("main").get_by_role("link", name="Créer un compte"))
    page.get_by_label("Nom de l'organisation").fill("Open Mobility SAS")
    choose(page, "Partenaire")
    page.get_by_label("SIRET, SIREN ou numéro RNA").fill("73282932000075")  # a wrong key
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label("Nom", exact=True).fill("Roux")
    page.get_by_label("Identifiant de connexion").fill("ines")
    page.get_by_label("Adresse électronique").fill("ines@openmobility.fr")
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(NEW_PASSWORD)
    follow(page.get_by_role("button", name="Créer le compte"))
    # the wrong SIRET is refused on its field, the rest kept
    expect(page.locator("#erreurs-formulaire")).to_contain_text("clé de contrôle")
    check_page(page, "comptes-02-inscription-refusee", "main")
    page.get_by_label("SIRET, SIREN ou numéro RNA").fill("732 829 320 00074")
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(NEW_PASSWORD)
    follow(page.get_by_role("button", name="Créer le compte"))
    expect(page.locator("#inscription-envoyee")).to_contain_text("ines@openmobility.fr")
    # not yet verified: no sign-in
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("ines")
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    follow(page.get_by_role("button", name="Se connecter").last)
    expect(page.locator("#erreurs-formulaire")).to_be_visible()
    # the e-mailed link activates the account and signs her in, as its administrator
    with server_paused():
        (message,) = [m for m in mail.outbox if m.to == ["ines@openmobility.fr"]]
    follow_link = link_path(message.body, "/inscription/verifier/")
    page.goto(follow_link)
    expect(page.locator(".fr-alert--success").first).to_contain_text("vérifiée")
    assert urlparse(page.url).path == "/espace/"
    follow(page.get_by_role("link", name="membres"))
    expect(page.locator("#membres")).to_contain_text("Administrateur")
    check_page(page, "comptes-03-membres-administrateur", "main")
    # the link does not serve twice
    page.goto(follow_link)
    expect(page.locator("#lien-refuse")).to_contain_text("déjà vérifiée")


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_password_is_reset_from_the_emailed_link(
    world, browse, check_page, server_paused
):
    partner = world.partner_users[0]
    page = browse()
    page.goto("/connexion/")
    follow(page.get_by_role("link", name="Mot de passe oublié ?"))
    page.get_by_label("Adresse électronique").fill(partner.email)
    follow(page.get_by_role("button", name="Recevoir le lien"))
    expect(page.locator("#lien-envoye")).to_be_visible()
    with server_paused():
        (message,) = [m for m in mail.outbox if m.to == [partner.email]]
    assert message.subject == "Nouveau mot de passe — Appels à communs"
    page.goto(link_path(message.body, "/mot-de-passe/"))
    check_page(page, "comptes-04-nouveau-mot-de-passe", "main")
    page.get_by_label(re.compile(r"^\s*Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    follow(page.get_by_role("button", name="Enregistrer le mot de passe"))
    expect(page.locator("#mot-de-passe-change")).to_be_visible()
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill(partner.username)
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    with page.expect_navigation(url="**/espace/"):
        page.get_by_role("button", name="Se connecter").last.click()


@pytest.mark.django_db(transaction=True)
def test_the_admin_invites_a_colleague_who_joins_as_evaluator(
    world, browse, check_page, server_paused
):
    admin = browse(world.buyer_agent)
    admin.goto(f"/espace/organisations/{world.buyer.pk}/membres/")
    admin.get_by_label("Adresse électronique du collègue").fill("nadia.benali@lille.fr")
    admin.get_by_label("Rôle", exact=True).select_option(label="Évaluateur")
    follow(admin.get_by_role("button", name="Envoyer l'invitation"))
    expect(admin.locator(".fr-alert--success").first).to_contain_text("nadia.benali@lille.fr")
    expect(admin.locator("#invitations")).to_contain_text("nadia.benali@lille.fr")
    check_page(admin, "comptes-05-membres-invitation", "main")
    with server_paused():
        (message,) = [m for m in mail.outbox if m.to == ["nadia.benali@lille.fr"]]
    invited = browse()
    invited.goto(link_path(message.body, "/invitation/"))
    expect(invited.locator("h1")).to_contain_text(world.buyer.name)
    invited.get_by_label("Prénom").fill("Nadia")
    invited.get_by_label("Nom", exact=True).fill("Benali")
    invited.get_by_label("Identifiant de connexion").fill("nadia")
    invited.get_by_label(re.compile(r"^\s*Mot de passe")).fill(NEW_PASSWORD)
    invited.get_by_label("Confirmation du mot de passe").fill(NEW_PASSWORD)
    check_page(invited, "comptes-06-invitation", "main")
    with invited.expect_navigation(url="**/espace/"):
        invited.get_by_role("button", name="Créer mon compte et rejoindre").click()
    expect(invited.locator(".fr-alert--success").first).to_contain_text(world.buyer.name)
    # the administrator sees her among the evaluators
    admin.reload()
    expect(admin.locator("#membres")).to_contain_text("Nadia Benali")
    with server_paused():
        assert Membership.objects.get(user__username="nadia").role == Role.EVALUATOR
