"""Rapport d'analyse des offres: the method, the evaluators by name and capacity, the
conflicts declared, the proposals set aside, then lot by lot the ranking with the
offered prices and the ties, the breakdown per criterion and per evaluator with their
comments, and what was retained (each lot is awarded separately, article L2113-10);
the buyer's reasons when the selection departs from a ranking."""

from __future__ import annotations

from decimal import Decimal

from kernel.formats import format_datetime_fr, format_eur, format_number, format_percent

from .base import PieceWriter, Strong
from .common import write_commons_share, write_grid
from .context import RankingContext, RankingRow

TITLE = "Rapport d'analyse des offres"
NO_MARK = "—"


def _mark(mark: Decimal | None) -> str:
    return NO_MARK if mark is None else format_number(mark)


def _score(value: Decimal) -> str:
    return format_number(value, 2)


def _breakdown(ctx: RankingContext, row: RankingRow) -> list[tuple[str, ...]]:
    """One line per criterion of the grid: each evaluator's mark, the retained mark and
    its weighted value; then the total."""
    results = {result.criterion_code: result for result in row.results}
    lines = []
    for criterion in ctx.challenge.criteria:
        result = results.get(criterion.code)
        if result is None:
            marks = [NO_MARK] * len(ctx.evaluators)
            lines.append(
                (criterion.code, format_percent(criterion.weight), *marks, NO_MARK, NO_MARK)
            )
            continue
        by_evaluator = {mark.evaluator: mark.mark for mark in result.marks}
        marks = [_mark(by_evaluator.get(evaluator)) for evaluator in ctx.evaluators]
        lines.append(
            (
                criterion.code,
                format_percent(criterion.weight),
                *marks,
                _score(result.score),
                _score(result.weighted_score),
            )
        )
    lines.append(("Total", "", *[""] * len(ctx.evaluators), "", _score(row.total)))
    return lines


def render_rapport_analyse(ctx: RankingContext) -> bytes:
    challenge = ctx.challenge
    writer = PieceWriter(challenge, TITLE)
    codes = [f"É{number}" for number in range(1, len(ctx.evaluators) + 1)]

    writer.article("Acheteur et objet")
    estimated = (
        f"{format_eur(challenge.estimated_amount)} HT"
        if challenge.estimated_amount is not None
        else "Non communiqué"
    )
    writer.facts(
        (
            ("Acheteur", challenge.buyer.name),
            ("Objet", challenge.object),
            ("Procédure", challenge.procedure_label),
            ("Montant estimé", estimated),
            ("Date limite de remise", format_datetime_fr(challenge.proposal_deadline)),
            ("Lots", str(len(challenge.lots))),
            ("Propositions classées", str(len({row.proposal for row in ctx.rows}))),
            ("Propositions écartées", str(len(ctx.eliminations))),
        )
    )

    writer.article("Méthode de notation")
    writer.paragraph(Strong(ctx.method_label))
    writer.paragraph(ctx.method_description)
    writer.paragraph(
        "Les évaluateurs notent chaque proposition de manière indépendante et ne voient les "
        "notes des autres qu'après avoir remis les leurs. La grille publiée dans le règlement "
        "de la consultation est la suivante :"
    )
    write_grid(writer, challenge)
    write_commons_share(writer, challenge)

    writer.article("Évaluateurs et conflits d'intérêts")
    names = ctx.evaluator_titles or ctx.evaluators
    code_of = dict(zip(ctx.evaluators, codes, strict=True))
    writer.table(
        ("Code", "Évaluateur, qualité et organisme"),
        zip(codes, names, strict=True),
        widths=(0.15, 0.85),
    )
    if ctx.conflicts:
        writer.paragraph(
            "Les conflits d'intérêts suivants ont été déclarés ; l'évaluateur concerné n'a pas "
            "noté la proposition en cause :"
        )
        writer.table(
            ("Évaluateur", "Proposition", "Nature du conflit", "Déclaré le"),
            (
                (
                    conflict.evaluator,
                    conflict.proposal,
                    conflict.nature,
                    format_datetime_fr(conflict.declared_at) if conflict.declared_at else NO_MARK,
                )
                for conflict in ctx.conflicts
            ),
            widths=(0.22, 0.26, 0.32, 0.2),
        )
    else:
        writer.paragraph("Aucun conflit d'intérêts n'a été déclaré.")

    writer.article("Propositions écartées")
    if ctx.eliminations:
        writer.table(
            ("Proposition", "Motif"),
            ((line.proposal, line.reason) for line in ctx.eliminations),
            widths=(0.35, 0.65),
        )
    else:
        writer.paragraph("Aucune proposition n'a été écartée.")

    evaluator_width = 0.5 / max(len(codes), 1)
    widths = (0.12, 0.1, *[evaluator_width] * len(codes), 0.14, 0.14)
    headers = ("Critère", "Poids", *codes, "Note retenue", "Note pondérée")
    numeric = range(1, len(headers))
    for lot in challenge.lots:
        rows = [row for row in ctx.rows if row.lot == lot.number]
        writer.article(f"Lot n° {lot.number} – {lot.title}")
        if lot.outcome:
            writer.paragraph(Strong("Issue du lot : "), lot.outcome.lower(), ".")
        if not rows:
            writer.paragraph("Aucune proposition n'a été déposée pour ce lot.")
            continue
        writer.heading("Classement")
        writer.table(
            (
                "Rang",
                "Proposition",
                "Groupe de travail",
                "Prix HT du lot",
                f"Note ({ctx.total_label})",
                "Retenue",
            ),
            (
                (
                    str(row.rank),
                    row.proposal,
                    ", ".join(row.members),
                    format_eur(row.price) if row.price is not None else NO_MARK,
                    _score(row.total),
                    "Oui" if row.selected else "Non",
                )
                for row in rows
            ),
            widths=(0.07, 0.25, 0.28, 0.16, 0.13, 0.11),
            numeric=(0, 3, 4),
        )
        for row in rows:
            if row.tie_note:
                writer.paragraph(row.tie_note)
        writer.heading("Détail des notes par critère et par évaluateur")
        writer.paragraph(
            "Évaluateurs : "
            + " ; ".join(f"{c} = {name}" for c, name in zip(codes, ctx.evaluators, strict=True))
            + ". "
            f"« {NO_MARK} » : pas de note (conflit d'intérêts déclaré ou abstention)."
        )
        for row in rows:
            writer.paragraph(Strong(f"Rang {row.rank} – {row.proposal}"))
            writer.table(
                headers, _breakdown(ctx, row), widths=widths, numeric=numeric, strong_last_row=True
            )
            if row.comments:
                writer.paragraph("Appréciations des évaluateurs :")
                writer.table(
                    ("Critère", "Évaluateur", "Appréciation"),
                    (
                        (line.criterion, code_of.get(line.evaluator, line.evaluator), line.text)
                        for line in row.comments
                    ),
                    widths=(0.25, 0.1, 0.65),
                )
        writer.heading("Proposition retenue")
        selected = [row for row in rows if row.selected]
        for row in selected:
            writer.paragraph(
                Strong(f"« {row.proposal} »"),
                f" ({', '.join(row.members)}) est retenue au rang {row.rank} du lot, avec la "
                f"note de {_score(row.total)} {ctx.total_label}.",
            )
        if not selected:
            writer.paragraph("Aucune proposition n'est retenue pour ce lot à ce stade.")

    if ctx.selection_justification:
        writer.article("Justification de la sélection")
        writer.paragraph(
            "Motifs de l'acheteur, requis lorsqu'il s'écarte du classement d'un lot ou ne "
            "retient aucune proposition pour un lot classé :"
        )
        for paragraph in ctx.selection_justification.splitlines():
            if paragraph.strip():
                writer.paragraph(paragraph.strip())

    writer.signatures((("l'acheteur", challenge.buyer),))
    return writer.finish()
