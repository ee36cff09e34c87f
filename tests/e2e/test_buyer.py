"""The buyer's publication and change of a call in a browser: the procedure and its
window shown before publishing, the MAPA short-window warning after it (in the message
and on the call's page), then a change of the published call, refused once and made.
Each page is screenshot and checked with axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import follow, typed
from tests.workflows import journey
from tests.workflows.journey import complete, give_opinion

MAIN = "#contenu"


@pytest.mark.django_db(transaction=True)
def test_buyer_publishes_with_a_short_window_is_warned_then_changes_the_call(
    world, browse, check_page, server_paused, settings
):
    # given a MAPA approved by the Chambre, floor 15 days, warned under 21
    settings.MAPA_MIN_OFFER_DAYS, settings.MAPA_WARN_OFFER_DAYS = 15, 21
    with server_paused():
        challenge = journey.start(world)
        complete(challenge, "draft", world.buyer_agent, {"note": "Merci."})
        give_opinion(world, challenge)
    now = timezone.now().replace(second=0, microsecond=0)

    # the buyer reads the procedure and its window before publishing
    buyer = browse(world.buyer_agent)
    buyer.goto("/espace/")
    follow(buyer.get_by_role("link", name="Publier l'appel").first)
    procedure = buyer.locator("#procedure")
    expect(procedure).to_contain_text("procédure adaptée (MAPA)")
    expect(procedure).to_contain_text("15 jours")
    expect(procedure).to_contain_text("En dessous de 21 jours")
    check_page(buyer, "acheteur-01-publier", MAIN)

    # publishes with 19 days for the offers: done, and warned
    buyer.get_by_label("Fin des positionnements").fill(typed(now + timedelta(days=5)))
    buyer.get_by_label("Date limite de dépôt des propositions").fill(
        typed(now + timedelta(days=19))
    )
    follow(buyer.get_by_role("button", name="Publier l'appel"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("c'est fait")
    expect(buyer.locator(".fr-alert--warning").first).to_contain_text("moins de 21 jours")
    check_page(buyer, "acheteur-02-publie-avec-avertissement", MAIN)

    # the call's page warns its buyer, and offers the change
    buyer.goto(f"/defis/{challenge.pk}/")
    expect(buyer.locator("#avertissements-publication")).to_contain_text("moins de 21 jours")
    check_page(buyer, "acheteur-03-appel-avertissement", MAIN)
    follow(buyer.get_by_role("link", name="Modifier l'appel"))
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Modifier l'appel publié")

    # a substantial change without its new deadline is refused next to the field
    buyer.get_by_label("Objet de la modification").fill("Le lot 1 est réévalué.")
    buyer.get_by_label("Lot 1", exact=False).first.fill("75 000")
    # (its label holds the hint the deadline's label echoes: ticked by its role)
    buyer.locator("label[for='id_substantial']").click()
    expect(buyer.get_by_role("checkbox", name="Modification substantielle")).to_be_checked()
    follow(buyer.get_by_role("button", name="Publier la modification"))
    expect(buyer.locator("#id_new_proposal_deadline-messages")).to_contain_text(
        "Fixez une nouvelle date limite des propositions"
    )
    expect(buyer.get_by_label("Objet de la modification")).to_have_value("Le lot 1 est réévalué.")
    expect(buyer.locator("#erreurs-formulaire")).to_be_focused()
    check_page(buyer, "acheteur-04-modification-refusee")

    # with a later deadline, the change is published and listed on the call's page
    buyer.get_by_label("Nouvelle date limite des propositions").fill(
        typed(now + timedelta(days=30))
    )
    follow(buyer.get_by_role("button", name="Publier la modification"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text(
        "La date limite des propositions est reportée"
    )
    expect(buyer.locator("#modifications + ul")).to_contain_text("Le lot 1 est réévalué.")
    # thirty days now: the window no longer warns
    expect(buyer.locator("#avertissements-publication")).to_have_count(0)
    check_page(buyer, "acheteur-05-appel-modifie", MAIN)
