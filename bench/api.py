"""What the API's reads cost in CPU per request, against a bare DRF page of 20 calls.

Run from the repository root::

    .venv/bin/python bench/api.py [--requests 10] [--keep]

The bench creates its own SQLite database in a temporary directory (it never touches
another), migrates it and writes its rows in bulk: at ×1, 100 published calls of one
buyer (each with its process and an open task for the buyer's staff) and one call in
selection with 20 proposals over 5 lots, scored by 3 evaluators on 5 criteria and a
price formula, its audit trail and its sealed chain written through
``procurement.services.audit``; at ×10, ten times as many calls, and a call of 200
proposals. The scored call is closed through ``scoring_close``, as the process does.

Each endpoint is served in this process by Django's test client, through the whole
middleware stack, signed in as an agent of the buyer: the challenge list, one
challenge, the task list, the ranking, the audit trail and the portal's home page. The
challenge and task lists are measured twice: by page number (the contract's, with its
count) and by cursor (``?cursor=``, their first page: no count, one page read).

The floor is the issue's "bare DRF page of 20": the same page of 20 calls as the
service's list (the same keys, the buyer and the Chambre nested, the count of
resources), served by a DRF ``ListAPIView`` written as DRF's documentation would, with
a plain ``ModelSerializer``, no visibility rule and nothing the service adds; the same
pagination, middleware and authentication. (The issue, when filed, put the challenge
list at 1.25–1.7× its floor; against the two-field page below, the same list measured
4–7× throughout the work on the issue, so that page cannot be the floor it meant.)
A second, smaller page is printed beside it for comparison: 20 organisations of
two fields, the floor this bench first used, which measures the fixed cost of a request
rather than of a page. Both are measured in the same run. The CPU time of this process
(SQLite runs in it, so the database's work counts too) is taken over ``--requests``
requests, median of five rounds, the floors and the endpoint alternating so that the
machine's noise falls on all. What the set-up leaves in memory is frozen out of the
garbage collector's walks (``gc.freeze``) before each scale is measured. Targets (issue
20): each endpoint at most 1.25× the floor, and the same cost for a page at ×10 as at ×1.

The temporary directory is removed at the end, unless ``--keep``.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
import types
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script

from setup_django import configure_django  # noqa: E402  (bench/, the script's folder)

CALLS = 100
PROPOSALS = 20
LOTS = 5
EVALUATORS = 3
ROUNDS = 5
TARGET_RATIO = 1.25


def configure(workdir: Path) -> None:
    configure_django(workdir, ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="0")
    from django.conf import settings

    # Plain HTTP for the test client, and no throttling: the bench asks many times.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    # Static files named as they lie (no collectstatic): the portal's pages link them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ROOT_URLCONF = bench_urls().__name__


def bench_urls() -> types.ModuleType:
    """The service's URLs plus the floors: bare DRF pages of 20 calls and of 20
    organisations."""
    from django.db.models import Count, OuterRef, Subquery
    from django.urls import include, path
    from rest_framework import generics, serializers

    from api.challenges import ChallengeSerializer
    from procurement.models import Challenge, ChallengeResource, Organisation

    class BareSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()

    class Bare(generics.ListAPIView):
        serializer_class = BareSerializer
        queryset = Organisation.objects.order_by("id").values("id", "name")

    # The same page of 20 calls as the service's list, written as DRF's documentation
    # would: a plain ModelSerializer of the same keys (the buyer and the Chambre nested,
    # the process' key, the count of resources), select_related and an annotation, no
    # visibility rule, no warning computed, DRF's own serializer walk. The count is a
    # subquery, as the list's, rather than a GROUP BY that would join the whole table.
    class BareOrganisation(serializers.ModelSerializer):
        class Meta:
            model = Organisation
            fields = ["id", "name", "kind"]

    class BareCallSerializer(serializers.ModelSerializer):
        buyer = BareOrganisation(read_only=True)
        chambre = BareOrganisation(read_only=True)
        process = serializers.IntegerField(source="process.pk", default=None, read_only=True)
        resource_count = serializers.IntegerField(read_only=True)
        warnings = serializers.SerializerMethodField()

        class Meta:
            model = Challenge
            fields = ChallengeSerializer.Meta.fields

        def get_warnings(self, challenge) -> list[str]:
            return []

    class BareCalls(generics.ListAPIView):
        serializer_class = BareCallSerializer
        filter_backends: list = []
        queryset = (
            Challenge.objects.select_related("buyer", "chambre", "process")
            .annotate(
                resource_count=Subquery(
                    ChallengeResource.objects.filter(challenge=OuterRef("pk"))
                    .order_by()
                    .values("challenge")
                    .annotate(n=Count("pk"))
                    .values("n")
                )
            )
            .order_by("-created_at", "-id")
        )

    module = types.ModuleType("bench_api_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/bare/", Bare.as_view()),
        path("bench/bare-calls/", BareCalls.as_view()),
        path("", include("config.urls")),
    ]
    sys.modules[module.__name__] = module
    return module


class World:
    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from procurement.models import Membership, Organisation, OrganisationKind, Role

        user_model = get_user_model()
        self.agent = user_model.objects.create(username="agent.bench")
        self.buyer = Organisation.objects.create(
            name="Métropole du banc d'essai",
            kind=OrganisationKind.BUYER,
            siren="200093201",
            siret="20009320100016",
        )
        self.chambre = Organisation.objects.create(
            name="Chambre des communs", kind=OrganisationKind.CHAMBRE
        )
        Membership.objects.create(user=self.agent, organisation=self.buyer, role=Role.MEMBER)
        self.partners = Organisation.objects.bulk_create(
            Organisation(name=f"Coopérative {n}", kind=OrganisationKind.PARTNER) for n in range(200)
        )
        self.evaluators = user_model.objects.bulk_create(
            user_model(username=f"evaluateur.{n}") for n in range(EVALUATORS)
        )
        self.calls = 0


def add_calls(world: World, count: int) -> None:
    """``count`` published calls of the buyer, each with its process and an open task
    of the buyer's staff."""
    from viewflow.workflow.models import Task

    from procurement.models import Challenge, ChallengeResource, ChallengeStatus, Lot
    from workflows.flows import ChallengeFlow
    from workflows.models import ChallengeProcess

    start = datetime(2026, 9, 1, 9, tzinfo=UTC)
    first = world.calls
    challenges = Challenge.objects.bulk_create(
        Challenge(
            reference=f"BENCH-{i:05d}",
            title=f"Appel à communs n° {i}",
            context="Des communs numériques pour le territoire, sous licence ouverte.",
            buyer=world.buyer,
            chambre=world.chambre,
            status=ChallengeStatus.POSITIONING,
            estimated_amount=Decimal("120000.00"),
            published_at=start,
            positioning_deadline=start + timedelta(days=30),
            proposal_deadline=start + timedelta(days=60),
            created_by=world.agent,
        )
        for i in range(first, first + count)
    )
    world.calls += count
    lots = Lot.objects.bulk_create(
        Lot(challenge=c, number=1, title="Lot 1", estimated_amount=Decimal("120000.00"))
        for c in challenges
    )
    ChallengeResource.objects.bulk_create(
        ChallengeResource(challenge_id=lot.challenge_id, lot=lot, title="Commun") for lot in lots
    )
    processes = [
        ChallengeProcess.objects.create(flow_class=ChallengeFlow, challenge=c, status="NEW")
        for c in challenges
    ]
    Task.objects.bulk_create(
        Task(process=p, flow_task=ChallengeFlow.select, flow_task_type="HUMAN", status="NEW")
        for p in processes
    )


def scored_call(world: World, proposals: int):
    """A call in scoring, ``proposals`` proposals over its lots, every mark submitted,
    what happened written to its chains; then closed by ``scoring_close``."""
    from django.utils import timezone

    from procurement.models import (
        AuditChainHead,
        BudgetLine,
        Challenge,
        ChallengeResource,
        ChallengeStatus,
        Lot,
        Proposal,
        ProposalStatus,
        WorkingGroup,
    )
    from procurement.services.audit import audit_record, sealed_chain, sealed_digest
    from scoring.models import Assignment, Criterion, Evaluation, Grid, ScaleKind, Score
    from scoring.services import scoring_close

    world.calls += 1
    now = timezone.now()
    challenge = Challenge.objects.create(
        reference=f"BENCH-SCORED-{proposals}",
        title=f"Appel noté de {proposals} propositions",
        context="Un appel en cours de notation.",
        buyer=world.buyer,
        chambre=world.chambre,
        status=ChallengeStatus.SCORING,
        estimated_amount=Decimal("500000.00"),
        published_at=now - timedelta(days=90),
        positioning_deadline=now - timedelta(days=60),
        proposal_deadline=now - timedelta(days=30),
        proposals_opened_at=now - timedelta(days=30),
        created_by=world.agent,
    )
    lots = Lot.objects.bulk_create(
        Lot(challenge=challenge, number=n, title=f"Lot {n}", estimated_amount=Decimal("100000"))
        for n in range(1, LOTS + 1)
    )
    grid = Grid.objects.create(challenge=challenge, frozen_at=now - timedelta(days=30))
    criteria = Criterion.objects.bulk_create(
        Criterion(
            grid=grid, code=code, label=code, kind=kind, weight=Decimal(w), scale=scale, order=i
        )
        for i, (code, kind, w, scale) in enumerate(
            (
                ("technique", "technical", "30", ScaleKind.ZERO_TWENTY),
                ("communs", "commons_production", "20", ScaleKind.ZERO_TEN),
                ("gouvernance", "commons_governance", "10", ScaleKind.ZERO_FIVE),
                ("environnement", "environment", "10", ScaleKind.ZERO_TEN),
                ("methode", "other", "10", ScaleKind.ZERO_TEN),
                ("prix", "price", "20", ScaleKind.PRICE_FORMULA),
            )
        )
    )
    resources = ChallengeResource.objects.bulk_create(
        ChallengeResource(challenge=challenge, lot=lots[n % LOTS], title=f"Ressource {n}")
        for n in range(proposals)
    )
    groups = WorkingGroup.objects.bulk_create(
        WorkingGroup(resource=r, coordinator=world.partners[n % len(world.partners)])
        for n, r in enumerate(resources)
    )
    rows = Proposal.objects.bulk_create(
        Proposal(
            group=g,
            challenge=challenge,
            title=f"Proposition {n}",
            summary="Produire le commun.",
            deliverables="Code",
            licence="EUPL-1.2",
            amount=Decimal(30000 + 500 * (n % 7)),
            status=ProposalStatus.SUBMITTED,
            submitted_at=now - timedelta(days=31),
        )
        for n, g in enumerate(groups)
    )
    Proposal.lots.through.objects.bulk_create(
        Proposal.lots.through(proposal=p, lot=lots[n % LOTS]) for n, p in enumerate(rows)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            proposal=p,
            lot=lots[n % LOTS],
            category="development",
            label="Développement",
            quantity=Decimal(50),
            unit="day",
            rate=p.amount / 50,
            amount=p.amount,
        )
        for n, p in enumerate(rows)
    )
    for p in rows:  # what happened under seal (a chain per proposal), then the opening
        audit_record(verb="proposal.submitted", challenge=challenge, obj=p, sealed=True)
    heads = list(
        AuditChainHead.objects.filter(chain__startswith=f"{sealed_chain(challenge)}:").values_list(
            "chain", "seq", "hash"
        )
    )
    audit_record(
        verb="proposals.opened",
        challenge=challenge,
        data={
            "sealed_chains": len(heads),
            "sealed_digest": sealed_digest(heads),
            "sealed_events": 0,
            "sealed_head": "",
        },
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(proposal=p, evaluator=e, conflict=False, declared_at=now)
        for p in rows
        for e in world.evaluators
    )
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(assignment=a, round=1, submitted_at=now) for a in assignments
    )
    marked = [c for c in criteria if c.scale != ScaleKind.PRICE_FORMULA]
    Score.objects.bulk_create(
        Score(evaluation=e, criterion=c, value=str(1 + (e.pk * 7 + c.pk * 3) % 5))
        for e in evaluations
        for c in marked
    )
    for e in evaluations:
        audit_record(
            verb="evaluation.submitted",
            actor=world.evaluators[0],
            challenge=challenge,
            obj=e,
            data={"proposal": e.assignment.proposal_id, "round": 1},
        )
    scoring_close(challenge=challenge)
    return challenge


def cpu_per_request(client, url: str, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return (time.process_time() - started) / requests


FLOORS = {
    "floor": "/bench/bare-calls/",  # the floor: the same page of calls, bare DRF
    "organisations": "/bench/bare/",  # the bench's first floor: 20 rows of two fields
}


def measure(client, urls: dict[str, str], requests: int) -> dict[str, float]:
    """Median CPU seconds per request of each URL and of each floor, over ``ROUNDS``
    rounds, the floors measured before each endpoint."""
    samples: dict[str, list[float]] = {name: [] for name in [*FLOORS, *urls]}
    for url in [*FLOORS.values(), *urls.values()]:  # warm every path once
        cpu_per_request(client, url, 2)
    for _ in range(ROUNDS):
        for name, url in urls.items():
            for floor, floor_url in FLOORS.items():
                samples[floor].append(cpu_per_request(client, floor_url, requests))
            samples[name].append(cpu_per_request(client, url, requests))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="Garder la base.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    started = time.perf_counter()
    try:
        configure(workdir)
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        world = World()
        client = Client()
        client.force_login(world.agent)
        print(f"charge de la machine : {os.getloadavg()[0]:.1f} ({os.cpu_count()} cœurs)")
        results = {}
        for scale in (1, 10):
            add_calls(world, CALLS * scale - (CALLS if scale > 1 else 0))
            challenge = scored_call(world, PROPOSALS * scale)
            # What the set-up left in memory (its rows, Django's caches) is frozen out of
            # the collector's reach: a long-lived heap that a garbage collection would walk
            # on every round, floor and endpoints alike, and that grows ×10 with the data —
            # the bench's own, not a request's (a gunicorn worker holds no such heap).
            gc.collect()
            gc.freeze()
            base = f"/api/v1/challenges/{challenge.pk}/"
            urls = {
                "liste des appels": "/api/v1/challenges/",
                "appels par curseur": "/api/v1/challenges/?cursor=",
                "un appel": base,
                "tâches": "/api/v1/tasks/",
                "tâches par curseur": "/api/v1/tasks/?cursor=",
                "classement": base + "ranking/",
                "journal d'audit": base + "audit/",
                "accueil du portail": "/",
            }
            results[scale] = measure(client, urls, args.requests)
            print(
                f"×{scale} : {world.calls} appels, {PROPOSALS * scale} propositions notées "
                f"({time.perf_counter() - started:.0f} s)"
            )
        print()
        print(
            f"{'CPU par requête (ms)':30}{'×1':>7}{'/plancher':>10}{'/2 champs':>10}"
            f"{'×10':>7}{'/plancher':>10}{'/2 champs':>10}{'×10/×1':>8}"
        )
        labels = {
            "floor": "plancher : 20 appels, DRF nu",
            "organisations": "20 organisations à 2 champs",
        }
        for name in results[1]:
            one, ten = results[1][name], results[10][name]
            print(
                f"{labels.get(name, name):30}"
                f"{one * 1000:7.2f}{one / results[1]['floor']:9.2f}×"
                f"{one / results[1]['organisations']:9.2f}×"
                f"{ten * 1000:7.2f}{ten / results[10]['floor']:9.2f}×"
                f"{ten / results[10]['organisations']:9.2f}×{ten / one:7.2f}×"
            )
        print()
        print(
            f"Cibles (issue 20) : au plus {TARGET_RATIO}× le plancher (la même page de 20 "
            "appels servie par DRF nu), le même coût à ×10 qu'à ×1."
        )
        print(f"Durée totale : {time.perf_counter() - started:.0f} s")
    finally:
        if args.keep:
            print(f"Conservé : {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
