"""The execution follow-up in a browser (issue 21): the holder submits a deliverable
with its link, the buyer admits it, and anyone reads it on the call's public execution
page with the progress bar and its text. Each page is screenshot and checked with
axe-core."""

from datetime import date

import pytest
from playwright.sync_api import expect

from procurement.services.execution import deliverable_plan, milestone_plan
from tests.e2e.helpers import follow
from tests.procurement.execution_cast import signed_call

MAIN = "#contenu"
URL = "https://forge.example.fr/standard/v2"


@pytest.mark.django_db(transaction=True)
def test_holder_submits_buyer_admits_public_reads(world, browse, check_page, server_paused, clock):
    # given a signed call whose buyer expects a deliverable and plans a milestone
    with server_paused():
        challenge, lot, _proposal = signed_call(world)
        deliverable = deliverable_plan(
            actor=world.buyer_agent,
            lot=lot,
            title="Spécification du standard v2",
            due_on=date(2026, 10, 1),
        )
        milestone_plan(
            actor=world.buyer_agent, lot=lot, title="Bêta publique", planned_on=date(2026, 11, 1)
        )
    page_url = f"/defis/{challenge.pk}/execution/"

    # the holder submits it with its link
    holder = browse(world.partner_users[0])
    holder.goto(page_url)
    form = holder.locator(f"#form-remise-{deliverable.pk}")
    form.get_by_label("Lien vers le livrable").fill(URL)
    check_page(holder, "execution-01-titulaire", MAIN)
    follow(form.get_by_role("button", name="Remettre"))
    expect(holder.locator(".fr-alert--success").first).to_contain_text("l'acheteur est prévenu")
    row = holder.locator(f"tr[data-deliverable='{deliverable.pk}']")
    expect(row).to_contain_text("Remis, en attente de l'acheteur")

    # the buyer admits it
    buyer = browse(world.buyer_agent)
    buyer.goto(page_url)
    decision = buyer.locator(f"#form-decision-{deliverable.pk}")
    expect(decision.get_by_role("link", name="Voir le livrable")).to_have_count(0)
    expect(
        buyer.locator(f"tr[data-deliverable='{deliverable.pk}']").get_by_role(
            "link", name="Voir le livrable"
        )
    ).to_have_attribute("href", URL)
    check_page(buyer, "execution-02-acheteur", MAIN)
    follow(decision.get_by_role("button", name="Admettre"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("le titulaire est prévenu")

    # anyone reads it: admitted with its date, the progress as a bar and in words
    public = browse()
    public.goto(f"/defis/{challenge.pk}/")
    follow(public.locator("#lien-execution"))
    row = public.locator(f"tr[data-deliverable='{deliverable.pk}']")
    expect(row).to_contain_text("Admis par l'acheteur")
    expect(row).to_contain_text("Admis le 01/09/2026")
    # 1 deliverable admitted of 1, 0 milestone reached of 1: ⌊100 × 1 / 2⌋ = 50 %
    expect(public.locator("#avancement-appel")).to_contain_text("Avancement : 50 %")
    expect(public.locator("progress").first).to_have_attribute("value", "50")
    expect(public.get_by_role("button", name="Remettre")).to_have_count(0)
    check_page(public, "execution-03-public", MAIN)
