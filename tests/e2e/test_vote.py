"""A collective vote in a browser: a funder finds « Voter sur les communs à cofinancer »
in its inbox with the vote's deadline, grades each commons (a commons left without a
mention is refused next to it), changes its ballot; after the close anyone reads the
merit profiles in a table, with the decision in words. Each page is checked by axe-core."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import choose, follow
from tests.workflows.journey import sweep
from tests.workflows.vote_journey import in_vote, proposals

pytestmark = pytest.mark.django_db(transaction=True)

MAIN = "#contenu"


def test_a_funder_votes_and_the_result_is_shown_after_the_close(
    world, browse, check_page, server_paused, clock
):
    # given a call whose vote is open on its three commons
    with server_paused():
        challenge = in_vote(world, clock)
        first, second, third = proposals(challenge)
        titles = [p.group.resource.title for p in (first, second, third)]
        ends_at = challenge.collective_vote.ends_at

    # the funder's inbox asks it to vote, with the vote's deadline
    funder = browse(world.funder_users[0])
    funder.goto("/espace/")
    row = funder.locator("#taches tbody tr", has_text="Voter sur les communs à cofinancer")
    expect(row).to_contain_text(challenge.title)
    follow(row.get_by_role("link", name="Voter sur les communs à cofinancer"))
    expect(funder.get_by_role("heading", level=1)).to_have_text(
        "Voter sur les communs à cofinancer"
    )
    check_page(funder, "vote-01-bulletin", MAIN)

    # a commons left without a mention is refused next to it
    choose(funder.locator(f"#id_c{first.pk}-fieldset"), "Très bien")
    choose(funder.locator(f"#id_c{second.pk}-fieldset"), "Passable")
    follow(funder.get_by_role("button", name="Déposer le bulletin"))
    expect(funder.locator(f"#id_c{third.pk}-messages")).to_contain_text(
        "Donnez une mention à ce commun."
    )
    check_page(funder, "vote-02-bulletin-incomplet", MAIN)

    # completed, the ballot is recorded, then changed before the close
    choose(funder.locator(f"#id_c{third.pk}-fieldset"), "Assez bien")
    follow(funder.get_by_role("button", name="Déposer le bulletin"))
    expect(funder.locator(".fr-alert--success").first).to_contain_text(
        "Votre bulletin est enregistré"
    )
    choose(funder.locator(f"#id_c{third.pk}-fieldset"), "Bien")
    follow(funder.get_by_role("button", name="Modifier le bulletin"))
    expect(funder.get_by_label("Bien", exact=True).nth(2)).to_be_checked()

    # before the close, the result is secret
    visitor = browse()
    visitor.goto(f"/defis/{challenge.pk}/vote/")
    expect(visitor.locator("main")).to_contain_text("secret jusqu'à sa clôture")
    expect(visitor.locator("#profils-de-merite")).to_have_count(0)

    # when the vote's end passes, the sweep counts it
    with server_paused():
        clock.move_to(ends_at)
        sweep()

    # then anyone reads each commons' merit profile and the decision in words
    visitor.goto(f"/defis/{challenge.pk}/vote/")
    table = visitor.locator("#profils-de-merite table")
    expect(table.locator("caption")).to_contain_text("Profils de mérite")
    first_row = table.locator("tbody tr", has_text=titles[0])
    expect(first_row).to_contain_text("100,0 %")
    expect(first_row).to_contain_text("Très bien")
    expect(first_row).to_contain_text("Retenu")
    expect(table.locator("tbody tr", has_text=titles[1])).to_contain_text("Non retenu")
    expect(visitor.locator("main")).to_contain_text("en dessous de « Bien »")
    check_page(visitor, "vote-03-resultat", MAIN)
    # and the call's page shows it too
    visitor.goto(f"/defis/{challenge.pk}/")
    expect(visitor.locator("#vote")).to_have_text("Vote collectif sur les communs à cofinancer")
    expect(visitor.locator("#profils-de-merite")).to_be_visible()
