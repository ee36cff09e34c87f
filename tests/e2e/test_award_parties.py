"""The award's parties in a browser (issue 15): the buyer reads what keeps the award
pieces back, follows the link to designate the host; the titulaire's member, asked in
its space, states the identity (a wrong SIRET refused next to its field first); a
groupement's coordinator declares its form and split with the proposal. Each page is
screenshot and checked with axe-core."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kernel.errors import WrongState
from procurement.models import ChallengeResource, Organisation
from procurement.services.positions import position_create, working_group_designate_coordinator
from tests.conftest import later, paris
from tests.e2e.helpers import choose, follow
from tests.workflows import journey
from tests.workflows.journey import sweep
from workflows.documents import documents_generate

MAIN = "#contenu"


@pytest.mark.django_db(transaction=True)
def test_buyer_and_titulaire_complete_what_the_pack_waits_for(
    world, browse, check_page, server_paused, clock
):
    # given the award pieces refused: no host, the titulaire's representative unknown
    with server_paused():
        challenge = journey.in_cofunding(world, clock)
        proposal = challenge.proposals.get(status="selected")
        awardee = proposal.group.coordinator
        Organisation.objects.filter(pk=awardee.pk).update(representative_name="")
        journey.close_cofunding(clock)
        journey.withdraw_hosts(challenge)
        challenge.refresh_from_db()
        with pytest.raises(WrongState):
            documents_generate(challenge=challenge, actor=world.buyer_agent)

    # the buyer reads what is missing on the pack's page
    buyer = browse(world.buyer_agent)
    buyer.goto(f"/espace/defis/{challenge.pk}/documents/")
    gaps = buyer.locator("#pieces-en-attente")
    expect(gaps).to_contain_text("manque : représentant légal")
    expect(gaps).to_contain_text("page « Mon organisation »")
    check_page(buyer, "attribution-01-pieces-en-attente", MAIN)

    # follows the link and designates the structure hébergeuse
    follow(gaps.get_by_role("link", name="Désigner la structure hébergeuse").first)
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Structures hébergeuses des communs")
    check_page(buyer, "attribution-02-hebergement", MAIN)
    buyer.get_by_label("Structure hébergeuse").first.select_option(label=world.host.name)
    follow(buyer.get_by_role("button", name="Désigner").first)
    expect(buyer.locator(".fr-alert--success").first).to_contain_text(world.host.name)

    # the titulaire's member is asked in its space, and states the identity
    partner = browse(world.partner_users[world.partners.index(awardee)])
    follow(partner.get_by_role("link", name=f"Compléter l'identité de « {awardee.name} »"))
    expect(partner.locator("#identite-incomplete")).to_contain_text("représentant légal")
    partner.locator("#id_siret").fill("900 000 001 00018")
    partner.get_by_label("Représentant légal").fill("Mme Inès Petit")
    follow(partner.get_by_role("button", name="Enregistrer l'identité"))
    expect(partner.locator("#id_siret-messages")).to_contain_text("clé de contrôle incorrecte")
    expect(partner.get_by_label("Représentant légal")).to_have_value("Mme Inès Petit")
    expect(partner.locator("#erreurs-formulaire")).to_be_focused()
    check_page(partner, "attribution-03-identite-refusee", MAIN)
    partner.locator("#id_siret").fill(awardee.siret)
    follow(partner.get_by_role("button", name="Enregistrer l'identité"))
    expect(partner.locator(".fr-alert--success").first).to_contain_text("enregistrée")

    # nothing is left for the buyer to wait for
    buyer.goto(f"/espace/defis/{challenge.pk}/documents/")
    expect(buyer.locator("#pieces-en-attente")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_declares_the_groupement_in_the_browser(
    world, browse, check_page, server_paused, clock
):
    # given a working group of two organisations, Covoit Libre SAS coordinating
    with server_paused():
        challenge = journey.published(world)
        journey.position_and_propose(world, challenge)
        resource = ChallengeResource.objects.filter(challenge=challenge).order_by("order")[0]
        position_create(
            actor=world.partner_users[1],
            resource=resource,
            organisation=world.partners[1],
            intent="contribute",
            contributions=[{"kind": "skills", "days": Decimal(10), "profile": "Designer"}],
        )
        clock.move_to(later(paris(*journey.POSITIONING_END), seconds=1))
        sweep()
        working_group_designate_coordinator(
            actor=world.partner_users[0],
            group=ChallengeResource.objects.get(pk=resource.pk).working_group,
            organisation=world.partners[0],
        )

    partner = browse(world.partner_users[0])
    partner.goto(f"/espace/defis/{challenge.pk}/proposition/")
    section = partner.locator("section").first
    section.get_by_label("Titre").fill("Standard ouvert du covoiturage")
    section.get_by_label("Résumé").fill("Un schéma de données commun.")
    section.get_by_label("Livrables").fill("Spécification, validateur")
    section.get_by_label("Licence").fill("ODbL-1.0")
    section.get_by_label("Ligne 1 : catégorie").select_option(value="development")
    section.get_by_label("Ligne 1 : libellé").fill("Développement")
    section.get_by_label("Ligne 1 : quantité (jours ou heures)").fill("85")
    section.get_by_label("Ligne 1 : tarif HT (€)").fill("300")
    section.get_by_label("Ligne 2 : catégorie").select_option(value="coordination")
    section.get_by_label("Ligne 2 : libellé").fill("Animation")
    section.get_by_label("Ligne 2 : quantité (jours ou heures)").fill("15")
    section.get_by_label("Ligne 2 : tarif HT (€)").fill("300")
    section.get_by_label("Jalon 1 : intitulé").fill("Version 1")
    section.get_by_label("Jalon 1 : échéance").fill("2027-03-01")
    choose(section, "Groupement conjoint")
    section.get_by_label(f"Part de « {world.partners[0].name} »").fill("18 000")
    section.get_by_label(f"Part de « {world.partners[1].name} »").fill("11 000")

    # shares short of the price are refused next to the first share, the input kept
    follow(section.get_by_role("button", name="Déposer la proposition"))
    section = partner.locator("section").first
    first_share = f"#id_g{resource.working_group.pk}-share_{world.partners[0].pk}-messages"
    expect(partner.locator(first_share)).to_contain_text(
        "les parts des membres font 29\u202f000,00\xa0€ HT"
    )
    expect(section.get_by_label("Groupement conjoint")).to_be_checked()
    check_page(partner, "attribution-04-groupement-refuse", MAIN)

    # made to add up, the proposal is submitted with its groupement
    section.get_by_label(f"Part de « {world.partners[1].name} »").fill("12 000")
    follow(section.get_by_role("button", name="Déposer la proposition"))
    expect(partner.locator(".fr-alert--success").first).to_contain_text("pli scellé")
