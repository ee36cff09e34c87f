"""The portal for each role, in a browser: a buyer writes a call from nothing in the
editor (live weight totals, autosave, procedure previewed) and refers it; the modérateur
publishes the Chambre's opinion from the referral page in two clicks; an evaluator saves
a draft of its marks, reads them back and submits. Every new page is screenshot and
checked with axe-core."""

import pytest
from playwright.sync_api import expect

from procurement.models import Challenge, ChallengeStatus
from procurement.queries import open_referral
from procurement.services import opinions
from scoring.models import Evaluation
from tests.e2e.helpers import follow
from tests.portal.steps import advance
from tests.portal.test_tasks import declare_none

MAIN = "#contenu"


@pytest.mark.django_db(transaction=True)
def test_buyer_creates_edits_and_refers_a_call(world, browse, check_page, server_paused):
    buyer = browse(world.buyer_agent)
    # « Nouvel appel » from the inbox
    follow(buyer.get_by_role("link", name="Nouvel appel"))
    check_page(buyer, "appel-01-nouvel-appel", MAIN)
    buyer.get_by_label("Titre de l'appel").fill("Données ouvertes de la qualité de l'air")
    buyer.get_by_label("Contexte et objet").fill("Des capteurs citoyens, des données ouvertes.")
    buyer.get_by_label("Première ressource attendue").fill("Jeu de données des capteurs")
    follow(buyer.get_by_role("button", name="Créer le brouillon"))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Rédiger l'appel")
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("brouillon")

    # the grid's total follows the weights as they are typed
    total = buyer.locator("#total-poids")
    expect(total).to_have_text("100")
    weights = buyer.get_by_label("Poids (%)")
    weights.first.fill("25")
    expect(total).to_have_text("90")
    weights.first.fill("35")
    expect(total).to_have_text("100")

    # a second lot added by the page's button, with a resource of its own
    buyer.get_by_role("button", name="Ajouter un lot").click()
    buyer.get_by_label("Intitulé du lot").last.fill("Tableau de bord")
    buyer.get_by_label("Intitulé du lot").first.fill("Données des capteurs")
    buyer.get_by_label("Ressource attendue").nth(1).fill("Tableau de bord de l'air")
    buyer.get_by_label("N° du lot").nth(1).fill("2")
    buyer.get_by_label("Licence attendue").nth(1).fill("EUPL-1.2")

    # the draft is written: a licence, the estimate, planned dates; autosaved meanwhile
    buyer.get_by_label("Licence attendue").first.fill("ODbL-1.0")
    buyer.get_by_label("Montant estimé HT (€)").fill("120 000")
    status = buyer.locator("#etat-sauvegarde")
    expect(status).to_contain_text("Brouillon enregistré", timeout=15_000)
    expect(buyer.locator("#apercu-procedure")).to_contain_text("procédure adaptée (MAPA)")
    with server_paused():
        with_total = Challenge.objects.get(title="Données ouvertes de la qualité de l'air")
        assert with_total.estimated_amount == 120000
    buyer.get_by_label("Fin des positionnements prévue").fill("2030-03-01T12:00")
    buyer.get_by_label("Date limite des propositions prévue").fill("2030-04-15T12:00")
    follow(buyer.get_by_role("button", name="Enregistrer l'appel"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("enregistré")
    expect(buyer.locator("#apercu-dates")).to_contain_text("respecte ce délai")
    check_page(buyer, "appel-02-editeur", MAIN)

    # and referred to the Chambre from its drafting step
    follow(buyer.get_by_role("link", name="Saisir la Chambre", exact=True))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Rédiger l'appel")
    follow(buyer.get_by_role("button", name="Saisir la Chambre des communs"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("c'est fait")
    with server_paused():
        challenge = Challenge.objects.get(pk=with_total.pk)
        assert challenge.status == ChallengeStatus.IN_REVIEW
        snapshot = open_referral(challenge, "call").call_snapshot
        assert snapshot["context"].startswith("Des capteurs")
        assert [lot["title"] for lot in snapshot["lots"]] == [
            "Données des capteurs",
            "Tableau de bord",
        ]


@pytest.mark.django_db(transaction=True)
def test_moderator_publishes_from_the_referral_page_in_two_clicks(
    world, browse, check_page, server_paused, clock
):
    with server_paused():
        challenge = advance(world, clock, "call_opinion")
        referral = open_referral(challenge, "call")
        opinions.referral_name_rapporteur(
            actor=world.moderator, referral=referral, rapporteur=world.rapporteur
        )
        opinions.referral_draft(
            actor=world.rapporteur, referral=referral, verdict="favorable", submit=True
        )
    moderator = browse(world.moderator)
    follow(moderator.get_by_role("link", name="Valider et publier l'avis"))  # 1
    check_page(moderator, "saisine-01-a-publier", MAIN)
    follow(moderator.get_by_role("button", name="Publier l'avis"))  # 2
    expect(moderator.locator(".fr-alert--success").first).to_contain_text("publié")
    with server_paused():
        referral.refresh_from_db()
        assert referral.status == "published"
        assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.READY


@pytest.mark.django_db(transaction=True)
def test_evaluator_saves_a_draft_then_submits_after_review(
    world, browse, check_page, server_paused, clock
):
    evaluator = world.evaluators[0]
    with server_paused():
        challenge = advance(world, clock, "score")
        declare_none(evaluator, challenge)
    page = browse(evaluator)
    follow(page.get_by_role("link", name="Évaluer les propositions").first)
    expect(page.locator(".portal-proposal-full").first).to_contain_text("Budget")
    marks = page.locator("input[name*='_score_']")
    count = marks.count()
    marks.first.fill("6")
    check_page(page, "evaluation-01-notation", MAIN)
    follow(page.get_by_role("button", name="Enregistrer le brouillon"))
    expect(page.locator(".fr-alert--success").first).to_contain_text("Brouillon enregistré")
    expect(page.locator("input[name*='_score_']").first).to_have_value("6")
    for index in range(count):
        page.locator("input[name*='_score_']").nth(index).fill("7")
    follow(page.get_by_role("button", name="Relire avant de soumettre"))
    expect(page.get_by_role("heading", name="Relisez vos évaluations")).to_be_visible()
    check_page(page, "evaluation-02-relecture", MAIN)
    with server_paused():
        assert not Evaluation.objects.filter(
            assignment__evaluator=evaluator, submitted_at__isnull=False
        ).exists()
    follow(page.get_by_role("button", name="Soumettre définitivement"))
    expect(page.locator(".fr-alert--success").first).to_contain_text("c'est fait")
    with server_paused():
        assert (
            Evaluation.objects.filter(
                assignment__evaluator=evaluator, submitted_at__isnull=False
            ).count()
            == challenge.proposals.count()
        )
