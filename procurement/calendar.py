"""A call's deadlines as an iCalendar file (RFC 5545), for a partner's own calendar."""

from datetime import datetime

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

DEADLINES = (
    ("positioning_deadline", "positionnements"),
    ("questions_deadline", "questions"),
    ("proposal_deadline", "propositions"),
    ("cofunding_deadline", "cofinancement"),
)


def _titles() -> dict[str, str]:
    return {
        "positioning_deadline": _("Fin des positionnements"),
        "questions_deadline": _("Fin des questions"),
        "proposal_deadline": _("Date limite des propositions"),
        "cofunding_deadline": _("Clôture du cofinancement"),
    }


def deadlines_ics(challenge, *, url: str, domain: str, now: datetime) -> bytes:
    """One event per deadline the call has (a moment, in UTC), titled with what closes
    and the call's reference, linking to its page. Each event's UID is stable per call
    and deadline, so a calendar that subscribes sees a moved deadline move."""
    calendar = Calendar()
    calendar.add("prodid", "-//Appels à communs//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{challenge.reference} — {challenge.title}")
    titles = _titles()
    for field, slug in DEADLINES:
        moment = getattr(challenge, field)
        if moment is None:
            continue
        event = Event()
        event.add("uid", f"{challenge.pk}-{slug}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", moment)
        event.add("dtend", moment)
        event.add("summary", f"{titles[field]} — {challenge.reference}")
        event.add("description", f"{challenge.title}\n{url}")
        event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()
