"""The contexts of the pieces that follow the selection: the analysis report, the
Chambre's opinions, the actes d'engagement, the cofunding conventions and the
reciprocity contracts."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch

from kernel.formats import format_date_fr
from procurement.documents import context as ctx
from procurement.models import (
    Bucket,
    Challenge,
    Contribution,
    ContributionKind,
    Intent,
    Opinion,
    OpinionSubject,
    Pledge,
    Position,
    Proposal,
    Verdict,
    WorkingGroupMember,
)
from scoring import aggregation as agg
from scoring.models import Assignment
from scoring.ranking import METHOD_DESCRIPTIONS, compute_rankings
from workflows.pack.call import commons_ref, party

DEFAULT_VAT_RATE = Decimal("20")
# A template's default, to be negotiated: 1 % of the revenue earned with the commons.
DEFAULT_REVENUE_SHARE = Decimal("1")


def ranking_context(challenge: Challenge, base: ctx.ChallengeContext) -> ctx.RankingContext:
    """The rapport d'analyse des offres' context: the ranking of each lot with each
    evaluator's marks, the declared conflicts of interest and the eliminations."""
    rankings = compute_rankings(challenge)
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
    rows = []
    for lot, entry in entries:
        proposal = proposals[entry.proposal_id]
        rows.append(
            ctx.RankingRow(
                lot=lot.number,
                rank=entry.rank,
                proposal=proposal.title,
                members=tuple(members.get(proposal.group_id, ())),
                total=entry.total,
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
    conflicts = tuple(
        ctx.ConflictLine(
            evaluator=a.evaluator.username,
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
        rows=tuple(rows),
        selection_justification=challenge.selection_justification,
        conflicts=conflicts,
        eliminations=eliminations,
    )


def _answer_text(answer) -> str | None:
    if answer is None:
        return None
    return f"{'Acceptée' if answer.accepted else 'Déclinée'} : {answer.answer}"


def opinion_contexts(challenge, base) -> list[tuple[str, ctx.OpinionContext]]:
    moderator = (
        challenge.chambre.memberships.filter(role="moderator").select_related("user").first()
    )
    contexts = []
    for opinion in (
        Opinion.objects.filter(challenge=challenge)
        .prefetch_related("recommended_commons", "answers")
        .select_related("issued_by")
        .order_by("issued_at", "id")
    ):
        answers = {a.index: a for a in opinion.answers.all()}
        contexts.append(
            (
                str(opinion.pk),
                ctx.OpinionContext(
                    challenge=base,
                    subject_label=(
                        "sur le projet d'appel à communs"
                        if opinion.subject == OpinionSubject.CALL
                        else "sur la sélection des propositions"
                    ),
                    verdict_label=(
                        opinion.get_verdict_display()
                        if opinion.verdict == Verdict.NONE_IN_TIME
                        else f"Avis {opinion.get_verdict_display().lower()}"
                    ),
                    reasons=tuple(p for p in opinion.reasons.split("\n") if p.strip()),
                    reservations=tuple(
                        ctx.ReservationLine(reservation=r, answer=_answer_text(answers.get(number)))
                        for number, r in enumerate(opinion.reservations, start=1)
                    ),
                    recommended_commons=tuple(
                        commons_ref(c) for c in opinion.recommended_commons.all()
                    ),
                    licence_requirements=opinion.licence_requirements,
                    chambre=party(challenge.chambre),
                    issued_at=opinion.issued_at,
                    moderator_name=(
                        (moderator.user.get_full_name() or moderator.user.username)
                        if moderator
                        else (opinion.issued_by.username if opinion.issued_by else "")
                    ),
                ),
            )
        )
    return contexts


def _funded_buckets(challenge):
    return (
        Bucket.objects.filter(round__challenge=challenge, status=Bucket.Status.FUNDED)
        .select_related(
            "proposal__group__resource__commons__host", "proposal__group__coordinator", "round"
        )
        .prefetch_related(
            Prefetch(
                "pledges",
                queryset=Pledge.objects.filter(status=Pledge.Status.COMMITTED).select_related(
                    "allocation__funder"
                ),
            ),
            Prefetch(
                "proposal__group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation"),
            ),
        )
        .order_by("proposal_id")
    )


def award_contexts(challenge, base) -> list[tuple[str, ctx.AwardContext]]:
    contexts = []
    for bucket in _funded_buckets(challenge):
        proposal = bucket.proposal
        group = proposal.group
        members = [m.organisation for m in group.members.all()]
        awardee = group.coordinator or (members[0] if members else None)
        contexts.append(
            (
                str(proposal.pk),
                ctx.AwardContext(
                    challenge=base,
                    awardee=party(awardee, "Groupement à désigner"),
                    amount_ht=proposal.amount,
                    vat_rate=DEFAULT_VAT_RATE,
                    co_contractors=tuple(
                        party(o) for o in members if awardee is None or o.pk != awardee.pk
                    ),
                    duration_label="douze mois à compter de la notification",
                ),
            )
        )
    return contexts


def cofunding_contexts(challenge, base) -> list[tuple[str, ctx.CofundingContext]]:
    contexts = []
    for bucket in _funded_buckets(challenge):
        resource = bucket.proposal.group.resource
        by_funder: dict[int, list] = {}
        for pledge in bucket.pledges.all():
            by_funder.setdefault(
                pledge.allocation.funder_id, [pledge.allocation.funder, Decimal(0)]
            )
            by_funder[pledge.allocation.funder_id][1] += pledge.amount
        funders = tuple(ctx.FunderLine(funder=party(f), amount=a) for f, a in by_funder.values())
        total = sum((line.amount for line in funders), Decimal(0))
        start = bucket.round.closed_at.date()
        first = (total * Decimal("0.3")).quantize(Decimal("0.01"))
        commons = resource.commons
        contexts.append(
            (
                str(bucket.proposal_id),
                ctx.CofundingContext(
                    challenge=base,
                    commons=ctx.CommonsRef(
                        name=commons.name if commons else resource.title,
                        licence=bucket.proposal.licence,
                    ),
                    host=party(
                        commons.host if commons else None, "Structure hébergeuse à désigner"
                    ),
                    funders=funders,
                    milestones=(
                        ctx.Milestone(
                            label="Lancement des travaux",
                            due_on=start + timedelta(days=30),
                            amount=first,
                            deliverable="Plan de travail et gouvernance",
                        ),
                        ctx.Milestone(
                            label="Livraison du commun",
                            due_on=start + timedelta(days=365),
                            amount=total - first,
                            deliverable=bucket.proposal.deliverables[:200],
                        ),
                    ),
                    round_label=f"Tour de cofinancement clos le {format_date_fr(start)}",
                ),
            )
        )
    return contexts


def reciprocity_contexts(challenge, base) -> list[tuple[str, ctx.ReciprocityContext]]:
    """A template for each partner that declared a commercial use of a funded commons."""
    contexts = []
    funded = {b.proposal.group.resource_id: b for b in _funded_buckets(challenge)}
    users = (
        Position.objects.filter(resource_id__in=funded, intent=Intent.USE)
        .select_related("organisation", "resource__commons__host")
        .prefetch_related(
            Prefetch(
                "contributions",
                queryset=Contribution.objects.filter(kind=ContributionKind.TECHNICAL_MEANS),
                to_attr="technical_means",
            )
        )
        .order_by("id")
    )
    for position in users:
        bucket = funded[position.resource_id]
        commons = position.resource.commons
        contexts.append(
            (
                str(position.pk),
                ctx.ReciprocityContext(
                    challenge=base,
                    partner=party(position.organisation),
                    commons=ctx.CommonsRef(
                        name=commons.name if commons else position.resource.title,
                        licence=bucket.proposal.licence,
                    ),
                    beneficiary=party(
                        commons.host if commons else None, "Structure hébergeuse à désigner"
                    ),
                    kind=ctx.ReciprocityKind.REVENUE_SHARE,
                    period_label="année",
                    starts_on=bucket.round.closed_at.date(),
                    commercial_use="\n".join(c.description for c in position.technical_means)
                    or "Services commerciaux fondés sur le commun",
                    revenue_share=DEFAULT_REVENUE_SHARE,
                ),
            )
        )
    return contexts
