"""A small Bluesky (XRPC) service on 127.0.0.1, for the offline demo ward and for tests.

It answers the calls the Bluesky plugin makes (createSession, refreshSession,
getProfile, resolveHandle, searchPosts, getAuthorFeed, getPostThread,
getPosts, createRecord) with the payload shapes the real service returns,
including its RateLimit-* headers, and it is strict about what it accepts:
a reply must reference its parent and its thread's root correctly, and every
facet's UTF-8 byte range must cover exactly the text it claims. In the
training workspace it is also where "posting" goes, so nothing is ever sent.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex

from networked_councillor.base import clock
from networked_councillor.demo.localhttp import serve

MAX_GRAPHEMES = 300
RATE_LIMIT = 3000


@dataclass
class Fault:
    """Answer ``method`` with this instead, ``times`` times (tests use it to misbehave on cue)."""

    method: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_jwt(did: str, scope: str, ttl: float) -> str:
    """A session token. Its times are the computer's, not the app's clock: the atproto SDK decides when to
    refresh a session by reading the computer's clock, as a real server's tokens would be read."""
    now = int(time.time())
    payload = {"scope": scope, "sub": did, "iat": now, "exp": int(now + ttl), "jti": hashlib.sha1(
        f"{did}{scope}{time.time_ns()}".encode()).hexdigest()}
    return f"{_b64({'typ': 'JWT', 'alg': 'ES256K'})}.{_b64(payload)}.c2lnbmF0dXJl"


def did_for(handle: str) -> str:
    return "did:plc:" + hashlib.sha1(handle.encode()).hexdigest()[:24]


def cid_for(text: str) -> str:
    return "bafyrei" + hashlib.sha256(text.encode()).hexdigest()[:52]


class LocalBluesky:
    """Serve ``posts`` (PostView dicts, as searchPosts returns them) and accept replies to them."""

    def __init__(self, posts: list[dict] | None = None, *, accounts: dict[str, str] | None = None,
                 require_auth: bool = True, access_ttl: float = 7200, refresh_ttl: float = 86400 * 60) -> None:
        self.posts: dict[str, dict] = {}
        self.order: list[str] = []
        self.accounts = accounts or {}
        self.profiles: dict[str, dict] = {}
        self.require_auth = require_auth
        self.access_ttl, self.refresh_ttl = access_ttl, refresh_ttl
        self.deleted: set[str] = set()
        self.blocked: set[str] = set()
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, dict]] = []
        self.created: list[dict] = []
        self.tokens: dict[str, tuple[str, str]] = {}  # token -> (did, scope)
        self.remaining = RATE_LIMIT
        self._lock = threading.Lock()
        for post in posts or []:
            self.add_post(post)
        for handle in self.accounts:
            self.profiles.setdefault(did_for(handle), {"did": did_for(handle), "handle": handle,
                                                      "displayName": handle.split(".")[0]})
        self._httpd: ThreadingHTTPServer | None = None

    # ---- content -------------------------------------------------------------------

    def add_post(self, post: dict) -> None:
        post = copy.deepcopy(post)
        self.posts[post["uri"]] = post
        self.order.append(post["uri"])
        author = post["author"]
        self.profiles.setdefault(author["did"], {k: v for k, v in author.items() if k in ("did", "handle", "displayName")})

    # ---- the server ----------------------------------------------------------------

    def start(self) -> str:
        self._httpd = serve(self._dispatch)
        return self.url

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        method = parts.path.rsplit("/", 1)[-1]
        params = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        with self._lock:
            self.calls.append((method, params))
            fault = next((f for f in self.faults if f.method == method and f.times > 0), None)
            if fault:
                fault.times -= 1
                return self._send(h, fault.status, fault.body, fault.headers)
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                return self._error(h, 400, "InvalidRequest", "Request body is not JSON")
            handler = getattr(self, f"_{method.replace('.', '_')}", None)
            if handler is None:
                return self._error(h, 501, "MethodNotImplemented", f"Method Not Implemented: {method}")
            status, payload = handler(params, body, h.headers.get("Authorization", ""))
        self._send(h, status, json.dumps(payload).encode())

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
        self.remaining = max(0, self.remaining - 1)
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        for name, value in {"RateLimit-Limit": str(RATE_LIMIT), "RateLimit-Remaining": str(self.remaining),
                            "RateLimit-Reset": str(int(clock.timestamp()) + 300), "RateLimit-Policy": "3000;w=300",
                            **(headers or {})}.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def _error(self, h, status: int, error: str, message: str) -> None:
        self._send(h, status, json.dumps({"error": error, "message": message}).encode())

    @staticmethod
    def _fail(status: int, error: str, message: str) -> tuple[int, dict]:
        return status, {"error": error, "message": message}

    def _viewer(self, authorization: str, scope: str = "com.atproto.access") -> tuple[str | None, tuple | None]:
        """(the caller's DID, or None) and an error answer when the token is bad."""
        if not authorization.startswith("Bearer "):
            return None, None
        token = authorization.removeprefix("Bearer ")
        known = self.tokens.get(token)
        if known is None or known[1] != scope:
            return None, self._fail(401, "InvalidToken", "Token could not be verified")
        payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        if payload["exp"] < time.time():
            return None, self._fail(400, "ExpiredToken", "Token has expired")
        return known[0], None

    # ---- com.atproto -----------------------------------------------------------------

    def _session(self, handle: str) -> dict:
        did = did_for(handle)
        access, refresh = make_jwt(did, "com.atproto.access", self.access_ttl), make_jwt(
            did, "com.atproto.refresh", self.refresh_ttl)
        self.tokens[access] = (did, "com.atproto.access")
        self.tokens[refresh] = (did, "com.atproto.refresh")
        return {"accessJwt": access, "refreshJwt": refresh, "handle": handle, "did": did, "active": True}

    def _com_atproto_server_createSession(self, params, body, auth):
        identifier, password = body.get("identifier", ""), body.get("password", "")
        if self.accounts.get(identifier) != password:
            return self._fail(401, "AuthenticationRequired", "Invalid identifier or password")
        return 200, self._session(identifier)

    def _com_atproto_server_refreshSession(self, params, body, auth):
        did, problem = self._viewer(auth, "com.atproto.refresh")
        if problem or did is None:
            return problem or self._fail(401, "AuthenticationRequired", "Authentication Required")
        del self.tokens[auth.removeprefix("Bearer ")]
        return 200, self._session(self.profiles[did]["handle"])

    def _com_atproto_identity_resolveHandle(self, params, body, auth):
        handle = params.get("handle", "").lower()
        for profile in self.profiles.values():
            if profile["handle"].lower() == handle:
                return 200, {"did": profile["did"]}
        return self._fail(400, "InvalidRequest", "Unable to resolve handle")

    def _com_atproto_repo_createRecord(self, params, body, auth):
        did, problem = self._viewer(auth)
        if problem or did is None:
            return problem or self._fail(401, "AuthenticationRequired", "Authentication Required")
        record = body.get("record") or {}
        if body.get("repo") not in (did, self.profiles[did]["handle"]) or body.get("collection") != "app.bsky.feed.post":
            return self._fail(400, "InvalidRequest", "Wrong repo or collection")
        complaint = self.check_post(record)
        if complaint:
            return self._fail(400, "InvalidRequest", complaint)
        rkey = f"3l{hashlib.sha1(json.dumps(record).encode()).hexdigest()[:11]}"
        uri = f"at://{did}/app.bsky.feed.post/{rkey}"
        cid = cid_for(uri)
        now = clock.utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.add_post({"uri": uri, "cid": cid, "author": self.profiles[did], "record": record, "replyCount": 0,
                       "repostCount": 0, "likeCount": 0, "quoteCount": 0, "indexedAt": now, "labels": []})
        self.created.append({"uri": uri, "record": record})
        return 200, {"uri": uri, "cid": cid, "validationStatus": "valid"}

    def check_post(self, record: dict) -> str | None:
        """What is wrong with a post record, the way the real service would refuse it; None if fine."""
        if record.get("$type") != "app.bsky.feed.post" or not isinstance(record.get("text"), str):
            return "Record is not a post"
        text = record["text"]
        if len(regex.findall(r"\X", text)) > MAX_GRAPHEMES:
            return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
        reply = record.get("reply")
        if reply:
            parent, root = reply.get("parent") or {}, reply.get("root") or {}
            target = self.posts.get(parent.get("uri"))
            if target is None or parent.get("uri") in self.deleted:
                return "Could not find the post being replied to"
            if target["cid"] != parent.get("cid"):
                return "Reply parent cid does not match"
            expected_root = (target["record"].get("reply") or {}).get("root") or {"uri": target["uri"], "cid": target["cid"]}
            if root.get("uri") != expected_root["uri"] or root.get("cid") != expected_root["cid"]:
                return "Reply root must be the root of the parent's thread"
        encoded = text.encode("utf-8")
        for facet in record.get("facets") or []:
            index = facet.get("index") or {}
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(encoded)):
                return "Facet byte range is outside the text"
            try:
                covered = encoded[start:end].decode("utf-8")
            except UnicodeDecodeError:
                return "Facet byte range splits a character"
            for feature in facet.get("features") or []:
                kind = feature.get("$type", "")
                if kind.endswith("#link") and not feature.get("uri", "").endswith(covered.removeprefix("https://")
                                                                                    .removeprefix("http://")):
                    return f"Link facet covers {covered!r}, not its link"
                if kind.endswith("#tag") and covered != f"#{feature.get('tag')}":
                    return f"Tag facet covers {covered!r}, not #{feature.get('tag')}"
                if kind.endswith("#mention"):
                    profile = self.profiles.get(feature.get("did"))
                    if profile is None or covered.lower() != f"@{profile['handle']}".lower():
                        return f"Mention facet covers {covered!r}, not its account"
        return None

    # ---- app.bsky --------------------------------------------------------------------

    def _app_bsky_actor_getProfile(self, params, body, auth):
        actor = params.get("actor", "")
        for profile in self.profiles.values():
            if actor in (profile["did"], profile["handle"]):
                return 200, {**profile, "followersCount": 0, "followsCount": 0, "postsCount": 0}
        return self._fail(400, "InvalidRequest", "Profile not found")

    def _visible(self, uri: str) -> dict | None:
        return None if uri in self.deleted else self.posts.get(uri)

    def _newest_first(self) -> list[dict]:
        live = [self.posts[u] for u in self.order if u not in self.deleted]
        return sorted(live, key=lambda p: p["indexedAt"], reverse=True)

    def _page(self, rows: list, params: dict, key: str) -> dict:
        limit = min(100, max(1, int(params.get("limit", 25))))
        start = int(params.get("cursor", 0) or 0)
        chunk = rows[start:start + limit]
        answer: dict[str, Any] = {key: chunk}
        if start + limit < len(rows):
            answer["cursor"] = str(start + limit)
        return answer

    def _app_bsky_feed_searchPosts(self, params, body, auth):
        viewer, problem = self._viewer(auth)
        if problem:
            return problem
        if self.require_auth and viewer is None:
            return self._fail(403, "Forbidden", "Search requires authentication")
        if not params.get("q"):
            return self._fail(400, "InvalidRequest", 'Error: Params must have the property "q"')
        terms = _query_terms(params["q"])
        mentions = params.get("mentions")
        found = []
        for post in self._newest_first():
            record = post["record"]
            text = record.get("text", "").lower()
            if terms and not any(_matches(term, text, record) for term in terms):
                continue
            if params.get("since") and record.get("createdAt", "") < params["since"]:
                continue
            if params.get("until") and record.get("createdAt", "") >= params["until"]:
                continue
            if params.get("lang") and record.get("langs") and params["lang"] not in record["langs"]:
                continue
            if mentions and f"@{mentions.lower()}" not in text:
                continue
            if params.get("author") and params["author"] not in (post["author"]["did"], post["author"]["handle"]):
                continue
            found.append(post)
        answer = self._page(found, params, "posts")
        answer["hitsTotal"] = len(found)
        return 200, answer

    def _app_bsky_feed_getAuthorFeed(self, params, body, auth):
        _viewer, problem = self._viewer(auth)
        if problem:
            return problem
        actor = params.get("actor", "")
        if not any(actor in (p["did"], p["handle"]) for p in self.profiles.values()):
            return self._fail(400, "InvalidRequest", "Profile not found")
        posts = [p for p in self._newest_first() if actor in (p["author"]["did"], p["author"]["handle"])]
        page = self._page(posts, params, "feed")
        page["feed"] = [{"post": p} for p in page["feed"]]
        return 200, page

    def _app_bsky_feed_getPosts(self, params, body, auth):
        uris = params.get("uris", [])
        uris = [uris] if isinstance(uris, str) else uris
        return 200, {"posts": [self.posts[u] for u in uris if self._visible(u)]}

    def _app_bsky_feed_getPostThread(self, params, body, auth):
        _viewer, problem = self._viewer(auth)
        if problem:
            return problem
        uri = params.get("uri", "")
        if uri in self.deleted or uri not in self.posts:
            return self._fail(400, "NotFound", f"Post not found: {uri}")
        return 200, {"thread": self._thread_view(uri, up=True, down=True)}

    def _thread_view(self, uri: str, *, up: bool, down: bool) -> dict:
        if uri in self.deleted or uri not in self.posts:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}
        post = self.posts[uri]
        if post["author"]["did"] in self.blocked:
            return {"$type": "app.bsky.feed.defs#blockedPost", "uri": uri, "blocked": True,
                    "author": {"did": post["author"]["did"], "viewer": {"blockedBy": True}}}
        view: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post}
        parent = (post["record"].get("reply") or {}).get("parent")
        if up and parent:
            view["parent"] = self._thread_view(parent["uri"], up=True, down=False)
        if down:
            view["replies"] = [self._thread_view(p["uri"], up=False, down=True) for p in self._newest_first()[::-1]
                               if ((p["record"].get("reply") or {}).get("parent") or {}).get("uri") == uri]
        return view


def _query_terms(q: str) -> list[str]:
    """Lucene-ish: terms and "phrases" joined by OR (or ||); * means everything."""
    if q.strip() == "*":
        return []
    return [t.strip().strip('"').lower() for t in re.split(r"\s+(?:OR|\|\|)\s+", q) if t.strip()]


def _matches(term: str, text: str, record: dict) -> bool:
    if term.startswith("#"):
        tags = {f.get("tag", "").lower() for facet in record.get("facets") or [] for f in facet.get("features") or []}
        return term[1:] in tags or term in text
    return term in text
