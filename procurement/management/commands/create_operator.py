"""``manage.py create_operator USERNAME --email …``: an operator of the service, who signs
in at ``/admin/`` (the Django admin) and administers every organisation. The password
comes from ``--password``, else from the ``OPERATOR_PASSWORD`` variable, else it is asked
twice on the terminal. Run again, it resets that operator's address and password."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from procurement.services.accounts import operator_create


class Command(BaseCommand):
    help = (
        "Crée (ou remet à jour) un compte d'opérateur du service : superutilisateur qui "
        "accède à /admin/. Mot de passe : --password, la variable OPERATOR_PASSWORD, ou "
        "saisi deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("Identifiant de l'opérateur."))
        parser.add_argument("--email", required=True, help=_("Son adresse électronique."))
        parser.add_argument("--password", help=_("Son mot de passe (sinon OPERATOR_PASSWORD)."))

    def handle(self, *args, username, email, password=None, **options):
        password = password or os.environ.get("OPERATOR_PASSWORD")
        if not password:
            if not os.isatty(0):
                raise CommandError(_("Donnez le mot de passe : --password ou OPERATOR_PASSWORD."))
            password = getpass.getpass(_("Mot de passe : "))
            if password != getpass.getpass(_("Mot de passe (encore) : ")):
                raise CommandError(_("Les deux mots de passe diffèrent."))
        try:
            user = operator_create(username=username, email=email, password=password)
        except ApplicationError as exc:
            fields = exc.extra.get("fields", {})
            details = " ".join(" ".join(messages) for messages in fields.values())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _("Opérateur « %(username)s » prêt : connectez-vous à /admin/.")
            % {"username": user.username}
        )
