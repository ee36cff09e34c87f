"""Facilitation in the personal space: the buyer designates a call's facilitator; a
working group's space (its links to chat and wiki, its meetings, their minutes), kept
by its members and the facilitator, read by the buyer."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import Forbidden
from portal.errors import portal_errors
from portal.forms.community import FacilitatorForm, LinksForm, MeetingForm, MinutesForm
from portal.views.common import cleaned_data, portal_login_required, submit
from procurement import queries
from procurement.services import community
from workflows import operations


@portal_login_required
@portal_errors
def facilitation(request, pk):
    """The call's facilitator, for the buyer's staff: who it is, whether its neutrality
    is flagged, and the form to designate one (or another)."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    if not queries.is_buyer_staff(request.user, challenge):
        raise Forbidden(_("Réservé aux agents de l'acheteur."), code="buyer_only")
    people = queries.facilitators_of_buyer(challenge)
    form = FacilitatorForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        done, status = submit(
            request,
            form,
            operations.facilitator_designate,
            success_message=_("L'animateur de l'appel est désigné."),
            success_url=reverse("portal:facilitation", args=[pk]),
            data=lambda f: f.service_kwargs(),
            challenge=challenge,
            actor=request.user,
        )
        if done:
            return done
    return render(
        request,
        "portal/space/facilitation.html",
        {
            "challenge": challenge,
            "facilitation": queries.facilitation_of(challenge),
            "form": form,
            "groups": queries.group_spaces_visible_to(request.user, challenge),
        },
        status=status,
    )


@portal_login_required
@portal_errors
def group_space(request, pk, group_pk):
    """One working group's exchange space: links, meetings to come and held, minutes.
    Its members and the facilitator keep it; the buyer reads it; the other candidates
    only once the offers are opened (404 before)."""
    challenge = queries.access_challenge(user=request.user, pk=pk)
    group = queries.access_group_space(user=request.user, challenge=challenge, pk=group_pk)
    organisations = [m.organisation for m in group.members.all()]
    writer = queries.may_write_group(group)
    action = request.POST.get("action") if request.method == "POST" else None
    url = reverse("portal:group_space", args=[pk, group_pk])
    links_form = LinksForm(
        request.POST if action == "links" else None,
        initial={"chat_url": group.chat_url, "wiki_url": group.wiki_url},
        prefix="liens",
    )
    meeting_form = MeetingForm(request.POST if action == "meeting" else None, prefix="reunion")
    minutes_forms = {}
    for meeting in group.meetings.all():
        posted = action == "minutes" and request.POST.get("meeting") == str(meeting.pk)
        minutes_forms[meeting.pk] = MinutesForm(
            request.POST if posted else None,
            organisations=organisations,
            initial={
                "minutes": meeting.minutes,
                "attendees": [str(o.pk) for o in meeting.attendees.all()],
                "facilitator_present": meeting.facilitator_present,
            },
            prefix=f"cr-{meeting.pk}",
        )
    status = 200
    if action and writer:
        if action == "links":
            done, status = submit(
                request,
                links_form,
                community.working_group_links_set,
                success_message=_("Les liens du groupe sont enregistrés."),
                success_url=url,
                data=cleaned_data,
                actor=request.user,
                group=group,
            )
        elif action == "meeting":
            done, status = submit(
                request,
                meeting_form,
                community.meeting_schedule,
                success_message=_("La réunion est programmée ; le groupe est prévenu."),
                success_url=url,
                data=cleaned_data,
                actor=request.user,
                group=group,
            )
        else:
            meeting = queries.access_meeting(group=group, pk=request.POST.get("meeting"))
            done, status = submit(
                request,
                minutes_forms[meeting.pk],
                community.meeting_minutes_write,
                success_message=_("Le compte rendu est enregistré."),
                success_url=url,
                data=lambda f: f.service_kwargs(),
                actor=request.user,
                meeting=meeting,
            )
        if done:
            return done
    elif action:
        raise Forbidden(
            _("Seuls les membres du groupe et l'animateur de l'appel tiennent ses réunions."),
            code="not_allowed",
        )
    now = timezone.now()
    meetings = [
        {"meeting": m, "held": m.starts_at <= now, "form": minutes_forms[m.pk]}
        for m in group.meetings.all()
    ]
    return render(
        request,
        "portal/space/group_space.html",
        {
            "challenge": challenge,
            "group": group,
            "organisations": organisations,
            "writer": writer,
            "links_form": links_form,
            "meeting_form": meeting_form,
            "meetings": meetings,
            "facilitation": queries.facilitation_of(challenge),
        },
        status=status,
    )
