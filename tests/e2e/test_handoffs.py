"""Hand-offs, funders, the process page and the docs in a browser: each person finds what
to do first in an inbox that fits a phone; the modérateur goes from the inbox to the
referral; a funder reaches its past rounds; the process page shows the macro-steps and
a chart that fits; the API docs load with no CDN. Each new page is checked by axe-core."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from procurement.services.cofunding import allocation_set
from procurement.services.questions import question_ask
from tests.e2e.helpers import follow
from tests.workflows import journey

pytestmark = pytest.mark.django_db(transaction=True)


# What sticks out of the page's width, to name it when a page overflows.
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 6)
    .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} déborde de {overflow} px : {page.evaluate(WIDEST)}"


def test_inboxes_lead_each_person_to_their_next_step(
    world, browse, check_page, server_paused, clock
):
    with server_paused():
        challenge = journey.published(world)
        challenge.refresh_from_db()
        question_ask(
            challenge=challenge,
            actor=world.partner_users[0],
            organisation=world.partners[0],
            text="Les données seront-elles sous ODbL ?",
        )
        draft = journey.start(world, title="Stationnement vélo partagé")
        journey.complete(draft, "draft", world.buyer_agent)

    # the buyer's inbox: the question to answer, soonest first, on a phone's width
    buyer = browse(world.buyer_agent)
    buyer.set_viewport_size({"width": 375, "height": 800})
    buyer.goto("/espace/")
    first = buyer.locator("#taches tbody tr").first
    expect(first).to_contain_text("Répondre à 1 question")
    no_horizontal_scroll(buyer)
    check_page(buyer, "relais-01-acheteur-boite-375px")
    follow(first.get_by_role("link", name="Répondre à 1 question"))
    expect(buyer.locator("main")).to_contain_text("Les données seront-elles sous ODbL ?")

    # the modérateur: from the inbox to the referral where the rapporteur is named
    moderator = browse(world.moderator)
    row = moderator.locator("#taches tbody tr", has_text="Nommer le rapporteur")
    expect(row).to_contain_text("Stationnement vélo partagé")
    check_page(moderator, "relais-02-moderateur-boite")
    follow(row.get_by_role("link", name="Nommer le rapporteur"))
    assert f"/espace/defis/{draft.pk}/saisines/" in moderator.url


def test_process_page_shows_the_stage_bar_and_a_chart_that_fits(
    world, browse, check_page, server_paused, clock
):
    with server_paused():
        challenge = journey.published(world)
    buyer = browse(world.buyer_agent)
    buyer.goto(f"/espace/defis/{challenge.pk}/processus/")
    bar = buyer.locator("#barre-etapes li")
    expect(bar).to_have_count(8)
    expect(buyer.locator('#barre-etapes li[aria-current="step"]')).to_contain_text(
        "Positionnements"
    )
    expect(buyer.locator('[data-step="revise"]')).to_have_attribute("data-state", "skipped")
    box = buyer.locator("svg.process-chart").bounding_box()
    assert box is not None
    assert box["width"] <= 1280
    no_horizontal_scroll(buyer)
    expect(buyer.locator("main")).to_contain_text("Chambre des communs saisie")
    check_page(buyer, "relais-03-processus")


def test_a_funder_is_guided_and_reaches_its_past_rounds(
    world, browse, check_page, server_paused, clock
):
    with server_paused():
        challenge = journey.in_cofunding(world, clock)
    funder = browse(world.funder_users[1])
    funder.goto(f"/espace/defis/{challenge.pk}/cofinancement/")
    expect(funder.locator("#engager-apres-enveloppe")).to_be_visible()
    check_page(funder, "relais-04-cofinancement-etape-1")
    with server_paused():
        round_ = challenge.cofunding_round
        allocation_set(
            actor=world.funder_users[1],
            round_=round_,
            funder=world.funders[1],
            amount=Decimal(3000),
        )
    funder.reload()
    expect(funder.locator("main")).to_contain_text("reste 3\u202f000,00\xa0€ à engager")

    # once the round closed, « Mes cofinancements » keeps it and the round has no form
    with server_paused():
        journey.close_cofunding(clock)
    first = browse(world.funder_users[0])
    first.goto(f"/espace/defis/{challenge.pk}/cofinancement/")
    expect(first.locator("#form-engagement")).to_have_count(0)
    follow(first.get_by_role("link", name="Mes cofinancements, tous tours confondus").first)
    expect(first.locator("main")).to_contain_text("tour clos")
    check_page(first, "relais-05-mes-cofinancements")


def test_calls_list_filters_and_the_docs_need_no_cdn(
    world, browse, check_page, server_paused, live_server, clock
):
    with server_paused():
        challenge = journey.published(world)
    public = browse()
    public.goto("/")
    public.get_by_label("Rechercher").fill("mobilité")
    public.get_by_label("Étape").select_option("open")
    follow(public.get_by_role("button", name="Filtrer"))
    expect(public.locator("main")).to_contain_text(challenge.title)
    expect(public.locator("main")).to_contain_text("1 appel correspond à votre recherche")
    # axe on a fresh load of the filtered list
    checked = browse()
    checked.goto(public.url)
    check_page(checked, "relais-06-appels-filtres")
    public.goto(f"/defis/{challenge.pk}/")
    expect(
        public.get_by_role("link", name="Ajouter les échéances à mon agenda (.ics)")
    ).to_be_visible()

    # the docs load from the instance: any request outside it is refused
    docs = browse()
    outside = []
    docs.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((live_server.url, "blob:", "data:"))
            else (outside.append(route.request.url), route.abort())
        ),
    )
    docs.goto("/api/docs/")
    expect(docs.locator(".swagger-ui .title").first).to_contain_text(
        "Appels à communs", timeout=90_000
    )
    assert outside == []


def test_redoc_renders_from_the_instance_alone(browser, browser_context_args, live_server):
    # Redoc always tries its publisher's logo from a CDN (and hides it when it fails):
    # the page's CSP refuses it, which is the only refusal allowed here.
    context = browser.new_context(base_url=live_server.url, **browser_context_args)
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    outside = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((live_server.url, "blob:", "data:"))
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page.goto("/api/redoc/")
    # the schema is generated on request, which takes a while on a loaded machine
    expect(page.locator("h1").first).to_contain_text("Appels à communs", timeout=90_000)
    expect(page.get_by_text("/api/v1/tasks/").first).to_be_attached()
    assert outside == []
    assert all("cdn.redoc.ly/redoc/logo-mini.svg" in text for text in refused), refused
    context.close()
