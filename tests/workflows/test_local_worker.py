"""In the embedded default (no broker), the documents are rendered by the local worker,
never inside the web request that triggered them (issue 20, item 2): the request answers
while its job is still pending, then a thread of the process renders and stores the
pieces, committing them itself (``config/local_worker.py``).

The other tests run the jobs inline (``LOCAL_WORKER_THREADS = 0`` in the test settings);
here the worker is turned on before the request under test (the set-up before it runs
its jobs inline), with one thread, and each job it takes is held at the door until the
test has seen what the request left, so nothing depends on timing — nor on two
connections writing at once to the in-memory SQLite of the tests, which refuses that
("database table is locked") where a SQLite file waits its turn."""

import threading
from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from config import celery_app
from config import local_worker as worker_module
from config.local_worker import local_worker
from procurement.models import DocumentStage, DocumentStatus, TenderDocument
from procurement.services.documents import JOB_LOST_SECONDS
from tests.conftest import paris
from tests.workflows import journey
from tests.workflows.journey import current_steps
from workflows.tasks import sweep


class Worker:
    """The local worker, on, with a gate before each job: ``ran_in`` names the threads
    that took a job, ``release()`` opens the gate and waits for every job to finish;
    the next ``lost`` jobs vanish untouched, as with a process that died holding them."""

    def __init__(self, settings):
        self.settings = settings
        self.gate = threading.Event()
        self.ran_in: list[str] = []
        self.lost = 0

    def start(self) -> None:
        self.settings.LOCAL_WORKER_THREADS = 1

    def release(self) -> None:
        self.gate.set()
        assert local_worker.drain(timeout=120), "the local worker did not finish its jobs"


@pytest.fixture
def worker(settings, monkeypatch):
    if not celery_app.conf.task_always_eager:
        pytest.skip("A broker is configured: Celery's own workers run the jobs.")
    held = Worker(settings)
    run = worker_module._run

    def run_when_released(task, args, kwargs):
        held.ran_in.append(threading.current_thread().name)
        if held.lost:
            held.lost -= 1
            return
        if not held.gate.wait(timeout=120):
            raise TimeoutError("the test never released the local worker")
        run(task, args, kwargs)

    monkeypatch.setattr(worker_module, "_run", run_when_released)
    yield held
    held.release()  # a test that failed midway leaves no job running into the next one


def buyer_client(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.buyer_agent)
    return client


@pytest.mark.django_db(transaction=True)
def test_publishing_a_call_answers_before_its_dce_is_rendered_then_the_worker_renders_it(
    world, clock, worker
):
    # given a call approved by the Chambre, whose buyer publishes it through the task API
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    journey.give_opinion(world, challenge)
    task = journey.open_task(challenge, "publish")
    worker.start()

    # when the publication's request is answered
    response = buyer_client(world).post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {
            "positioning_deadline": paris(*journey.POSITIONING_END).isoformat(),
            "proposal_deadline": paris(*journey.PROPOSALS_END).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.content

    # then the DCE was not rendered in it: its job waits, no piece is stored, and the
    # buyer's documents list shows the job pending
    job = challenge.document_jobs.get(stage=DocumentStage.DCE)
    assert (job.status, job.done, job.attempts) == (DocumentStatus.PENDING, 0, 0)
    assert not TenderDocument.objects.filter(challenge=challenge).exists()
    listed = buyer_client(world).get(f"/api/v1/challenges/{challenge.pk}/documents/").json()
    assert (listed["job"]["id"], listed["job"]["status"]) == (job.pk, "pending")
    assert worker.ran_in
    assert all(name.startswith("local-worker") for name in worker.ran_in)
    assert threading.current_thread().name not in worker.ran_in

    # when the worker goes on
    worker.release()

    # then it rendered and committed every piece of the DCE, and finished the job
    job.refresh_from_db()
    assert job.status == DocumentStatus.DONE
    assert job.done == job.total >= 5
    stored = TenderDocument.objects.filter(challenge=challenge, stage=DocumentStage.DCE)
    assert stored.count() == job.total
    # and the sweep, later, finds nothing lost to enqueue again
    clock.move_to(job.finished_at + timedelta(seconds=JOB_LOST_SECONDS + 1))
    assert sweep()["requeued"] == 0


@pytest.mark.django_db(transaction=True)
def test_the_award_decision_answers_before_the_rejection_letters_then_the_process_moves_on(
    world, clock, worker
):
    # given a call of one lot whose three proposals were scored, the first selected and
    # the award pieces generated when the cofunding round closed
    challenge = journey.in_cofunding(world, clock, **journey.ONE_LOT)
    journey.close_cofunding(clock)
    assert current_steps(challenge) == {"award"}
    first = challenge.proposals.order_by("pk").first()

    # when the buyer decides the award through the task API
    worker.start()
    task = journey.open_task(challenge, "award")
    response = buyer_client(world).post(
        f"/api/v1/tasks/{task.pk}/complete/",
        {"proposals": [first.pk], "standstill": False},
        format="json",
    )
    assert response.status_code == 200, response.content

    # then the answer came before any letter: the letters' step waits for the worker,
    # and their job shows pending, first in the buyer's documents list
    assert current_steps(challenge) == {"rejection_letters"}
    assert not challenge.documents.filter(stage=DocumentStage.LETTERS).exists()
    job = challenge.document_jobs.get(stage=DocumentStage.LETTERS)
    assert (job.status, job.attempts) == (DocumentStatus.PENDING, 0)
    listed = buyer_client(world).get(f"/api/v1/challenges/{challenge.pk}/documents/").json()
    assert (listed["job"]["id"], listed["job"]["status"]) == (job.pk, "pending")

    # when the worker goes on
    worker.release()

    # then a letter was stored for each of the two unsuccessful candidates, and the
    # process moved on to the signature (a MAPA without standstill)
    letters = challenge.documents.filter(stage=DocumentStage.LETTERS)
    assert letters.count() == 2
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done) == (DocumentStatus.DONE, 1, 2)
    assert current_steps(challenge) == {"sign"}


@pytest.mark.django_db(transaction=True)
def test_a_job_lost_with_its_process_is_enqueued_again_by_the_sweep_and_done_by_the_worker(
    world, clock, worker
):
    # given a call published while the process holding its DCE job died before running it
    worker.start()
    worker.lost = 1
    challenge = journey.published(world)
    worker.release()
    # the gate closes again: the job the sweep enqueues waits until the sweep is over
    # (on the tests' in-memory SQLite, two writers at once fail rather than wait)
    worker.gate.clear()
    job = challenge.document_jobs.get(stage=DocumentStage.DCE)
    assert (job.status, job.attempts) == (DocumentStatus.PENDING, 0)

    # when the sweep passes before the job counts as lost, it leaves it alone
    clock.move_to(job.created_at + timedelta(seconds=JOB_LOST_SECONDS - 1))
    assert sweep()["requeued"] == 0

    # when it passes after
    clock.move_to(job.created_at + timedelta(seconds=JOB_LOST_SECONDS + 1))
    assert sweep()["requeued"] == 1
    worker.release()

    # then the worker of the sweep's process did the job, once
    job.refresh_from_db()
    assert (job.status, job.attempts) == (DocumentStatus.DONE, 1)
    assert TenderDocument.objects.filter(challenge=challenge).count() == job.total >= 5


@pytest.mark.django_db(transaction=True)
def test_the_portal_says_where_the_documents_progress_shows_after_publishing(
    client, world, clock, worker
):
    # given a call approved by the Chambre, whose agent publishes it in the portal
    challenge = journey.start(world)
    journey.complete(challenge, "draft", world.buyer_agent)
    journey.give_opinion(world, challenge)
    task = journey.open_task(challenge, "publish")
    client.force_login(world.buyer_agent)
    worker.start()

    # when the publication's form is sent
    page = client.post(
        reverse("portal:task", args=[task.pk]),
        {"positioning_deadline": "2026-09-10T12:00", "proposal_deadline": "2026-10-10T12:00"},
        follow=True,
    ).content.decode()

    # then the answer tells that the documents are being generated, and where to look
    assert "Les documents sont en cours de génération" in page
    # and the documents page shows the generation under way, none of its pieces yet
    documents = client.get(reverse("portal:documents", args=[challenge.pk])).content.decode()
    assert 'data-job-status="pending"' in documents
    assert "Aucune pièce pour l" in documents

    # when the worker has rendered them, the page lists them and says the job is done
    worker.release()
    documents = client.get(reverse("portal:documents", args=[challenge.pk])).content.decode()
    assert 'data-job-status="done"' in documents
    assert "Règlement" in documents
