"""A proposal's attachments, and the seal: before the proposals are opened nobody but
the group's members reads a proposal, its budget, its timeline or its attachments —
by the API's lists, details and downloads, the audit trail or the admin."""

import json

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

from procurement.models import (
    AuditChainHead,
    BudgetLine,
    Milestone,
    Proposal,
    ProposalAttachment,
)
from procurement.uploads import MAX_UPLOAD_BYTES
from tests.api import scenarios
from tests.api.steps import challenge_url, error, ok
from tests.conftest import later
from tests.procurement.ledger_cast import PDF
from tests.procurement.test_uploads import docx_bytes, odt_bytes
from tests.workflows.journey import complete, sweep

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def own_proposal(challenge) -> Proposal:
    return Proposal.objects.filter(challenge=challenge).order_by("group__resource__order")[0]


def attach(client, proposal, content, name):
    return client.post(
        challenge_url(proposal.challenge_id, f"proposals/{proposal.pk}/attachments/"),
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


@pytest.mark.django_db
def test_group_members_attach_pdf_odt_and_docx_judged_by_their_content(world, clock, api):
    # given a group's sealed proposal, the deadline to come
    challenge = scenarios.sealed(world, clock)
    proposal = own_proposal(challenge)
    member = api(world.partner_users[0])

    # when a member attaches a PDF, an ODT and a DOCX, then each is kept with its name
    for content, name, kind in [
        (PDF, "offre.pdf", "pdf"),
        (odt_bytes(), "offre.odt", "odt"),
        (docx_bytes(), "offre.docx", "docx"),
    ]:
        body = ok(attach(member, proposal, content, name), 201)
        assert (body["original_name"], body["kind"], body["size"]) == (name, kind, len(content))
    assert proposal.attachments.count() == 3

    # when it sends a PNG renamed .pdf, then it is refused by its content
    error(attach(member, proposal, PNG, "offre.pdf"), 400, "file_type")
    # when the file is over the limit, then 413
    error(attach(member, proposal, b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, "gros.pdf"), 413)
    # when another group's partner or the buyer tries, then the proposal does not exist
    error(attach(api(world.partner_users[1]), proposal, PDF, "x.pdf"), 404)
    error(attach(api(world.buyer_agent), proposal, PDF, "x.pdf"), 404)
    assert proposal.attachments.count() == 3

    # when the deadline has passed (one second after), then the member's upload is refused
    clock.move_to(later(scenarios.PROPOSAL_END, seconds=1))
    error(attach(member, proposal, PDF, "tard.pdf"), 409)
    # and still once the proposals are opened
    sweep()
    error(attach(member, proposal, PDF, "tard.pdf"), 409)
    assert proposal.attachments.count() == 3


def readers(world, api):
    return {
        "buyer": api(world.buyer_agent),
        "evaluator": api(world.evaluators[0]),
        "other partner": api(world.partner_users[1]),
        "stranger": api(world.stranger),
        "anonymous": api(),
    }


def paths(challenge, proposal, attachment) -> list[str]:
    base = challenge_url(challenge.pk, "proposals/")
    return [
        f"{base}{proposal.pk}/",
        f"{base}{proposal.pk}/attachments/{attachment.pk}/",
    ]


@pytest.mark.django_db
def test_a_sealed_proposal_is_read_by_no_path_but_its_groups_until_opened(world, clock, api):
    # given a sealed proposal with an attachment
    challenge = scenarios.sealed(world, clock)
    proposal = own_proposal(challenge)
    member = api(world.partner_users[0])
    ok(attach(member, proposal, PDF, "offre-secrete.pdf"), 201)
    attachment = proposal.attachments.get()
    url = challenge_url(challenge.pk, "proposals/")

    # when the buyer, an evaluator, another partner, a stranger or the public look for it,
    # then it is in no list and its detail and attachment do not exist
    for who, client in readers(world, api).items():
        body = ok(client.get(url))
        assert proposal.pk not in [row["id"] for row in body["results"]], who
        for path in paths(challenge, proposal, attachment):
            error(client.get(path), 404)

    # when its group's member reads it, then it sees its budget, timeline and attachment
    detail = ok(member.get(f"{url}{proposal.pk}/"))
    assert [line["category"] for line in detail["budget_lines"]] == ["development", "coordination"]
    assert detail["milestones"][0]["title"] == "Version 1"
    assert detail["attachments"][0]["original_name"] == "offre-secrete.pdf"
    download = member.get(paths(challenge, proposal, attachment)[1])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    # when the buyer reads the audit trail, then nothing tells that a proposal was
    # submitted, when, by whom, nor how many: those events are chained apart, sealed
    audit = ok(api(world.buyer_agent).get(challenge_url(challenge.pk, "audit/")))
    events = audit["events"]
    assert not [e for e in events if e["verb"].startswith("proposal")]
    assert audit["verification"]["valid"] is True
    trail = json.dumps(events, ensure_ascii=False)
    for secret in (proposal.title, "30000", "25500", "offre-secrete", attachment.sha256):
        assert secret not in trail

    # when a superuser opens the admin, then no proposal nor any of its parts is there
    for model in (Proposal, BudgetLine, Milestone, ProposalAttachment):
        assert not admin.site.is_registered(model)
    for path in ("/admin/procurement/proposal/", f"/admin/procurement/proposal/{proposal.pk}/"):
        assert not (resolve(path).url_name or "").startswith("procurement_proposal")

    # when the deadline has passed but the proposals are not opened yet, still sealed
    clock.move_to(scenarios.PROPOSAL_END)
    for path in paths(challenge, proposal, attachment):
        error(api(world.buyer_agent).get(path), 404)

    # when the proposals are opened
    sweep()

    # then the buyer reads it, its budget and its attachment, and the trail records the
    # opening with the digest of the proposals' sealed chains (one per proposal: this
    # one's holds its submission and its attachment)
    buyer = api(world.buyer_agent)
    opened = [
        e
        for e in ok(buyer.get(challenge_url(challenge.pk, "audit/")))["events"]
        if e["verb"] == "proposals.opened"
    ]
    assert opened[0]["data"]["sealed_chains"] == challenge.proposals.count()
    assert len(opened[0]["data"]["sealed_digest"]) == 64
    own = AuditChainHead.objects.get(chain=f"sealed:{challenge.pk}:{proposal.pk}")
    assert own.seq == 2
    assert ok(buyer.get(f"{url}{proposal.pk}/"))["amount"] == "30000.00"
    assert buyer.get(paths(challenge, proposal, attachment)[1]).status_code == 200
    # and still neither another partner, a stranger, the public nor an evaluator not assigned
    for who in ("evaluator", "other partner", "stranger", "anonymous"):
        for path in paths(challenge, proposal, attachment):
            error(readers(world, api)[who].get(path), 404)

    # when the evaluator is assigned and declares no conflict of interest, then it reads it
    complete(
        challenge,
        "assign_evaluators",
        world.buyer_agent,
        {"evaluators": [u.pk for u in world.evaluators]},
    )
    evaluator = api(world.evaluators[0])
    assignments = ok(evaluator.get(challenge_url(challenge.pk, "assignments/")))["results"]
    assignment = next(a for a in assignments if a["proposal"] == proposal.pk)
    ok(
        evaluator.post(
            challenge_url(challenge.pk, f"assignments/{assignment['id']}/declare/"),
            {"conflict": False},
            format="json",
        )
    )
    assert ok(evaluator.get(f"{url}{proposal.pk}/"))["attachments"][0]["id"] == attachment.pk
    assert evaluator.get(paths(challenge, proposal, attachment)[1]).status_code == 200


@pytest.mark.django_db
def test_an_attachment_gone_from_the_disk_is_a_404_not_a_500(world, clock, api):
    challenge = scenarios.sealed(world, clock)
    proposal = own_proposal(challenge)
    member = api(world.partner_users[0])
    body = ok(attach(member, proposal, PDF, "offre.pdf"), 201)
    attachment = proposal.attachments.get(pk=body["id"])
    attachment.file.storage.delete(attachment.file.name)

    path = challenge_url(challenge.pk, f"proposals/{proposal.pk}/attachments/{attachment.pk}/")
    error(member.get(path), 404, "file_missing")
