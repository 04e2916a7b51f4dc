"""Signing in to a Mastodon server that hides its timelines: OAuth with a loopback redirect and PKCE, against a
server on 127.0.0.1 (the test plays the councillor's browser), through the app."""

import base64
import hashlib
import json
import threading
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from localserver import Reply

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError, SourceError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.store import sources as source_store

JSON = {"Content-Type": "application/json; charset=utf-8"}
TAG = "/api/v1/timelines/tag/Millbrook"


def mastodon(server):
    server.route("/api/v1/apps", Reply(json.dumps({"client_id": "cid-1", "client_secret": "csecret-1"}).encode(),
                                       headers=JSON))
    server.route("/oauth/token", Reply(json.dumps({"access_token": "tok-from-oauth", "token_type": "Bearer"}).encode(),
                                       headers=JSON))
    server.route("/api/v1/accounts/verify_credentials", Reply(b'{"acct": "jo_whitfield"}', headers=JSON))


def browser(decision):
    """The councillor's browser: shows the server's page, where they sign in and choose; lands on the redirect."""
    seen = []

    def open_page(url):
        seen.append(url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        answer = decision(query)
        threading.Thread(target=lambda: urllib.request.urlopen(
            f"{query['redirect_uri']}?{urlencode(answer)}", timeout=10).read(), daemon=True).start()

    return open_page, seen


@pytest.fixture
def app(tmp_path, server):
    mastodon(server)
    with App(tmp_path / "data", log_to_file=False) as app:
        with app.store.write() as db:
            app.source_id = source_store.add(db, "mastodon", "Millbrook on Mastodon",
                                             {"instance": server.base, "hashtags": ["Millbrook"]}, clock.now_iso())
        yield app


def test_signing_in_keeps_a_token_the_source_then_uses(app, server):
    open_page, seen = browser(lambda q: {"code": "one-time-code", "state": q["state"]})
    said = []
    who = app.sign_in(app.source_id, open_page, said.append)
    assert who == "@jo_whitfield" and "Sign in to 127.0.0.1" in said[0]
    authorize = {k: v[0] for k, v in parse_qs(urlsplit(seen[0]).query).items()}
    assert authorize["scope"] == "read" and authorize["response_type"] == "code"
    assert authorize["redirect_uri"].startswith("http://127.0.0.1:") and authorize["code_challenge_method"] == "S256"
    registered = parse_qs(server.hits("/api/v1/apps")[0].body.decode())
    assert registered["redirect_uris"] == [authorize["redirect_uri"]] and registered["scopes"] == ["read"]
    exchange = parse_qs(server.hits("/oauth/token")[0].body.decode())
    verifier = exchange["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert challenge == authorize["code_challenge"] and exchange["code"] == ["one-time-code"]
    assert SecretStore(app.source_id).get("access_token") == "tok-from-oauth"
    server.route(TAG, Reply(b"[]", headers=JSON))
    report = app.fetch([app.source_id])
    assert report.ok and server.hits(TAG)[0].headers["authorization"] == "Bearer tok-from-oauth"
    with app.store.read() as db:
        assert "tok-from-oauth" not in json.dumps(db["sources"].get(app.source_id))  # the keyring, not the database


def test_a_refusal_on_the_servers_page_is_said_and_nothing_is_kept(app):
    open_page, _ = browser(lambda q: {"error": "access_denied", "error_description": "The user refused",
                                      "state": q["state"]})
    with pytest.raises(SourceError, match="did not sign you in: The user refused"):
        app.sign_in(app.source_id, open_page, lambda text: None)
    assert SecretStore(app.source_id).get("access_token") is None


def test_an_answer_for_another_request_is_refused(app):
    open_page, _ = browser(lambda q: {"code": "stolen", "state": "not-the-one-we-sent"})
    with pytest.raises(SourceError, match="did not match the request"):
        app.sign_in(app.source_id, open_page, lambda text: None)


def test_a_sign_in_left_unfinished_can_be_cancelled(app):
    cancel = threading.Event()
    with pytest.raises(SourceError, match="cancelled"):
        app.sign_in(app.source_id, lambda url: cancel.set(), lambda text: None, cancel)


def test_a_source_without_a_sign_in_page_says_what_to_do_instead(app):
    with app.store.write() as db:
        rss = source_store.add(db, "rss", "A feed", {"url": "https://example.org/feed"}, clock.now_iso())
    with pytest.raises(ConfigError, match="not signed in on a web page"):
        app.sign_in(rss, lambda url: None, lambda text: None)
