"""The embedded default's local worker: the document jobs leave the web request.

Without a broker (``CELERY_BROKER_URL`` unset) Celery runs a task eagerly, inside the
caller: a request that published a call or decided an award rendered the whole pack
before it answered, 4 to 9 seconds (issue 20, item 2). The tasks marked ``background``
(the document jobs: ``workflows.tasks.run_job`` and ``generate_documents``) are handed
instead to a small pool of threads of the process that enqueued them — after the
caller's transaction committed, as with a broker (they are enqueued ``on_commit``). The
request answers at once; the job's row shows its progress (the documents page polls it).

A job run here:

- outlives the request: the thread belongs to the process, not to the request;
- commits its own work on its own database connection (Django's connections are per
  thread), piece by piece, as a Celery worker does, and closes it when done;
- is found again by the periodic sweep if the process dies with it (a restart, the
  development server reloading): its job row stops beating, or its process step stays
  new, and ``workflows.tasks.sweep`` (``manage.py run_scheduler``) enqueues it again —
  into the scheduler's own pool.

``LOCAL_WORKER_THREADS`` threads (2 by default: a short job, a batch of letters, need not
wait behind a whole pack); ``0`` runs the jobs inline again, as the tests do to stay
deterministic (``config/settings_test.py``). With a broker, Celery's workers run them and
this module is not used.
"""

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for

from django.db import connections

logger = logging.getLogger(__name__)


def _run(task, args: tuple, kwargs: dict) -> None:
    """Run one task as Celery's eager mode does (so a document task fails its job rather
    than waiting for a retry the sweep already provides), log its failure, and close this
    thread's database connections."""
    try:
        task.apply(args=args, kwargs=kwargs, throw=True)
    except Exception:
        logger.exception("Background task %s%s failed", task.name, tuple(args))
    finally:
        connections.close_all()


class LocalWorker:
    """A thread pool made on first use in each process (a forked child makes its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0
        self._pending: set[Future] = set()

    def _pool(self, threads: int) -> ThreadPoolExecutor:
        if self._executor is None or self._pid != os.getpid():
            self._executor = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix="local-worker"
            )
            self._pid = os.getpid()
            self._pending = set()
        return self._executor

    def submit(self, task, args: tuple, kwargs: dict, *, threads: int) -> Future:
        """Run ``task(*args, **kwargs)`` in a thread of the pool."""
        with self._lock:
            # Looked up at each call, so a test may hold a job back before it starts.
            future = self._pool(threads).submit(_run, task, tuple(args), dict(kwargs))
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job handed over so far (and any they handed over) finished;
        ``False`` if some still run after ``timeout`` seconds."""
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return True
            _done, not_done = wait_for(pending, timeout=timeout)
            if not_done:
                return False


local_worker = LocalWorker()
