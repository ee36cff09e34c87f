"""The call's context, shared by every piece: the buyer, the lots and resources, the grid
and its scoring method, the procedure and the Chambre's recommendations — the call
alone, never an offer."""

from django.conf import settings
from django.urls import reverse

from procurement.documents import context as ctx
from procurement.documents.common import licence_requirement_sentence
from procurement.models import Challenge, LotOutcome, Opinion, OpinionSubject, Organisation
from procurement.models.challenges import AggregationMethod
from procurement.queries import lots_of
from procurement.services.award_rules import procedure_of
from scoring.aggregation import MJ_GRADES
from scoring.method import method_paragraphs
from scoring.models import CriterionKind, ScaleKind
from scoring.queries import criteria_of
from scoring.ranking import METHOD_DESCRIPTIONS, grid_spec
from scoring.services.grids import SOCIAL_CRITERION_CODE
from scoring.votes import vote_for


def party(org: Organisation | None, fallback: str = "") -> ctx.Party:
    """The organisation as a party to a piece: its name, SIRET and address, and who signs
    for it ("Mme Jeanne Martin, présidente") when its members have said so."""
    if org is None:
        return ctx.Party(name=fallback)
    representative = ", ".join(
        part for part in (org.representative_name, org.representative_capacity) if part
    )
    return ctx.Party(
        name=org.name,
        siret=org.siret or None,
        address=org.address or None,
        representative=representative or None,
    )


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


def scoring_method_paragraphs(challenge: Challenge, criteria) -> tuple[str, tuple[str, ...]]:
    """The scoring method as the RC states it (R2152-11, R2152-12): its name and the
    paragraphs that give its formulae, from the grid actually used
    (``scoring.method.method_paragraphs``, the one source of that text)."""
    label, description = METHOD_DESCRIPTIONS[challenge.aggregation_method]
    if challenge.aggregation_method == AggregationMethod.MAJORITY_JUDGMENT:
        # Refused for an award since the Belleville-sur-Loire rule: only a call drafted
        # before it can still carry it, and its RC says what it was.
        paragraphs = [description]
    else:
        paragraphs = method_paragraphs(grid_spec(list(criteria)), challenge.aggregation_method)
    paragraphs.append(
        "Chaque lot est jugé séparément : les propositions d'un lot sont classées entre elles "
        "par leur note globale, de la plus haute à la plus basse."
    )
    return label, tuple(paragraphs)


def _lot_lines(challenge: Challenge, resources: dict[int, ctx.ResourceLine]) -> tuple:
    lots = []
    for lot in lots_of(challenge):
        lots.append(
            ctx.LotLine(
                number=lot.number,
                title=lot.title,
                estimated_amount=lot.estimated_amount,
                reserved_ess=lot.reserved_ess,
                reserved_disability=lot.reserved_disability,
                reserved_insertion=lot.reserved_insertion,
                resources=tuple(resources[r.pk] for r in lot.resources.all() if r.pk in resources),
                outcome="" if lot.outcome == LotOutcome.PENDING else lot.get_outcome_display(),
            )
        )
    return tuple(lots)


def _vote_plan(challenge: Challenge) -> ctx.VotePlan | None:
    """The collective vote the call plans, as the règlement states it."""
    vote = vote_for(challenge)
    if vote is None:
        return None
    return ctx.VotePlan(
        # in French whatever the language active here: the mentions as the aggregation
        # names them, best first (Excellent = 6 … À rejeter = 0)
        min_grade=MJ_GRADES[len(MJ_GRADES) - 1 - vote.min_grade],
        max_retained=vote.max_retained,
        days=vote.days,
        planned_end=vote.planned_end,
    )


def challenge_context(challenge: Challenge) -> ctx.ChallengeContext:
    """The call's context, from the call alone — never from a position, an offer or a
    proposal: the consultation documents must be the same for every candidate, and the
    award pieces reuse it as they are (the deliverables, governance and community are
    the candidate's to propose)."""
    opinions = list(
        Opinion.objects.filter(challenge=challenge, subject=OpinionSubject.CALL)
        .prefetch_related("recommended_commons")
        .order_by("issued_at", "id")
    )
    recommended = {}
    for opinion in opinions:
        for commons in opinion.recommended_commons.all():
            recommended[commons.pk] = commons
    by_pk = {}
    for resource in challenge.resources.select_related("commons").order_by("order", "id"):
        referenced = [resource.commons] if resource.commons and resource.commons.referenced else []
        by_pk[resource.pk] = ctx.ResourceLine(
            title=resource.title,
            description=resource.description,
            licence_spdx=resource.expected_licence or "EUPL-1.2",
            deliverables=(),
            referenced_commons=tuple(commons_ref(c) for c in referenced),
        )
    grid = list(criteria_of(challenge))
    criteria = tuple(
        ctx.CriterionLine(
            code=c.code,
            label=c.label,
            weight=c.weight,
            is_commons=c.is_commons,
            is_environmental=c.kind == CriterionKind.ENVIRONMENT,
            is_social=c.code == SOCIAL_CRITERION_CODE,
            scale_label=SCALE_LABELS.get(c.scale, ""),
            description=c.description,
        )
        for c in grid
        if c.weight > 0
    )
    amendments = tuple(
        ctx.AmendmentLine(made_at=a.made_at, summary=a.summary, substantial=a.substantial)
        for a in challenge.amendments.order_by("made_at", "id")
    )
    # The documents are dated by the call's own events (publication, then each change),
    # never by the clock: unchanged data renders to the same bytes.
    moments = [m for m in (challenge.published_at, *(a.made_at for a in amendments)) if m]
    published_on = (challenge.published_at or challenge.created_at).date()
    procedure = procedure_of(challenge, published_on)
    method_label, method_paragraphs = scoring_method_paragraphs(challenge, grid)
    buyer = challenge.buyer
    return ctx.ChallengeContext(
        reference=challenge.reference,
        title=challenge.title,
        object=challenge.context,
        buyer=party(buyer),
        procedure_label=procedure.label,
        procedure_code=procedure.code,
        procedure_formal=procedure.formal,
        estimated_amount=challenge.estimated_amount,
        published_at=challenge.published_at,
        positioning_deadline=challenge.positioning_deadline,
        proposal_deadline=challenge.proposal_deadline,
        questions_deadline=challenge.questions_deadline,
        resources=tuple(by_pk.values()),
        criteria=criteria,
        licence_requirements="\n".join(
            licence_requirement_sentence(o.licence_requirements, o.issued_at)
            for o in opinions
            if o.licence_requirements.strip()
        ),
        chambre_recommended_commons=tuple(commons_ref(c) for c in recommended.values()),
        generated_at=max(moments) if moments else challenge.created_at,
        framing=ctx.FramingKind(challenge.framing),
        lots=_lot_lines(challenge, by_pk),
        single_lot_reason=challenge.single_lot_reason,
        multi_lot_proposals=challenge.multi_lot_proposals,
        contract_duration_months=challenge.contract_duration_months,
        personal_data=challenge.personal_data,
        method_label=method_label,
        method_paragraphs=method_paragraphs,
        recourse_court=buyer.recourse_court,
        contact=buyer.contact_email or buyer.website,
        service_url=settings.SITE_URL + reverse("portal:challenge", args=[challenge.pk]),
        amendments=amendments,
        exploration_budget=challenge.exploration_budget if challenge.exploration_planned else None,
        exploration_end=challenge.exploration_end if challenge.exploration_planned else None,
        vote=_vote_plan(challenge),
    )
