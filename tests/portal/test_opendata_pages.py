"""The open data in the portal (issue 16): the public page with its licence (Licence
Ouverte 2.0), its feeds and the daily files; the buyer's page for the données
essentielles it alone knows, telling what the award still lacks; the award's page
warning before the award is refused."""

import json
from html import unescape

import pytest
from django.urls import reverse

from procurement.models import Challenge, ChallengeStatus
from tests.conftest import paris
from tests.portal.steps import advance
from tests.portal.test_tasks import task_url
from tests.workflows import journey
from tests.workflows.test_opendata import signed_by_hand
from workflows.opendata import daily_export, daily_export_due, latest_export


@pytest.mark.django_db
def test_the_open_data_page_states_the_licence_and_where_the_data_are(client):
    # when anyone opens the page
    response = client.get(reverse("portal:opendata"))

    # then it states the Licence Ouverte 2.0, links the feeds, and no file yet
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Licence Ouverte / Open Licence version 2.0 (Etalab)" in html
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in html
    for feed in ("/api/v1/opendata/decp/", "/api/v1/opendata/ocds/records/"):
        assert feed in html
    assert "Le premier export quotidien n'a pas encore été produit" in html
    # and every page of the portal links it from its footer
    assert reverse("portal:opendata") in client.get(reverse("portal:home")).content.decode()


@pytest.mark.django_db
def test_the_daily_files_are_offered_with_their_size_and_hash(client, world):
    # given a signed call and the night's export
    signed_by_hand(world, 1, paris(2026, 11, 2, 10))
    manifest = daily_export()

    # when anyone opens the page and downloads the records
    html = client.get(reverse("portal:opendata")).content.decode()
    response = client.get(reverse("portal:opendata_file", args=["ocds-records.json"]))

    # then the files are listed with their hash, and the download is the file itself
    records = next(f for f in manifest["files"] if f["format"] == "ocds-records")
    assert records["count"] == 1
    assert records["sha256"] in html
    body = b"".join(response.streaming_content)
    assert response["Content-Disposition"].startswith('attachment; filename="ocds-records.json"')
    assert len(body) == records["size"]
    assert json.loads(body)["records"][0]["ocid"].endswith("AAC-TEST-001")
    # and a name that is not one of the files is a 404
    assert client.get(reverse("portal:opendata_file", args=["export.json"])).status_code == 404


@pytest.mark.django_db
def test_the_daily_export_is_due_once_a_day_from_midnight_paris_time(world, clock):
    # given an export written at 23:59 in Paris
    clock.move_to(paris(2026, 11, 2, 23, 59))
    daily_export()
    assert latest_export()["generated_at"].startswith("2026-11-02T22:59")

    # then it is not due again that day, and due from midnight
    assert not daily_export_due(paris(2026, 11, 2, 23, 59, 59))
    assert daily_export_due(paris(2026, 11, 3, 0, 0))


@pytest.mark.django_db
def test_the_buyer_gives_the_essential_data_on_its_page(world, login):
    # given a draft without its CPV code nor its place of execution
    challenge = journey.start(world, cpv_code="", execution_place_kind="", execution_place_code="")
    url = reverse("portal:essential_data", args=[challenge.pk])
    client = login(world.buyer_agent)

    # when its agent opens the page, then it says what is missing
    html = unescape(client.get(url).content.decode())
    assert "Indiquez le code CPV principal de l'appel" in html
    assert "Indiquez le lieu d'exécution principal du marché" in html

    # when it gives a wrong place, then the field says why (400) and nothing is saved
    response = client.post(
        url,
        {
            "cpv_code": "72260000",
            "execution_place_kind": "department",
            "execution_place_code": "99",
        },
    )
    assert response.status_code == 400
    assert "exemple : 59" in unescape(response.content.decode())
    assert Challenge.objects.get(pk=challenge.pk).cpv_code == ""

    # when it gives them right, then they are saved and nothing is missing any more
    response = client.post(
        url,
        {
            "cpv_code": "72260000-5",
            "execution_place_kind": "department",
            "execution_place_code": "59",
        },
    )
    assert response.status_code == 302
    saved = Challenge.objects.get(pk=challenge.pk)
    assert (saved.cpv_code, saved.execution_place_code) == ("72260000", "59")
    assert "Ce qui manque encore" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_only_the_buyer_opens_the_essential_data_page(world, login):
    challenge = journey.start(world)
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.POSITIONING, published_at=paris(2026, 9, 1, 9)
    )
    url = reverse("portal:essential_data", args=[challenge.pk])
    assert login(world.partner_users[0]).get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_award_page_warns_before_the_award_is_refused(world, clock, login):
    # given a call at its award, drafted without its CPV code
    challenge = advance(world, clock, "award", cpv_code="")

    # when the buyer opens the award's page
    page = login(world.buyer_agent).get(task_url(challenge, "award"))
    html = unescape(page.content.decode())

    # then it warns that the award will be refused, and links the page that completes it
    assert "Données essentielles incomplètes : l'attribution sera refusée" in html
    assert "Indiquez le code CPV principal de l'appel" in html
    assert reverse("portal:essential_data", args=[challenge.pk]) in html
