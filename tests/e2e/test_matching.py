"""Matching funds in a browser (issue 21): a funder offers to match the others' pledges
on one commons from the round's page, then the funder who pledged sees, on that commons,
what the match adds and what is still missing; a wrong ratio is refused next to its
field first. Each page is screenshot and checked with axe-core."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from procurement.services.cofunding import bucket_update, pledge_create
from tests.e2e.helpers import choose, follow
from tests.procurement.test_cofunding_rules import open_round

MAIN = "#contenu"


@pytest.mark.django_db(transaction=True)
def test_a_funder_offers_a_match_and_the_round_shows_it(
    world, browse, check_page, server_paused, clock
):
    # given three commons to cofund; the first at 20 000 € minimum with 12 000 € pledged
    # by the ADEME
    with server_paused():
        round_ = open_round(world, clock)
        first = round_.buckets.order_by("pk").first()
        bucket_update(
            actor=world.buyer_agent,
            bucket=first,
            min_amount=Decimal("20000"),
            max_amount=Decimal("30000"),
        )
        pledge_create(
            actor=world.funder_users[0],
            bucket=first,
            funder=world.funders[0],
            amount=Decimal("12000"),
        )
    page_url = f"/espace/defis/{round_.challenge_id}/cofinancement/"

    # the Banque des Territoires offers 1 € per euro, first with a ratio too high
    banque = browse(world.funder_users[1])
    banque.goto(page_url)
    expect(banque.locator("#liste-abondements")).to_contain_text("Aucun abondement")
    form = banque.locator("#form-abondement")
    form.get_by_label("Euros ajoutés par euro engagé par les autres").fill("8")
    form.get_by_label("Plafond de l'abondement (€)").fill("5 000")
    choose(form, first.proposal.title)
    follow(form.get_by_role("button", name="Proposer l'abondement"))
    expect(banque.locator("#id_matching-ratio-messages")).to_contain_text(
        "Indiquez un ratio supérieur à 0 et d'au plus 5."
    )
    expect(banque.get_by_label("Plafond de l'abondement (€)")).to_have_value("5 000")
    check_page(banque, "abondement-01-refuse", MAIN)
    banque.get_by_label("Euros ajoutés par euro engagé par les autres").fill("1")
    follow(banque.get_by_role("button", name="Proposer l'abondement"))
    expect(banque.locator(".fr-alert--success").first).to_contain_text("C'est enregistré.")
    offers = banque.locator("#liste-abondements")
    expect(offers).to_contain_text("Banque des Territoires : 1 € par euro engagé")
    expect(offers).to_contain_text("reste 0,00 € du plafond")
    expect(offers.get_by_role("button", name="Retirer l'abondement")).to_be_visible()
    check_page(banque, "abondement-02-propose", MAIN)

    # the ADEME sees on the commons what the match adds and what is still missing
    ademe = browse(world.funder_users[0])
    ademe.goto(page_url)
    commons = ademe.locator(f"#commun-{first.pk}")
    expect(commons.locator(".abondement-commun")).to_contain_text(
        "+ 5 000,00 € d'abondement, versé à la clôture si le commun est financé"
    )
    expect(commons.locator(".reste-commun")).to_contain_text(
        "il manque 3 000,00 € pour atteindre le minimum"
    )
    expect(commons).to_contain_text("abondé de 5 000,00 €")
    expect(ademe.locator("#liste-abondements")).not_to_contain_text("Retirer l'abondement")
    check_page(ademe, "abondement-03-vu-par-un-financeur", MAIN)
