"""The contexts of the Chambre des communs' opinions, one per opinion issued."""

from procurement.documents import context as ctx
from procurement.models import Opinion, OpinionSubject, Verdict
from workflows.pack.call import commons_ref, party


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
