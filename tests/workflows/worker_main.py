"""A Celery worker for the tests (``tests.workflows.celery_workers.start_worker``): the
project's worker, solo pool, except that each piece of the award pack takes at least
``TEST_PIECE_SECONDS`` to render, so that a test may kill it in the middle of a job."""

import dataclasses
import os
import time


def slowed(build, seconds: float):
    def build_slowly(challenge):
        def slow(render):
            def render_slowly():
                time.sleep(seconds)
                return render()

            return render_slowly

        return [dataclasses.replace(p, render=slow(p.render)) for p in build(challenge)]

    return build_slowly


def main() -> None:
    import django

    django.setup()
    from config.celery import app
    from workflows import pack

    seconds = float(os.environ.get("TEST_PIECE_SECONDS") or 0)
    if seconds:
        pack.build_pack = slowed(pack.build_pack, seconds)
    app.worker_main(
        [
            "worker",
            "-P",
            "solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    main()
