"""``manage.py anchor_chains``: sign and store now the head of every chain that moved
(the sweep does it once a day)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procurement.services.chains import chains_anchor


class Command(BaseCommand):
    help = (
        "Ancre maintenant la tête de chaque chaîne de hachage qui a avancé depuis sa "
        "dernière ancre (le balayage le fait une fois par jour)."
    )

    def handle(self, *args, **options):
        anchoring = chains_anchor()
        anchors = anchoring.anchors
        for anchor in anchors:
            self.stdout.write(
                _("%(chain)s : tête n° %(seq)s ancrée (%(hash)s…)")
                % {"chain": anchor.chain, "seq": anchor.chain_seq, "hash": anchor.hash[:12]}
            )
        for chain in anchoring.refused:
            self.stdout.write(
                _(
                    "%(chain)s : tête non ancrée, la chaîne ne se vérifie pas depuis sa "
                    "dernière ancre (voir manage.py verify_chains)."
                )
                % {"chain": chain}
            )
        self.stdout.write(
            ngettext("%(n)s tête ancrée.", "%(n)s têtes ancrées.", len(anchors))
            % {"n": len(anchors)}
        )
        if anchoring.refused:
            raise CommandError(
                ngettext(
                    "%(n)s chaîne ne se vérifie pas : sa tête n'est pas ancrée.",
                    "%(n)s chaînes ne se vérifient pas : leurs têtes ne sont pas ancrées.",
                    len(anchoring.refused),
                )
                % {"n": len(anchoring.refused)},
                returncode=1,
            )
