"""A partner's pages in a browser: a question asked on the call's page, answered by
the buyer and published to all at once; the working group's page where the coordinator
is designated; a sealed proposal's attachment, refused when it is not what it claims.
Each page is checked by axe-core."""

import pytest
from playwright.sync_api import expect

from tests.conftest import later, paris
from tests.e2e.helpers import follow
from tests.workflows import journey
from tests.workflows.journey import sweep

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_question_answer_group_and_attachment_in_the_browser(
    world, browse, check_page, server_paused, clock
):
    with server_paused():
        challenge = journey.published(world)
        journey.position_and_propose(world, challenge)

    # a partner asks its question on the call's page
    partner = browse(world.partner_users[0])
    partner.goto(f"/defis/{challenge.pk}/")
    partner.get_by_label("Votre question").fill("Les données seront-elles sous ODbL ?")
    follow(partner.get_by_role("button", name="Envoyer la question"))
    expect(partner.locator(".fr-alert--success").first).to_contain_text("transmise")

    # the buyer drafts the answer, then publishes the drafts at once
    buyer = browse(world.buyer_agent)
    buyer.goto(f"/espace/defis/{challenge.pk}/questions/")
    buyer.get_by_label("Projet de réponse").fill("Oui, sous ODbL 1.0.")
    follow(buyer.get_by_role("button", name="Enregistrer le projet"))
    check_page(buyer, "partenaires-01-reponses-a-publier")
    follow(buyer.get_by_role("button", name="Publier la réponse rédigée"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("publiée")

    # everyone reads it, without the asking organisation's name
    public = browse()
    public.goto(f"/defis/{challenge.pk}/")
    expect(public.locator("#questions ~ .portal-question").first).to_contain_text(
        "Oui, sous ODbL 1.0."
    )
    expect(public.locator("#questions ~ .portal-question").first).not_to_contain_text(
        world.partners[0].name
    )

    # positioning closes: the group designates its coordinator and sees its contacts
    clock.move_to(later(paris(*journey.POSITIONING_END), seconds=1))
    with server_paused():
        sweep()
    partner.goto(f"/espace/defis/{challenge.pk}/groupes/")
    expect(partner.locator("main")).to_contain_text(world.partner_users[0].email)
    partner.get_by_label("Désigner le coordinateur").first.select_option(
        label=world.partners[0].name
    )
    follow(partner.get_by_role("button", name="Désigner").first)
    expect(partner.locator(".fr-alert--success").first).to_contain_text("coordinateur")
    check_page(partner, "partenaires-02-groupe")

    # the group's proposal gets a PDF; a PNG renamed .pdf is refused by its content
    with server_paused():
        journey.submit_proposals(world, challenge)
    partner.goto(f"/espace/defis/{challenge.pk}/proposition/")
    partner.get_by_label("Pièce jointe").set_input_files(
        files=[{"name": "photo.pdf", "mimeType": "application/pdf", "buffer": PNG}]
    )
    follow(partner.get_by_role("button", name="Joindre la pièce"))
    expect(partner.locator(".fr-error-text, .fr-alert--error").first).to_be_visible()
    partner.get_by_label("Pièce jointe").set_input_files(
        files=[{"name": "annexe.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    follow(partner.get_by_role("button", name="Joindre la pièce"))
    expect(partner.locator(".fr-alert--success").first).to_contain_text("pièce jointe")
    expect(partner.get_by_role("link", name="annexe.pdf")).to_be_visible()
    check_page(partner, "partenaires-03-proposition")
