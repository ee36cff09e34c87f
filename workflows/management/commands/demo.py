import json

from django.core.management.base import BaseCommand

from workflows import demo


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration (Métropole Européenne de Lille, appel à communs "
        "sur la mobilité partagée) ; sans effet si elles existent déjà."
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
            help="Affiche les comptes (username, rôle, organisation) en JSON.",
        )

    def handle(self, *args, password, json: bool = False, **options):
        challenges = demo.run(password)
        if json:
            self.stdout.write(_dumps(demo.accounts()))
            return
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
