"""The demo journey in a browser, from publication to award, each role signing in
(buyer, two partners, an evaluator, the Chambre's moderator, a funder), with a refused
form on the way and the documents page following a generation live.

The call is drafted and approved by the Chambre through the services; from publication
on everything is done in the portal. Deadlines do not pass by waiting: the test
travels in time (time-machine) and runs the scheduler's sweep itself. The live server
is a thread of the test's process, so it sees the same clock; the sweep runs while the
server is paused, as the test and the server share the database connection on SQLite.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from procurement import queries
from procurement.models import Challenge, ChallengeResource, ChallengeStatus, ProposalStatus
from procurement.services import opinions
from procurement.services.hosting import resource_host_designate
from tests.e2e.helpers import choose, follow, typed
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion, sweep
from workflows.documents import document_job_run, documents_request

MAIN = "#contenu"  # the signed-in header and footer are checked on the refused form


@pytest.fixture
def clock():
    """Real time, ticking, that the test moves forward past each deadline (the root
    ``clock`` is frozen, which a browser session cannot live with)."""
    traveller = time_machine.travel(timezone.now(), tick=True)
    coordinates = traveller.start()
    yield coordinates
    traveller.stop()


def open_task(page, title: str):
    page.goto("/espace/")
    follow(page.get_by_role("link", name=title).first)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def submit(page, button: str, message: str = "c'est fait"):
    follow(page.get_by_role("button", name=button))
    expect(page.locator(".fr-alert--success").first).to_contain_text(message)


@pytest.mark.django_db(transaction=True)
def test_journey_from_publication_to_award_in_the_browser(
    world, browse, check_page, server_paused, clock, monkeypatch, settings
):
    # given a call approved by the Chambre (through the services); the journey runs its
    # deadlines in days, so the MAPA's floor on the offers' window is set to one day
    settings.MAPA_MIN_OFFER_DAYS = 1
    with server_paused():
        challenge = journey.start(world)
        complete(challenge, "draft", world.buyer_agent, {"note": "Merci."})
        give_opinion(world, challenge)
    start = timezone.now()
    positioning_end = (start + timedelta(days=1)).replace(second=0, microsecond=0)
    proposal_end = positioning_end + timedelta(days=1)

    # the buyer signs in and finds the publication in its inbox
    buyer = browse(world.buyer_agent)
    check_page(buyer, "01-boite-de-reception-acheteur", MAIN)
    open_task(buyer, "Publier l'appel")

    # a refused form: proposals due before positioning ends; the page says why next to
    # the field, keeps both dates, and the keyboard lands on the error summary
    positioning, proposals = typed(positioning_end), typed(positioning_end - timedelta(hours=2))
    buyer.get_by_label("Fin des positionnements").fill(positioning)
    buyer.get_by_label("Date limite de dépôt des propositions").fill(proposals)
    follow(buyer.get_by_role("button", name="Publier l'appel"))
    field = buyer.get_by_label("Date limite de dépôt des propositions")
    # (with the MAPA's floor of 15 days, said next to the same field)
    expect(buyer.locator("#id_proposal_deadline-messages")).to_contain_text(
        "La date limite des propositions doit suivre la fin des positionnements."
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute(
        "aria-describedby", "id_proposal_deadline-hint id_proposal_deadline-messages"
    )
    expect(field).to_have_value(proposals)
    expect(buyer.get_by_label("Fin des positionnements")).to_have_value(positioning)
    expect(buyer).to_have_title(re.compile(r"^Erreur : Publier l'appel"))
    expect(buyer.locator("#erreurs-formulaire")).to_be_focused()
    buyer.keyboard.press("Tab")
    buyer.keyboard.press("Enter")
    expect(buyer).to_have_url(re.compile(r"#id_proposal_deadline$"))
    check_page(buyer, "02-tache-publier-refusee")

    # corrected, the call is published
    field.fill(typed(proposal_end))
    submit(buyer, "Publier l'appel")

    # two partners sign in and position on a resource each
    partners = []
    resources = [r["title"] for r in journey.RESOURCES[:2]]
    for index, resource in enumerate(resources):
        partner = browse(world.partner_users[index])
        if index == 0:  # from the call's public page
            partner.goto(f"/defis/{challenge.pk}/")
            follow(partner.get_by_role("link", name="Se positionner"))
        else:
            partner.goto(f"/espace/defis/{challenge.pk}/positionnement/")
        choose(partner, resource)
        choose(partner, "Produire")
        partner.get_by_label("Type de la contribution 1").select_option(label="Compétences")
        partner.get_by_label("Contribution 1 — compétences : jours-personne").fill("40")
        partner.get_by_label("Contribution 1 — compétences : profil des personnes").fill(
            "Développeuse"
        )
        if index == 0:
            check_page(partner, "03-positionnement", MAIN)
        submit(partner, "Enregistrer mon positionnement", "Votre positionnement est enregistré.")
        partners.append(partner)

    # the positioning deadline passes: working groups form, proposals open
    clock.move_to(positioning_end + timedelta(seconds=1))
    with server_paused():
        sweep()
    for index, partner in enumerate(partners):
        partner.goto(f"/espace/defis/{challenge.pk}/proposition/")
        partner.get_by_label("Titre").fill(f"Proposition — {resources[index]}")
        partner.get_by_label("Résumé").fill("Produire le commun avec sa communauté.")
        partner.get_by_label("Livrables").fill("Code, documentation")
        partner.get_by_label("Licence").fill("EUPL-1.2")
        partner.get_by_label("Ligne 1 : catégorie").select_option(label="Développement")
        partner.get_by_label("Ligne 1 : libellé").fill("Développement de la brique")
        partner.get_by_label("Ligne 1 : quantité (jours ou heures)").fill("50")
        partner.get_by_label("Ligne 1 : tarif HT (€)").fill("500")
        partner.get_by_label("Ligne 2 : catégorie").select_option(label="Coordination et animation")
        partner.get_by_label("Ligne 2 : libellé").fill("Animation de la communauté")
        partner.get_by_label("Ligne 2 : quantité (jours ou heures)").fill("10")
        partner.get_by_label("Ligne 2 : tarif HT (€)").fill("500")
        # the animation lies outside the contract: cofunded, never paid as its price
        partner.get_by_label("Ligne 2 : périmètre").select_option(
            label="Hors marché (cofinançable)"
        )
        partner.get_by_label("Jalon 1 : intitulé").fill("Première version publiée")
        partner.get_by_label("Jalon 1 : échéance").fill("2027-03-31")
        if index == 0:
            check_page(partner, "04-proposition", MAIN)
        submit(partner, "Déposer la proposition", "déposée sous pli scellé")

    # the proposals deadline passes: the sealed proposals are opened
    clock.move_to(proposal_end + timedelta(seconds=1))
    with server_paused():
        sweep()
        assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.ASSIGNMENT

    # the buyer names an evaluator, who scores both proposals
    open_task(buyer, "Désigner les évaluateurs")
    choose(buyer, "evaluateur1", exact=False)
    check_page(buyer, "05-tache-designer-evaluateurs", MAIN)
    submit(buyer, "Désigner les évaluateurs")
    evaluator = browse(world.evaluators[0])
    open_task(evaluator, "Évaluer les propositions")
    for resource in resources:  # declares its interests first, then reads and marks
        declaration = evaluator.locator(".portal-declarations > li").filter(
            has_text=f"Proposition — {resource}"
        )
        choose(declaration, "Je n'ai aucun conflit d'intérêts", exact=False)
        follow(declaration.get_by_role("button", name="Enregistrer ma déclaration"))
        expect(evaluator.locator(".fr-alert--success")).to_contain_text("déclaration d'intérêts")
    marks = evaluator.locator("input[name*='_score_']")
    # six criteria on two proposals: the price is marked by its formula, not here
    expect(marks).to_have_count(12)
    for index in range(12):
        marks.nth(index).fill("7")
    check_page(evaluator, "06-tache-evaluer", MAIN)
    follow(evaluator.get_by_role("button", name="Relire avant de soumettre"))
    submit(evaluator, "Soumettre définitivement")

    # the buyer selects both, each first of its lot, and opens cofunding for a day
    open_task(buyer, "Sélectionner les propositions")
    # one ranking per lot: the two proposals in lots 1 and 2, none in lot 3
    rankings = buyer.locator("table[id^='classement-lot-']")
    expect(rankings).to_have_count(3)
    expect(rankings.locator("tbody tr").filter(has_text="Proposition —")).to_have_count(2)
    expect(buyer.locator("#classement-lot-3")).to_contain_text("Aucune proposition déposée")
    for resource in resources:
        choose(buyer, f"Proposition — {resource}", exact=False)
    cofunding_end = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    buyer.get_by_label("Clôture du cofinancement").fill(typed(cofunding_end))
    check_page(buyer, "07-tache-selectionner", MAIN)
    submit(buyer, "Valider la sélection")

    # the Chambre's rapporteur drafts a favorable opinion on the selection, the
    # modérateur reads it on its task and publishes it
    with server_paused():
        referral = queries.open_referral(challenge, "selection")
        opinions.referral_name_rapporteur(
            actor=world.moderator, referral=referral, rapporteur=world.rapporteur
        )
        opinions.referral_draft(
            actor=world.rapporteur,
            referral=referral,
            verdict="favorable",
            reasons="La sélection renforce deux communs.",
            submit=True,
        )
    moderator = browse(world.moderator)
    open_task(moderator, "Avis de la Chambre sur la sélection")
    expect(moderator.locator("#projet-avis")).to_contain_text("La sélection renforce deux communs.")
    check_page(moderator, "08-tache-avis-selection", MAIN)
    submit(moderator, "Publier l'avis")

    # a funder declares its envelope and funds in full what lies outside the first
    # commons' contract (its 5 000 € of animation; the 25 000 € price is the buyer's)
    funder = browse(world.funder_users[0])
    follow(funder.get_by_role("link", name="Cofinancer les communs").first)
    funder.get_by_label("Enveloppe (€)").fill("40 000")
    submit(funder, "Enregistrer l'enveloppe", "C'est enregistré.")
    funder.get_by_label("Commun à cofinancer").select_option(label=f"Proposition — {resources[0]}")
    funder.get_by_label("Montant engagé (€)").fill("5000")
    submit(funder, "Engager", "C'est enregistré.")
    bucket = funder.locator("section[id^='commun-']").filter(
        has_text=f"Proposition — {resources[0]}"
    )
    expect(bucket).to_contain_text("5 000,00 € (Engagé)")
    check_page(funder, "09-cofinancement", MAIN)

    # the buyer designates the funded commons' host, who signs its convention; the round
    # closes at its deadline; the documents are generated in the background
    with server_paused():
        resource_host_designate(
            actor=world.buyer_agent,
            resource=ChallengeResource.objects.get(challenge=challenge, title=resources[0]),
            host=world.host,
        )
    clock.move_to(cofunding_end + timedelta(seconds=1))
    with server_paused():
        sweep()
        assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.AWARD

    # the documents page follows a new generation without being reloaded
    buyer.goto(f"/espace/defis/{challenge.pk}/documents/")
    status = buyer.locator("#etat-generation [data-job-status]")
    expect(status).to_have_text("Terminé")
    with server_paused():
        monkeypatch.setattr("workflows.tasks.generate_documents.delay", lambda pk: None)
        challenge.refresh_from_db()
        job = documents_request(challenge=challenge, actor=world.buyer_agent)
    expect(status).to_have_text("En cours", timeout=6000)
    expect(buyer.locator("#etat-generation")).to_contain_text(f"Génération n° {job.pk}")
    with server_paused():
        document_job_run(job_pk=job.pk)
    expect(status).to_have_text("Terminé", timeout=6000)
    expect(buyer.locator("#liste-pieces li").first).to_contain_text("v")
    check_page(buyer, "10-documents", MAIN)

    # the process view shows the award as the current step, and who did what
    buyer.goto(f"/espace/defis/{challenge.pk}/processus/")
    expect(buyer.locator('[data-step="award"]')).to_have_attribute("data-state", "current")
    expect(buyer.locator('[data-step="publish"]')).to_have_attribute("data-state", "done")
    expect(buyer.locator("#historique + .fr-table")).to_contain_text("evaluateur1")
    check_page(buyer, "11-processus", MAIN)

    # the buyer decides the award to the funded proposal, then signs (a MAPA: at once)
    open_task(buyer, "Décider l'attribution")
    choose(buyer, f"Proposition — {resources[0]}", exact=False)
    # lot 2's proposal was selected too: leaving it unawarded needs a reason (R2185-1)
    buyer.get_by_role("button", name="Décider l'attribution").click()
    expect(buyer.locator(".fr-alert--error")).to_contain_text("R2185-1")
    reason = buyer.locator("textarea[name='lot_reason_2']")
    expect(reason).to_have_accessible_name(re.compile(r"Lot n° 2 .*motif s.il n.est pas attribué"))
    reason.fill("Le cofinancement du lot 2 n'a pas été réuni.")
    check_page(buyer, "12-tache-attribuer", MAIN)
    submit(buyer, "Décider l'attribution")
    open_task(buyer, "Signer le marché")
    submit(buyer, "Signer le marché")

    # then the public page shows the results, and how many positioned on each resource
    public = browse()
    public.goto(f"/defis/{challenge.pk}/")
    positioned = public.locator("#ressources + .fr-table tbody tr td:nth-of-type(2)")
    expect(positioned).to_have_text(["1", "1", "0"])
    results = public.locator("#resultats ~ ul").first
    expect(results).to_contain_text(f"Proposition — {resources[0]}")
    expect(results).to_contain_text("Attributaire")
    check_page(public, "13-appel-attribue")
    with server_paused():
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.AWARDED
        assert challenge.proposals.filter(status=ProposalStatus.AWARDED).count() == 1
