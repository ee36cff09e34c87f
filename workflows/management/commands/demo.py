import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workflows import demo
from workflows.demo.reset import database_rebuild


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration (Métropole Européenne de Lille, appels à communs "
        "sur la mobilité partagée) ; sans effet si elles existent déjà. Avec --reset, "
        "reconstruit d'abord la base (toutes les tables supprimées puis migrées) ; avec "
        "--json, liste seulement les comptes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default="communs-demo",
            help="Mot de passe de tous les comptes de démonstration.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help=(
                "Affiche les comptes (username, rôle, organisation) en JSON, sans rien "
                "créer ni changer (les mots de passe restent ce qu'ils sont)."
            ),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Rejoue la démonstration depuis zéro : supprime toutes les tables de la base, "
                "la migre à nouveau puis crée les données. Refusé hors DEBUG."
            ),
        )

    def handle(self, *args, password, json: bool = False, reset: bool = False, **options):
        if json:
            self.stdout.write(_dumps(demo.accounts()))
            return
        if reset:
            if not settings.DEBUG:
                raise CommandError(
                    "--reset efface toute la base : il n'est permis qu'avec DEBUG=1 "
                    "(jamais en production)."
                )
            dropped = database_rebuild()
            self.stdout.write(f"Base reconstruite ({dropped} tables supprimées puis migrées).")
        challenges = demo.run(password)
        for challenge in challenges:
            challenge.refresh_from_db()
            self.stdout.write(
                f"{challenge.reference} — {challenge.title} : {challenge.get_status_display()}"
            )
        self.stdout.write(
            f"{len(demo.accounts())} comptes de démonstration, mot de passe : {password}"
        )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
