"""The four calls the plugin makes to a council's ModernGov web service, over plain HTTP GET.

``{base}/mgWebService.asmx/{Method}?{parameters}`` answers with XML whose
element names are all lower case:

- ``GetCommittees?lDays=0``: ``<committees><committee>`` with ``committeeid``,
  ``committeetitle``, ``committeeexpired``, ``committeedeleted``;
- ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=`` (dates as dd/mm/yyyy):
  ``<getmeetings><committee>…<meeting>`` with ``meetingid``, ``meetingdate``
  (dd/mm/yyyy), ``meetingtime`` ("10.00 am"), ``meetingstatus``, ``iswebcast``;
- ``GetMeeting?lMeetingId=``: one ``<meeting>`` with ``meetinglocation``,
  ``agendapublished``, ``agendaitems`` and ``attendees`` (``memberid`` attributes);
- ``GetCouncillorsByWard``: ``<councillorsbyward><wards><ward>`` with
  ``wardtitle`` and ``councillors/councillor`` (``councillorid``,
  ``fullusername``, ``politicalpartytitle``).
"""

from __future__ import annotations

import html
import threading
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from nc_meetings.safexml import ParseError, UnsafeXml, parse
from networked_councillor.plugin_api import SourceApi, SourceError

DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True, slots=True)
class Committee:
    id: str
    title: str
    current: bool = True
    """False for a committee the council marks as expired or deleted."""


@dataclass(slots=True)
class Meeting:
    """One meeting as GetMeetings lists it; ``date`` and ``time`` exactly as sent."""

    id: str
    committee: Committee
    date: str
    time: str
    status: str
    webcast: bool
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class MeetingDetail:
    """What GetMeeting adds: where, the agenda so far, and who is expected."""

    venue: str = ""
    agenda_published: bool = False
    agenda: list[str] = field(default_factory=list)
    attendee_ids: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Councillor:
    id: str
    name: str
    party: str


class ModernGov:
    """One council's web service, read through the app's HTTP client."""

    def __init__(self, api: SourceApi, base_url: str, cancel: threading.Event) -> None:
        self.api = api
        self.base_url = base_url
        self.cancel = cancel
        self.host = urlsplit(base_url).hostname or base_url

    def committees(self) -> list[Committee]:
        root = self._call("GetCommittees", {"lDays": 0})
        found = []
        for element in _all(root, "committee"):
            committee_id = _text(element, "committeeid")
            if committee_id:
                retired = _flag(element, "committeeexpired") or _flag(element, "committeedeleted")
                found.append(Committee(committee_id, _text(element, "committeetitle"), current=not retired))
        return found

    def meetings(self, committee: Committee, start: date, end: date) -> list[Meeting]:
        root = self._call("GetMeetings", {
            "lCommitteeId": committee.id,
            "sFromDate": start.strftime(DATE_FORMAT),
            "sToDate": end.strftime(DATE_FORMAT),
        })
        found = []
        for element in _all(root, "meeting"):
            meeting_id = _text(element, "meetingid")
            if meeting_id:
                found.append(Meeting(
                    id=meeting_id,
                    committee=committee,
                    date=_text(element, "meetingdate"),
                    time=_text(element, "meetingtime"),
                    status=_text(element, "meetingstatus"),
                    webcast=_flag(element, "iswebcast"),
                    fields=_children(element),
                ))
        return found

    def meeting(self, meeting_id: str) -> MeetingDetail:
        root = self._call("GetMeeting", {"lMeetingId": meeting_id})
        agenda = []
        for item in _all(root, "agendaitem"):
            title = _plain(_text(item, "agendaitemtitle"))
            number = _text(item, "fulldisplaynumberformat") or _text(item, "agendaitemnumber")
            if title:
                agenda.append(f"{number} {title}".strip())
        attendees = {a.get("memberid", "").strip() for a in _all(root, "attendee")}
        return MeetingDetail(
            venue=_plain(_text(root, "meetinglocation")),
            agenda_published=_flag(root, "agendapublished") or bool(agenda),
            agenda=agenda,
            attendee_ids=attendees - {""},
        )

    def councillors_by_ward(self) -> dict[str, list[Councillor]]:
        root = self._call("GetCouncillorsByWard", {})
        wards: dict[str, list[Councillor]] = {}
        for ward in _all(root, "ward"):
            title = _text(ward, "wardtitle")
            members = [
                Councillor(_text(c, "councillorid"), _text(c, "fullusername"), _text(c, "politicalpartytitle"))
                for c in _all(ward, "councillor")
            ]
            if title:
                wards[title] = [m for m in members if m.name]
        return wards

    def _call(self, method: str, params: Mapping[str, Any]) -> ET.Element:
        response = self.api.http.get(f"{self.base_url}/mgWebService.asmx/{method}", params=params, cancel=self.cancel)
        try:
            return parse(response.content)
        except (UnsafeXml, *ParseError) as exc:
            raise self._unreadable(method, response.content, exc) from exc

    def _unreadable(self, method: str, content: bytes, problem: Exception) -> SourceError:
        what = _WHAT[method]
        if b"<html" in content[:2048].lower():
            return SourceError(
                f"{self.host} answered with a web page instead of its list of {what}.",
                hint="Check the council's ModernGov address in this source's settings. Some councils block "
                     "automated access to the service; their democratic services team can say whether it is open.",
            )
        if isinstance(problem, UnsafeXml):
            return SourceError(f"{self.host} sent its list of {what} with a DTD, which the app refuses to read.",
                               hint="A ModernGov service never sends one; check the address in the settings.")
        return SourceError(f"{self.host} sent its list of {what} in a form the app could not read (not valid XML).",
                           hint="The service may be having problems; nothing was stored from this answer, and the "
                                "app will try again at the next refresh.")


_WHAT = {
    "GetCommittees": "committees",
    "GetMeetings": "meetings",
    "GetMeeting": "agenda items",
    "GetCouncillorsByWard": "councillors",
}


def _local(tag: Any) -> str:
    """A tag without its namespace, should a council's service add one."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if _local(e.tag) == name]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: ET.Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _flag(element: ET.Element, name: str) -> bool:
    return _text(element, name).lower() == "true"


def _children(element: ET.Element) -> dict[str, str]:
    """The element's simple fields, kept as the raw payload."""
    return {_local(c.tag): (c.text or "").strip() for c in element if len(c) == 0}


def _plain(text: str) -> str:
    """ModernGov encodes some titles twice ("Chair&amp;#39;s"); XML parsing undoes only the first."""
    return " ".join(html.unescape(text).split())
