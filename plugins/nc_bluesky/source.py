"""Bluesky: ward search, mentions, local accounts, threads, and replying in the right thread.

Uses the atproto SDK's synchronous Client. Search needs a signed-in account
(Bluesky turned off logged-out search), so the councillor gives a handle and
an *app password*; both the password and the session live in the OS keyring.
The session is reused and refreshed rather than recreated, because Bluesky
allows only 30 new sessions per five minutes and about 100 a day.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx
from atproto import Client, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request

from nc_bluesky.errors import error_code, error_message, reset_in
from nc_bluesky.mapping import post_to_item, thread_items, web_url
from nc_bluesky.richtext import MAX_GRAPHEMES, build_facets, graphemes
from networked_councillor.plugin_api import (
    API_VERSION,
    Cancelled,
    ConfigField,
    Progress,
    RawItem,
    ReplyResult,
    ReplyTarget,
    SourceApi,
    SourceError,
    postcodes,
    retry_after,
    utcnow,
)
from networked_councillor.plugin_api.http import USER_AGENT
from networked_councillor.plugin_api.paging import Page, reaches, read_pages

BLUESKY_HOSTS = ("bsky.social", "bsky.app", "bsky.network")
PUBLIC_APPVIEW = "https://public.api.bsky.app"
MAX_QUERY_CHARS = 250
MAX_PAGES = 10
RETRIES = 3
MAX_WAIT = 60.0
NO_ACCOUNT = "To reply on Bluesky from the app, add your Bluesky handle and an app password in Settings > Sources."
SIGN_IN_NEEDED = ("Bluesky only lets signed-in accounts search posts, so ward search is off until you add your "
                  "Bluesky handle and an app password in Settings > Sources.")


class _Client(Client):
    """The SDK client, remembering the last response's headers (for RateLimit-*)."""

    last_headers: dict[str, str] = {}

    def _invoke(self, invoke_type, **kwargs):
        response = super()._invoke(invoke_type, **kwargs)
        self.last_headers = response.headers
        return response


class BlueskySource:
    id = "bluesky"
    name = "Bluesky"
    api_version = API_VERSION
    config_fields = (
        ConfigField("handle", "Your Bluesky handle", help="For example jo-whitfield.bsky.social. Needed to search."),
        ConfigField("app_password", "App password", "secret",
                    help="Make one in Bluesky: Settings > Privacy and security > App passwords. "
                         "Never use your account password here."),
        ConfigField("service", "Service", "url", default="https://bsky.social",
                    help="Leave as it is unless your account is on another server."),
        ConfigField("search_terms", "Extra search terms", "list",
                    help="Besides your ward's places, streets, hashtags and postcodes."),
        ConfigField("accounts", "Local accounts to follow", "list",
                    help="Handles of residents' groups, the local paper, the council…"),
        ConfigField("search_ward", "Search for my ward's places and streets", "bool", default=True),
        ConfigField("first_days", "On the first fetch, look back this many days", "int", default=7),
    )

    facets_for = staticmethod(build_facets)
    """The facets (links, mentions, hashtags) of a post's text: the demo ward's posts are given them too."""

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        config = api.config
        self.handle = str(config.get("handle") or "").strip().lstrip("@")
        self.service = str(config.get("service") or "https://bsky.social").rstrip("/")
        self.extra_terms = list(config.get("search_terms") or [])
        self.accounts = [a.strip().lstrip("@") for a in config.get("accounts") or [] if a.strip()]
        self.search_ward = bool(config.get("search_ward", True))
        self.first_days = int(config.get("first_days") or 7)
        self._client: _Client | None = None
        self._cancel = threading.Event()

    # ---- sessions ----------------------------------------------------------------

    @property
    def is_bluesky(self) -> bool:
        host = urlsplit(self.service).hostname or ""
        return any(host == h or host.endswith("." + h) for h in BLUESKY_HOSTS)

    def _new_client(self, base_url: str) -> _Client:
        request = Request(timeout=httpx.Timeout(20.0, connect=10.0), transport=self.api.http.make_transport())
        request._additional_headers["User-Agent"] = USER_AGENT
        return _Client(base_url=base_url, request=request)

    def client(self) -> _Client | None:
        """A signed-in client, or None when no account is set (then only public reads work)."""
        if self._client is not None:
            return self._client
        if not self.handle:
            return None
        client = self._new_client(self.service)
        session = self.api.secrets.get("session")
        if session:
            try:
                client.login(session_string=session, fetch_bsky_profile=False)
            except (AtProtocolError, ValueError):
                session = None
        if not session:
            self._sign_in(client)
        client.on_session_change(lambda _event, _session: self._save_session(client))
        self._client = client
        return client

    def _sign_in(self, client: _Client) -> None:
        password = self.api.secrets.get("app_password")
        if not password:
            raise SourceError("No app password is saved for this Bluesky account.",
                              hint="Add one in Settings > Passwords (make it in Bluesky under Settings > Privacy "
                                   "and security > App passwords).")
        try:
            self._call(lambda: client.login(self.handle, password, fetch_bsky_profile=False), signing_in=True)
        except SourceError:
            raise
        self._save_session(client)

    def _save_session(self, client: _Client) -> None:
        self.api.secrets.set("session", client.export_session_string())

    def _signed_in_again(self) -> _Client:
        """The saved session was refused: sign in afresh once (it costs one of Bluesky's session allowance)."""
        self.api.secrets.delete("session")
        self._client = None
        client = self._new_client(self.service)
        self._sign_in(client)
        client.on_session_change(lambda _event, _session: self._save_session(client))
        self._client = client
        return client

    # ---- calls with retries and rate limits -------------------------------------------

    def _call(self, fn: Callable[[], Any], *, signing_in: bool = False) -> Any:
        for attempt in range(RETRIES + 1):
            if self._cancel.is_set():
                raise Cancelled()
            try:
                return fn()
            except RateLimitExceededError as exc:
                wait = reset_in(exc)
                if wait > MAX_WAIT or attempt == RETRIES:
                    raise SourceError("Bluesky is limiting how often the app may ask (HTTP 429).",
                                      hint="The app will try again later.", retry_after=wait) from exc
            except UnauthorizedError as exc:
                if signing_in:
                    raise SourceError(
                        "Bluesky did not accept the handle or app password.",
                        hint="Check both in Settings; it must be an app password, never your account password.",
                    ) from exc
                raise
            except (NetworkError, InvokeTimeoutError) as exc:
                if attempt == RETRIES:
                    raise SourceError("Could not reach Bluesky.",
                                      hint="Check the internet connection; the app will try again.") from exc
                wait = 2.0**attempt
            except BadRequestError:
                raise
            except RequestErrorBase as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status < 500 or attempt == RETRIES:
                    raise SourceError(f"Bluesky had a problem of its own (HTTP {status}).",
                                      hint="This is usually temporary; the app will try again.") from exc
                wait = 2.0**attempt
            except ValueError as exc:  # a body that is not JSON, or not the shape the SDK expects
                raise SourceError("Bluesky sent data the app could not read.",
                                  hint="Nothing was stored from that answer; the app will try again.") from exc
            if self._cancel.wait(wait):
                raise Cancelled()
        raise AssertionError("unreachable")

    def _query(self, nsid: str, params: Any, client: _Client | None = None) -> dict:
        """One XRPC query, with the signed-in client unless ``client`` (anonymous) is given."""
        signed_in = client is None
        client = client or self._client
        try:
            response = self._call(lambda: client.invoke_query(nsid, params=params))
        except (BadRequestError, UnauthorizedError) as exc:
            expired = isinstance(exc, UnauthorizedError) or error_code(exc) in ("ExpiredToken", "InvalidToken")
            if not expired:
                raise
            if not signed_in:
                raise SourceError(SIGN_IN_NEEDED) from exc
            client = self._signed_in_again()  # the saved session was refused: sign in afresh, once
            response = self._call(lambda: client.invoke_query(nsid, params=params))
        if not isinstance(response.content, dict):
            raise SourceError("Bluesky sent data the app could not read.")
        self._pace(client)
        return response.content

    def _pace(self, client: _Client) -> None:
        """Stay well inside Bluesky's 3,000 requests per 5 minutes: slow down when under a tenth is left."""
        headers = client.last_headers or {}
        try:
            remaining, limit = int(headers.get("ratelimit-remaining", "")), int(headers.get("ratelimit-limit", ""))
        except ValueError:
            return
        if remaining < limit / 10:
            wait = retry_after(headers) or 0.0
            if wait > MAX_WAIT:
                raise SourceError("Bluesky's request allowance is nearly used up; the rest waits for the next fetch.",
                                  retry_after=wait)
            if self._cancel.wait(wait):
                raise Cancelled()

    # ---- fetching -------------------------------------------------------------------

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        self._cancel = cancel
        client = self.client()
        start = (since - timedelta(hours=1)) if since else utcnow() - timedelta(days=self.first_days)
        found: dict[str, RawItem] = {}
        queries = self.queries() if self.search_ward else []
        steps = max(1, len(queries) + len(self.accounts) + (1 if self.handle else 0))
        done = 0
        anonymous = None  # None: the signed-in client
        if client is None:
            if self.is_bluesky and (queries or not self.accounts):
                if not self.accounts:
                    raise SourceError(SIGN_IN_NEEDED)
                self.api.warn(SIGN_IN_NEEDED)
                queries = []
            anonymous = self._new_client(PUBLIC_APPVIEW if self.is_bluesky else self.service)
        for query in queries:
            progress(done / steps, f"searching {query[:40]}")
            self._collect("app.bsky.feed.searchPosts", start, found, anonymous,
                          lambda cursor, q=query: models.AppBskyFeedSearchPosts.Params(
                              q=q, since=_iso(start), sort="latest", lang="en", limit=100, cursor=cursor))
            done += 1
        if client is not None:
            progress(done / steps, "looking for mentions of you")
            self._collect("app.bsky.feed.searchPosts", start, found, None,
                          lambda cursor: models.AppBskyFeedSearchPosts.Params(
                              q=self.handle, mentions=self.handle, since=_iso(start), sort="latest", limit=100,
                              cursor=cursor))
            done += 1
        for account in self.accounts:
            progress(done / steps, f"reading @{account}")
            self._collect("app.bsky.feed.getAuthorFeed", start, found, anonymous,
                          lambda cursor, a=account: models.AppBskyFeedGetAuthorFeed.Params(
                              actor=a, limit=100, cursor=cursor, filter="posts_with_replies"))
            done += 1
        progress(1.0, f"{len(found)} posts")
        return list(found.values())

    def _collect(self, nsid: str, start: datetime, found: dict[str, RawItem], client: _Client | None, params) -> None:
        def read(cursor: str | None) -> Page[RawItem]:
            answer = self._query(nsid, params(cursor), client)
            entries = answer.get("posts")
            if entries is None:
                entries = [entry.get("post") for entry in answer.get("feed") or [] if isinstance(entry, dict)]
            items = [item for post in entries or [] if isinstance(post, dict) and (item := post_to_item(post))]
            last = not answer.get("cursor") or not entries or reaches((item.created_at for item in items), start)
            return Page(items, None if last else answer.get("cursor"))

        for item in read_pages(read, max_pages=MAX_PAGES, key=lambda item: item.external_id):
            found.setdefault(item.external_id, item)

    def queries(self) -> list[str]:
        """The ward's terms as few Lucene OR-queries as fit Bluesky's search box."""
        ward = self.api.ward
        terms = [*ward.places, *ward.streets, *ward.hashtags, *self.extra_terms]
        terms += [pc for pc in ward.postcodes if postcodes.kind(pc) != "district"]  # a district is too broad
        quoted, seen = [], set()
        for term in terms:
            term = " ".join(term.split())
            key = term.lower()
            if not term or key in seen:
                continue
            seen.add(key)
            quoted.append(term if term.startswith("#") or " " not in term else f'"{term}"')
        queries, current = [], ""
        for term in quoted:
            candidate = f"{current} OR {term}" if current else term
            if len(candidate) > MAX_QUERY_CHARS and current:
                queries.append(current)
                current = term
            else:
                current = candidate
        if current:
            queries.append(current)
        return queries

    # ---- threads -------------------------------------------------------------------

    def thread(self, target: ReplyTarget, cancel: threading.Event | None = None) -> list[RawItem]:
        """The whole conversation of ``target``: its parents, it, and every reply."""
        self._cancel = cancel or threading.Event()
        anonymous = None if self.client() else self._new_client(PUBLIC_APPVIEW if self.is_bluesky else self.service)
        try:
            answer = self._query("app.bsky.feed.getPostThread", models.AppBskyFeedGetPostThread.Params(
                uri=target.external_id, depth=20, parent_height=40), anonymous)
        except BadRequestError as exc:
            if error_code(exc) == "NotFound":
                raise SourceError("That post has been deleted, so its conversation cannot be shown.") from exc
            raise SourceError(f"Bluesky refused to show the conversation ({error_code(exc)}).") from exc
        return thread_items(answer.get("thread") or {})

    # ---- replying --------------------------------------------------------------------

    def reply_unavailable(self) -> str:
        if not self.handle:
            return NO_ACCOUNT
        return ""

    def reply(self, target: ReplyTarget, text: str) -> ReplyResult:
        """Post ``text`` as a reply to ``target``, in the right place of its thread."""
        text = text.strip()
        if not text:
            raise SourceError("The reply is empty.")
        count = graphemes(text)
        if count > MAX_GRAPHEMES:
            raise SourceError(f"The reply is {count} characters long; Bluesky takes at most {MAX_GRAPHEMES}.",
                              hint="Shorten it, or split it into a short thread.")
        client = self.client()
        if client is None:
            raise SourceError(NO_ACCOUNT)
        parent = self._current_post(target.external_id)
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root = (parent.get("record") or {}).get("reply", {}).get("root") or parent_ref
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "langs": ["en"],
            "reply": {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent_ref},
        }
        facets = build_facets(text, self._resolve)
        if facets:
            record["facets"] = facets
        data = models.ComAtprotoRepoCreateRecord.Data(repo=_session_did(self._client), collection="app.bsky.feed.post",
                                                      record=record)
        try:
            created = self._call(lambda: self._client.com.atproto.repo.create_record(data))
        except BadRequestError as exc:
            raise SourceError(f"Bluesky refused the reply: {error_message(exc)}") from exc
        return ReplyResult(external_id=created.uri, url=web_url(created.uri, self.handle))

    def _current_post(self, uri: str) -> dict:
        """The parent as Bluesky has it now (its cid and thread root), or a clear refusal if it is gone."""
        answer = self._query("app.bsky.feed.getPosts", models.AppBskyFeedGetPosts.Params(uris=[uri]))
        posts = answer.get("posts") or []
        if not posts:
            raise SourceError("The post you are replying to has been deleted, so the reply was not sent.",
                              hint="Your text is kept as a draft.")
        return posts[0]

    def _resolve(self, handle: str) -> str | None:
        try:
            answer = self._query("com.atproto.identity.resolveHandle",
                                 models.ComAtprotoIdentityResolveHandle.Params(handle=handle))
        except (BadRequestError, SourceError):
            return None
        return answer.get("did")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _session_did(client: _Client) -> str:
    session = client._session
    if session is None:
        raise LoginRequiredError
    return session.did

