"""What an application from either service becomes: an item of kind "planning".

Both services give calendar dates without a time ("2026-11-02"). A date is
a day in the UK, so it is kept as the start of that day in Europe/London,
which is an hour off UTC in summer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from networked_councillor.plugin_api import Author, Progress, RawItem, SourceApi

LONDON = ZoneInfo("Europe/London")
TITLE_DESCRIPTION_CHARS = 90


@dataclass(slots=True)
class Application:
    external_id: str
    reference: str
    description: str
    address: str
    url: str | None
    authority: str = ""
    lat: float | None = None
    lon: float | None = None
    received: date | None = None
    validated: date | None = None
    decided: date | None = None
    status: str = ""
    decision: str = ""
    application_type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    raw: Any = None

    def item(self) -> RawItem:
        summary = self.description or (f"application at {self.address}" if self.address else "planning application")
        return RawItem(
            external_id=self.external_id,
            url=self.url,
            title=f"{self.reference}: {shorten(summary, TITLE_DESCRIPTION_CHARS)}",
            text=self.description,
            author=Author(handle=self.authority, display_name=self.authority) if self.authority else None,
            created_at=day_start(self.received or self.validated or self.decided),
            updated_at=day_start(self.decided),
            kind="planning",
            lat=self.lat,
            lon=self.lon,
            categories=[self.application_type] if self.application_type else [],
            extra={
                "reference": self.reference,
                "authority": self.authority,
                "address": self.address,
                "status": self.status,
                "decision": self.decision,
                "application_type": self.application_type,
                "received_at": _iso(self.received),
                "validated_at": _iso(self.validated),
                "decided_at": _iso(self.decided),
                **self.extra,
            },
            raw=self.raw,
        )


class DateReader:
    """Reads the dates the services send, noting any it cannot read so the councillor hears of them once."""

    FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # ISO, as both services document; dd/mm/yyyy slips through from councils

    def __init__(self) -> None:
        self.unreadable: list[str] = []

    def day(self, value: Any) -> date | None:
        text = str(value or "").strip()
        if not text:
            return None
        for form in self.FORMATS:
            try:
                return datetime.strptime(text[:10], form).date()
            except ValueError:
                continue
        self.unreadable.append(text)
        return None

    def report(self, api: SourceApi, service: str) -> None:
        if self.unreadable:
            count = len(self.unreadable)
            api.warn(f"{service} sent {count} date{'s' if count > 1 else ''} the app could not read "
                     f"(for example {self.unreadable[0]!r}); those applications are shown without them.")


def day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=LONDON) if day else None


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return f"{cut}…"


def with_postcode(address: str, postcode: str) -> str:
    """The address with its postcode, which the ward's postcodes are matched against."""
    address, postcode = address.strip(), postcode.strip()
    if postcode and postcode.replace(" ", "").upper() not in address.replace(" ", "").upper():
        return f"{address}, {postcode}" if address else postcode
    return address


def _iso(day: date | None) -> str | None:
    moment = day_start(day)
    return moment.isoformat() if moment else None


def counting(progress: Progress) -> Callable[[int, int | None], None]:
    """Paging progress as "120 of 300 applications"."""
    return lambda read, total: progress(min(1.0, read / total) if total else 1.0, f"{read} of {total} applications")
