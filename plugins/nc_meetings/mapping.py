"""A ModernGov meeting as a RawItem, and the UK dates and times it is written in.

ModernGov gives a meeting's date as dd/mm/yyyy and its time separately, in
whatever style the council types ("10.00 am", "6.30pm", "13:30", "12 noon"),
both in UK local time. ``ZoneInfo("Europe/London")`` turns them into an
aware time on the right side of the clock changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from nc_meetings.webservice import DATE_FORMAT, Councillor, Meeting, MeetingDetail
from networked_councillor.plugin_api import Author, RawItem

LONDON = ZoneInfo("Europe/London")
_CLOCK = re.compile(r"(\d{1,2})(?:[.:](\d{2}))?\s*(a\.?m\.?|p\.?m\.?|noon)?", re.IGNORECASE)


def meeting_day(text: str) -> date:
    """The meeting's date; ValueError unless it is a real dd/mm/yyyy date."""
    return datetime.strptime(text.strip(), DATE_FORMAT).date()


def meeting_clock(text: str) -> time | None:
    """The meeting's start time, or None when there is none or it cannot be read."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        return None
    hour, minute, suffix = int(match[1]), int(match[2] or 0), (match[3] or "").lower().replace(".", "")
    if not suffix and match[2] is None:
        return None  # a bare "10" could be morning or evening
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def starts_at(day: date, clock: time | None) -> datetime:
    """UK local date and time as an aware datetime (midnight when the time is not known)."""
    return datetime.combine(day, clock or time(0), tzinfo=LONDON)


def meeting_item(meeting: Meeting, detail: MeetingDetail, day: date, clock: time | None, base_url: str,
                 ward: str, ward_councillors: Sequence[Councillor]) -> RawItem:
    committee = meeting.committee
    when = f"{day.day} {day:%B %Y}"
    at = f"{clock:%H:%M}" if clock else "time to be confirmed"
    page = f"{base_url}/ieListDocuments.aspx?CId={committee.id}&MId={meeting.id}"
    attending = [c for c in ward_councillors if c.id in detail.attendee_ids]

    lines = [f"{committee.title} meets on {day:%A} {when}" + (f" at {at}." if clock else " (time to be confirmed).")]
    if detail.venue:
        lines.append(f"Venue: {detail.venue}")
    if meeting.status:
        lines.append(f"Status: {meeting.status}")
    if meeting.webcast:
        lines.append("The meeting will be webcast.")
    if attending:
        # Not the ward's name: that would count as the ward being mentioned, which it was not.
        lines.append(f"Ward councillors expected: {', '.join(_named(c) for c in attending)}")
    if detail.agenda:
        lines.append("Agenda:")
        lines.extend(detail.agenda)
    elif not detail.agenda_published:
        lines.append("The agenda has not been published yet.")
    lines.append(f"Agenda and papers: {page}")

    categories = [committee.title] + (["Ward councillor expected"] if attending else [])
    return RawItem(
        external_id=meeting.id,
        url=page,
        title=f"{committee.title}, {when}, {at}",
        text="\n".join(lines),
        author=Author(handle=committee.title, display_name=committee.title,
                      url=f"{base_url}/ieListMeetings.aspx?CId={committee.id}"),
        created_at=starts_at(day, clock),
        kind="meeting",
        categories=categories,
        extra={
            "committee": committee.title,
            "committee_id": committee.id,
            "meeting_id": meeting.id,
            "status": meeting.status,
            "venue": detail.venue,
            "webcast": meeting.webcast,
            "agenda_published": detail.agenda_published,
            "agenda": list(detail.agenda),
            "ward": ward,
            "ward_councillors": [_councillor(c, base_url) for c in ward_councillors],
            "ward_councillors_expected": [c.name for c in attending],
        },
        raw={"committee": {"id": committee.id, "title": committee.title}, "meeting": meeting.fields},
    )


def _named(councillor: Councillor) -> str:
    return f"{councillor.name} ({councillor.party})" if councillor.party else councillor.name


def _councillor(councillor: Councillor, base_url: str) -> dict[str, str]:
    return {"id": councillor.id, "name": councillor.name, "party": councillor.party,
            "url": f"{base_url}/mgUserInfo.aspx?UID={councillor.id}"}
