"""The proposal page: budget rows and milestones, the coordination rule shown on its
field with everything typed kept, and attachments uploaded by their group."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.portal.steps import advance
from tests.portal.test_tasks import field_error
from tests.procurement.ledger_cast import PDF


def proposal_data(group, coordination_days="15") -> dict:
    g = f"g{group.pk}"
    return {
        "group": group.pk,
        f"{g}-title": "Standard ouvert du covoiturage",
        f"{g}-summary": "Un schéma de données commun.",
        f"{g}-deliverables": "Spécification, validateur",
        f"{g}-licence": "ODbL-1.0",
        f"{g}-line0_category": "development",
        f"{g}-line0_label": "Développement du validateur",
        f"{g}-line0_quantity": "85",
        f"{g}-line0_unit": "day",
        f"{g}-line0_rate": "300",
        f"{g}-line1_category": "coordination",
        f"{g}-line1_label": "Animation de la communauté",
        f"{g}-line1_quantity": coordination_days,
        f"{g}-line1_unit": "day",
        f"{g}-line1_rate": "300",
        f"{g}-milestone0_title": "Version 1",
        f"{g}-milestone0_due_on": "2027-03-01",
    }


@pytest.mark.django_db
def test_a_coordination_share_out_of_bounds_is_shown_on_its_field_keeping_the_rows(
    client, world, clock, login
):
    challenge = advance(world, clock, "proposals")
    group = challenge.resources.order_by("order").first().working_group
    url = reverse("portal:proposal", args=[challenge.pk])
    login(world.partner_users[0])

    # when the group's coordination makes 40 % of its budget (56.67 days of 141.67)
    data = proposal_data(group, coordination_days="56,67")
    refused = client.post(url, data)

    # then the page says so on the justification field, the rows still typed
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "40,00 %" in field_error(html, f"id_g{group.pk}-coordination_justification")
    assert 'value="Animation de la communauté"' in html
    assert 'value="56,67"' in html
    assert not challenge.proposals.exists()

    # when it justifies the share, then the proposal is submitted, its total computed
    data[f"g{group.pk}-coordination_justification"] = "Communauté à créer de zéro."
    assert client.post(url, data).status_code == 302
    proposal = challenge.proposals.get()
    assert str(proposal.amount) == "42501.00"
    assert proposal.milestones.get().title == "Version 1"


@pytest.mark.django_db
def test_a_member_attaches_a_pdf_and_a_renamed_image_is_refused(client, world, clock, login):
    challenge = advance(world, clock, "proposals")
    group = challenge.resources.order_by("order").first().working_group
    url = reverse("portal:proposal", args=[challenge.pk])
    login(world.partner_users[0])
    assert client.post(url, proposal_data(group)).status_code == 302

    def upload(content, name):
        return client.post(
            url,
            {
                "group": group.pk,
                "action": "attach",
                f"a{group.pk}-file": SimpleUploadedFile(name, content),
            },
        )

    refused = upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "offre.pdf")
    assert refused.status_code == 400
    assert "PDF, ODT, DOCX" in field_error(refused.content.decode(), f"id_a{group.pk}-file")

    assert upload(PDF, "offre.pdf").status_code == 302
    assert "offre.pdf" in client.get(url).content.decode()
    assert challenge.proposals.get().attachments.get().kind == "pdf"
