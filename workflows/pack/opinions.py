"""The contexts of the Chambre des communs' opinions, one per opinion issued."""

from collections import Counter
from dataclasses import replace

from django.db.models import Prefetch

from procurement.documents import context as ctx
from procurement.models import (
    Commons,
    Opinion,
    OpinionSubject,
    Proposal,
    ProposalStatus,
    Verdict,
    WorkingGroupMember,
)
from workflows.pack.call import commons_ref, party

TOPICS = {
    OpinionSubject.CALL: ctx.OpinionTopic.CALL,
    OpinionSubject.SELECTION: ctx.OpinionTopic.SELECTION,
}


def _answer_text(answer) -> str | None:
    if answer is None:
        return None
    return f"{'Acceptée' if answer.accepted else 'Déclinée'} : {answer.answer}"


def _selected_lines(challenge) -> tuple[str, ...]:
    """The proposals the buyer selected (or awarded since), lot by lot, as the opinion
    on the selection names them."""
    proposals = (
        Proposal.objects.filter(
            challenge=challenge, status__in=[ProposalStatus.SELECTED, ProposalStatus.AWARDED]
        )
        .select_related("group__resource__lot")
        .prefetch_related(
            Prefetch(
                "group__members",
                queryset=WorkingGroupMember.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            )
        )
        .order_by("group__resource__lot__number", "id")
    )
    lines = []
    for proposal in proposals:
        lot = proposal.group.resource.lot
        members = ", ".join(m.organisation.name for m in proposal.group.members.all())
        line = f"« {proposal.title} »" + (f" ({members})" if members else "")
        lines.append(f"Lot n° {lot.number} – {line}" if lot else line)
    return tuple(lines)


def opinion_contexts(challenge, base) -> list[tuple[str, ctx.OpinionContext]]:
    moderator = (
        challenge.chambre.memberships.filter(role="moderator").select_related("user").first()
    )
    opinions = list(
        Opinion.objects.filter(challenge=challenge)
        .prefetch_related("recommended_commons", "answers")
        .select_related("issued_by", "referral")
        .order_by("issued_at", "id")
    )
    counts = Counter(opinion.subject for opinion in opinions)
    numbers: Counter = Counter()
    catalogue_size = Commons.objects.filter(referenced=True).count()
    selected = (
        _selected_lines(challenge)
        if any(o.subject == OpinionSubject.SELECTION for o in opinions)
        else ()
    )
    contexts = []
    for opinion in opinions:
        numbers[opinion.subject] += 1
        answers = {a.index: a for a in opinion.answers.all()}
        referral = getattr(opinion, "referral", None)
        topic = TOPICS[OpinionSubject(opinion.subject)]
        contexts.append(
            (
                str(opinion.pk),
                ctx.OpinionContext(
                    # A letter is drawn up when the opinion is issued, not before.
                    challenge=replace(base, generated_at=max(base.generated_at, opinion.issued_at)),
                    topic=topic,
                    number=numbers[opinion.subject],
                    count=counts[opinion.subject],
                    referred_at=referral.opened_at if referral else None,
                    selected=selected if topic is ctx.OpinionTopic.SELECTION else (),
                    catalogue_size=catalogue_size,
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
