"""The shared HTTP client against a real server on 127.0.0.1."""

import threading

import httpx
import pytest
from helpers import peak_memory
from localserver import LocalServer, Reply

from networked_councillor.base.errors import Cancelled, SourceError
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
        client.post(url, data={"a": "1"})  # it may have been acted on: sending it again could do it twice
    assert len(server.hits("/submit")) == 1


def test_404_and_401_say_what_to_check(server, client):
    with pytest.raises(SourceError, match="Nothing was found"):
        client.get(server.url("/missing"))
    url = server.route("/private", Reply(status=401))
    with pytest.raises(SourceError, match="refused access") as caught:
        client.get(url)
    assert "sign-in" in caught.value.hint


@pytest.mark.realtime  # a socket timeout: the answer never comes, and the real clock runs out
def test_timeout_is_reported(server, sleeps):
    never = threading.Event()
    url = server.route("/slow", Reply(b"late", hold=never))
    try:
        with HttpClient(timeout=0.3, retries=0, sleep=sleeps) as client:
            with pytest.raises(SourceError, match="took too long"):
                client.get(url)
    finally:
        never.set()


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


def test_gzip_bomb_is_stopped_without_inflating_it(server, sleeps):
    bomb = b"\0" * (200 * 1024 * 1024)  # 200 MB of zeros: about 200 KB gzipped
    url = server.route("/bomb", Reply(bomb, gzip=True))
    del bomb

    def fetch():
        # the local server gzips the 200 MB when asked, which on a busy CI machine can take longer than the
        # usual client's 2 s: the cap on what is read is what is tested here, not the timeout
        with HttpClient(timeout=60, sleep=sleeps, max_bytes=1024 * 1024) as patient:
            with pytest.raises(SourceError, match="sent more than 1 MB"):
                patient.get(url)

    assert peak_memory(fetch) < 20 * 1024 * 1024


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


# ---- redirects: where credentials may go -------------------------------------------------------

@pytest.fixture
def other_server():
    """A second site on this computer (another port is another origin)."""
    srv = LocalServer()
    yield srv
    srv.close()


def test_a_redirect_loop_is_a_plain_error(server, client):
    url = server.route("/loop", Reply(status=302, headers={"Location": "/loop"}))
    with pytest.raises(SourceError, match="redirected too many times"):
        client.get(url)
    assert len(server.hits("/loop")) == 6  # the first request and five redirects, then it stops


def test_keys_in_headers_go_only_to_the_site_they_were_given_for(server, other_server, client):
    keys = {"Api-Key": "secret-key", "Api-Username": "jo"}
    elsewhere = other_server.route("/latest.json", Reply(b"{}"))
    server.route("/moved", Reply(status=302, headers={"Location": "/latest.json"}))
    server.route("/latest.json", Reply(status=301, headers={"Location": elsewhere}))
    assert client.get(server.url("/moved"), headers=keys).content == b"{}"
    assert server.hits("/latest.json")[0].headers["api-key"] == "secret-key", "the same site keeps them"
    arrived = other_server.hits("/latest.json")[0].headers
    assert "api-key" not in arrived and "api-username" not in arrived


@pytest.mark.parametrize("status", [307, 308])
def test_a_post_carrying_a_key_is_not_sent_on_to_another_site(server, other_server, client, status):
    elsewhere = other_server.route("/requests.json", Reply(b"[]"))
    url = server.route("/requests.json", Reply(status=status, headers={"Location": elsewhere}))
    with pytest.raises(SourceError, match="did not follow"):
        client.post(url, data={"api_key": "secret-key", "service_code": "POT"})
    assert other_server.hits("/requests.json") == []


def test_a_post_redirected_on_its_own_site_is_followed(server, client):
    server.route("/old", Reply(status=307, headers={"Location": "/new"}))
    server.route("/new", Reply(b"made"))
    assert client.post(server.url("/old"), data={"a": "1"}).content == b"made"
    assert server.hits("/new")[0].body == b"a=1"


@pytest.fixture(scope="module")
def certificate_authority():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def test_https_never_steps_down_to_http(certificate_authority, server):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    secure = LocalServer(tls=context)
    try:
        plain = server.route("/feed", Reply(b"<rss/>"))
        secure.route("/feed", Reply(status=301, headers={"Location": plain}))
        trust = ssl.create_default_context()
        certificate_authority.configure_trust(trust)
        with HttpClient(timeout=2, transport=httpx.HTTPTransport(verify=trust)) as client:
            with pytest.raises(SourceError, match="insecure"):
                client.get(secure.url("/feed"), headers={"Authorization": "Bearer t"})
            secure.route("/ok", Reply(b"fine"))
            assert client.get(secure.url("/ok")).content == b"fine", "https itself works"
        assert server.hits("/feed") == []
    finally:
        secure.close()


# ---- one deadline for the whole request ---------------------------------------------------------

@pytest.mark.realtime  # a server that really drips, against a real clock
def test_a_slow_drip_is_cut_off_by_one_deadline_for_all_attempts(server, sleeps):
    url = server.route("/drip", Reply(b"<rss>" + b" " * 200 + b"</rss>", drip=0.05))
    with HttpClient(timeout=1, deadline=1.0, retries=3, sleep=sleeps) as client:
        with pytest.raises(SourceError, match="took too long"):
            client.get(url)
    assert len(server.hits("/drip")) == 1 and sleeps.waits == [], "no second try once the time is up"


def test_a_body_cut_short_without_a_length_is_not_taken_as_whole(server, client):
    url = server.route("/cut", Reply(b"<rss><channel>" + b"<item>x</item>" * 500 + b"</channel></rss>", cut=True))
    response = client.get(url)  # HTTP itself cannot tell: the feed reader must (tests/test_rss_plugin.py)
    assert len(response.content) < 7000


# ---- an SDK's own client gets the same limits ----------------------------------------------------

def test_an_sdk_client_on_the_shared_transport_stops_a_gzip_bomb(server, client):
    bomb = b"\0" * (200 * 1024 * 1024)
    url = server.route("/xrpc/app.bsky.feed.searchPosts", Reply(bomb, gzip=True))
    del bomb

    def fetch():
        with httpx.Client(transport=client.make_transport()) as sdk, pytest.raises(SourceError,
                                                                                   match="sent more than 1 MB"):
            sdk.get(url)

    assert peak_memory(fetch) < 20 * 1024 * 1024


def test_an_sdk_client_on_the_shared_transport_reads_answers_as_usual(server, client):
    url = server.route("/xrpc/x", Reply(b'{"ok": true}', gzip=True, headers={"Content-Type": "application/json"}))
    with httpx.Client(transport=client.make_transport()) as sdk:
        answer = sdk.get(url)
    assert answer.json() == {"ok": True} and answer.headers["content-type"] == "application/json"


# ---- a council's network: a proxy, and its own certificate authority --------------------------------------


def test_requests_go_through_the_councils_proxy(server, monkeypatch):
    from localproxy import LocalProxy

    proxy = LocalProxy()
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        for name in ("NO_PROXY", "no_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        feed = server.route("/feed", Reply(b"<rss/>"))
        with HttpClient(timeout=5) as client:
            assert client.get(feed).content == b"<rss/>"
        assert proxy.seen == [f"GET {feed}"]
    finally:
        proxy.close()


def test_https_through_the_proxy_trusts_the_computers_own_certificates(certificate_authority, monkeypatch, tmp_path):
    """The server's certificate comes from an authority only the computer's store knows (here, the system bundle
    OpenSSL reads from SSL_CERT_FILE): the app trusts it, through the proxy's tunnel, as a council laptop would."""
    import ssl

    from localproxy import LocalProxy

    from networked_councillor.plugin_api.http import system_trust

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(context)
    secure, proxy = LocalServer(tls=context), LocalProxy()
    bundle = tmp_path / "council-ca.pem"
    certificate_authority.cert_pem.write_to_path(str(bundle))
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        for name in ("NO_PROXY", "no_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        system_trust.cache_clear()
        secure.route("/feed", Reply(b"<rss/>"))
        with HttpClient(timeout=5) as client:
            assert client.get(secure.url("/feed")).content == b"<rss/>"
        assert proxy.seen == [f"CONNECT 127.0.0.1:{secure.url('/').split(':')[2].split('/')[0]}"]
    finally:
        system_trust.cache_clear()
        secure.close()
        proxy.close()
