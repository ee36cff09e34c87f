"""Passages that several pieces share: the grid, the commons share, the commons lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from kernel.formats import format_date_fr, format_percent

from .base import PieceWriter, Strong
from .context import ChallengeContext, CommonsRef, CriterionLine


def criterion_kind(criterion: CriterionLine) -> str:
    kinds = [
        label
        for flag, label in (
            (criterion.is_commons, "Communs"),
            (criterion.is_environmental, "Environnement"),
            (criterion.is_social, "Social et solidaire"),
        )
        if flag
    ]
    return ", ".join(kinds) or "—"


def write_grid(writer: PieceWriter, challenge: ChallengeContext) -> None:
    """The grid as published: every criterion, its weight, its scale, and the total."""
    rows = [
        (c.code, c.label, format_percent(c.weight), c.scale_label or "—", criterion_kind(c))
        for c in challenge.criteria
    ]
    rows.append(("", "Total", format_percent(challenge.total_weight), "", ""))
    writer.table(
        ("Code", "Critère", "Pondération", "Échelle de notation", "Nature"),
        rows,
        widths=(0.08, 0.38, 0.16, 0.18, 0.2),
        numeric=(2,),
        strong_last_row=True,
    )


def _codes(criteria: Iterable[CriterionLine]) -> str:
    return ", ".join(f"{c.code} « {c.label} »" for c in criteria)


def write_commons_share(writer: PieceWriter, challenge: ChallengeContext) -> None:
    """The commons share (and the environmental criteria) said in plain words."""
    commons = challenge.commons_criteria
    if commons:
        writer.paragraph(
            "La production et la réutilisation de communs comptent pour ",
            Strong(f"{format_percent(challenge.commons_share)} de la note globale"),
            f" (critères {_codes(commons)}).",
        )
    else:
        writer.paragraph("Aucun critère de la grille ne porte sur les communs.")
    social = [c for c in challenge.criteria if c.is_social]
    if social:
        writer.paragraph(
            "Les considérations sociales et solidaires de l'exécution (insertion "
            "professionnelle des publics en difficulté, conditions de production, "
            "rémunération équitable : article R2152-7, 2° a) du code de la commande publique) "
            f"sont prises en compte par le critère {_codes(social)}, qui note les engagements "
            "de la proposition sur les conditions d'exécution (article L2112-2) et non le "
            "statut du candidat."
        )
    environmental = challenge.environmental_criteria
    if environmental:
        writer.paragraph(
            "Les caractéristiques environnementales des propositions sont prises en compte "
            f"par les critères {_codes(environmental)}."
        )


def commons_line(commons: CommonsRef) -> str:
    line = f"{commons.name} — licence {commons.licence}"
    if commons.url:
        line += f" ({commons.url})"
    if commons.description:
        line += f" : {commons.description}"
    return line


def referenced_commons(challenge: ChallengeContext) -> tuple[CommonsRef, ...]:
    """The commons to reuse: those the Chambre recommends, then those a resource names."""
    seen: dict[str, CommonsRef] = {}
    for commons in challenge.chambre_recommended_commons:
        seen.setdefault(commons.name, commons)
    for resource in challenge.resources:
        for commons in resource.referenced_commons:
            seen.setdefault(commons.name, commons)
    return tuple(seen.values())


# Said when a list of commons to reuse is empty: that this call names none — never that
# the Chambre's catalogue is empty, which a reader would take as a fact about it.
NO_COMMONS = "Ni l'avis de la Chambre des communs ni l'appel ne désignent de commun à réutiliser."


def write_commons_list(
    writer: PieceWriter, commons: Iterable[CommonsRef], *, empty: str = NO_COMMONS
) -> None:
    lines = [commons_line(c) for c in commons]
    if lines:
        writer.bullets(lines)
    else:
        writer.paragraph(empty)


def quoted(text: str) -> str:
    """A requirement quoted in a sentence: « … », without its own final full stop."""
    return f"« {' '.join(text.split()).rstrip('.').strip()} »"


def licence_requirement_sentence(requirement: str, issued: date | datetime) -> str:
    """The Chambre's licence requirement, as the call takes it up: a full sentence that
    says where it comes from, wherever a piece prints it (RC, CCTP, CCAP)."""
    return (
        f"À la suite de l'avis de la Chambre des communs du {format_date_fr(issued)}, "
        f"l'acheteur retient l'exigence de licence suivante : {quoted(requirement)}."
    )


def write_recourse(writer: PieceWriter, ctx: ChallengeContext) -> None:
    """The recourse open to candidates: the court, and for a marché public the référés
    (articles L551-1 and L551-13 of the code de justice administrative) and the
    Tarn-et-Garonne action; hors marché, the recourse against a subsidy decision."""
    writer.article("Voies de recours")
    court = ctx.recourse_court or (
        "le tribunal administratif dans le ressort duquel se trouve le siège de l'acheteur"
    )
    address = f" ({ctx.buyer.address})" if ctx.buyer.address and not ctx.recourse_court else ""
    writer.paragraph("Instance chargée des procédures de recours : ", Strong(court), f"{address}.")
    if ctx.is_public_contract:
        writer.bullets(
            (
                "référé précontractuel, jusqu'à la signature du marché (article L551-1 du code "
                "de justice administrative) ;",
                "référé contractuel, après la signature (articles L551-13 et suivants du même "
                "code) ;",
                "recours en contestation de la validité du contrat, dans les deux mois de la "
                "publicité de sa conclusion (CE, Ass., 4 avril 2014, Département de "
                "Tarn-et-Garonne).",
            )
        )
    else:
        writer.bullets(
            (
                "recours gracieux auprès de l'acheteur ;",
                "recours pour excès de pouvoir contre la décision d'attribution ou de refus de "
                "la subvention, dans les deux mois de sa notification (article R421-1 du code "
                "de justice administrative).",
            )
        )
