"""The rapport d'analyse des offres' context: each lot's ranking with every evaluator's
marks and comments, the offered prices, the ties and how the rule of the règlement
tells them apart, the conflicts of interest declared and the eliminations; the
evaluators named with their capacity."""

from decimal import Decimal

from procurement.documents import context as ctx
from procurement.models import Challenge, Membership, Proposal, WorkingGroupMember
from scoring import aggregation as agg
from scoring.models import Assignment
from scoring.queries import counted_scores, criteria_of
from scoring.ranking import (
    METHOD_DESCRIPTIONS,
    compute_rankings,
    grid_spec,
    offered_prices,
)


def _evaluator_titles(challenge: Challenge, usernames: list[str]) -> dict[str, str]:
    """Each evaluator by name, capacity and organisation: « Claire Martin, évaluateur
    (Métropole Européenne de Lille) » — never a login alone. The membership of the
    buyer comes first; an outside evaluator is named with its own organisation."""
    titles: dict[str, str] = {}
    memberships = sorted(
        Membership.objects.filter(user__username__in=usernames).select_related(
            "user", "organisation"
        ),
        key=lambda m: (m.organisation_id != challenge.buyer_id, m.pk),
    )
    for membership in memberships:
        user = membership.user
        titles.setdefault(
            user.username,
            f"{user.get_full_name() or user.username}, "
            f"{membership.get_role_display().lower()} ({membership.organisation.name})",
        )
    return {u: titles.get(u, u) for u in usernames}


def _tie_note(entry, group, grid, titles) -> str:
    """How the rule of the règlement orders ``entry``'s tie, in a sentence."""
    others = [e for e in group if e.proposal_id != entry.proposal_id]
    names = ", ".join(f"« {titles[e.proposal_id]} »" for e in others)
    decided = agg.break_tie(group, grid)
    if decided.deciding is None:
        return (
            f"Ex aequo au rang {entry.rank} avec {names} ; la règle du règlement (notes "
            "pondérées du critère le plus lourd au plus léger) les laisse à égalité : le "
            "choix de l'acheteur est motivé ci-après."
        )
    first = titles[decided.order[0]]
    return (
        f"Ex aequo au rang {entry.rank} avec {names} ; selon la règle du règlement, "
        f"« {first} » l'emporte sur le critère « {decided.deciding.label} »."
    )


def ranking_context(challenge: Challenge, base: ctx.ChallengeContext) -> ctx.RankingContext:
    """The rapport d'analyse des offres' context: the ranking of each lot with each
    evaluator's marks, the declared conflicts of interest and the eliminations."""
    rankings = compute_rankings(challenge)
    grid = grid_spec(criteria_of(challenge))
    prices = offered_prices(challenge)
    labels = {c.code: c.label for c in grid.criteria}
    comments: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for proposal_id, code, evaluator, comment in (
        counted_scores(challenge)
        .exclude(comment="")
        .order_by("evaluation__assignment__evaluator__username", "criterion__order", "id")
        .values_list(
            "evaluation__assignment__proposal_id",
            "criterion__code",
            "evaluation__assignment__evaluator__username",
            "comment",
        )
    ):
        comments.setdefault((proposal_id, code), []).append((evaluator, comment.strip()))
    proposals = {
        p.pk: p for p in Proposal.objects.filter(challenge=challenge).select_related("group")
    }
    members: dict[int, list[str]] = {}
    for member in WorkingGroupMember.objects.filter(
        group__resource__challenge=challenge
    ).select_related("organisation"):
        members.setdefault(member.group_id, []).append(member.organisation.name)
    entries = [(item.lot, entry) for item in rankings for entry in item.ranking.entries]
    evaluators = sorted(
        {ev for _lot, e in entries for c in e.criteria for ev, _mark in c.evaluator_marks}
    )
    titles = {pk: p.title for pk, p in proposals.items()}
    groups = {
        (item.lot.pk, entry.rank): [e for e in item.ranking.entries if e.rank == entry.rank]
        for item in rankings
        for entry in item.ranking.entries
    }
    rows = []
    for lot, entry in entries:
        proposal = proposals[entry.proposal_id]
        group = groups[(lot.pk, entry.rank)]
        rows.append(
            ctx.RankingRow(
                lot=lot.number,
                rank=entry.rank,
                proposal=proposal.title,
                members=tuple(members.get(proposal.group_id, ())),
                total=entry.total,
                price=prices.get(lot.pk, {}).get(entry.proposal_id),
                tie_note=_tie_note(entry, group, grid, titles) if len(group) > 1 else "",
                comments=tuple(
                    ctx.CommentLine(criterion=labels[c.code], evaluator=evaluator, text=text)
                    for c in entry.criteria
                    for evaluator, text in comments.get((entry.proposal_id, c.code), ())
                ),
                selected=proposal.status in ("selected", "awarded"),
                results=tuple(
                    ctx.CriterionResult(
                        criterion_code=c.code,
                        marks=tuple(
                            ctx.EvaluatorMark(
                                evaluator=ev,
                                mark=v if isinstance(v, Decimal) else agg.grade_value(v),
                            )
                            for ev, v in c.evaluator_marks
                        ),
                        score=c.aggregated,
                        weighted_score=c.contribution,
                    )
                    for c in entry.criteria
                ),
            )
        )
    evaluator_titles = _evaluator_titles(challenge, evaluators)
    conflicts = tuple(
        ctx.ConflictLine(
            evaluator=evaluator_titles.get(a.evaluator.username)
            or a.evaluator.get_full_name()
            or a.evaluator.username,
            proposal=a.proposal.title,
            nature=a.conflict_note or "Conflit d'intérêts déclaré",
        )
        for a in Assignment.objects.filter(proposal__challenge=challenge, conflict=True)
        .select_related("evaluator", "proposal")
        .order_by("proposal_id", "evaluator_id")
    )
    eliminated = {e.proposal_id: e for _lot, e in entries if e.eliminated}
    eliminations = tuple(
        ctx.EliminationLine(
            proposal=proposals[e.proposal_id].title, reason="; ".join(e.elimination_reasons)
        )
        for e in eliminated.values()
    )
    label, description = METHOD_DESCRIPTIONS[challenge.aggregation_method]
    return ctx.RankingContext(
        challenge=base,
        method_label=label,
        method_description=description,
        evaluators=tuple(evaluators),
        evaluator_titles=tuple(evaluator_titles[u] for u in evaluators),
        rows=tuple(rows),
        selection_justification=challenge.selection_justification,
        conflicts=conflicts,
        eliminations=eliminations,
    )
