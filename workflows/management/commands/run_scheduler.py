import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from workflows.opendata import daily_export_due
from workflows.tasks import opendata_export, sweep


def summary(result: dict[str, int]) -> str:
    """``1 échéance franchie, 0 avis hors délai, 2 tâches relancées``."""
    timers, expired, requeued = result["timers"], result["opinions_expired"], result["requeued"]
    return ", ".join(
        (
            ngettext("%(n)s échéance franchie", "%(n)s échéances franchies", timers)
            % {"n": timers},
            ngettext("%(n)s avis hors délai", "%(n)s avis hors délai", expired) % {"n": expired},
            ngettext("%(n)s tâche relancée", "%(n)s tâches relancées", requeued) % {"n": requeued},
        )
    )


class Command(BaseCommand):
    help = (
        "Planificateur embarqué : fait avancer les échéances dues toutes les quelques "
        "secondes et écrit les fichiers de données ouvertes une fois par jour (en "
        "production, celery beat appelle les mêmes tâches)."
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
                self.stdout.write(summary(result))
            # What celery beat runs every night: the open-data files, once a day.
            if daily_export_due():
                opendata_export()
            if once or not running:
                return
            time.sleep(interval)
