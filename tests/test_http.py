"""The shared HTTP client against a real server on 127.0.0.1."""

import threading
import tracemalloc

import pytest

from localserver import Reply
from networked_councillor.core.errors import Cancelled, SourceError
from networked_councillor.plugin_api.http import USER_AGENT, HttpClient


class Sleeps:
    """Records the waits instead of sleeping them, so retry tests run fast."""

    def __init__(self):
        self.waits = []

    def __call__(self, seconds, cancel):
        self.waits.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client(sleeps):
    with HttpClient(timeout=2, sleep=sleeps, max_bytes=1024 * 1024) as c:
        yield c


def test_sends_a_user_agent_naming_the_app(server, client):
    url = server.route("/feed", Reply(b"ok"))
    assert client.get(url).content == b"ok"
    assert server.hits("/feed")[0].headers["user-agent"] == USER_AGENT
    assert "networked-councillor" in USER_AGENT


def test_etag_makes_the_second_request_conditional(server, client):
    url = server.route("/feed", Reply(b"<rss/>", etag='"v1"'))
    validators = {}
    first = client.get(url, validators=validators)
    second = client.get(url, validators=validators)
    assert first.status == 200 and not first.not_modified
    assert second.not_modified and second.content == b""
    assert server.hits("/feed")[1].headers["if-none-match"] == '"v1"'


def test_last_modified_makes_the_second_request_conditional(server, client):
    stamp = "Tue, 24 Nov 2026 10:00:00 GMT"
    url = server.route("/feed", Reply(b"<rss/>", last_modified=stamp))
    validators = {}
    client.get(url, validators=validators)
    assert client.get(url, validators=validators).not_modified
    assert server.hits("/feed")[1].headers["if-modified-since"] == stamp


def test_429_waits_for_retry_after_then_succeeds(server, client, sleeps):
    url = server.route("/feed", Reply(status=429, headers={"Retry-After": "7"}), Reply(b"fine"))
    assert client.get(url).content == b"fine"
    assert len(sleeps.waits) == 1 and 7 <= sleeps.waits[0] < 8


def test_retry_after_beyond_the_cap_fails_at_once_with_the_time(server, client, sleeps):
    url = server.route("/feed", Reply(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(SourceError) as caught:
        client.get(url)
    assert sleeps.waits == []
    assert caught.value.retry_after == pytest.approx(3600, abs=2)
    assert "limiting how often" in str(caught.value) and "429" in str(caught.value)


def test_ratelimit_reset_header_counts_as_retry_after(server, client, sleeps):
    url = server.route("/x", Reply(status=429, headers={"RateLimit-Reset": "5"}), Reply(b"ok"))
    client.get(url)
    assert 5 <= sleeps.waits[0] < 6


def test_500_is_retried_with_backoff_then_reported_plainly(server, client, sleeps):
    url = server.route("/feed", Reply(status=500))
    with pytest.raises(SourceError) as caught:
        client.get(url)
    assert len(server.hits("/feed")) == 4  # the first try and three retries
    assert sleeps.waits[0] < sleeps.waits[1] < sleeps.waits[2]
    assert "had a problem of its own (HTTP 500)" in str(caught.value)


def test_post_is_not_retried_after_a_500(server, client):
    url = server.route("/submit", Reply(status=500))
    with pytest.raises(SourceError):
        client.post(url, data={"a": "1"}, retry_server_errors=False)
    assert len(server.hits("/submit")) == 1


def test_404_and_401_say_what_to_check(server, client):
    with pytest.raises(SourceError, match="Nothing was found"):
        client.get(server.url("/missing"))
    url = server.route("/private", Reply(status=401))
    with pytest.raises(SourceError, match="refused access") as caught:
        client.get(url)
    assert "sign-in" in caught.value.hint


def test_timeout_is_reported(server, sleeps):
    url = server.route("/slow", Reply(b"late", delay=1.5))
    with HttpClient(timeout=0.3, retries=0, sleep=sleeps) as client:
        with pytest.raises(SourceError, match="took too long"):
            client.get(url)


def test_truncated_body_is_reported(server, client):
    url = server.route("/cut", Reply(b"x" * 10_000, truncate=True))
    with pytest.raises(SourceError, match="closed before the whole answer arrived"):
        client.get(url)


def test_oversized_body_with_content_length_is_refused_before_reading(server, client):
    url = server.route("/big", Reply(b"x" * (2 * 1024 * 1024)))
    with pytest.raises(SourceError, match="sent more than 1 MB"):
        client.get(url)


def test_oversized_chunked_body_is_cut_off(server, client):
    url = server.route("/big", Reply(b"x" * (3 * 1024 * 1024), chunked=True))
    with pytest.raises(SourceError, match="sent more than 1 MB"):
        client.get(url)


def test_gzip_bomb_is_stopped_without_inflating_it(server, client):
    bomb = b"\0" * (200 * 1024 * 1024)  # 200 MB of zeros: about 200 KB gzipped
    url = server.route("/bomb", Reply(bomb, gzip=True))
    del bomb
    tracemalloc.start()
    with pytest.raises(SourceError, match="sent more than 1 MB"):
        client.get(url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


def test_gzip_body_is_decoded(server, client):
    url = server.route("/gz", Reply(b"<rss>hello</rss>", gzip=True))
    assert client.get(url).content == b"<rss>hello</rss>"


def test_damaged_gzip_is_reported(server, client):
    url = server.route("/gz", Reply(b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(SourceError, match="damaged compressed"):
        client.get(url)


def test_malformed_json_is_a_source_error(server, client):
    url = server.route("/api", Reply(b'{"posts": [1, 2', headers={"Content-Type": "application/json"}))
    with pytest.raises(SourceError, match="not valid JSON"):
        client.get(url).json()


def test_charset_from_content_type_is_used(server, client):
    url = server.route("/latin", Reply("café".encode("latin-1"), headers={"Content-Type": "text/plain; charset=iso-8859-1"}))
    assert client.get(url).text == "café"


def test_file_urls_read_local_feeds_and_notice_when_unchanged(tmp_path, client):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss/>")
    validators = {}
    assert client.get(feed.as_uri(), validators=validators).content == b"<rss/>"
    assert client.get(feed.as_uri(), validators=validators).not_modified
    with pytest.raises(SourceError, match="could not be opened"):
        client.get((tmp_path / "missing.xml").as_uri())


def test_cancel_stops_a_retry_wait(server):
    cancel = threading.Event()
    url = server.route("/busy", Reply(status=503, headers={"Retry-After": "30"}))
    threading.Timer(0.2, cancel.set).start()
    with HttpClient(max_retry_wait=60) as client:
        with pytest.raises(Cancelled):
            client.get(url, cancel=cancel)
