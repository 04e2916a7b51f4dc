"""What a council's Open311 (GeoReport v2) service describes and answers, as the app holds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from networked_councillor.base.errors import ConfigError, SourceError
from networked_councillor.base.netguard import is_loopback


@dataclass(frozen=True)
class Open311Endpoint:
    """Where a council's GeoReport v2 service lives, e.g. https://council.example/open311/v2/."""

    url: str
    jurisdiction_id: str | None = None
    api_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        url = self.url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{url!r} is not a web address the app can report to.",
                              hint="Use the Open311 address the council gives, starting with https://.")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ConfigError("The Open311 address must start with https://, so reports and the API key are "
                              "sent encrypted.")
        object.__setattr__(self, "url", url.rstrip("/") + "/")
        object.__setattr__(self, "jurisdiction_id", (self.jurisdiction_id or "").strip() or None)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url

    def resource(self, *parts: str) -> str:
        """The address of a resource, e.g. resource("services", "POT") -> .../services/POT.json."""
        return self.url + "/".join(quote(str(p), safe="") for p in parts) + ".json"


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str = ""
    metadata: bool = False  # True: ask `service_definition` for the extra questions
    type: str = "realtime"  # realtime (an id at once), batch (a token), blackbox (neither)
    keywords: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class Attribute:
    """One extra question a service asks; only ``variable`` ones need an answer."""

    code: str
    datatype: str
    required: bool
    description: str
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for singlevaluelist and multivaluelist
    variable: bool = True
    order: int = 0
    datatype_description: str = ""


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class Submitted:
    """What the council's system said to a report."""

    service_request_id: str | None
    token: str | None = None
    service_notice: str = ""
    description_cut: bool = False  # the description was shortened to 4,000 characters
    contact_sent: bool = False


@dataclass(frozen=True)
class RequestStatus:
    service_request_id: str
    status: str  # open or closed
    status_notes: str = ""
    agency_responsible: str = ""
    updated_datetime: str | None = None
    expected_datetime: str | None = None


class ReportFailed(SourceError):
    """A report was not made. ``outcome`` says what the council's system saw of it:

    "not_sent" (it never arrived, or arrived and was certainly not processed),
    "rejected" (it arrived and was refused), or "unclear" (it may have been made).
    """

    def __init__(self, message: str, *, outcome: str, hint: str = "", status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint, status=status, retry_after=retry_after)
        self.outcome = outcome
