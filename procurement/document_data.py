"""Build the documents' contexts from the database: the query side of the pure
renderers in ``procurement.documents``.

Every context carries a ``generated_at`` derived from the data (the last decision it
reflects), never the clock, so unchanged data renders to the same bytes and the same
version.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Prefetch

from kernel.formats import format_date_fr
from procurement.documents import PIECES
from procurement.documents import context as ctx
from procurement.models import (
    Bucket,
    Challenge,
    Contribution,
    ContributionKind,
    Intent,
    Opinion,
    OpinionSubject,
    Organisation,
    Pledge,
    Position,
    Proposal,
    ProposalStatus,
    Verdict,
    WorkingGroupMember,
)
from procurement.procedures import procedure_for
from scoring.models import Assignment, CriterionKind, ScaleKind

DEFAULT_VAT_RATE = Decimal("20")
# A template's default, to be negotiated: 1 % of the revenue earned with the commons.
DEFAULT_REVENUE_SHARE = Decimal("1")


@dataclass(frozen=True)
class PackPiece:
    piece: str
    key: str
    title: str
    render: Callable[[], bytes]


def _party(org: Organisation | None, fallback: str = "") -> ctx.Party:
    if org is None:
        return ctx.Party(name=fallback)
    return ctx.Party(name=org.name, siret=org.siret or None, address=org.address or None)


def _commons_ref(commons) -> ctx.CommonsRef:
    return ctx.CommonsRef(
        name=commons.name,
        licence=commons.licence or "",
        url=commons.url or None,
        description=commons.description,
    )


SCALE_LABELS = {
    ScaleKind.ZERO_FIVE: "note de 0 à 5",
    ScaleKind.ZERO_TEN: "note de 0 à 10",
    ScaleKind.ZERO_TWENTY: "note de 0 à 20",
    ScaleKind.MAJORITY: "mention du jugement majoritaire",
}


def challenge_context(challenge: Challenge) -> ctx.ChallengeContext:
    from scoring.queries import criteria_of

    opinions = list(
        Opinion.objects.filter(challenge=challenge).prefetch_related("recommended_commons")
    )
    recommended = {}
    for opinion in opinions:
        for commons in opinion.recommended_commons.all():
            recommended[commons.pk] = commons
    proposals = {
        p.group.resource_id: p
        for p in Proposal.objects.filter(
            challenge=challenge,
            status__in=[ProposalStatus.SELECTED, ProposalStatus.AWARDED],
        ).select_related("group")
    }
    resources = []
    for resource in challenge.resources.select_related("commons").order_by("order", "id"):
        proposal = proposals.get(resource.pk)
        referenced = [resource.commons] if resource.commons and resource.commons.referenced else []
        resources.append(
            ctx.ResourceLine(
                title=resource.title,
                description=resource.description,
                licence_spdx=(proposal.licence if proposal else "")
                or resource.expected_licence
                or "EUPL-1.2",
                deliverables=tuple(
                    line.strip(" -•")
                    for line in (proposal.deliverables if proposal else "").splitlines()
                    if line.strip(" -•")
                ),
                referenced_commons=tuple(_commons_ref(c) for c in referenced),
                governance=proposal.governance if proposal else "",
                community=proposal.community if proposal else "",
            )
        )
    criteria = tuple(
        ctx.CriterionLine(
            code=c.code,
            label=c.label,
            weight=c.weight,
            is_commons=c.is_commons,
            is_environmental=c.kind == CriterionKind.ENVIRONMENT,
            scale_label=SCALE_LABELS.get(c.scale, ""),
            description=c.description,
        )
        for c in criteria_of(challenge)
        if c.weight > 0
    )
    moments = [
        m
        for m in (
            challenge.published_at,
            challenge.proposals_opened_at,
            *(o.issued_at for o in opinions),
            getattr(getattr(challenge, "cofunding_round", None), "closed_at", None),
        )
        if m is not None
    ]
    published_on = (challenge.published_at or challenge.created_at).date()
    return ctx.ChallengeContext(
        reference=challenge.reference,
        title=challenge.title,
        object=challenge.context,
        buyer=_party(challenge.buyer),
        procedure_label=procedure_for(challenge.estimated_amount, on=published_on).label,
        estimated_amount=challenge.estimated_amount,
        published_at=challenge.published_at,
        positioning_deadline=challenge.positioning_deadline,
        proposal_deadline=challenge.proposal_deadline,
        resources=tuple(resources),
        criteria=criteria,
        licence_requirements="\n".join(
            o.licence_requirements for o in opinions if o.licence_requirements
        ),
        chambre_recommended_commons=tuple(_commons_ref(c) for c in recommended.values()),
        generated_at=max(moments) if moments else challenge.created_at,
    )


def ranking_context(challenge: Challenge, base: ctx.ChallengeContext) -> ctx.RankingContext:
    from scoring.ranking import ranking_for_documents

    return ranking_for_documents(challenge, base)


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
                        _commons_ref(c) for c in opinion.recommended_commons.all()
                    ),
                    licence_requirements=opinion.licence_requirements,
                    chambre=_party(challenge.chambre),
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
                    awardee=_party(awardee, "Groupement à désigner"),
                    amount_ht=proposal.amount,
                    vat_rate=DEFAULT_VAT_RATE,
                    co_contractors=tuple(
                        _party(o) for o in members if awardee is None or o.pk != awardee.pk
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
        funders = tuple(ctx.FunderLine(funder=_party(f), amount=a) for f, a in by_funder.values())
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
                    host=_party(
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
                    partner=_party(position.organisation),
                    commons=ctx.CommonsRef(
                        name=commons.name if commons else position.resource.title,
                        licence=bucket.proposal.licence,
                    ),
                    beneficiary=_party(
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


def build_pack(challenge: Challenge) -> list[PackPiece]:
    """Every piece the challenge's data allows, each with its own render thunk."""
    base = challenge_context(challenge)

    def piece(key: str, context, object_key: str = "") -> PackPiece:
        title, render = PIECES[key]
        return PackPiece(piece=key, key=object_key, title=title, render=lambda: render(context))

    pieces = [piece("reglement", base), piece("cctp", base), piece("ccap", base)]
    if Assignment.objects.filter(proposal__challenge=challenge).exists():
        pieces.append(piece("rapport_analyse", ranking_context(challenge, base)))
    pieces += [piece("avis_chambre", c, k) for k, c in opinion_contexts(challenge, base)]
    pieces += [piece("acte_engagement", c, k) for k, c in award_contexts(challenge, base)]
    pieces += [
        piece("convention_cofinancement", c, k) for k, c in cofunding_contexts(challenge, base)
    ]
    pieces += [piece("contrat_reciprocite", c, k) for k, c in reciprocity_contexts(challenge, base)]
    return pieces


__all__ = ["PackPiece", "build_pack", "challenge_context"]
