"""The demo shows a newcomer every stage, and running it twice duplicates nothing."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from procurement.models import (
    AuditEvent,
    Challenge,
    ChallengeStatus,
    Commons,
    Framing,
    Organisation,
    Position,
    TenderDocument,
)
from procurement.queries import budget_split_of


def counts():
    from django.contrib.auth import get_user_model

    return (
        Challenge.objects.count(),
        get_user_model().objects.count(),
        Position.objects.count(),
        AuditEvent.objects.count(),
        TenderDocument.objects.count(),
    )


@pytest.mark.django_db(transaction=True)
def test_demo_holds_every_stage_and_running_it_twice_duplicates_nothing():
    # when the demo is created
    call_command("demo", "--password", "secret-demo", stdout=StringIO())

    # then a newcomer sees a draft, a call open for positions, one being scored and one done
    statuses = dict(Challenge.objects.values_list("reference", "status"))
    assert statuses == {
        "MEL-AAC-2026-001": ChallengeStatus.AWARDED,
        "MEL-AAC-2026-002": ChallengeStatus.SCORING,
        "MEL-AAC-2026-003": ChallengeStatus.POSITIONING,
        "MEL-AAC-2026-004": ChallengeStatus.DRAFT,
        "MEL-AAC-2026-005": ChallengeStatus.COFUNDING,
        "MEL-AAC-2026-006": ChallengeStatus.EXPLORATION,
    }
    # each call has its own context, and every organisation its SIRET and address
    contexts = set(Challenge.objects.values_list("context", flat=True))
    assert len(contexts) == len(statuses)
    assert not Organisation.objects.filter(siret="").exists()
    assert not Organisation.objects.filter(address="").exists()
    done = Challenge.objects.get(reference="MEL-AAC-2026-001")
    # with lots and both legal framings: the completed call is a marché public of one lot
    # per resource whose buckets fund only what lies outside each contract, one call is
    # hors marché, and the draft groups two resources in one lot with its reason
    assert done.framing == Framing.PUBLIC_CONTRACT
    assert list(done.lots.order_by("number").values_list("estimated_amount", flat=True)) == [
        Decimal("60000.00"),
        Decimal("80000.00"),
        Decimal("40000.00"),
    ]
    for bucket in done.cofunding_round.buckets.select_related("proposal"):
        split = budget_split_of(bucket.proposal)
        assert split.contract > 0
        assert bucket.max_amount == split.cofundable < bucket.proposal.amount
    # its round had a matching offer, honoured at the close as the Région's pledge
    (offer,) = done.cofunding_round.matching_offers.select_related("matcher")
    assert (offer.matcher.name, offer.status, offer.honoured) == (
        "Région Hauts-de-France",
        "honoured",
        Decimal("3000.00"),
    )
    assert all(b.status == "funded" for b in done.cofunding_round.buckets.all())
    hors_marche = Challenge.objects.get(reference="MEL-AAC-2026-003")
    assert hors_marche.framing == Framing.OUTSIDE_CONTRACT
    draft = Challenge.objects.get(reference="MEL-AAC-2026-004")
    assert [lot.resources.count() for lot in draft.lots.order_by("number")] == [2, 1]
    assert draft.single_lot_reason
    assert {"reglement", "cctp", "ccap", "rapport_analyse", "acte_engagement"} <= set(
        done.documents.values_list("piece", flat=True)
    )
    # each funded commons has its host and its contrat d'hébergement, generated with the
    # award pieces (seed 003); the booking brick's host keeps 3 % of the funds
    retained = done.proposals.filter(status__in=["selected", "awarded"]).select_related(
        "group__resource__commons__host"
    )
    resources = {p.group.resource for p in retained}
    assert all(r.commons is not None and r.commons.host is not None for r in resources)
    contracts = done.documents.filter(piece="contrat_hebergement")
    assert set(contracts.values_list("key", flat=True)) == {str(r.pk) for r in resources}
    booking = Commons.objects.get(challenge_resources__title="Brique open source de réservation")
    assert booking.hosting_fee == Decimal(3)
    # the draft's second lot is reserved to the structures d'insertion (L2113-13), and an
    # association declares itself one, at 65 % of disadvantaged workers
    assert [lot.reserved_insertion for lot in draft.lots.order_by("number")] == [False, True]
    assert Organisation.objects.get(name="Association Rues Partagées").inclusion_status == "siae"
    assert done.published_at.year == 2026
    # the completed call was signed after the standstill its buyer chose to observe
    assert done.standstill_ends_at == done.letters_sent_at + timedelta(days=11)
    assert done.awarded_at >= done.standstill_ends_at
    # and the call open for positions, hors marché, shows its consultation documents:
    # the règlement de l'appel and a subsidy form per lot, no acte d'engagement nor CCAP
    open_call = Challenge.objects.get(reference="MEL-AAC-2026-003")
    dce = set(open_call.documents.filter(stage="dce").values_list("piece", flat=True))
    assert {"reglement_appel", "cctp", "demande_subvention"} <= dce
    assert not dce & {"reglement", "ccap", "ae_lot", "dpgf"}
    assert done.audit_events.filter(verb="proposals.opened").exists()
    # and one call's funders and contributors are voting on its commons, one has voted
    voting = Challenge.objects.get(reference="MEL-AAC-2026-005").collective_vote
    assert voting.is_open
    assert voting.ends_at > timezone.now()
    assert voting.candidates.count() == 3
    assert voting.ballots.count() == 1
    # and a call explores before its cofunding (seed 003): the two selected teams got
    # 2,500 € each, the exploration is over and the buyer's decision waits
    exploring = Challenge.objects.get(reference="MEL-AAC-2026-006")
    assert [e.budget for e in exploring.explorations.all()] == [Decimal("2500.00")] * 2
    assert exploring.explorations.filter(payout__isnull=False).exists()
    assert (
        exploring.process.task_set.filter(flow_task_type="HUMAN", status="NEW").get().flow_task.name
        == "decide_exploration"
    )
    before = counts()

    # and a second run changes nothing but the passwords
    call_command("demo", "--password", "autre-secret", stdout=StringIO())
    assert counts() == before
    # and --json only lists the accounts: it changes no password
    get_user_model().objects.filter(username="ademe").update(password=make_password("mine-now"))
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    assert counts() == before
    assert authenticate(username="ademe", password="mine-now") is not None
    accounts = json.loads(out.getvalue())
    roles = {(a["username"], a["role"]) for a in accounts}
    assert ("moderatrice.chambre", "moderator") in roles
    assert ("evaluatrice.2", "evaluator") in roles
    assert {a["organisation_kind"] for a in accounts} == {
        "buyer",
        "chambre",
        "partner",
        "funder",
        "host",
    }
    assert authenticate(username="agent.mel", password="autre-secret") is not None
    assert authenticate(username="agent.mel", password="secret-demo") is None


@pytest.mark.django_db(transaction=True)
def test_demo_reset_rebuilds_the_database_and_replays_the_demo(settings):
    # given the demo, played with, and a table the migrations do not know
    settings.DEBUG = True
    call_command("demo", stdout=StringIO())
    Challenge.objects.filter(reference="MEL-AAC-2026-004").update(title="Brouillon abîmé")
    get_user_model().objects.create_user("intrus", password="x")
    first = counts()

    # when the demo is reset
    out = StringIO()
    call_command("demo", "--reset", stdout=out)

    # then the base is rebuilt and the demo replayed: the same calls, fresh
    assert "Base reconstruite" in out.getvalue()
    assert counts()[0] == first[0]
    assert not get_user_model().objects.filter(username="intrus").exists()
    draft = Challenge.objects.get(reference="MEL-AAC-2026-004")
    assert draft.title != "Brouillon abîmé"
    assert authenticate(username="agent.mel", password="communs-demo") is not None
    # and the rebuilt audit trail verifies (on PostgreSQL, its append-only triggers are
    # back: the migration made them again)
    from procurement.services.chains import chains_verify

    verification = chains_verify()
    assert verification.valid, verification.problems


def test_demo_reset_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo", "--reset", stdout=StringIO())
