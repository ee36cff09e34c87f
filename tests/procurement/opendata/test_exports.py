"""The exports, as pure functions of a signed call: the données essentielles (DECP 2.0.3)
and the OCDS 1.1 releases and record, valid against the official schemas vendored in
``procurement/opendata/schemas``, saying what the call and its award say."""

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from procurement.opendata import decp, ocds, validation
from procurement.opendata.stream import json_chunks
from tests.procurement.opendata.calls import COVOIT, MOBICOOP, PARIS, call, with_contract

PUBLISHED = datetime(2026, 10, 24, 3, tzinfo=PARIS)


def decp_of(*calls) -> dict:
    return decp.document(list(decp.marches(calls)))


def releases_of(*calls, **kwargs) -> dict:
    items = [release for c in calls for release in ocds.releases(c)]
    return ocds.package("releases", items, **package_kwargs(**kwargs))


def records_of(*calls) -> dict:
    return ocds.package("records", [ocds.record(c) for c in calls], **package_kwargs())


def package_kwargs(**kwargs) -> dict:
    return {
        "uri": "https://communs.example.fr/api/v1/opendata/ocds/releases/",
        "published_at": PUBLISHED,
        "publisher": "Appels à communs",
        "publisher_uri": "https://communs.example.fr",
        "licence": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "policy": "https://communs.example.fr/donnees-ouvertes/",
        **kwargs,
    }


def test_r2196_1_each_awarded_lot_is_a_contract_valid_against_the_decp_schema():
    # given a signed call of three lots, two awarded (one to a joint groupement)
    signed = call()

    # when its données essentielles are exported
    document = decp_of(signed)

    # then they are valid, one marché per awarded lot, with what the call and award say
    assert validation.decp_errors(document) == []
    first, second = document["marches"]["marche"]
    assert first["id"] == "MELAAC2026001L1"
    assert first["acheteur"] == {"id": "20009320100016"}
    assert first["codeCPV"] == "72260000"
    assert first["montant"] == 33000
    assert first["objet"] == "Mobilité partagée dans la métropole — lot 1 : Standard ouvert"
    assert first["procedure"] == "Procédure adaptée"
    assert first["lieuExecution"] == {"code": "59", "typeCode": "Code département"}
    assert first["dateNotification"] == first["datePublicationDonnees"] == "2026-10-23"
    assert first["typeGroupementOperateurs"] == "Conjoint"
    assert [t["titulaire"]["id"] for t in first["titulaires"]] == [MOBICOOP.siret, COVOIT.siret]
    assert first["offresRecues"] == 2
    assert first["considerationsEnvironnementales"] == {
        "considerationEnvironnementale": ["Critère environnemental"]
    }
    assert second["typeGroupementOperateurs"] == "Pas de groupement"
    assert second["montant"] == 52000


def test_a_contract_signed_late_at_night_is_dated_in_paris_time():
    # given a signature at 00:30 in Paris, still the previous day in UTC
    late = call(signed_at=datetime(2026, 10, 23, 0, 30, tzinfo=PARIS))

    # then its notification is dated the 23rd, as in Paris
    assert decp_of(late)["marches"]["marche"][0]["dateNotification"] == "2026-10-23"


@pytest.mark.parametrize(
    ("amount", "months", "advance"),
    [
        (Decimal("50000.00"), 12, False),  # not over 50 000 € HT
        (Decimal("50000.01"), 12, True),
        (Decimal("80000.00"), 2, False),  # not over two months
        (Decimal("80000.00"), 3, True),
    ],
)
def test_r2191_3_the_advance_is_published_at_its_bounds(amount, months, advance):
    # given a contract over or at the bounds of article R2191-3
    signed = replace(with_contract(call(), amount=amount), duration_months=months)

    # when exported
    document = decp_of(signed)
    marche = document["marches"]["marche"][0]

    # then the advance is stated, with the CCAP's rate (5 %) when it is due
    assert validation.decp_errors(document) == []
    assert marche["attributionAvance"] is advance
    assert marche.get("tauxAvance") == (0.05 if advance else None)


def test_a_lot_reserved_to_the_ess_and_a_grid_without_environment_are_said_so():
    # given a reserved lot and a grid without an environmental criterion
    base = call()
    lots = (replace(base.lots[0], reserved_ess=True), *base.lots[1:])
    signed = replace(base, lots=lots, criteria=base.criteria[:2])

    # then the considerations say so
    marche = decp_of(signed)["marches"]["marche"][0]
    assert marche["considerationsSociales"] == {"considerationSociale": ["Marché réservé"]}
    assert marche["considerationsEnvironnementales"] == {
        "considerationEnvironnementale": ["Pas de considération environnementale"]
    }


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("MEL-AAC-2026-001", "MELAAC2026001L1"),  # 15 characters
        ("AAC-2026-0001234", "AAC20260001234L1"),  # exactly 16
        ("AAC-2026-00001234", "AAC00000007L1"),  # 17: the call's number instead
    ],
)
def test_the_contract_id_fits_the_16_characters_of_the_schema(reference, expected):
    # given a call's reference
    signed = call(reference=reference)

    # then each contract's id has 16 characters at most, and stays valid
    assert decp.contract_id(signed, 1) == expected
    assert validation.decp_errors(decp_of(signed)) == []


def test_a_contract_without_price_or_titulaire_cannot_be_built():
    # the contexts refuse what the schema would publish blank
    with pytest.raises(ValueError, match="positive"):
        with_contract(call(), amount=Decimal(0))
    with pytest.raises(ValueError, match="titulaire"):
        with_contract(call(), titulaires=())
    with pytest.raises(ValueError, match="CPV"):
        call(cpv_code="7226000")


def test_ocds_releases_tell_the_process_event_by_event_valid_against_ocds_1_1_5():
    # given the signed call
    signed = call()

    # when its releases are exported
    package = releases_of(signed)

    # then the package is valid (with the Lots extension), the events in date order
    assert validation.release_package_errors(package) == []
    releases = package["releases"]
    assert [r["tag"] for r in releases] == [
        ["tender"],
        ["tenderAmendment"],
        ["award"],
        ["contract"],
    ]
    assert [r["date"] for r in releases] == sorted(r["date"] for r in releases)
    assert {r["ocid"] for r in releases} == {"ocds-000000-MEL-AAC-2026-001"}
    assert package["extensions"] == [ocds.LOTS_EXTENSION]
    tender = releases[0]["tender"]
    assert tender["awardCriteria"] == "ratedCriteria"
    assert "Prix : 30 %" in tender["awardCriteriaDetails"]
    assert tender["documents"][0]["description"] == "SHA-256 : " + "a" * 64
    assert tender["documents"][1]["relatedLots"] == ["1"]
    assert tender["items"][0]["classification"] == {"scheme": "CPV", "id": "72260000"}
    award = releases[2]
    assert [lot["status"] for lot in award["tender"]["lots"]] == [
        "complete",
        "complete",
        "unsuccessful",
    ]
    assert award["awards"][0]["value"] == {"amount": 33000.0, "currency": "EUR"}
    assert [s["id"] for s in award["awards"][0]["suppliers"]] == [
        "FR-RCS-81000000000010",
        "FR-RCS-82000000800012",
    ]
    contract = releases[3]["contracts"][0]
    assert contract["id"] == "MELAAC2026001L1"
    assert contract["period"] == {
        "startDate": "2026-10-23T10:00:00+02:00",
        "endDate": "2027-10-23T10:00:00+02:00",
    }


def test_the_record_compiles_the_current_state_valid_against_ocds_1_1_5():
    # when the call's record is exported
    package = records_of(call())

    # then it is valid; its compiled release holds the final state of every part
    assert validation.record_package_errors(package) == []
    compiled = package["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["numberOfTenderers"] == 3
    assert len(compiled["tender"]["amendments"]) == 1
    assert len(compiled["awards"]) == len(compiled["contracts"]) == 2
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles == {
        "Métropole Européenne de Lille": ["buyer", "procuringEntity"],
        "Mobicoop SCIC": ["supplier"],
        "Covoit'Libre SAS": ["supplier"],
    }


def test_a_feed_page_links_the_next_one_with_the_pagination_extension():
    # when a page has a next one
    package = releases_of(call(), next_uri="https://communs.example.fr/api?cursor=abc")

    # then it links it and declares the extension that defines the link
    assert package["links"] == {"next": "https://communs.example.fr/api?cursor=abc"}
    assert ocds.PAGINATION_EXTENSION in package["extensions"]
    assert validation.release_package_errors(package) == []


def test_the_validators_refuse_what_the_official_schemas_refuse():
    # given exports spoilt the way a careless export would spoil them
    document = decp_of(call())
    document["marches"]["marche"][0]["codeCPV"] = "7226"
    del document["marches"]["marche"][1]["titulaires"]
    package = releases_of(call())
    package["releases"][0]["date"] = "2026-06-01"  # no time, no offset
    package["releases"][0]["tender"]["lots"][0]["status"] = "open"
    package["releases"][0]["tender"]["documents"][0]["documentType"] = "rc"

    # then each fault is found where it lies
    assert validation.decp_errors(document) == [
        "marches/marche/0/codeCPV: '7226' does not match '^[0-9]{8}(-[0-9])?$'",
        "marches/marche/1: 'titulaires' is a required property",
    ]
    errors = validation.release_package_errors(package)
    assert any(e.startswith("releases/0/date:") for e in errors)
    assert any(e.startswith("releases/0/tender/lots/0/status:") for e in errors)
    assert "documentType: « rc » n'est pas un code de la liste" in errors


def test_a_stream_writes_the_same_json_as_the_whole_document():
    # given two calls' contracts, streamed item by item
    calls = [call(), call(reference="MEL-AAC-2026-002", ocid="ocds-000000-MEL-AAC-2026-002")]
    text = "".join(json_chunks(decp.document([]), ("marches", "marche"), decp.marches(calls)))

    # then the text is the document json.dumps would write
    assert json.loads(text) == decp_of(*calls)
    assert text == json.dumps(decp_of(*calls), ensure_ascii=False)
