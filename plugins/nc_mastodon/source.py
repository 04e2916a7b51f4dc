"""Mastodon: an instance's hashtag timelines and, optionally, its local timeline.

Read through the public REST API, newest first, paging back with ``max_id``
and asking next time only for what is newer than the newest post seen
(``since_id``, kept per timeline in the source's state).

Many instances keep these timelines to signed-in users (HTTP 401), switch them
off, or answer with an empty list (Mastodon 4.5's access settings). That is
explained in a warning beside the source rather than as an error, unless
nothing at all could be read. An access token from an account on the instance
(scope ``read:statuses``) opens them; it lives in the keyring.

Each hashtag is its own request. Mastodon can combine up to four with
``any[]``, but it answers with nothing at all when the instance has never seen
the tag in the path, which would silently hide the others.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from nc_mastodon.mapping import assign_threads, status_to_item
from nc_mastodon.paging import id_order, newest_id, next_max_id
from networked_councillor.plugin_api import (
    API_VERSION,
    ConfigField,
    HttpResponse,
    Progress,
    RawItem,
    SourceApi,
    SourceError,
    iso_time,
    site_address,
    utcnow,
)
from networked_councillor.plugin_api.paging import Page, reaches, read_pages

PAGE_SIZE = 40  # the most Mastodon gives in one answer
MAX_PAGES = 10
FIRST_DAYS = 7
REMEMBERED_ROOTS = 2000
REFUSED = (401, 403, 422)
_HASHTAG = re.compile(r"[\w·]+")
TOKEN_HINT = ("An access token from an account on {host} may open it: in Mastodon, Preferences > Development > "
              "New application, with the read:statuses permission; paste the token in this source's settings.")


@dataclass(frozen=True, slots=True)
class Timeline:
    key: str  # names its cursor in the source's state
    label: str  # for messages: "#Millbrook", "the local timeline"
    path: str
    params: tuple[tuple[str, str], ...] = ()


class _Unreadable(Exception):
    """One timeline the instance would not show; the others may still be read."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.error = error


class MastodonSource:
    id = "mastodon"
    name = "Mastodon"
    api_version = API_VERSION
    config_fields = (
        ConfigField("instance", "Instance", "url", required=True,
                    help="The Mastodon server to read from, for example https://mastodon.social. "
                         "A local instance finds local posts best."),
        ConfigField("hashtags", "Hashtags", "list",
                    help="Without the #, one a line. Leave empty to use your ward's hashtags."),
        ConfigField("local_timeline", "Read the instance's local timeline", "bool", default=False,
                    help="Everything posted by the instance's own users: worth it for a town's own instance."),
        ConfigField("access_token", "Access token", "secret",
                    help="Only needed if the instance shows its timelines to signed-in users alone: use "
                         "Sign in… in the sources list, or paste a token made in the instance's settings."),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        self.base = instance_base(str(api.config.get("instance") or ""))
        self.host = urlsplit(self.base).hostname or self.base
        self.token = api.secrets.get("access_token")
        configured = api.config.get("hashtags") or list(api.ward.hashtags)
        self.hashtags = self._hashtags(configured)
        self.local_timeline = bool(api.config.get("local_timeline"))
        if not self.hashtags and not self.local_timeline:
            raise SourceError("This Mastodon source has nothing to follow.",
                              hint="Add hashtags (or your ward's hashtags) or tick the local timeline in its settings.")

    def sign_in(self, open_page, say, cancel: threading.Event) -> str:
        """Sign in on the instance's own page (OAuth with a loopback redirect); the token goes to the keyring."""
        from nc_mastodon.oauth import sign_in

        return sign_in(self.api, self.base, open_page, say, cancel)

    def timelines(self) -> list[Timeline]:
        found = [Timeline(f"tag:{tag.lower()}", f"#{tag}", f"/api/v1/timelines/tag/{quote(tag, safe='')}")
                 for tag in self.hashtags]
        if self.local_timeline:
            found.append(Timeline("local", "the local timeline", "/api/v1/timelines/public", (("local", "true"),)))
        return found

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        timelines = self.timelines()
        horizon = since or utcnow() - timedelta(days=FIRST_DAYS)
        found: dict[str, RawItem] = {}
        refusals: list[SourceError] = []
        for done, timeline in enumerate(timelines):
            progress(done / len(timelines), f"reading {timeline.label}")
            try:
                entries = self._read(timeline, horizon, cancel)
            except _Unreadable as unreadable:
                refusals.append(unreadable.error)
                continue
            for entry in entries:
                item = status_to_item(entry, self.host)
                if item is not None:
                    found.setdefault(item.external_id, item)
        if refusals and len(refusals) == len(timelines):
            raise _all_refused(refusals)
        for refusal in refusals:
            self.api.warn(str(refusal))
        items = list(found.values())
        self._thread(items)
        progress(1.0, f"{len(items)} posts")
        return items

    # ---- one timeline --------------------------------------------------------------

    def _read(self, timeline: Timeline, horizon: datetime, cancel: threading.Event) -> list[dict]:
        """Every entry newer than the timeline's cursor (or, the first time, than ``horizon``)."""
        cursors = self.api.state.setdefault("cursors", {})
        cursor = cursors.get(timeline.key)

        def read(max_id: str | None) -> Page[dict]:
            params = [*timeline.params, ("limit", str(PAGE_SIZE))]
            if cursor:
                params.append(("since_id", cursor))
            if max_id:
                params.append(("max_id", max_id))
            response = self._get(timeline, params, cancel)
            page = response.json()
            if not isinstance(page, list):
                raise SourceError(f"{self.host} did not send a list of posts for {timeline.label}.",
                                  hint="It may not be a Mastodon server; check the instance address.")
            page = [entry for entry in page if isinstance(entry, dict)]
            following = next_max_id(response.headers)
            last = not page or not following or (cursor is None and reaches(map(_created, page), horizon))
            return Page(page, None if last else following)

        entries = read_pages(read, max_pages=MAX_PAGES, too_many=lambda _n: self.api.warn(
            f"{timeline.label} on {self.host} had more than {MAX_PAGES * PAGE_SIZE} new posts; "
            "the oldest of them were left out."))
        ids = [entry["id"] for entry in entries if isinstance(entry.get("id"), str)]
        if ids:
            cursors[timeline.key] = newest_id(ids + ([cursor] if cursor else []))
        elif cursor is None:
            self.api.warn(self._empty_explanation(timeline))
        return entries

    def _get(self, timeline: Timeline, params: list[tuple[str, str]], cancel: threading.Event) -> HttpResponse:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            return self.api.http.get(self.base + timeline.path, params=params, headers=headers, cancel=cancel)
        except SourceError as exc:
            status = exc.status
            if status == 401 and self.token:
                raise SourceError(f"{self.host} did not accept the access token (HTTP 401).",
                                  hint="It may have been revoked; make a new one and paste it in this source's "
                                       "settings.") from exc
            if status in REFUSED:
                raise _Unreadable(self._refusal(timeline, status)) from exc
            if status == 404:
                raise _Unreadable(SourceError(
                    f"{self.host} has no {timeline.label} to read (HTTP 404).",
                    hint="Check the hashtag's spelling, and that the instance address is a Mastodon server.")) from exc
            raise

    def _refusal(self, timeline: Timeline, status: int) -> SourceError:
        if self.token:
            return SourceError(f"{self.host} refused to show {timeline.label}, even with the access token "
                               f"(HTTP {status}).",
                               hint="The instance may have switched it off; its administrators can say.")
        return SourceError(f"{self.host} shows {timeline.label} only to signed-in users, or not at all "
                           f"(HTTP {status}).", hint=TOKEN_HINT.format(host=self.host))

    def _empty_explanation(self, timeline: Timeline) -> str:
        message = (f"{self.host} gave no posts for {timeline.label}. Nobody there may have used it lately, "
                   "or the instance may keep it to signed-in users or have switched it off.")
        return message if self.token else f"{message} {TOKEN_HINT.format(host=self.host)}"

    # ---- helpers ------------------------------------------------------------------

    def _thread(self, items: list[RawItem]) -> None:
        """Thread roots, remembered between runs so replies that arrive later join the right conversation."""
        roots = self.api.state.setdefault("roots", {})
        assign_threads(items, roots)
        for stale in sorted(roots, key=id_order)[:-REMEMBERED_ROOTS]:
            del roots[stale]

    def _hashtags(self, values: list) -> list[str]:
        names: dict[str, str] = {}
        for value in values:
            name = str(value).strip().lstrip("#")
            if not name:
                continue
            if not _HASHTAG.fullmatch(name):
                self.api.warn(f"'{value}' is not a hashtag Mastodon can follow (letters, digits and _ only); "
                              "it was left out.")
                continue
            names.setdefault(name.lower(), name)
        return list(names.values())


def instance_base(value: str) -> str:
    """``https://host[:port]`` from what the councillor typed ("mastodon.social", a profile address…)."""
    return site_address(value, what="a Mastodon instance", example="https://mastodon.social", keep_path=False)


def _all_refused(refusals: list[SourceError]) -> SourceError:
    hints = list(dict.fromkeys(r.hint for r in refusals if r.hint))
    return SourceError(" ".join(r.message for r in refusals), hint=" ".join(hints))


def _created(entry: dict) -> datetime | None:
    return iso_time(entry.get("created_at"))
