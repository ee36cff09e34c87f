"""Deadlines the buyer sets or extends once the call is published.

A deadline is extended only before it passes (to the second), to a later moment, with
a notice published on the call. The process moves its timer of that stage under its
lock (``workflows.services.deadline_extend``, the entry point of the API and the
portal), so the periodic sweep fires at the new deadline and not at the old one.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import WrongState
from kernel.guards import field_error, require_before, require_status
from procurement.models import ChallengeStatus, DeadlineKind, DeadlineNotice
from procurement.services.audit import audit_record
from procurement.services.common import require_member
from procurement.services.notifications import notify_deadline_extended

FIELDS = {
    DeadlineKind.POSITIONING: "positioning_deadline",
    DeadlineKind.PROPOSALS: "proposal_deadline",
    DeadlineKind.QUESTIONS: "questions_deadline",
    DeadlineKind.EXPLORATION: "exploration_end",
}
# The stages during which each deadline is still ahead.
STAGES = {
    DeadlineKind.POSITIONING: (ChallengeStatus.POSITIONING,),
    DeadlineKind.PROPOSALS: (ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS),
    DeadlineKind.QUESTIONS: (ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS),
    DeadlineKind.EXPLORATION: (ChallengeStatus.EXPLORATION,),
}


def _invalid(field: str, message: str, code: str = "invalid_deadline"):
    return field_error(field, message, code)


def _check_order(challenge, which: str, new_deadline: datetime) -> None:
    if which == DeadlineKind.POSITIONING and new_deadline > challenge.proposal_deadline:
        raise _invalid(
            "new_deadline",
            _("La fin des positionnements ne peut dépasser la date limite des propositions."),
        )
    if (
        which == DeadlineKind.EXPLORATION
        and challenge.cofunding_deadline is not None
        and new_deadline >= challenge.cofunding_deadline
    ):
        # The round opens after the exploration and closes at the cofunding deadline.
        raise _invalid(
            "new_deadline",
            _("La fin de l'exploration doit précéder la clôture du cofinancement."),
        )
    if which == DeadlineKind.QUESTIONS and new_deadline >= challenge.proposal_deadline:
        raise _invalid(
            "new_deadline",
            _("La fin des questions doit précéder la date limite des propositions."),
        )


@transaction.atomic
def challenge_extend_deadline(
    *, actor, challenge, which: str, new_deadline: datetime, notice: str
) -> DeadlineNotice:
    """Extend one of the published deadlines and publish the notice (the domain's rules;
    the caller holds the process lock and moves the stage's timer)."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur prolonge une échéance.")
    )
    if which not in FIELDS:
        raise _invalid("which", _("Échéance inconnue."), code="unknown_deadline")
    if not (notice or "").strip():
        raise _invalid(
            "notice",
            _("L'avis de prolongation est obligatoire : il est publié."),
            code="notice_required",
        )
    if timezone.is_naive(new_deadline):
        new_deadline = timezone.make_aware(new_deadline)
    require_status(
        challenge, *STAGES[which], message=_("Cette échéance ne peut plus être prolongée.")
    )
    old = getattr(challenge, FIELDS[which])
    if old is None:
        raise WrongState(_("Cette échéance n'est pas fixée."), code="no_deadline")
    require_before(old, message=_("L'échéance est passée : elle ne peut plus être prolongée."))
    if new_deadline <= old:
        raise _invalid("new_deadline", _("La nouvelle échéance doit suivre l'actuelle."))
    _check_order(challenge, which, new_deadline)
    setattr(challenge, FIELDS[which], new_deadline)
    challenge.save(update_fields=[FIELDS[which], "updated_at"])
    published = DeadlineNotice.objects.create(
        challenge=challenge,
        which=which,
        old_deadline=old,
        new_deadline=new_deadline,
        notice=notice.strip(),
        published_at=timezone.now(),
        published_by=actor,
    )
    audit_record(
        verb="deadline.extended",
        actor=actor,
        challenge=challenge,
        obj=published,
        data={"which": which, "old": old, "new": new_deadline, "notice": published.notice},
    )
    notify_deadline_extended(published)
    return published


@transaction.atomic
def challenge_set_questions_deadline(*, actor, challenge, questions_deadline: datetime):
    """Set the question deadline of a published call that has none yet; once set, it is
    only extended (with a notice)."""
    require_member(
        actor, challenge.buyer, message=_("Seul un agent de l'acheteur fixe la fin des questions.")
    )
    require_status(
        challenge,
        ChallengeStatus.POSITIONING,
        ChallengeStatus.PROPOSALS,
        message=_("Les questions sont fermées."),
    )
    if challenge.questions_deadline is not None:
        raise WrongState(
            _("La fin des questions est déjà fixée : prolongez-la avec un avis."),
            code="questions_deadline_set",
        )
    if questions_deadline <= timezone.now():
        raise _invalid("questions_deadline", _("La fin des questions doit être future."))
    if questions_deadline >= challenge.proposal_deadline:
        raise _invalid(
            "questions_deadline",
            _("La fin des questions doit précéder la date limite des propositions."),
        )
    challenge.questions_deadline = questions_deadline
    challenge.save(update_fields=["questions_deadline", "updated_at"])
    audit_record(
        verb="questions.deadline_set",
        actor=actor,
        challenge=challenge,
        data={"questions_deadline": questions_deadline},
    )
    return challenge
