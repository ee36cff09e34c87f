"""The call's context, shared by every piece: the buyer, the resources, the grid, the
procedure and the Chambre's recommendations."""

from procurement.documents import context as ctx
from procurement.models import (
    Challenge,
    Opinion,
    Organisation,
    Proposal,
    ProposalStatus,
)
from procurement.services.award_rules import procedure_of
from scoring.models import CriterionKind, ScaleKind
from scoring.queries import criteria_of


def party(org: Organisation | None, fallback: str = "") -> ctx.Party:
    if org is None:
        return ctx.Party(name=fallback)
    return ctx.Party(name=org.name, siret=org.siret or None, address=org.address or None)


def commons_ref(commons) -> ctx.CommonsRef:
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
                referenced_commons=tuple(commons_ref(c) for c in referenced),
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
        buyer=party(challenge.buyer),
        procedure_label=procedure_of(challenge, published_on).label,
        estimated_amount=challenge.estimated_amount,
        published_at=challenge.published_at,
        positioning_deadline=challenge.positioning_deadline,
        proposal_deadline=challenge.proposal_deadline,
        resources=tuple(resources),
        criteria=criteria,
        licence_requirements="\n".join(
            o.licence_requirements for o in opinions if o.licence_requirements
        ),
        chambre_recommended_commons=tuple(commons_ref(c) for c in recommended.values()),
        generated_at=max(moments) if moments else challenge.created_at,
    )
