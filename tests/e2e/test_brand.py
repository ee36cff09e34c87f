"""Both brands in a browser (issue 18), screenshot in tests/artifacts/ and checked with
axe-core: the operator's by default — its logo and name, the system's font, and nothing
of the State's brand, not even the Marianne font file — and the State's for a State
operator (``STATE_BRAND``). The mandatory pages are reached from the footer."""

import re

import pytest
from playwright.sync_api import expect

FONT = re.compile(r"/fonts/(Marianne|Spectral)")


def fonts_fetched(page) -> list[str]:
    fetched: list[str] = []
    page.on(
        "request", lambda request: fetched.append(request.url) if FONT.search(request.url) else None
    )
    return fetched


@pytest.mark.django_db(transaction=True)
def test_the_operators_brand_by_default_and_its_mandatory_pages(browse, check_page, settings):
    settings.OPERATOR_NAME = "Métropole Européenne de Lille"
    page = browse()
    fetched = fonts_fetched(page)
    page.goto("/")

    # the operator's logo, named, in the header; no Marianne block
    header = page.get_by_role("banner")
    expect(header.get_by_role("img", name="Métropole Européenne de Lille")).to_be_visible()
    expect(header.get_by_text("Un service de Métropole Européenne de Lille")).to_be_visible()
    expect(page.locator(".fr-logo")).to_have_count(0)
    expect(page.get_by_text("République", exact=False)).to_have_count(0)
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Marianne" not in font
    check_page(page, "brand-operator-home")
    assert not fetched, fetched

    # the mandatory pages, from the footer
    footer = page.get_by_role("contentinfo")
    for link, heading, shot in (
        ("Mentions légales", "Mentions légales", "brand-operator-mentions-legales"),
        ("Données personnelles", "Données personnelles", "brand-operator-donnees-personnelles"),
        (
            "Accessibilité : partiellement conforme",
            "Déclaration d'accessibilité",
            "brand-operator-accessibilite",
        ),
        ("Contact et recours", "Contact et recours", "brand-operator-contact"),
    ):
        footer.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_page(page, shot)
    assert not fetched, fetched


@pytest.mark.django_db(transaction=True)
def test_a_state_operator_wears_the_state_brand(browse, check_page, settings):
    settings.STATE_BRAND = True
    page = browse()
    fetched = fonts_fetched(page)
    page.goto("/")

    # the Marianne block with its text, the Marianne font, the operator's logo beside
    expect(page.get_by_role("banner").locator(".fr-logo")).to_have_text(
        re.compile(r"République\s*Française")
    )
    expect(page.get_by_role("banner").locator(".portal-operator-logo")).to_be_visible()
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    check_page(page, "brand-state-home")
    assert any("Marianne" in url for url in fetched)
