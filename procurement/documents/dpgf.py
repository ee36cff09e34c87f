"""Décomposition du prix global et forfaitaire (DPGF) of one lot: the lot's resources and
deliverables as rows with empty price cells, and the totals HT, TVA and TTC for the
candidate to fill. Drawn from the call alone."""

from __future__ import annotations

from kernel.formats import format_percent

from .base import PieceWriter
from .context import LotContext, Party

TITLE = "Décomposition du prix global et forfaitaire (DPGF)"


def dpgf_rows(ctx: LotContext) -> list[tuple[str, str, str, str]]:
    """(number, designation, unit, price HT) rows, the price left blank."""
    rows = []
    for index, resource in enumerate(ctx.lot.resources, start=1):
        number = f"{ctx.lot.number}.{index}"
        rows.append((number, resource.title, "", ""))
        deliverables = resource.deliverables or (
            "Réalisation et livraison de la ressource conformément au CCTP",
            f"Publication des sources et de la documentation sous licence {resource.licence_spdx}",
        )
        for sub, deliverable in enumerate(deliverables, start=1):
            rows.append((f"{number}.{sub}", deliverable, "forfait", ""))
    return rows


def render_dpgf(ctx: LotContext) -> bytes:
    challenge, lot = ctx.challenge, ctx.lot
    writer = PieceWriter(challenge, f"{TITLE} — lot {lot.number}")
    writer.article(f"Lot {lot.number} — {lot.title}")
    writer.paragraph(
        "Le candidat indique le prix hors taxes de chaque ligne ; le total hors taxes est le "
        "prix global et forfaitaire du lot porté à l'acte d'engagement. Les lignes décrivent "
        "les prestations du marché seul : l'animation de la communauté et la maintenance "
        "financées hors du marché par un cofinancement n'y figurent pas."
    )
    rows = [*dpgf_rows(ctx)]
    rows += [
        ("", "Total hors taxes", "", ""),
        ("", f"TVA ({format_percent(ctx.vat_rate)})", "", ""),
        ("", "Total toutes taxes comprises", "", ""),
    ]
    writer.table(
        ("N°", "Désignation", "Unité", "Prix HT (€)"),
        rows,
        widths=(0.1, 0.55, 0.12, 0.23),
        numeric=(3,),
        strong_last_row=True,
    )
    writer.paragraph(
        "En cas de discordance, le prix global porté à l'acte d'engagement prévaut sur la "
        "présente décomposition, qui n'a pas de valeur contractuelle pour le montant total."
    )
    writer.signatures([("le candidat", Party(name="…………………………"))])
    return writer.finish()
