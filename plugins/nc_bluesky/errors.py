"""What Bluesky said when it refused: its error code and message, and how long it asks the app to wait."""

from __future__ import annotations

from atproto_client.exceptions import RequestErrorBase

from networked_councillor.plugin_api import retry_after


def reset_in(exc: RequestErrorBase) -> float:
    wait = retry_after(exc.response.headers) if exc.response is not None else None
    return 30.0 if wait is None else wait


def error_code(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    return getattr(content, "error", None) or (content.get("error") if isinstance(content, dict) else "") or ""


def error_message(exc: RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    message = getattr(content, "message", None) or (content.get("message") if isinstance(content, dict) else None)
    return message or error_code(exc) or "no reason given"
