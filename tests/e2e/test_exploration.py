"""The buyer decides an exploration's outcome in a browser (issue 21, seed 003): the
teams explored with their budget; from its inbox the buyer opens the decision, is told
when a reason is missing, decides one commons proven and the other not, and the call's
page shows each outcome with its reason; only the proven commons is cofunded. Each page
is screenshot and checked with axe-core."""

import pytest
import time_machine
from playwright.sync_api import expect

from procurement.models import Bucket, ChallengeStatus
from tests.conftest import later, paris
from tests.e2e.helpers import choose, follow
from tests.workflows.journey import sweep
from tests.workflows.test_exploration import EXPLORATION_END, PLAN, selected_two

MAIN = "#contenu"
PROVEN = "A fait ses preuves : ouvert au cofinancement"
NOT_PROVEN = "N'a pas fait ses preuves : pas de cofinancement"


@pytest.mark.django_db(transaction=True)
def test_buyer_decides_which_explored_commons_are_cofunded(
    world, browse, check_page, server_paused
):
    # given a call whose two selected teams explored until 20 October 2026 (set up on
    # the test's clock; the browser then runs on the real one, after that date)
    with server_paused(), time_machine.travel(paris(2026, 9, 1, 9), tick=False) as clock:
        challenge, first, second = selected_two(world, clock, **PLAN)
        clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
        sweep()

    # the call's page shows the exploration under way
    visitor = browse()
    visitor.goto(f"/defis/{challenge.pk}/")
    expect(visitor.locator("#explorations")).to_contain_text("en exploration")
    check_page(visitor, "exploration-01-appel-en-exploration", MAIN)

    # the buyer opens the decision from its inbox
    buyer = browse(world.buyer_agent)
    buyer.goto("/espace/")
    follow(buyer.get_by_role("link", name="Décider de l'issue de l'exploration").first)
    expect(buyer.get_by_role("heading", level=1)).to_have_text(
        "Décider de l'issue de l'exploration"
    )
    expect(buyer.locator("#explorations")).to_contain_text(first.title)
    expect(buyer.locator("#explorations")).to_contain_text("au registre du commun")
    check_page(buyer, "exploration-02-decision", MAIN)

    # decides without the second reason: refused next to its field, the rest kept
    choose(buyer.locator(f"#id_proven_{first.pk}-fieldset"), PROVEN)
    buyer.get_by_label(f"Motif pour « {first.title} »").fill("Trois villes l'utilisent déjà.")
    choose(buyer.locator(f"#id_proven_{second.pk}-fieldset"), NOT_PROVEN)
    follow(buyer.get_by_role("button", name="Décider de l'issue de l'exploration"))
    expect(buyer.locator(f"#id_reason_{second.pk}-messages")).not_to_be_empty()
    expect(buyer.get_by_label(f"Motif pour « {first.title} »")).to_have_value(
        "Trois villes l'utilisent déjà."
    )
    check_page(buyer, "exploration-03-motif-manquant", MAIN)

    # with its reason, the decision is recorded
    choose(buyer.locator(f"#id_proven_{first.pk}-fieldset"), PROVEN)
    choose(buyer.locator(f"#id_proven_{second.pk}-fieldset"), NOT_PROVEN)
    buyer.get_by_label(f"Motif pour « {second.title} »").fill("Aucun usage constaté.")
    follow(buyer.get_by_role("button", name="Décider de l'issue de l'exploration"))
    expect(buyer.locator(".fr-alert--success").first).to_be_visible()

    # then the call's page shows each outcome with its reason, and the round opened
    # with the proven commons alone
    visitor.goto(f"/defis/{challenge.pk}/")
    explorations = visitor.locator("#explorations")
    expect(explorations).to_contain_text("a fait ses preuves")
    expect(explorations).to_contain_text("Trois villes l'utilisent déjà.")
    expect(explorations).to_contain_text("n'a pas fait ses preuves")
    expect(visitor.locator("#cofinancement")).to_be_visible()
    check_page(visitor, "exploration-04-issue-publique", MAIN)
    with server_paused():
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.COFUNDING
        assert list(
            Bucket.objects.filter(round__challenge=challenge).values_list("proposal", flat=True)
        ) == [first.pk]
