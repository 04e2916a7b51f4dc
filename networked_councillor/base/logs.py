"""Logging to a rotating file in the data folder, with secrets scrubbed.

Plugins log what servers said; servers sometimes echo credentials. The
redaction filter is the last line of defence that keeps app passwords,
tokens and API keys out of the log file.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

_SECRETS = [
    (re.compile(r"(?i)(authorization:\s*)(bearer|basic|dpop)\s+\S+"), r"\1\2 [redacted]"),
    (re.compile(r"(?i)\b(password|passwd|app_password|api_key|apikey|api-key|access_?jwt|refresh_?jwt|token|secret)"
                r"(['\"]?\s*[:=]\s*['\"]?)([^\s'\",&}]+)"), r"\1\2[redacted]"),
    (re.compile(r"\b[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}\b"), "[redacted app password]"),
    (re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}"), "[redacted token]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup(data_dir: Path, *, verbose: bool = False) -> Path:
    """Log to ``<data dir>/logs/networked-councillor.log`` (rotated); warnings also to stderr."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "networked-councillor.log"
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_nc", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.ERROR)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    for handler in (file_handler, console):
        handler._nc = True  # type: ignore[attr-defined]
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
