"""A working group's exchange spaces (seed 004): its meetings with their minutes and
attendance, and the links to its chat and wiki."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, Forbidden, WrongState
from kernel.guards import field_error, validated_save
from procurement.models import Meeting, WorkingGroup
from procurement.queries import STAFF_ROLES, is_facilitator, org_ids
from procurement.services.audit import audit_record
from procurement.services.community.facilitation import ENDED
from procurement.services.notifications.events import notify_meeting_scheduled


def _require_writer(actor, group: WorkingGroup) -> None:
    """A group's space is kept by the staff of its member organisations and by the
    call's facilitator; the buyer reads it, neutral, and does not run the group."""
    if is_facilitator(actor, group.resource.challenge):
        return
    if group.members.filter(organisation__in=org_ids(actor, STAFF_ROLES)).exists():
        return
    raise Forbidden(
        _("Seuls les membres du groupe et l'animateur de l'appel tiennent ses réunions."),
        code="not_allowed",
    )


def _require_open(group: WorkingGroup) -> None:
    if group.resource.challenge.status in ENDED:
        raise WrongState(_("Cet appel est clos."), code="wrong_stage")


@transaction.atomic
def meeting_schedule(
    *, actor, group: WorkingGroup, starts_at, agenda: str, place: str = "", visio_url: str = ""
) -> Meeting:
    """A member of the group or the facilitator schedules a meeting: in the future, in a
    place or by video (an http or https address), with an agenda. The group's members
    and the facilitator are told (``notify_meeting_scheduled``). Audited
    (``meeting.scheduled``)."""
    _require_writer(actor, group)
    _require_open(group)
    if starts_at is None or starts_at <= timezone.now():
        raise field_error(
            "starts_at",
            _("Une réunion se programme à l'avance : choisissez une date à venir."),
            "meeting_in_past",
        )
    place, visio_url, agenda = place.strip(), visio_url.strip(), agenda.strip()
    if not place and not visio_url:
        message = _("Indiquez un lieu ou un lien de visioconférence.")
        raise ApplicationError(
            message,
            code="meeting_nowhere",
            extra={"fields": {"place": [message], "visio_url": [message]}},
        )
    if not agenda:
        raise field_error("agenda", _("Donnez l'ordre du jour de la réunion."), "required")
    meeting = Meeting(
        group=group,
        starts_at=starts_at,
        place=place,
        visio_url=visio_url,
        agenda=agenda,
        scheduled_by=actor,
    )
    validated_save(meeting)
    audit_record(
        verb="meeting.scheduled",
        actor=actor,
        challenge=group.resource.challenge,
        obj=meeting,
        data={"group": group.pk, "starts_at": starts_at, "place": place, "visio_url": visio_url},
    )
    notify_meeting_scheduled(meeting)
    return meeting


@transaction.atomic
def meeting_minutes_write(
    *,
    actor,
    meeting: Meeting,
    minutes: str,
    attendee_ids: list[int] | None = None,
    facilitator_present: bool = False,
) -> Meeting:
    """After the meeting (from its start), a member of the group or the facilitator
    writes its minutes and who was there (organisations of the group; whether the
    facilitator came). Written again, they replace the former ones; each version is
    audited (``meeting.minutes``)."""
    group = meeting.group
    _require_writer(actor, group)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if timezone.now() < meeting.starts_at:
        raise WrongState(_("Le compte rendu s'écrit après la réunion."), code="meeting_not_held")
    minutes = minutes.strip()
    if not minutes:
        raise field_error("minutes", _("Écrivez le compte rendu."), "required")
    attendee_ids = sorted(set(attendee_ids or []))
    members = set(group.members.values_list("organisation_id", flat=True))
    if not set(attendee_ids) <= members:
        raise field_error(
            "attendees",
            _("Les présents sont choisis parmi les organisations du groupe."),
            "not_a_member",
        )
    meeting.minutes = minutes
    meeting.minutes_by = actor
    meeting.minutes_at = timezone.now()
    meeting.facilitator_present = facilitator_present
    validated_save(meeting)
    meeting.attendees.set(attendee_ids)
    audit_record(
        verb="meeting.minutes",
        actor=actor,
        challenge=group.resource.challenge,
        obj=meeting,
        data={
            "group": group.pk,
            "attendees": attendee_ids,
            "facilitator_present": facilitator_present,
            "minutes_length": len(minutes),
        },
    )
    return meeting


@transaction.atomic
def working_group_links_set(
    *, actor, group: WorkingGroup, chat_url: str | None = None, wiki_url: str | None = None
) -> WorkingGroup:
    """A member of the group or the facilitator sets the addresses of the group's chat
    and wiki (http or https only; empty removes one). Audited (``working_group.links``)."""
    _require_writer(actor, group)
    _require_open(group)
    group = WorkingGroup.objects.select_for_update().get(pk=group.pk)
    if chat_url is not None:
        group.chat_url = chat_url.strip()
    if wiki_url is not None:
        group.wiki_url = wiki_url.strip()
    validated_save(group)
    audit_record(
        verb="working_group.links",
        actor=actor,
        challenge=group.resource.challenge,
        obj=group,
        data={"chat_url": group.chat_url, "wiki_url": group.wiki_url},
    )
    return group
