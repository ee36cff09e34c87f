"""The facilitator in a browser: « À animer » in the inbox lists the call's working
groups and the meetings to hold or to write up; from there, the minutes of a meeting
held are written on the group's space, which another candidate does not find before
the offers are opened. Each page is checked by axe-core."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from procurement.models import ChallengeResource, Role
from procurement.services import community
from tests.api.scenarios import POSITIONING_END, in_proposals
from tests.conftest import later, member
from tests.e2e.helpers import choose, follow
from workflows import operations

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_facilitator_writes_a_meetings_minutes_from_the_inbox(
    world, browse, check_page, server_paused, clock
):
    with server_paused():
        challenge = in_proposals(world, clock)
        animatrice = member(world.buyer, "animatrice", Role.FACILITATOR)
        operations.facilitator_designate(
            challenge=challenge, actor=world.buyer_agent, facilitator=animatrice
        )
        group = (
            ChallengeResource.objects.filter(challenge=challenge).order_by("order")[0].working_group
        )
        for days, agenda in ((1, "Tour de table"), (6, "Format des trajets")):
            community.meeting_schedule(
                actor=world.partner_users[0],
                group=group,
                starts_at=later(POSITIONING_END, days=days),
                place="Maison des communs, Lille",
                agenda=agenda,
            )
        clock.move_to(later(POSITIONING_END, days=2))

    # the facilitator's inbox: the groups to facilitate, a meeting to hold, minutes to write
    page = browse(animatrice)
    page.goto("/espace/")
    todo = page.locator("#animation")
    expect(todo).to_contain_text("Animer le groupe")
    expect(todo).to_contain_text("Tenir la réunion du groupe")
    check_page(page, "animation-01-boite")
    follow(todo.get_by_role("link", name="Écrire le compte rendu").first)

    # the group's space: the minutes of the meeting held, and who came
    space = urlsplit(page.url).path
    expect(page.locator("main")).to_contain_text("Compte rendu à écrire.")
    page.get_by_label("Compte rendu", exact=True).fill("Un dépôt commun est ouvert.")
    choose(page, "Covoit Libre SAS")
    choose(page, "L'animateur était présent")
    follow(page.get_by_role("button", name="Enregistrer le compte rendu"))
    main = page.locator("main")
    expect(page.locator(".fr-alert--success, .fr-notice, [role=status]").first).to_be_visible()
    expect(main).to_contain_text("Un dépôt commun est ouvert.")
    expect(main).to_contain_text("Présents : Covoit Libre SAS ; l'animateur.")
    check_page(page, "animation-02-compte-rendu", "main")

    # the inbox no longer asks for them
    page.goto("/espace/")
    expect(page.locator("#animation")).not_to_contain_text("Écrire le compte rendu")

    # another candidate does not find the group's space before the offers are opened
    other = browse(world.partner_users[1])
    answer = other.goto(space)
    assert answer.status == 404
    expect(other.locator("main")).to_contain_text("Page introuvable")
