"""Microsoft 365 mailboxes: the device-code sign-in through msal, and the token cache kept in the keyring.

Entra ID cannot run on loopback, so msal is given an HTTP client (its documented `http_client` hook) that
answers as Entra's endpoints do, in the shapes its documentation gives; msal's own logic (discovery, the
device-code flow, the cache, silent reuse) runs for real.
"""

import base64
import json
from urllib.parse import parse_qs

import pytest
from nc_email.microsoft import CACHE, SCOPES, access_token, sign_in

from networked_councillor.base.errors import SourceError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.base.ward import WardProfile
from networked_councillor.plugin_api.source import SourceApi

TENANT = "millbrook.example.gov.uk"
TENANT_ID = "11111111-2222-3333-4444-555555555555"
BASE = f"https://login.microsoftonline.com/{TENANT}"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class Answer:
    def __init__(self, body: dict, status: int = 200) -> None:
        self.status_code, self.text, self.headers = status, json.dumps(body), {"Content-Type": "application/json"}

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class Entra:
    """What login.microsoftonline.com answers for a public client's device-code sign-in."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict]] = []

    def get(self, url, params=None, headers=None, **kwargs):
        if "openid-configuration" in url:
            return Answer({"authorization_endpoint": f"{BASE}/oauth2/v2.0/authorize",
                           "token_endpoint": f"{BASE}/oauth2/v2.0/token",
                           "device_authorization_endpoint": f"{BASE}/oauth2/v2.0/devicecode",
                           "issuer": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"})
        if "discovery/instance" in url:
            return Answer({"tenant_discovery_endpoint": f"{BASE}/v2.0/.well-known/openid-configuration",
                           "metadata": [{"preferred_network": "login.microsoftonline.com",
                                         "aliases": ["login.microsoftonline.com"]}]})
        return Answer({"error": "not_found"}, 404)

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        form = data if isinstance(data, dict) else {k: v[0] for k, v in parse_qs(data or "").items()}
        self.posts.append((url, form))
        if url.endswith("/devicecode"):
            return Answer({"user_code": "MBK-4821", "device_code": "device-1", "expires_in": 900, "interval": 1,
                           "verification_uri": "https://microsoft.com/devicelogin",
                           "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                                      "and enter the code MBK-4821 to authenticate."})
        if url.endswith("/token"):
            claims = {"aud": "client-123", "iss": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
                      "tid": TENANT_ID, "oid": "aaaa", "preferred_username": "jo.whitfield@millbrook.example.gov.uk",
                      "exp": 4102444800, "iat": 1700000000, "nbf": 1700000000}
            return Answer({"token_type": "Bearer", "scope": " ".join(SCOPES), "expires_in": 3600,
                           "access_token": "imap-token-1", "refresh_token": "refresh-1",
                           "id_token": f"{b64({'alg': 'none'})}.{b64(claims)}.",
                           "client_info": b64({"uid": "aaaa", "utid": TENANT_ID})})
        return Answer({"error": "not_found"}, 404)


def api(config=None):
    return SourceApi(source_id="m365", config={"client_id": "client-123", "tenant": TENANT, **(config or {})},
                     http=None, secrets=SecretStore("m365"), ward=WardProfile())


def test_a_device_code_sign_in_keeps_the_token_cache_in_the_keyring_and_it_is_reused():
    entra, said = Entra(), []
    who = sign_in(api(), said.append, http_client=entra)
    assert who == "jo.whitfield@millbrook.example.gov.uk" and "MBK-4821" in said[0]
    device = next(form for url, form in entra.posts if url.endswith("/token"))
    assert device["device_code"] == "device-1" and device["client_id"] == "client-123"
    cache = SecretStore("m365").get(CACHE)
    assert cache and "refresh-1" in cache  # in the keyring (here the tests' in-memory one), never in the database
    posts = len(entra.posts)
    assert access_token(api(), http_client=entra) == "imap-token-1" and len(entra.posts) == posts  # from the cache


def test_without_a_sign_in_the_mailbox_says_how_to_sign_in():
    with pytest.raises(SourceError, match="not signed in") as caught:
        access_token(api(), http_client=Entra())
    assert "sources sign-in m365" in caught.value.hint


def test_without_the_councils_application_id_it_says_whom_to_ask():
    with pytest.raises(SourceError, match="no application id"):
        access_token(api({"client_id": ""}), http_client=Entra())


def test_a_sign_in_left_waiting_can_be_cancelled():
    import threading

    class NobodySignsIn(Entra):
        def post(self, url, params=None, data=None, headers=None, **kwargs):
            if url.endswith("/token"):
                self.posts.append((url, data))
                cancel.set()  # the councillor gives up while msal polls
                return Answer({"error": "authorization_pending"}, 400)
            return super().post(url, params, data, headers, **kwargs)

    cancel = threading.Event()
    with pytest.raises(SourceError, match="did not complete"):
        sign_in(api(), lambda text: None, http_client=NobodySignsIn(), cancel=cancel)
    assert SecretStore("m365").get(CACHE) is None
