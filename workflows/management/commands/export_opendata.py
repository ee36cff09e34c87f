import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from procurement.opendata import validation
from workflows.opendata import FORMATS, export_write, unpublished_signed_calls

VALIDATORS = {
    "decp": validation.decp_errors,
    "ocds-releases": validation.release_package_errors,
    "ocds-records": validation.record_package_errors,
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Date invalide : {text!r} (attendu : AAAA-MM-JJ).") from None


class Command(BaseCommand):
    help = (
        "Écrit les données ouvertes des marchés signés sur une période : les données "
        "essentielles (DECP 2.0.3, JSON) et les releases et records OCDS 1.1, sous Licence "
        "Ouverte 2.0. Écriture au fil de l'eau : la mémoire reste constante."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=[*FORMATS, "all"],
            default="all",
            help="Le fichier à écrire (par défaut : les trois).",
        )
        parser.add_argument(
            "--since", help="Marchés signés à partir de ce jour (AAAA-MM-JJ, heure de Paris)."
        )
        parser.add_argument(
            "--until", help="Marchés signés jusqu'à ce jour inclus (AAAA-MM-JJ, heure de Paris)."
        )
        parser.add_argument(
            "--output",
            default=".",
            help="Répertoire où écrire les fichiers, ou « - » pour la sortie standard "
            "(un seul format).",
        )
        parser.add_argument(
            "--validate",
            action="store_true",
            help="Relit chaque fichier écrit et le valide contre le schéma officiel.",
        )

    def handle(self, *args, format, since, until, output, validate, **options):
        start = self._moment(since)
        end = self._moment(until, next_day=True)
        keys = list(FORMATS) if format == "all" else [format]
        if output == "-" and len(keys) > 1:
            raise CommandError("La sortie standard ne reçoit qu'un format : précisez --format.")
        skipped: list[tuple[str, str]] = []

        def on_skip(reference: str, reason: str) -> None:
            skipped.append((reference, reason))

        for key in keys:
            if output == "-":
                count = export_write(key, sys.stdout, since=start, until=end, on_skip=on_skip)
                continue
            path = Path(output) / self._filename(key, since, until)
            with path.open("w", encoding="utf-8") as out:
                count = export_write(key, out, since=start, until=end, on_skip=on_skip)
            self.stdout.write(f"{path} : {count} {FORMATS[key].unit}")
            if validate:
                with path.open(encoding="utf-8") as f:
                    errors = VALIDATORS[key](json.load(f))
                if errors:
                    raise CommandError(f"{path} n'est pas valide :\n" + "\n".join(errors[:20]))
                self.stdout.write(f"{path} : valide")
        for reference, reason in dict.fromkeys(skipped):
            self.stderr.write(f"{reference} écarté : {reason}")
        incomplete = unpublished_signed_calls().values_list("reference", flat=True)
        for reference in incomplete:
            self.stderr.write(
                f"{reference} : signé sans ses données essentielles (code CPV, lieu "
                "d'exécution, SIRET de l'acheteur), non publié."
            )

    @staticmethod
    def _moment(text, next_day: bool = False):
        if not text:
            return None
        day = _day(text) + timedelta(days=1 if next_day else 0)
        return timezone.make_aware(datetime.combine(day, time.min))

    @staticmethod
    def _filename(key: str, since, until) -> str:
        stem = FORMATS[key].filename.removesuffix(".json")
        period = "-".join(part for part in (since, until) if part)
        return f"{stem}-{period}.json" if period else f"{stem}.json"
