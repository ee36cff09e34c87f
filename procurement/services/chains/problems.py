"""What a verification finds, and how it is said: a problem names its chain, the event
in it (``seq``), the row outside it when there is one (``row``: ``expense:12``,
``income:3``, ``anchor:7``), a stable ``code`` and a sentence in the caller's language."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kernel.language import eur

ANCHORS = "anchors"
KINDS = ("global", "challenge", "sealed", "ledger")


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    code: str
    message: str
    seq: int | None = None
    row: str = ""


@dataclass(frozen=True)
class ChainReport:
    """One chain: its events, its recorded head, its last anchored head, what is wrong."""

    chain: str
    count: int
    head_seq: int
    head_hash: str
    anchored_seq: int | None = None
    anchored_at: datetime | None = None
    problems: tuple[ChainProblem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Verification:
    reports: tuple[ChainReport, ...]

    @property
    def valid(self) -> bool:
        return all(report.valid for report in self.reports)

    @property
    def problems(self) -> list[ChainProblem]:
        return [problem for report in self.reports for problem in report.problems]

    def report(self, chain: str) -> ChainReport | None:
        return next((report for report in self.reports if report.chain == chain), None)


@dataclass(frozen=True)
class ChainVerification:
    """A chain's verdict in the audit trail's first shape: valid, its number of events,
    and the first row that is wrong with the reason (its code)."""

    valid: bool
    count: int
    first_broken_seq: int | None = None
    reason: str = ""


def first_problem(report: ChainReport) -> ChainVerification:
    if report.valid:
        return ChainVerification(True, report.count)
    first = report.problems[0]
    return ChainVerification(False, report.count, first.seq, first.code)


# --- names ---------------------------------------------------------------------------


def chain_key(chain: str) -> tuple[int, int, str]:
    """``global``, then the calls, the sealed chains and the ledgers, by number."""
    kind, _sep, ident = chain.partition(":")
    order = KINDS.index(kind) if kind in KINDS else len(KINDS)
    return (order, int(ident) if ident.isdigit() else 0, chain)


def id_of(chain: str) -> int | None:
    _kind, _sep, ident = chain.partition(":")
    return int(ident) if ident.isdigit() else None


def row_label(row: str) -> str:
    """``expense:12`` in words: ``dépense n° 12``."""
    kind, _sep, pk = row.partition(":")
    labels = {
        "expense": _("dépense n° %(pk)s"),
        "income": _("recette n° %(pk)s"),
        "anchor": _("ancre n° %(pk)s"),
    }
    return labels[kind] % {"pk": pk} if kind in labels else row


def money(amount: Decimal | None) -> str:
    if amount is None:
        return "?"
    return eur(amount)


def when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- the problems of a chain's rows --------------------------------------------------


def missing(chain: str, seq: int, upto: int | None = None) -> ChainProblem:
    if upto is not None and upto > seq:
        message = _("lignes supprimées : les événements n° %(first)s à %(last)s manquent.") % {
            "first": seq,
            "last": upto,
        }
    else:
        message = _("ligne supprimée : l'événement manque.")
    return ChainProblem(chain, "missing_event", message, seq)


def altered(chain: str, seq: int) -> ChainProblem:
    return ChainProblem(
        chain,
        "altered_event",
        _("ligne modifiée : son contenu ne correspond plus à son hachage."),
        seq,
    )


def broken(chain: str, seq: int) -> ChainProblem:
    return ChainProblem(
        chain,
        "broken_link",
        _(
            "lien rompu : la ligne ne se rattache plus à l'événement précédent, modifié "
            "ou remplacé."
        ),
        seq,
    )


def inserted(chain: str, seq: int, head: int) -> ChainProblem:
    return ChainProblem(
        chain,
        "inserted_event",
        _("ligne ajoutée : la chaîne va au-delà de sa tête enregistrée (n° %(head)s).")
        % {"head": head},
        seq,
    )


def head_replaced(chain: str, seq: int) -> ChainProblem:
    return ChainProblem(
        chain,
        "head_mismatch",
        _("dernière ligne remplacée : la tête enregistrée de la chaîne a un autre hachage."),
        seq,
    )
