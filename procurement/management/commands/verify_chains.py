"""``manage.py verify_chains``: every hash chain verified, in French; exits with 1 when
anything is wrong, naming the chain, the row and what is wrong."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from procurement.services.chains import ChainProblem, ChainReport, chains_verify, row_label


def describe(report: ChainReport) -> str:
    """``challenge:7 : 12 événements, intègre, ancrée jusqu'au n° 10``."""
    if report.chain == "anchors":
        text = ngettext("%(n)s tête ancrée", "%(n)s têtes ancrées", report.count) % {
            "n": report.count
        }
    else:
        text = ngettext("%(n)s événement", "%(n)s événements", report.count) % {"n": report.count}
    text += ", " + (_("intègre") if report.valid else _("ANOMALIE"))
    if report.anchored_seq is not None:
        text += ", " + _("ancrée jusqu'au n° %(seq)s") % {"seq": report.anchored_seq}
    return f"{report.chain} : {text}"


def where(problem: ChainProblem) -> str:
    """``ledger:4 — événement n° 6 — dépense n° 12``: the chain, its row, the other row."""
    parts = [problem.chain]
    if problem.seq is not None:
        parts.append(_("événement n° %(seq)s") % {"seq": problem.seq})
    if problem.row:
        parts.append(row_label(problem.row))
    return " — ".join(parts)


class Command(BaseCommand):
    help = (
        "Vérifie chaque chaîne de hachage (appels, plis scellés, registres des communs, "
        "global) ligne par ligne, contre ses têtes ancrées, et les lignes des registres "
        "contre leurs événements. Sort avec le code 1 si quelque chose ne va pas."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chain",
            action="append",
            dest="chains",
            help="Ne vérifier que cette chaîne (global, challenge:7, sealed:7, ledger:3) ; "
            "répétable.",
        )

    def handle(self, *args, chains=None, **options):
        verification = chains_verify(chains=chains)
        for report in verification.reports:
            if report.valid and options["verbosity"] < 2:
                continue
            self.stdout.write(describe(report))
            for problem in report.problems:
                self.stdout.write(f"  ✗ {where(problem)} : {problem.message}")
        chains_count = len([r for r in verification.reports if r.chain != "anchors"])
        if verification.valid:
            self.stdout.write(
                ngettext(
                    "%(n)s chaîne vérifiée : intègre.",
                    "%(n)s chaînes vérifiées : toutes intègres.",
                    chains_count,
                )
                % {"n": chains_count}
            )
            return
        broken = [r for r in verification.reports if not r.valid]
        problems = len(verification.problems)
        raise CommandError(
            ngettext("%(n)s anomalie", "%(n)s anomalies", problems) % {"n": problems}
            + " "
            + ngettext(
                "dans %(n)s chaîne sur %(total)s.",
                "dans %(n)s chaînes sur %(total)s.",
                len(broken),
            )
            % {"n": len(broken), "total": chains_count},
            returncode=1,
        )
