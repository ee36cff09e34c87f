"""The commons' whole path in a browser (issue 21): one call that plans an exploration
and a collective vote goes from the teams' exploration to the execution follow-up.

- the buyer decides which explored commons proved themselves (seed 003);
- a funder grades the proven commons in the collective vote (majority judgment);
- after the count, another funder offers to match the pledges on the retained commons,
  and the close honours the match (it becomes the matcher's pledge);
- once the contract is signed, the holder submits a deliverable, the buyer admits it and
  anyone reads it on the call's public execution page.

The steps nobody sees (scoring, the award decision, the signature) go through the
services; deadlines pass by moving the test's clock and running the scheduler's sweep,
while the live server is paused (it shares the test's database connection on SQLite).
"""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from procurement.models import Bucket, ChallengeStatus, Pledge
from procurement.services.cofunding import allocation_set, pledge_create
from procurement.services.execution import deliverable_plan
from tests.conftest import later, paris
from tests.e2e.helpers import choose, follow
from tests.workflows.journey import (
    complete,
    current_steps,
    sweep,
)
from tests.workflows.test_exploration import EXPLORATION_END, PLAN
from tests.workflows.vote_journey import scored, select_first_two

MAIN = "#contenu"
PROVEN = "A fait ses preuves : ouvert au cofinancement"
DELIVERABLE_URL = "https://forge.example.fr/communs/v1"


def exploring(world, clock):
    """A call planning an exploration (2,000 € a team) and a 7-day collective vote,
    published, scored; its first two proposals selected (lot 3 left aside), the first's
    commons hosted; the Chambre approves and the teams explore until 20 October."""
    challenge = scored(world, clock, vote={"days": 7}, **PLAN)
    return select_first_two(world, challenge)


@pytest.mark.django_db(transaction=True)
def test_exploration_vote_matched_round_and_execution_in_the_browser(
    world, browse, check_page, server_paused, clock
):
    # given a call whose two selected teams explored until 20 October 2026
    with server_paused():
        challenge, first, second = exploring(world, clock)
        assert challenge.status == ChallengeStatus.EXPLORATION
        clock.move_to(later(paris(*EXPLORATION_END), seconds=1))
        sweep()

    # 1. the buyer decides, from its inbox, that both commons proved themselves
    buyer = browse(world.buyer_agent)
    buyer.goto("/espace/")
    follow(buyer.get_by_role("link", name="Décider de l'issue de l'exploration").first)
    for proposal, reason in (
        (first, "Trois villes l'utilisent déjà."),
        (second, "Deux associations l'ont adopté."),
    ):
        choose(buyer.locator(f"#id_proven_{proposal.pk}-fieldset"), PROVEN)
        buyer.get_by_label(f"Motif pour « {proposal.title} »").fill(reason)
    follow(buyer.get_by_role("button", name="Décider de l'issue de l'exploration"))
    expect(buyer.locator(".fr-alert--success").first).to_be_visible()
    with server_paused():
        # the vote opened on the two proven commons, before any round
        assert current_steps(challenge) == {"vote"}
        assert not Bucket.objects.filter(round__challenge=challenge).exists()
        vote = challenge.collective_vote
        vote.refresh_from_db()
        assert set(vote.candidates.values_list("proposal", flat=True)) == {first.pk, second.pk}

    # 2. the ADEME grades them from its inbox: the first « Très bien », the second
    # « Passable » (below « Bien », the call's threshold)
    ademe = browse(world.funder_users[0])
    ademe.goto("/espace/")
    follow(ademe.get_by_role("link", name="Voter sur les communs à cofinancer").first)
    choose(ademe.locator(f"#id_c{first.pk}-fieldset"), "Très bien")
    choose(ademe.locator(f"#id_c{second.pk}-fieldset"), "Passable")
    follow(ademe.get_by_role("button", name="Déposer le bulletin"))
    expect(ademe.locator(".fr-alert--success").first).to_contain_text(
        "Votre bulletin est enregistré"
    )
    check_page(ademe, "parcours-01-vote", MAIN)

    # the vote's end passes: the count retains the first commons alone, and the round
    # opens with its bucket only
    with server_paused():
        clock.move_to(vote.ends_at)
        sweep()
        challenge.refresh_from_db()
        round_ = challenge.cofunding_round
        bucket = round_.buckets.get()
        assert bucket.proposal_id == first.pk
        half = (bucket.max_amount / 2).quantize(Decimal("0.01"))
        allocation_set(
            actor=world.funder_users[0],
            round_=round_,
            funder=world.funders[0],
            amount=Decimal(50000),
        )
        pledge_create(
            actor=world.funder_users[0], bucket=bucket, funder=world.funders[0], amount=half
        )
    visitor = browse()
    visitor.goto(f"/defis/{challenge.pk}/vote/")
    table = visitor.locator("#profils-de-merite table")
    expect(table.locator("tbody tr", has_text=first.group.resource.title)).to_contain_text("Retenu")
    expect(table.locator("tbody tr", has_text=second.group.resource.title)).to_contain_text(
        "Non retenu"
    )

    # 3. the Banque des Territoires matches the others' pledges euro for euro, up to
    # the half still missing
    banque = browse(world.funder_users[1])
    banque.goto(f"/espace/defis/{challenge.pk}/cofinancement/")
    form = banque.locator("#form-abondement")
    form.get_by_label("Euros ajoutés par euro engagé par les autres").fill("1")
    form.get_by_label("Plafond de l'abondement (€)").fill(str(half))
    choose(form, first.title)
    follow(form.get_by_role("button", name="Proposer l'abondement"))
    expect(banque.locator(".fr-alert--success").first).to_contain_text("C'est enregistré.")
    expect(banque.locator("#liste-abondements")).to_contain_text(
        "Banque des Territoires : 1 € par euro engagé"
    )
    check_page(banque, "parcours-02-abondement", MAIN)

    # the round closes: the match is honoured as the Banque's pledge, the bucket funded
    with server_paused():
        challenge.refresh_from_db()
        clock.move_to(later(challenge.cofunding_deadline, seconds=1))
        sweep()
        matched = Pledge.objects.get(bucket=bucket, allocation__funder=world.funders[1])
        assert matched.amount == half
        assert current_steps(challenge) == {"award"}
        # the award (lot 2's commons was not retained by the vote: its lot is left
        # unawarded with a reason, R2185-1) and the signature
        complete(
            challenge,
            "award",
            world.buyer_agent,
            {
                "proposals": [first.pk],
                "lot_reasons": {"2": "Le vote collectif n'a pas retenu ce commun."},
            },
        )
        complete(challenge, "sign", world.buyer_agent)
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.AWARDED
        lot = first.lots.get()
        deliverable = deliverable_plan(
            actor=world.buyer_agent, lot=lot, title="Version 1 du commun", due_on=date(2027, 1, 15)
        )

    # 4. the holder submits the deliverable, the buyer admits it, anyone reads it
    holder = browse(world.partner_users[0])
    holder.goto(f"/defis/{challenge.pk}/execution/")
    holder.locator(f"#form-remise-{deliverable.pk}").get_by_label("Lien vers le livrable").fill(
        DELIVERABLE_URL
    )
    follow(holder.locator(f"#form-remise-{deliverable.pk}").get_by_role("button", name="Remettre"))
    expect(holder.locator(".fr-alert--success").first).to_contain_text("l'acheteur est prévenu")
    buyer.goto(f"/defis/{challenge.pk}/execution/")
    follow(buyer.locator(f"#form-decision-{deliverable.pk}").get_by_role("button", name="Admettre"))
    expect(buyer.locator(".fr-alert--success").first).to_contain_text("le titulaire est prévenu")
    visitor.goto(f"/defis/{challenge.pk}/execution/")
    expect(visitor.locator(f"tr[data-deliverable='{deliverable.pk}']")).to_contain_text(
        "Admis par l'acheteur"
    )
    # one deliverable admitted of one, no milestone: ⌊100 × 1 / 1⌋ = 100 %
    expect(visitor.locator("#avancement-appel")).to_contain_text("Avancement : 100 %")
    check_page(visitor, "parcours-03-execution", MAIN)
