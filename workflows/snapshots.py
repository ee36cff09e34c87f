"""The call as the Chambre saw it, and what changed since.

When a call is referred (``operations.call_refer``, or again after a revision), its text,
lots and resources, grid, estimate, planned dates, exploration plan and collective vote
are kept on the referral (``Referral.call_snapshot``). Revising after the opinion, the
buyer reads what changed between that snapshot and the call as it stands
(``call_changes``). Both domains are read, so this lives in ``workflows``.
"""

import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kernel.formats import format_eur
from procurement.models import Challenge, OpinionSubject, Referral
from scoring.models import Criterion, Grade
from scoring.votes import vote_for

SNAPSHOT_VERSION = 1


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def call_snapshot(challenge: Challenge) -> dict:
    """What the Chambre is asked about, as plain JSON (strings, lists, dicts)."""
    lots = []
    for lot in challenge.lots.order_by("number").prefetch_related("resources"):
        lots.append(
            {
                "number": lot.number,
                "title": lot.title,
                "estimated_amount": str(lot.estimated_amount)
                if lot.estimated_amount is not None
                else None,
                "reserved_ess": lot.reserved_ess,
                "reserved_disability": lot.reserved_disability,
                "reserved_insertion": lot.reserved_insertion,
                "resources": [
                    {
                        "title": r.title,
                        "description": r.description,
                        "expected_licence": r.expected_licence,
                    }
                    for r in sorted(lot.resources.all(), key=lambda r: r.order)
                ],
            }
        )
    criteria = Criterion.objects.filter(grid__challenge=challenge).order_by("order", "pk")
    return {
        "version": SNAPSHOT_VERSION,
        "title": challenge.title,
        "context": challenge.context,
        "estimated_amount": str(challenge.estimated_amount)
        if challenge.estimated_amount is not None
        else None,
        "contract_nature": challenge.contract_nature,
        "framing": challenge.framing,
        "contract_duration_months": challenge.contract_duration_months,
        "single_lot_reason": challenge.single_lot_reason,
        "planned_positioning_deadline": _when(challenge.planned_positioning_deadline),
        "planned_proposal_deadline": _when(challenge.planned_proposal_deadline),
        # The exploration before cofunding (seed 003), when planned.
        "exploration": {
            "budget": str(challenge.exploration_budget)
            if challenge.exploration_budget is not None
            else None,
            "end": _when(challenge.exploration_end),
        }
        if challenge.exploration_planned
        else None,
        # The collective vote before cofunding, when planned.
        "vote": _vote(challenge),
        "lots": lots,
        "grid": [
            {"code": c.code, "label": c.label, "kind": c.kind, "weight": str(c.weight.normalize())}
            for c in criteria
        ],
    }


def _vote(challenge: Challenge) -> dict | None:
    vote = vote_for(challenge)
    if vote is None:
        return None
    return {
        "min_grade": vote.min_grade,
        "max_retained": vote.max_retained,
        "days": vote.days,
        "end": _when(vote.planned_end),
    }


def _amount(raw) -> str:
    return format_eur(Decimal(raw)) if raw not in (None, "") else _("non estimé")


def _sections(snapshot: dict) -> list[tuple[str, list[str]]]:
    """The snapshot as readable lines, section by section, in the editor's order."""
    lots = snapshot.get("lots", [])
    lot_lines: list[str] = []
    for lot in lots:
        lot_lines.append(
            _("Lot %(n)s « %(title)s » — %(amount)s%(ess)s")
            % {
                "n": lot["number"],
                "title": lot["title"],
                "amount": _amount(lot.get("estimated_amount")),
                "ess": (_(" (réservé ESS)") if lot.get("reserved_ess") else "")
                + (_(" (réservé EA et ESAT)") if lot.get("reserved_disability") else "")
                + (_(" (réservé SIAE)") if lot.get("reserved_insertion") else ""),
            }
        )
        for resource in lot.get("resources", []):
            lot_lines.append(
                _("  Ressource « %(title)s », licence : %(licence)s")
                % {"title": resource["title"], "licence": resource["expected_licence"] or "—"}
            )
            lot_lines.extend(f"    {line}" for line in resource["description"].splitlines())
    return [
        (_("Titre"), [snapshot.get("title", "")]),
        (_("Contexte et objet"), snapshot.get("context", "").splitlines()),
        (
            _("Estimation"),
            [
                _amount(snapshot.get("estimated_amount")),
                _("Durée : %(months)s mois") % {"months": snapshot.get("contract_duration_months")},
            ],
        ),
        (_("Lots et ressources"), lot_lines),
        (
            _("Motif de l'absence d'allotissement"),
            snapshot.get("single_lot_reason", "").splitlines(),
        ),
        (
            _("Grille de notation"),
            [
                _("%(label)s (%(code)s) : %(weight)s %%")
                % {"label": c["label"], "code": c["code"], "weight": c["weight"]}
                for c in snapshot.get("grid", [])
            ],
        ),
        (
            _("Dates prévues"),
            [
                _("Fin des positionnements : %(d)s")
                % {"d": snapshot.get("planned_positioning_deadline") or "—"},
                _("Date limite des propositions : %(d)s")
                % {"d": snapshot.get("planned_proposal_deadline") or "—"},
            ],
        ),
        (_("Exploration avant le cofinancement"), _exploration_lines(snapshot.get("exploration"))),
        (_("Vote collectif avant le cofinancement"), _vote_lines(snapshot.get("vote"))),
    ]


def _exploration_lines(exploration: dict | None) -> list[str]:
    if not exploration:
        return [_("Aucune")]
    return [
        _("Budget par équipe : %(amount)s") % {"amount": _amount(exploration.get("budget"))},
        _("Fin de l'exploration : %(d)s") % {"d": exploration.get("end") or "—"},
    ]


def _vote_lines(vote: dict | None) -> list[str]:
    if not vote:
        return [_("Aucun")]
    return [
        _("Mention majoritaire minimale : %(grade)s") % {"grade": Grade(vote["min_grade"]).label},
        _("Communs retenus : au plus %(n)s") % {"n": vote["max_retained"]}
        if vote.get("max_retained")
        else _("Communs retenus : sans limite de nombre"),
        _("Fin du vote : %(d)s") % {"d": vote["end"]}
        if vote.get("end")
        else ngettext(
            "Durée du vote : %(n)s jour après son ouverture",
            "Durée du vote : %(n)s jours après son ouverture",
            vote["days"],
        )
        % {"n": vote["days"]},
    ]


@dataclass
class SectionChange:
    """One section of the call that changed: its lines, each marked ``+`` (added),
    ``-`` (removed) or `` `` (kept, for context)."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)


def snapshot_diff(before: dict, after: dict) -> list[SectionChange]:
    """The sections that differ between two snapshots, line by line."""
    changes = []
    for (title, old), (_title, new) in zip(_sections(before), _sections(after), strict=True):
        if old == new:
            continue
        lines = [
            (line[0], line[2:]) for line in difflib.ndiff(old, new) if line[:1] in ("+", "-", " ")
        ]
        changes.append(SectionChange(title, lines))
    return changes


def last_call_referral(challenge: Challenge) -> Referral | None:
    """The last referral of the call the Chambre closed (the one the revision answers)."""
    return (
        Referral.objects.filter(challenge=challenge, subject=OpinionSubject.CALL)
        .exclude(opinion__isnull=True)
        .order_by("-opened_at", "-pk")
        .first()
    )


def call_changes(challenge: Challenge) -> tuple[Referral | None, list[SectionChange] | None]:
    """(the referral the Chambre answered, what changed since it); the changes are None
    when that referral kept no snapshot (referred before snapshots were kept)."""
    referral = last_call_referral(challenge)
    if referral is None or not referral.call_snapshot:
        return referral, None
    return referral, snapshot_diff(referral.call_snapshot, call_snapshot(challenge))
