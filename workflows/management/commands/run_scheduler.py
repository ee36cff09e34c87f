import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from workflows.tasks import sweep


class Command(BaseCommand):
    help = (
        "Planificateur embarqué : fait avancer les échéances dues toutes les quelques "
        "secondes (en production, celery beat appelle la même tâche)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Un seul passage, puis quitter.")
        parser.add_argument("--interval", type=float, default=settings.SCHEDULER_INTERVAL)

    def handle(self, *args, once=False, interval=2.0, **options):
        running = True

        def stop(*_):
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            result = sweep()
            if any(result.values()):
                self.stdout.write(
                    f"{result['timers']} échéance(s) franchie(s), "
                    f"{result['opinions_expired']} avis hors délai, "
                    f"{result['requeued']} tâche(s) relancée(s)"
                )
            if once or not running:
                return
            time.sleep(interval)
