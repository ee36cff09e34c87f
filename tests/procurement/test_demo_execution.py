"""The demo shows the execution follow-up and the contribution record (issue 21): the
signed call's lots with deliverables and milestones at every state, and a commons whose
record combines positions, reciprocity kept and late."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from procurement import queries
from procurement.models import Challenge, Commons
from procurement.opendata import validation


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_execution_at_every_state_and_a_contribution_record():
    call_command("demo", "--password", "secret-demo", stdout=StringIO())

    done = Challenge.objects.get(reference="MEL-AAC-2026-001")
    follow_up = queries.execution_of(done)
    states = {d.status for row in follow_up.lots for d in row.deliverables}
    assert states == {"expected", "submitted", "admitted", "refused"}
    milestones = {m.state for row in follow_up.lots for m in row.milestones}
    assert {"reached", "late"} <= milestones  # the demo is read after its dates
    lot1 = next(row for row in follow_up.lots if row.lot.number == 1)
    # ⌊100 × (2 admitted + 1 reached) / (4 deliverables + 3 milestones)⌋
    assert lot1.progress.percent == 42
    refused = next(d for d in lot1.deliverables if d.status == "refused")
    assert "CCTP" in refused.refusal_reason

    html = Client().get(f"/defis/{done.pk}/execution/").content.decode()
    assert "Spécification du standard v2" in html
    assert "En retard" in html

    carpooling = Commons.objects.get(name="Standard REST covoiturage")
    rows = queries.contribution_record_of_commons(carpooling)
    geo = next(row for row in rows if row.organisation.name == "GéoCommuns SAS")
    assert (geo.involvement.kept, geo.involvement.late) == (1, 1)
    assert str(geo.involvement.reciprocity_given) == "1860.00"
    assert Client().get(f"/communs/{carpooling.slug}/contributions/").status_code == 200

    # and the open data carry the follow-up as OCDS implementation milestones, valid
    records = Client().get("/api/v1/opendata/ocds/records/").json()
    releases = Client().get("/api/v1/opendata/ocds/releases/").json()
    assert validation.record_package_errors(records) == []
    assert validation.release_package_errors(releases) == []
    [record] = records["records"]
    lot1_contract = record["compiledRelease"]["contracts"][0]
    steps = {m["title"]: m for m in lot1_contract["implementation"]["milestones"]}
    assert steps["Spécification du standard v2"]["status"] == "met"
    assert steps["Spécification du standard v2"]["dateMet"].startswith("2026-11-20T11:00")
    assert steps["Guide d'intégration pour les opérateurs"]["status"] == "scheduled"
    assert steps["Atelier de lancement avec la communauté"]["dateMet"].startswith("2026-11-05")
    assert record["releases"][-1]["tag"] == ["implementationUpdate"]
