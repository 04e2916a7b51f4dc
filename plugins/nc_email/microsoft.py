"""Microsoft 365 mailboxes: OAuth2 through a device-code sign-in (msal), the token cache kept in the keyring.

Microsoft 365 turned off passwords for IMAP; a council registers one public-client app in Entra ID (no secret,
"allow public client flows" on) and gives its id to the councillor. Signing in shows a code to type at
microsoft.com/devicelogin in any browser, so it works on a locked-down laptop with no redirect to catch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from networked_councillor.plugin_api import SourceApi, SourceError

SCOPES = ["https://outlook.office365.com/IMAP.AccessAsUser.All"]
CACHE = "m365_token_cache"


def _application(api: SourceApi, http_client=None):
    import msal

    client_id = str(api.config.get("client_id") or "").strip()
    if not client_id:
        raise SourceError("This Microsoft 365 mailbox has no application id.",
                          hint="Ask your council's IT for the id of the app registered for Networked Councillor.")
    tenant = str(api.config.get("tenant") or "organizations").strip()
    cache = msal.SerializableTokenCache()
    saved = api.secrets.get(CACHE)
    if saved:
        cache.deserialize(saved)
    authority = str(api.config.get("authority") or f"https://login.microsoftonline.com/{tenant}")
    options = {"http_client": http_client} if http_client is not None else {}
    return msal.PublicClientApplication(client_id, authority=authority, token_cache=cache, **options), cache


def _keep(api: SourceApi, cache) -> None:
    if cache.has_state_changed:
        api.secrets.set(CACHE, cache.serialize())


def access_token(api: SourceApi, http_client=None) -> str:
    """A current token from the cache (refreshed silently when it has expired), or why there is none."""
    app, cache = _application(api, http_client)
    accounts = app.get_accounts()
    result = app.acquire_token_silent(SCOPES, account=accounts[0]) if accounts else None
    _keep(api, cache)
    if not result or "access_token" not in result:
        raise SourceError("This Microsoft 365 mailbox is not signed in (or the sign-in has expired).",
                          hint="Sign in from the source's settings, or run "
                               f"`networked-councillor sources sign-in {api.source_id}`.")
    return result["access_token"]


def sign_in(api: SourceApi, show: Callable[[str], None], http_client=None,
            cancel: threading.Event | None = None) -> str:
    """Device-code sign-in: ``show`` gets the sentence with the code; returns the account signed in."""
    app, cache = _application(api, http_client)
    flow = app.initiate_device_flow(scopes=SCOPES)
    if "user_code" not in flow:
        raise SourceError(f"Microsoft 365 would not start a sign-in: {flow.get('error_description') or flow}")
    show(flow["message"])
    result = app.acquire_token_by_device_flow(  # polls until signed in, the code expires, or ``cancel``
        flow, exit_condition=lambda _flow: cancel is not None and cancel.is_set())
    if "access_token" not in result:
        raise SourceError(f"The Microsoft 365 sign-in did not complete: {result.get('error_description') or result}")
    _keep(api, cache)
    return str((result.get("id_token_claims") or {}).get("preferred_username") or "signed in")
