"""The personal space's home: what I must do now (the process's tasks, the stages open
to my organisations, the referrals) and my e-mail alerts."""

from datetime import UTC, datetime, time

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kernel.errors import ApplicationError, NotFound
from portal.chart import step_label
from portal.errors import portal_errors
from portal.views.common import portal_login_required
from procurement import queries
from procurement.models import ChallengeStatus, CofundingRound, Organisation, OrganisationKind
from procurement.services import notifications as notification_services
from procurement.services.notifications import PARIS
from procurement.services.organisations import identity_missing
from scoring.votes import open_votes_for
from workflows.queries import task_deadline, tasks_actionable_by

OPEN_STAGES = [ChallengeStatus.POSITIONING, ChallengeStatus.PROPOSALS, ChallengeStatus.COFUNDING]


def inbox_items(user, kinds: set[str] | None = None) -> list[dict]:
    """Everything the user must act on now, one row each, soonest deadline first (those
    without a deadline last): the process's steps, the referrals of its Chambres, the
    collective votes its organisations take part in, the questions its buyers have to
    answer, and the execution follow-up's deliverables (to decide as the buyer, to
    submit as the holder). ``kinds``: the kinds of the user's organisations, when known
    (a vote concerns funders and partners only: the others are spared its query)."""
    items = []
    referrals = queries.referrals_open_for(user)
    for referral in referrals:
        items.append(
            {
                "label": referral.expected,
                "url": reverse("portal:referral", args=[referral.challenge_id, referral.pk]),
                "challenge": referral.challenge,
                "detail": referral.get_subject_display(),
                "deadline": referral.deadline,
                "owner": referral.rapporteur if referral.status == "drafting" else None,
            }
        )
    for task in tasks_actionable_by(user):
        challenge = task.process.challengeprocess.challenge
        items.append(
            {
                "label": step_label(task.flow_task.name),
                "url": reverse("portal:task", args=[task.pk]),
                "challenge": challenge,
                "detail": "",
                "deadline": task_deadline(task),
                "owner": task.owner,
            }
        )
    voter = kinds is None or bool(kinds & {OrganisationKind.FUNDER, OrganisationKind.PARTNER})
    for vote in open_votes_for(user) if voter else []:
        items.append(
            {
                "label": _("Voter sur les communs à cofinancer"),
                "url": reverse("portal:vote", args=[vote.challenge_id]),
                "challenge": vote.challenge,
                "detail": _("Bulletin déposé, modifiable jusqu'à la clôture")
                if vote.voted
                else _("Vote collectif (jugement majoritaire)"),
                "deadline": vote.ends_at,
                "owner": None,
            }
        )
    for challenge in queries.questions_to_answer(user):
        items.append(
            {
                "label": ngettext(
                    "Répondre à %(count)s question",
                    "Répondre à %(count)s questions",
                    challenge.unanswered,
                )
                % {"count": challenge.unanswered},
                "url": reverse("portal:answers", args=[challenge.pk]),
                "challenge": challenge,
                "detail": "",
                "deadline": challenge.answer_by,
                "owner": None,
            }
        )
    to_decide, to_submit = queries.execution_to_act(user)
    for challenge in to_decide:
        items.append(
            {
                "label": ngettext(
                    "Admettre ou refuser %(count)s livrable remis",
                    "Admettre ou refuser %(count)s livrables remis",
                    challenge.to_decide,
                )
                % {"count": challenge.to_decide},
                "url": reverse("portal:execution", args=[challenge.pk]),
                "challenge": challenge,
                "detail": "",
                "deadline": None,
                "owner": None,
            }
        )
    for challenge in to_submit:
        items.append(
            {
                "label": ngettext(
                    "Remettre %(count)s livrable",
                    "Remettre %(count)s livrables",
                    challenge.to_submit,
                )
                % {"count": challenge.to_submit},
                "url": reverse("portal:execution", args=[challenge.pk]),
                "challenge": challenge,
                "detail": "",
                "deadline": (
                    datetime.combine(challenge.due, time(), tzinfo=PARIS) if challenge.due else None
                ),
                "owner": None,
            }
        )
    for facilitation in queries.facilitations_flagged_for(user):
        items.append(
            {
                "label": _("Désigner un autre animateur"),
                "url": reverse("portal:facilitation", args=[facilitation.challenge_id]),
                "challenge": facilitation.challenge,
                "detail": _("neutralité de l'animateur en cause"),
                "deadline": None,
                "owner": None,
            }
        )
    never = datetime.max.replace(tzinfo=UTC)
    items.sort(key=lambda item: item["deadline"] or never)
    return items


@portal_login_required
def inbox(request):
    """What I must do now, across my organisations: the process's tasks first, the
    identity an acte d'engagement waits for, then the stages open to my organisations'
    contributions; each of my organisations links to its page (« Mon organisation »)."""
    user = request.user
    organisations = list(queries.organisations_of(user))
    kinds = {org.kind for org in organisations}
    items = inbox_items(user, kinds)
    buyer_ids = {org.pk for org in organisations if org.kind == OrganisationKind.BUYER}
    actions = []
    # A call in its cofunding stage asks for pledges once its round is open: during a
    # collective vote, which precedes the round, the voters are asked to vote instead.
    open_calls = (
        queries.challenges_visible_to(user)
        .filter(status__in=OPEN_STAGES)
        .annotate(round_open=Exists(CofundingRound.objects.filter(challenge=OuterRef("pk"))))
    )
    for challenge in open_calls:
        deadline = queries.next_deadline(challenge)
        if challenge.status == ChallengeStatus.POSITIONING and OrganisationKind.PARTNER in kinds:
            actions.append((challenge, _("Se positionner"), "portal:position", deadline))
        elif challenge.status == ChallengeStatus.PROPOSALS and OrganisationKind.PARTNER in kinds:
            actions.append((challenge, _("Déposer une proposition"), "portal:proposal", deadline))
        elif (
            challenge.status == ChallengeStatus.COFUNDING
            and challenge.round_open
            and (OrganisationKind.FUNDER in kinds or challenge.buyer_id in buyer_ids)
        ):
            actions.append((challenge, _("Cofinancer les communs"), "portal:cofunding", deadline))
    # An acte d'engagement about to name one of my organisations waits for its identity.
    identities = [
        (org, missing)
        for org in queries.organisations_to_be_named(user)
        if (missing := identity_missing(org))
    ]
    own = queries.challenges_visible_to(user).filter(
        buyer__in=queries.org_ids(user, queries.STAFF_ROLES)
    )
    return render(
        request,
        "portal/space/inbox.html",
        {
            "items": items,
            "facilitation": queries.facilitation_items(user),
            "organisations": organisations,
            "editable": set(
                queries.org_ids(user, queries.STAFF_ROLES).values_list("organisation_id", flat=True)
            ),
            "identities": identities,
            "actions": actions,
            "own_challenges": own,
            "alerts": _alerts(user),
            "mail_language": queries.mail_language(user),
            "is_partner": OrganisationKind.PARTNER in kinds,
            "can_create_call": bool(buyer_ids & editable_ids(user)),
            "is_funder": OrganisationKind.FUNDER in kinds,
        },
    )


def editable_ids(user) -> set[int]:
    """The organisations whose staff the user is (a buyer's staff writes its calls)."""
    return set(queries.org_ids(user, queries.STAFF_ROLES).values_list("organisation_id", flat=True))


def _alerts(user) -> list[dict]:
    """The e-mail alerts the user may toggle: every call, then each buyer's calls."""
    mine = set(queries.subscriptions_of(user).filter(user=user).values_list("buyer_id", flat=True))
    buyers = Organisation.objects.filter(kind=OrganisationKind.BUYER).order_by("name")
    return [{"buyer": None, "on": None in mine}] + [
        {"buyer": buyer, "on": buyer.pk in mine} for buyer in buyers
    ]


@portal_login_required
@require_POST
@portal_errors
def alerts(request):
    """Turn one of my e-mail alerts on or off."""
    buyer = None
    if request.POST.get("buyer"):
        buyer = Organisation.objects.filter(
            pk=request.POST["buyer"] if request.POST["buyer"].isdigit() else None,
            kind=OrganisationKind.BUYER,
        ).first()
        if buyer is None:
            raise NotFound(_("Acheteur introuvable."))
    subscribed = request.POST.get("subscribed") == "1"
    notification_services.subscription_set(actor=request.user, buyer=buyer, subscribed=subscribed)
    messages.success(
        request,
        _("Alerte activée : vous recevrez un e-mail à chaque publication.")
        if subscribed
        else _("Alerte désactivée."),
    )
    return redirect(reverse("portal:inbox") + "#alertes")


@portal_login_required
@require_POST
@portal_errors
def mail_language(request):
    """Choose the language of my e-mails; a refusal is told on the inbox."""
    try:
        notification_services.mail_language_set(
            actor=request.user, language=request.POST.get("language", "")
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Vos e-mails vous seront écrits dans cette langue."))
    return redirect(reverse("portal:inbox") + "#alertes")
