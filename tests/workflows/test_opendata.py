"""The open data of the signed contracts (issue 16): the données essentielles (DECP
2.0.3) and the OCDS 1.1 releases and records, exported from the database and valid
against the official schemas; refused before the award while a mandatory piece of data
is missing (article R2196-1 of the code de la commande publique); published to anyone,
by signature, in a feed that pages stably — and nothing of a call not signed."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kernel.errors import ApplicationError
from procurement.models import Challenge, ChallengeStatus, Organisation, ProposalStatus
from procurement.opendata import validation
from tests.api.conftest import token_client
from tests.api.steps import challenge_url
from tests.conftest import paris
from tests.workflows import journey
from tests.workflows.journey import complete

FEEDS = {
    "decp": "/api/v1/opendata/decp/",
    "releases": "/api/v1/opendata/ocds/releases/",
    "records": "/api/v1/opendata/ocds/records/",
}


def feeds(client=None) -> dict[str, dict]:
    """Every feed's first page, read anonymously."""
    client = client or APIClient()
    pages = {}
    for name, url in FEEDS.items():
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages[name] = response.json()
    return pages


def assert_valid(pages: dict[str, dict]) -> None:
    assert validation.decp_errors(pages["decp"]) == []
    assert validation.release_package_errors(pages["releases"]) == []
    assert validation.record_package_errors(pages["records"]) == []


def awarded_one_lot(world, clock, **overrides):
    """The first lot's proposal selected, the round closed: the award is next."""
    challenge = journey.in_cofunding(world, clock, **overrides)
    journey.close_cofunding(clock)
    first = challenge.proposals.get(status=ProposalStatus.SELECTED)
    return Challenge.objects.get(pk=challenge.pk), first


@pytest.mark.django_db(transaction=True)
def test_the_demo_award_exports_and_validates_in_both_formats(tmp_path, client):
    # given the demo: MEL-AAC-2026-001 signed (lots 1 and 2 awarded, lot 3 not), the
    # other calls being scored, open for positions or in draft
    call_command("demo", "--password", "secret-demo", stdout=StringIO())

    # when anyone reads the feeds
    pages = feeds()

    # then both formats are valid against the official schemas
    assert_valid(pages)
    marches = pages["decp"]["marches"]["marche"]
    assert [(m["id"], m["montant"]) for m in marches] == [
        ("MELAAC2026001L1", 33000),
        ("MELAAC2026001L2", 52000),
    ]
    assert {m["acheteur"]["id"] for m in marches} == {"20009320100016"}
    assert [[t["titulaire"]["id"] for t in m["titulaires"]] for m in marches] == [
        ["81000000000010", "82000000800012"],  # Mobicoop, mandataire, and Covoit'Libre
        ["82000000800012"],
    ]
    assert {m["codeCPV"] for m in marches} == {"72260000"}
    [record] = pages["records"]["records"]
    assert record["ocid"] == "ocds-000000-MEL-AAC-2026-001"
    assert [r["tag"][0] for r in record["releases"]] == [
        "tender",
        "award",
        "contract",
        "implementationUpdate",  # the demo follows the execution (issue 21)
    ]
    lots = record["compiledRelease"]["tender"]["lots"]
    assert [lot["status"] for lot in lots] == ["complete", "complete", "unsuccessful"]
    # and nothing of the calls not signed, nor of the candidates not awarded
    text = json.dumps(pages, ensure_ascii=False)
    for absent in ("MEL-AAC-2026-002", "MEL-AAC-2026-003", "MEL-AAC-2026-004"):
        assert absent not in text
    assert "Rues Partagées" not in text
    assert "Fabrique des Mobilités" not in text

    # when the command writes the files of the period, validating them
    out = StringIO()
    call_command(
        "export_opendata",
        "--output",
        str(tmp_path),
        "--since",
        "2026-10-01",
        "--until",
        "2026-10-31",
        "--validate",
        stdout=out,
    )

    # then the same data, valid, in each file
    written = json.loads((tmp_path / "decp-2026-10-01-2026-10-31.json").read_text())
    assert written["marches"]["marche"] == marches
    assert "ocds-records-2026-10-01-2026-10-31.json : valide" in out.getvalue()

    # and the public page shows the contracts under the Licence Ouverte
    html = client.get("/donnees-ouvertes/").content.decode()
    assert "MELAAC2026001L1" in html
    assert "Licence Ouverte" in html


@pytest.mark.django_db(transaction=True)
def test_r2196_1_an_award_without_cpv_code_is_refused_naming_it(world, clock):
    # given a call drafted without its CPV code, at its award
    challenge, first = awarded_one_lot(world, clock, cpv_code="")

    # when the buyer decides the award
    with pytest.raises(ApplicationError) as refused:
        complete(challenge, "award", world.buyer_agent, {"proposals": [first.pk]})

    # then it is refused, naming the CPV code and the article, and nothing is decided
    assert refused.value.code == "essential_data_missing"
    assert "R2196-1" in refused.value.message
    fields = refused.value.extra["fields"]
    assert list(fields) == ["cpv_code"]
    assert fields["cpv_code"][0].startswith("Indiquez le code CPV principal de l'appel")
    challenge.refresh_from_db()
    assert challenge.award_decided_at is None
    assert Challenge.objects.get(pk=challenge.pk).status == ChallengeStatus.AWARD

    # when the buyer gives it (with its check digit), the award goes through
    response = token_client(world.buyer_agent).patch(
        challenge_url(challenge.pk, "essential-data/"), {"cpv_code": "72260000-5"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["cpv_code"] == "72260000"
    complete(challenge, "award", world.buyer_agent, {"proposals": [first.pk]})
    assert Challenge.objects.get(pk=challenge.pk).award_decided_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_contract_is_published_at_its_signature_never_before(world, clock):
    # given an award decided, not signed
    challenge, first = awarded_one_lot(world, clock)
    complete(challenge, "award", world.buyer_agent, {"proposals": [first.pk]})

    # then the feeds show nothing of it
    pages = feeds()
    assert pages["decp"]["marches"]["marche"] == []
    assert pages["releases"]["releases"] == pages["records"]["records"] == []

    # when the buyer's SIRET is removed before the signature
    Organisation.objects.filter(pk=world.buyer.pk).update(siret="")
    with pytest.raises(ApplicationError) as refused:
        complete(challenge, "sign", world.buyer_agent)

    # then the signature is refused, naming it: the data would be published blank
    assert refused.value.code == "essential_data_missing"
    assert list(refused.value.extra["fields"]) == ["buyer_siret"]
    assert "Métropole Européenne de Lille" in refused.value.extra["fields"]["buyer_siret"][0]

    # when it is given back and the contract signed
    Organisation.objects.filter(pk=world.buyer.pk).update(siret="20009320100016")
    complete(challenge, "sign", world.buyer_agent)

    # then its contract is published, valid, with its titulaire and nobody else's name
    pages = feeds()
    assert_valid(pages)
    [marche] = pages["decp"]["marches"]["marche"]
    awardee = first.group.coordinator
    titulaire = {"typeIdentifiant": "SIRET", "id": awardee.siret}
    assert marche["titulaires"] == [{"titulaire": titulaire}]
    text = json.dumps(pages, ensure_ascii=False)
    for other in world.partners:
        if other.pk != awardee.pk:
            assert other.name not in text


@pytest.mark.django_db(transaction=True)
def test_the_anonymous_feed_shows_nothing_of_a_draft_or_a_sealed_proposal(world, clock):
    # given a call whose proposals are submitted and still sealed, and a draft
    challenge = journey.published(world)
    journey.position_and_propose(world, challenge)
    clock.move_to(paris(*journey.POSITIONING_END) + timedelta(seconds=1))
    journey.sweep()
    sealed = journey.submit_proposals(world, challenge)
    draft = journey.start(world, title="Brouillon confidentiel de la métropole")

    # when anyone reads the feeds and the public page
    pages = feeds()
    html = APIClient().get("/donnees-ouvertes/").content.decode()

    # then nothing of them appears
    assert pages["decp"]["marches"]["marche"] == []
    assert pages["releases"]["releases"] == pages["records"]["records"] == []
    text = json.dumps(pages, ensure_ascii=False) + html
    for proposal in sealed:
        assert proposal.title not in text
    assert draft.title not in text
    assert challenge.reference not in text


def signed_by_hand(world, number: int, signed_at) -> Challenge:
    """A call drafted through the services, then set as signed at ``signed_at`` by
    hand: these tests are about the feed's paging, not the award (which the tests above
    go through)."""
    challenge = journey.start(world, reference=f"AAC-TEST-{number:03d}")
    Challenge.objects.filter(pk=challenge.pk).update(
        status=ChallengeStatus.AWARDED,
        published_at=signed_at - timedelta(days=90),
        proposal_deadline=signed_at - timedelta(days=40),
        award_decided_at=signed_at - timedelta(days=12),
        awarded_at=signed_at,
    )
    return challenge


def ocids(page: dict) -> list[str]:
    return [record["ocid"].rsplit("-", 1)[-1] for record in page["records"]]


def follow(client, url: str) -> tuple[list[str], list[dict]]:
    """Every page from ``url`` on, following ``links.next``."""
    seen, pages = [], []
    while url:
        page = client.get(url).json()
        pages.append(page)
        seen += ocids(page)
        url = page.get("links", {}).get("next")
    return seen, pages


@pytest.mark.django_db
def test_the_feed_pages_stably_across_a_signature_made_while_reading(world, settings):
    # given five signed calls, two of them in the same second
    settings.OCDS_OCID_PREFIX = "ocds-t3st01"
    base = paris(2026, 11, 2, 10)
    moments = [base, base + timedelta(hours=1), base + timedelta(hours=1), base + timedelta(days=1)]
    for number, moment in enumerate([*moments, base + timedelta(days=2)], 1):
        signed_by_hand(world, number, moment)
    client = APIClient()

    # when a reader takes the first page of two
    first = client.get(FEEDS["records"], {"page_size": 2}).json()
    assert ocids(first) == ["001", "002"]

    # and a call is signed while it reads on
    signed_by_hand(world, 6, base + timedelta(days=3))
    seen, pages = follow(client, first["links"]["next"])

    # then it meets every call once, in signature order, the new one last
    assert seen == ["003", "004", "005", "006"]
    assert "links" not in pages[-1]
    for page in (first, *pages):
        assert validation.record_package_errors(page) == []
    # and the ocids carry the prefix the settings give
    assert first["records"][0]["ocid"] == "ocds-t3st01-AAC-TEST-001"

    # and ``since`` keeps the calls signed from that day (Paris time) on
    since = client.get(FEEDS["records"], {"since": "2026-11-03"}).json()
    assert ocids(since) == ["004", "005", "006"]


@pytest.mark.django_db
def test_a_feed_page_runs_a_constant_number_of_queries(world):
    # given seven signed calls
    base = paris(2026, 11, 2, 10)
    for number in range(1, 8):
        signed_by_hand(world, number, base + timedelta(hours=number))
    client = APIClient()

    # when a page of two, then of seven, is read
    counts = []
    for size in (2, 7):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(FEEDS["releases"], {"page_size": size}).status_code == 200
        counts.append(len(queries))

    # then both run the same number of queries
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_a_wrong_cursor_or_date_is_a_400_naming_the_parameter(world):
    client = APIClient()
    for params, field in (
        ({"cursor": "pas-un-curseur"}, "cursor"),
        ({"since": "hier"}, "since"),
        ({"since": "2026-11-02T10:00:00"}, "since"),  # no offset
        ({"page_size": 101}, "page_size"),
    ):
        response = client.get(FEEDS["decp"], params, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 400, params
        assert field in response.json()["fields"], params
