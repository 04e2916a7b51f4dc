"""Council meetings from ModernGov, the committee system most UK councils run.

Each run lists the council's committees and ward councillors, asks each
chosen committee for its meetings in a window around today, and reads a
meeting's venue and agenda (one more request) only when it is new, when its
date, time or status has changed, or while an upcoming meeting still waits
for its agenda. What was seen is kept in the source's state, so an unchanged
council costs one request per committee and two for the lists. ModernGov has
no paging: the date window bounds each answer. Later runs start the window
the day before the last run, as earlier meetings were read then.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from nc_meetings.mapping import LONDON, meeting_clock, meeting_day, meeting_item
from nc_meetings.webservice import Committee, Councillor, Meeting, ModernGov
from networked_councillor.plugin_api import API_VERSION, ConfigField, Progress, RawItem, SourceApi, SourceError, utcnow


class ModernGovSource:
    id = "moderngov"
    name = "Council meetings (ModernGov)"
    api_version = API_VERSION
    config_fields = (
        ConfigField("base_url", "The council's ModernGov address", "url", required=True,
                    help="The start of the council's committee pages (the part before /mgListCommittees.aspx), "
                         "often https://democracy.yourcouncil.gov.uk or https://yourcouncil.moderngov.co.uk."),
        ConfigField("ward", "Ward name, as the council writes it",
                    help="Used to find your ward's councillors. Leave empty to use the ward profile's name."),
        ConfigField("committees", "Committees to follow", "list",
                    help="Names as the council writes them, one a line. Leave empty for every current committee."),
        ConfigField("days_back", "Look back this many days", "int", default=14),
        ConfigField("days_ahead", "Look ahead this many days", "int", default=60),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        config = api.config
        base_url = str(config.get("base_url") or "").strip().rstrip("/")
        self.base_url = base_url.removesuffix("/mgWebService.asmx").rstrip("/")
        if not self.base_url:
            raise SourceError("This meetings source has no ModernGov address.",
                              hint="Add the council's ModernGov address in its settings.")
        self.ward = str(config.get("ward") or api.ward.name or "").strip()
        self.committee_names = [str(n).strip() for n in config.get("committees") or [] if str(n).strip()]
        self.days_back = _whole_number(config.get("days_back"), 14, "days to look back")
        self.days_ahead = _whole_number(config.get("days_ahead"), 60, "days to look ahead")

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        service = ModernGov(self.api, self.base_url, cancel)
        today = utcnow().astimezone(LONDON).date()
        start, end = self._window(since, today)
        progress(0.0, "reading the list of committees")
        committees = self._chosen(service.committees())
        run = _Run(service, start, end, today, known=self.api.state.get("meetings") or {},
                   councillors=self._ward_councillors(service))
        items: dict[str, RawItem] = {}
        for done, committee in enumerate(committees):
            progress(done / max(1, len(committees)), f"reading {committee.title}")
            for meeting in service.meetings(committee, start, end):
                item = self._read(meeting, run)
                if item is not None:
                    items[item.external_id] = item
        self.api.state["meetings"] = run.seen
        progress(1.0, f"{len(items)} new or changed meetings")
        return list(items.values())

    def _window(self, since: datetime | None, today: date) -> tuple[date, date]:
        start = today - timedelta(days=self.days_back)
        if since is not None:
            start = max(start, since.astimezone(LONDON).date() - timedelta(days=1))
        return start, today + timedelta(days=self.days_ahead)

    def _chosen(self, committees: list[Committee]) -> list[Committee]:
        if not self.committee_names:
            return [c for c in committees if c.current]
        wanted = {_key(n): n for n in self.committee_names}
        chosen = [c for c in committees if _key(c.title) in wanted]
        missing = set(wanted) - {_key(c.title) for c in chosen}
        if missing:
            names = ", ".join(sorted(wanted[k] for k in missing))
            self.api.warn(f"The council has no committee called {names}; check the spelling in this source's settings.")
        return chosen

    def _ward_councillors(self, service: ModernGov) -> list[Councillor]:
        if not self.ward:
            return []
        wards = service.councillors_by_ward()
        found = next((members for title, members in wards.items() if _key(title) == _key(self.ward)), None)
        if found is None:
            known = ", ".join(sorted(wards)[:12]) or "none"
            self.api.warn(f"The council lists no ward called {self.ward}, so meetings are not labelled with your "
                          f"councillors. Wards it lists include: {known}.")
            return []
        return found

    def _read(self, meeting: Meeting, run: _Run) -> RawItem | None:
        """The meeting as an item, or None when it is out of range, unreadable or unchanged."""
        committee = meeting.committee.title
        try:
            day = meeting_day(meeting.date)
        except ValueError:
            self.api.warn(f"Skipped a {committee} meeting: its date {meeting.date!r} is not a dd/mm/yyyy date.")
            return None
        if not run.start <= day <= run.end:
            return None  # some councils' services ignore the date range asked for
        clock = meeting_clock(meeting.time)
        if meeting.time and clock is None:
            self.api.warn(f"The time of the {committee} meeting on {meeting.date} ({meeting.time!r}) could not be "
                          "read; it is shown without a time.")
        summary = f"{meeting.date}|{meeting.time}|{meeting.status}"
        before = run.known.get(meeting.id)
        if before and before.get("summary") == summary and (before.get("agenda") or day < run.today):
            run.seen[meeting.id] = before
            return None
        detail = run.service.meeting(meeting.id)
        run.seen[meeting.id] = {"summary": summary, "agenda": detail.agenda_published}
        return meeting_item(meeting, detail, day, clock, self.base_url, self.ward, run.councillors)


@dataclass(slots=True)
class _Run:
    """One fetch: its window, what earlier runs saw (``known``) and what this one sees."""

    service: ModernGov
    start: date
    end: date
    today: date
    known: dict[str, Any]
    councillors: list[Councillor]
    seen: dict[str, Any] = field(default_factory=dict)


def _key(name: str) -> str:
    """Names compared as the council might vary them: case, spacing and a trailing "Ward"."""
    words = name.lower().split()
    if len(words) > 1 and words[-1] == "ward":
        words.pop()
    return " ".join(words)


def _whole_number(value: Any, default: int, what: str) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SourceError(f"The number of {what} must be a whole number, not {value!r}.") from None
    if number < 0:
        raise SourceError(f"The number of {what} cannot be negative.")
    return number
