"""The reciprocity board of a commons: anyone reads it, as bars (an accessible SVG) with
the table of the same figures beside them; the catalogue links to it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import ReciprocityKind, ReciprocityPeriod
from procurement.services.reciprocity import (
    commitment_end,
    commitment_sign,
    declaration_submit,
)
from tests.portal.steps import commons


def sign(world, target, index, **terms):
    terms = terms or {"kind": ReciprocityKind.REVENUE_SHARE, "revenue_share": Decimal("2.5")}
    return commitment_sign(
        actor=world.partner_users[index],
        organisation=world.partners[index],
        commons=target,
        period=ReciprocityPeriod.QUARTER,
        starts_on=date(2026, 1, 1),
        **terms,
    )


def declare(world, commitment, index, revenue, given, period_start=date(2026, 1, 1)):
    return declaration_submit(
        actor=world.partner_users[index],
        commitment=commitment,
        period_start=period_start,
        revenue=Decimal(revenue),
        given=Decimal(given),
    )


def svg_of(html: str) -> str:
    return re.search(r"<svg[^>]*class=\"bar-chart\".*?</svg>", html, re.S).group(0)


@pytest.mark.django_db
def test_anyone_sees_who_gives_back_as_bars_and_as_a_table(client, world, clock):
    target = commons("Moteur de covoiturage", licence="AGPL-3.0-or-later")
    covoit = sign(world, target, 0)
    declare(world, covoit, 0, "12345.67", "300")  # due 308,64 €
    mobicoop = sign(
        world, target, 1, kind=ReciprocityKind.FIXED_AMOUNT, fixed_amount=Decimal("500")
    )
    declare(world, mobicoop, 1, "0", "500")
    sign(world, target, 2)  # committed, nothing declared yet

    response = client.get(reverse("portal:reciprocity", args=[target.slug]))

    assert response.status_code == 200
    html = response.content.decode().replace("\xa0", " ").replace("\u202f", " ")
    svg = svg_of(html)
    # accessible: a title and a description named by the image, figures in the description
    assert 'role="img"' in svg
    assert 'aria-labelledby="reciprocite-titre reciprocite-desc"' in svg
    assert re.search(r'<title id="reciprocite-titre">[^<]*Moteur de covoiturage</title>', svg)
    assert "Covoit Libre SAS — Reversé : 300,00 €, Dû : 308,64 €" in svg
    # a group of bars per organisation, each with its given and due bar
    groups = re.findall(r'<g class="bar-group"[^>]*data-label="([^"]+)"', svg)
    assert sorted(groups) == sorted(org.name for org in world.partners)
    assert len(re.findall(r'<rect class="bar bar--given"', svg)) == 3
    assert len(re.findall(r'<rect class="bar bar--due"', svg)) == 3
    # the largest amount spans the whole scale; nothing declared draws no bar
    widths = dict(
        re.findall(r'data-label="([^"]+)".*?class="bar bar--given"[^>]*width="([\d.]+)"', svg, re.S)
    )
    assert widths["Mobicoop SCIC"] == "380.0"
    assert widths["Association Rues Partagées"] == "0.0"
    # the table beside it
    table = html[html.index("<table>") : html.index("</table>")]
    assert "Covoit Libre SAS" in table
    assert "2,5 % du chiffre d'affaires, par trimestre" in table
    assert "500,00 € par trimestre" in table
    assert "Manque 8,64 €" in table
    assert "Engagement tenu" in table
    assert "Aucune déclaration" in table
    assert "3 organisations engagées" in html
    assert "2 reversent" in html


@pytest.mark.django_db
def test_an_ended_commitment_stays_on_the_board(client, world, clock):
    target = commons("Jardin partagé", category="natural")
    commitment = sign(world, target, 0)
    declare(world, commitment, 0, "1000", "25")
    commitment_end(actor=world.partner_users[0], commitment=commitment)

    html = client.get(reverse("portal:reciprocity", args=[target.slug])).content.decode()

    assert "Covoit Libre SAS" in svg_of(html)
    assert "terminé le" in html


@pytest.mark.django_db
def test_a_commons_without_commitments_says_so(client, world):
    target = commons("Base Adresse Nationale")
    html = client.get(reverse("portal:reciprocity", args=[target.slug])).content.decode()
    assert "Aucune organisation ne s'est encore engagée" in html
    assert 'class="bar-chart"' not in html


@pytest.mark.django_db
def test_an_unknown_commons_is_404(client, world):
    assert client.get(reverse("portal:reciprocity", args=["inconnu"])).status_code == 404


@pytest.mark.django_db
def test_the_catalogue_links_to_each_board(client, world):
    target = commons("Moteur de covoiturage")
    html = client.get(reverse("portal:commons")).content.decode()
    assert f'href="{reverse("portal:reciprocity", args=[target.slug])}"' in html


@pytest.mark.django_db
def test_the_board_runs_a_constant_number_of_queries(
    client, world, clock, django_assert_max_num_queries
):
    target = commons("Moteur de covoiturage")
    declare(world, sign(world, target, 0), 0, "1000", "25")
    with django_assert_max_num_queries(3):
        first = client.get(reverse("portal:reciprocity", args=[target.slug]))
    for index in (1, 2):
        declare(world, sign(world, target, index), index, "1000", "25")
    with django_assert_max_num_queries(3):
        second = client.get(reverse("portal:reciprocity", args=[target.slug]))
    assert svg_of(first.content.decode()).count('class="bar-group"') == 1
    assert svg_of(second.content.decode()).count('class="bar-group"') == 3
